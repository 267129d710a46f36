//! Issue 13, finding 1 and "clean at the door": stored names with line breaks, control
//! characters, bidi overrides and encoded-word look-alikes never make `duebook send` panic,
//! never stop a campaign, and are cleaned by migration 9 in files written before it.

mod campaign_support;

use campaign_support::cli_support::{duebook, text};
use campaign_support::{block_on, customer, setup_mail, store_raw, Recorder};
use duebook_core::campaign::{self, run};
use duebook_core::mail::outbox::{self, MessageState};
use duebook_core::model::text::clean_line;
use duebook_core::model::{ContactInput, CustomerEdit, NewCustomer, TaskKind};
use duebook_core::store::tasks::{self, NewTask};
use duebook_core::store::Database;
use duebook_core::{store::contacts, store::customers};
use std::path::Path;
use std::process::Output;

const INJECTED: &str = "ap@acme.example\r\nBcc: eve@evil.example";
const POISONED_NAME: &str = "Acme\r\nBcc: eve@evil.example =?utf-8?b?UGF5IElCQU4gWFg=?=\u{202E}";

/// A file with the account and company set up and one customer with an overdue invoice.
fn file_with_customer() -> (tempfile::TempDir, Database, i64) {
    let (dir, db) = campaign_support::temp_db();
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
    let invoices =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/qbo_open_invoices.csv");
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
    let mailer = Recorder::default();
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

#[test]
fn a_campaign_email_that_cannot_be_prepared_is_failed_with_its_reason_and_the_run_goes_on() {
    let (dir, db) = campaign_support::temp_db();
    setup_mail(&db);
    let (bad, _) = customer(&db, "Acme", Some("ap@acme.example"), &["2026-03-01"]);
    let (good, _) = customer(&db, "Brightwater", Some("ap@bw.example"), &["2026-03-01"]);
    store_raw(&db, bad, POISONED_NAME, "Jordan", Some(INJECTED));
    campaign::create(db.conn(), &campaign::preset("friendly").unwrap()).unwrap();
    let path = db.path().to_path_buf();
    let today = "2026-03-16".parse().unwrap();
    let mailer = Recorder::default();
    for _ in 0..2 {
        let report = block_on(run::run_due(&path, &mailer, today, false)).unwrap();
        let failed = &report.campaigns[0].failed;
        assert_eq!(failed.len(), 1, "{failed:?}");
        assert_eq!(failed[0].0, bad);
        assert!(failed[0].1.contains("is not valid"), "{}", failed[0].1);
    }
    assert_eq!(mailer.count(), 1, "the good customer, once");
    let conn = db.conn();
    let bad_messages = outbox::list_for_customer(conn, bad).unwrap();
    assert_eq!(
        bad_messages.len(),
        1,
        "recorded once, however often it runs"
    );
    let failure = &bad_messages[0];
    assert_eq!(failure.state, MessageState::Failed);
    assert!(
        failure
            .failure_reason
            .as_deref()
            .is_some_and(|r| r.contains("is not valid")),
        "{failure:?}"
    );
    let err = outbox::resend(conn, failure.id).unwrap_err();
    assert!(err.to_string().contains("nothing to resend"), "{err}");
    let sent = outbox::list_for_customer(conn, good).unwrap();
    assert_eq!(sent[0].state, MessageState::Sent);

    // Corrected, the customer is prepared and sent by the next run: the failure gives way.
    conn.execute(
        "UPDATE contacts SET email = 'ap@acme.example' WHERE customer_id = ?1",
        [bad],
    )
    .unwrap();
    let report = block_on(run::run_due(&path, &mailer, today, false)).unwrap();
    assert!(report.campaigns[0].failed.is_empty());
    let bad_messages = outbox::list_for_customer(conn, bad).unwrap();
    assert_eq!(bad_messages.len(), 1, "{bad_messages:?}");
    assert_eq!(bad_messages[0].state, MessageState::Sent);
    assert_eq!(mailer.count(), 2);
    drop(dir);
}

#[test]
fn every_way_in_through_the_core_cleans_single_line_text() {
    let (_dir, db) = campaign_support::temp_db();
    let conn = db.conn();
    let id = customers::insert(conn, &NewCustomer::named("Acme\r\nLtd\u{202E}")).unwrap();
    assert_eq!(customers::get(conn, id).unwrap().name, "Acme Ltd");
    assert_eq!(
        customers::find_id_by_name(conn, "acme\tltd").unwrap(),
        Some(id)
    );
    let renamed = customers::edit(conn, id, &CustomerEdit::Name("Acme\u{1b}[2J\nGroup".into()));
    assert_eq!(renamed.unwrap().name, "Acme [2J Group");
    let blank = customers::edit(conn, id, &CustomerEdit::Name("\r\n\t".into())).unwrap_err();
    assert!(blank.to_string().contains("cannot be empty"), "{blank}");

    let input = |email: &str| ContactInput {
        name: Some("Jordan\r\nBcc: eve@evil.example".into()),
        email: Some(email.into()),
        phone: Some("+44 20\t7946 0000".into()),
        role: Some("AP\u{202E}".into()),
        is_billing: true,
    };
    let contact = contacts::add(conn, id, &input(" ap@acme.example\r")).unwrap();
    assert_eq!(
        contact.name.as_deref(),
        Some("Jordan Bcc: eve@evil.example")
    );
    assert_eq!(contact.email.as_deref(), Some("ap@acme.example"));
    assert_eq!(contact.phone.as_deref(), Some("+44 20 7946 0000"));
    assert_eq!(contact.role.as_deref(), Some("AP"));
    let refused = contacts::add(conn, id, &input("ap@acme.example\nBcc: eve@evil.example"));
    match refused {
        Err(duebook_core::store::DbError::Invalid(e)) => assert_eq!(e.field, "email"),
        other => panic!("not a field error: {other:?}"),
    }

    let task = tasks::add(
        conn,
        &NewTask {
            customer_id: id,
            kind: TaskKind::Call,
            title: "Call\r\nback\u{1b}",
            due_date: "2026-04-01".parse().unwrap(),
        },
    )
    .unwrap();
    let title: String = conn
        .query_row("SELECT title FROM tasks WHERE id = ?1", [task], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(title, "Call back");

    let mut hostile = campaign::preset("friendly").unwrap();
    hostile.name = "Friendly\r\n\u{1b}[31mred".into();
    hostile.audience.tags = vec!["vip\ttier".into()];
    let stored = campaign::get(conn, campaign::create(conn, &hostile).unwrap()).unwrap();
    assert_eq!(stored.name, "Friendly [31mred");
    assert_eq!(stored.audience.tags, ["vip tier"]);
}
