//! Issue 13's closing condition: `duebook run-due` on the demo data plus poisoned customers
//! (line breaks and an RFC 2047 look-alike in the customer and contact names; a header injection
//! in an address), written straight into SQLite, delivers to every other due customer through a
//! real SMTP server. Run through scripts/with-test-services.sh.
//!
//! The poisoned names are sent, cleaned into one line: a name is the customer's, and a line
//! break in it is damage, not meaning. The injected address cannot be cleaned into a real one,
//! so that email is failed with its reason and nobody at the injected address gets anything.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::campaign::run;
use duebook_core::mail::outbox::{self, MessageState};
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{customer, store_raw};
use duebook_core::test_support::mail::SmtpServer;
use std::collections::BTreeSet;
use std::path::Path;
use support::{duebook_smtp as duebook, set_account_with_cli, text};

const DAY: &str = "2026-07-01";
const LOOKALIKE: &str = "=?utf-8?b?UGF5IElCQU4gWFg=?=";
/// What the look-alike would show if a mail client decoded it.
const FORGED: &str = "Pay IBAN XX";

/// A demo customer's twin with its names or address poisoned in SQLite; returns its id.
fn poisoned(db: &Database, name: &str, contact: &str, email: &str) -> i64 {
    let (id, _) = customer(
        db,
        &format!("placeholder {email}"),
        Some(email),
        &["2026-06-20"],
    );
    store_raw(db, id, name, contact, Some(email));
    id
}

fn set_up(path: &Path, server: &SmtpServer) {
    let o = duebook(path, &["demo", "--today", DAY], None);
    assert!(o.status.success(), "{}", text(&o));
    set_account_with_cli(path, server);
    let o = duebook(path, &["campaigns", "preset", "friendly"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = duebook(path, &["campaigns", "activate", "1", "--yes"], None);
    assert!(o.status.success(), "{}", text(&o));
}

/// (customer id, address) of every email the run is to send.
fn planned(path: &Path) -> BTreeSet<(i64, String)> {
    let db = Database::open(path).unwrap();
    let plans = run::plan_all(db.conn(), DAY.parse().unwrap()).unwrap();
    plans
        .iter()
        .flat_map(|(_, plan)| plan.emails())
        .map(|c| {
            let (_, email) = duebook_core::company::recipient(db.conn(), c.customer_id)
                .unwrap()
                .expect("an address");
            (c.customer_id, email)
        })
        .collect()
}

/// (Subject, To name) of the message the server stored for `address`, as mail-parser reads it.
fn read_with_mail_parser(dir: &Path, address: &str) -> (String, String) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let raw = std::fs::read(&path).unwrap();
        let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let to = message.to().and_then(|a| a.first()).unwrap();
        if to.address() == Some(address) {
            let subject = message.subject().unwrap_or_default().to_string();
            return (subject, to.name().unwrap_or_default().to_string());
        }
    }
    panic!("no message to {address} in {}", dir.display());
}

#[test]
fn run_due_on_the_demo_data_with_poisoned_customers_delivers_to_everyone_else() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("accept", &tmp.path().join("srv"));
    let path = tmp.path().join("demo.sqlite");
    set_up(&path, &server);
    let (cleanable, injected) = {
        let db = Database::open(&path).unwrap();
        (
            poisoned(
                &db,
                &format!("Acme\r\nBcc: eve@evil.example {LOOKALIKE}\u{202E}"),
                &format!("Jordan\r\nBcc: eve@evil.example {LOOKALIKE}"),
                "jordan@acme.example",
            ),
            poisoned(
                &db,
                "Injected\r\nLtd",
                "Mo",
                "mo@injected.example\r\nBcc: eve@evil.example",
            ),
        )
    };
    let due = planned(&path);
    assert!(due.len() > 5, "the demo data has due customers: {due:?}");
    assert!(due.iter().any(|(id, _)| *id == cleanable));
    assert!(due.iter().any(|(id, _)| *id == injected));

    let o = duebook(&path, &["run-due", "--today", DAY], None);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "one email failed: {out}");
    assert!(!out.contains("panicked"), "{out}");
    assert!(
        out.contains(&format!("customer {injected}: not prepared:"))
            && out.contains("is not valid"),
        "{out}"
    );

    let received = server.received();
    let delivered: BTreeSet<(i64, String)> = due
        .iter()
        .filter(|(id, _)| *id != injected)
        .cloned()
        .collect();
    let recipients: BTreeSet<String> = received
        .iter()
        .map(|m| m["rcpt_tos"][0].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        received.len(),
        delivered.len(),
        "one email per due customer"
    );
    let wanted: BTreeSet<String> = delivered.into_iter().map(|(_, email)| email).collect();
    assert_eq!(recipients, wanted, "every other due customer");

    let to_acme = received
        .iter()
        .find(|m| m["rcpt_tos"][0] == "jordan@acme.example")
        .expect("the cleaned customer's email");
    let headers = &to_acme["headers"];
    let (subject, to) = (
        headers["Subject"].as_str().unwrap(),
        headers["To"].as_str().unwrap(),
    );
    for header in [subject, to] {
        // Python's address parser keeps the fold between two adjacent encoded words as a
        // space (RFC 2047 says to drop it), so compare without spaces here; mail-parser below
        // reads the exact text.
        assert!(
            header.replace(' ', "").contains(LOOKALIKE),
            "shown literally: {header}"
        );
        assert!(
            !header.contains(FORGED) && !header.contains('\n'),
            "{header}"
        );
    }
    assert!(subject.contains("Acme Bcc: eve@evil.example"), "{subject}");
    assert!(headers.get("Bcc").is_none(), "{headers}");
    let (subject, to_name) = read_with_mail_parser(&server.dir, "jordan@acme.example");
    assert!(
        subject.contains(&format!("Acme Bcc: eve@evil.example {LOOKALIKE}")),
        "{subject}"
    );
    assert_eq!(to_name, format!("Jordan Bcc: eve@evil.example {LOOKALIKE}"));

    let db = Database::open(&path).unwrap();
    let failed = outbox::list_for_customer(db.conn(), injected).unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].state, MessageState::Failed);
    let reason = failed[0].failure_reason.clone().unwrap_or_default();
    assert!(reason.contains("is not valid"), "{reason}");
    let o = duebook(&path, &["outbox", "list", "--state", "failed"], None);
    assert!(text(&o).contains("is not valid"), "{}", text(&o));
}
