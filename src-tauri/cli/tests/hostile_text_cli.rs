//! Issue 13, finding 1, through the command line: stored names with line breaks, control
//! characters, bidi overrides and encoded-word look-alikes never make `duebook send` panic,
//! and a hostile QuickBooks contact list imported with `duebook import` cannot stop a campaign.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::campaign::{self, run};
use duebook_core::model::text::clean_line;
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{
    block_on, customer, setup_mail, store_raw, temp_db, StubMailer, INJECTED, POISONED_NAME,
};
use duebook_core::test_support::import::fixture;
use std::path::Path;
use std::process::Output;
use support::{duebook, text};

/// A file with the account and company set up and one customer with an overdue invoice.
fn file_with_customer() -> (tempfile::TempDir, Database, i64) {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let (id, _) = customer(&db, "Acme", Some("ap@acme.example"), &["2026-03-01"]);
    (dir, db, id)
}

/// `duebook send --customer ID --template overdue-1 EXTRA...` on `db`'s file, once it is closed.
fn send_reminder(db: Database, id: i64, extra: &[&str]) -> Output {
    let path = db.path().to_path_buf();
    drop(db);
    let id = id.to_string();
    let mut args = vec!["send", "--customer", &id, "--template", "overdue-1"];
    args.extend_from_slice(extra);
    duebook(&path, &args)
}

#[test]
fn send_to_an_address_with_a_header_injection_fails_with_a_clear_message_not_a_panic() {
    let (_dir, db, id) = file_with_customer();
    store_raw(&db, id, POISONED_NAME, "Jordan\r\nSmith", Some(INJECTED));
    let o = send_reminder(db, id, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(!out.contains("panicked"), "{out}");
    assert!(
        out.contains("error: the contact address") && out.contains("is not valid"),
        "{out}"
    );
    assert!(
        out.contains(&clean_line(POISONED_NAME)),
        "names the customer: {out}"
    );
}

#[test]
fn a_dry_run_to_names_with_line_breaks_shows_them_cleaned_into_one_line() {
    let (_dir, db, id) = file_with_customer();
    store_raw(
        &db,
        id,
        POISONED_NAME,
        "Jordan\r\nBcc: eve@evil.example\u{1b}[2J",
        Some("ap@acme.example"),
    );
    let o = send_reminder(db, id, &["--dry-run"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("To:       \"Jordan Bcc: eve@evil.example [2J\" <ap@acme.example>"),
        "{out}"
    );
    let subject = out
        .lines()
        .find(|l| l.starts_with("Subject:"))
        .expect("a subject line");
    assert!(
        subject.contains("Acme Bcc: eve@evil.example =?utf-8?b?UGF5IElCQU4gWFg=?="),
        "{subject}"
    );
}

/// A QuickBooks "Customer Contact List" made by an attacker: line breaks, tabs, ESC, bidi
/// overrides, an encoded word and a header injection in its cells.
fn hostile_contact_list(dir: &Path) -> std::path::PathBuf {
    let rows = [
        "Craig's Design and Landscaping Services",
        "Customer Contact List",
        "",
        "Customer full name,Phone numbers,Email,Full name,Bill address,Ship address",
        "Amy's Bird Sanctuary,Phone:(650) 555-3311,Birds@Intuit.com,\"Amy\r\nBcc: eve@evil.example\",,",
        "Bill's Windsurf Shop,,\"a@b.com\nBcc: x@y.example\",Bill\tLucchini,,",
        "Total Fitness,,info@totalfitness.example,\"\u{1b}[2JMaria \u{202E}zepoL\",,",
        "Geeta Kalapatapu,,geeta@kalapatapu.example,=?utf-8?b?UGF5IElCQU4gWFg=?=,,",
        "\"Evil\r\nCorp\u{202E}\",,evil@corp.example,\"Eve\r\nTo: all@corp.example\",,",
    ];
    let path = dir.join("contacts.csv");
    std::fs::write(&path, rows.join("\r\n")).unwrap();
    path
}

#[test]
fn a_hostile_quickbooks_contact_list_cannot_stop_a_campaign() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qbo.sqlite");
    let invoices = fixture("qbo_open_invoices.csv");
    let o = duebook(&path, &["import", invoices.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let contacts = hostile_contact_list(dir.path());
    let o = duebook(&path, &["import", contacts.to_str().unwrap()]);
    assert!(!text(&o).contains("panicked"), "{}", text(&o));
    {
        let db = Database::open(&path).unwrap();
        setup_mail(&db);
        campaign::create(db.conn(), &campaign::preset("friendly").unwrap()).unwrap();
        assert_stored_text_is_clean(&db);
    }
    let today = "2026-04-01".parse().unwrap();
    let mailer = StubMailer::default();
    let report = block_on(run::run_due(&path, &mailer, today, false)).expect("the run goes on");
    let planned: Vec<i64> = report.campaigns[0]
        .plan
        .emails()
        .map(|c| c.customer_id)
        .collect();
    assert!(planned.len() >= 2, "{planned:?}");
    let delivery = report.delivery.expect("a delivery");
    let failed = &report.campaigns[0].failed;
    assert_eq!(
        delivery.sent.len() + failed.len(),
        planned.len(),
        "every planned email is sent or failed with a reason: {failed:?}"
    );
    assert!(delivery.failed.is_empty() && delivery.uncertain.is_empty());
    for raw in mailer.sent.lock().unwrap().iter() {
        let raw = String::from_utf8_lossy(raw);
        let headers = raw.split("\r\n\r\n").next().unwrap();
        for forbidden in [
            "eve@evil.example",
            "x@y.example",
            "all@corp.example",
            "\u{1b}",
        ] {
            assert!(!headers.contains(forbidden), "{forbidden:?} in {headers}");
        }
        assert!(!headers.contains("UGF5IElCQU4gWFg="), "{headers}");
    }
}

/// Every name, email, phone and role the import stored is one clean line.
fn assert_stored_text_is_clean(db: &Database) {
    let texts: Vec<Option<String>> = db
        .conn()
        .prepare(
            "SELECT name FROM customers
             UNION ALL SELECT name FROM contacts UNION ALL SELECT email FROM contacts
             UNION ALL SELECT phone FROM contacts UNION ALL SELECT role FROM contacts",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for text in texts.iter().flatten() {
        assert_eq!(&clean_line(text), text, "stored as it came");
    }
}
