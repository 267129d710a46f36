//! Issue 13, finding 1 and "clean at the door": stored names with line breaks, control
//! characters, bidi overrides and encoded-word look-alikes never make `duebook send` panic,
//! never stop a campaign, and are cleaned by migration 9 in files written before it.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::campaign::{self, run};
use duebook_core::mail::outbox::{self, MessageState};
use duebook_core::model::{ContactInput, CustomerEdit, NewCustomer, TaskKind};
use duebook_core::store::tasks::{self, NewTask};
use duebook_core::test_support::campaign::{
    block_on, customer, setup_mail, store_raw, StubMailer, INJECTED, POISONED_NAME,
};
use duebook_core::{store::contacts, store::customers};

#[test]
fn a_campaign_email_that_cannot_be_prepared_is_failed_with_its_reason_and_the_run_goes_on() {
    let (dir, db) = duebook_core::test_support::campaign::temp_db();
    setup_mail(&db);
    let (bad, _) = customer(&db, "Acme", Some("ap@acme.example"), &["2026-03-01"]);
    let (good, _) = customer(&db, "Brightwater", Some("ap@bw.example"), &["2026-03-01"]);
    store_raw(&db, bad, POISONED_NAME, "Jordan", Some(INJECTED));
    campaign::create(db.conn(), &campaign::preset("friendly").unwrap()).unwrap();
    let path = db.path().to_path_buf();
    let today = "2026-03-16".parse().unwrap();
    let mailer = StubMailer::default();
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
    let (_dir, db) = duebook_core::test_support::campaign::temp_db();
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
