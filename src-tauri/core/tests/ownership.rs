//! Ownership in the core (issue 13, finding 7): whatever is made for a customer — a promise, a
//! dispute logged from a call, an invoice copy attached to an email, a file linked as an
//! invoice's copy, a queued message — refuses another customer's invoice with a typed error,
//! and nothing is written.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::mail::attachments;
use duebook_core::mail::compose::{self, ComposeError, SendRequest};
use duebook_core::mail::outbox::{self, MessageMeta};
use duebook_core::model::{Currency, Money, TaskKind};
use duebook_core::store::promises::{self, NewPromise};
use duebook_core::store::tasks::{self, NewTask};
use duebook_core::store::{Database, DbError};
use duebook_core::test_support::campaign::{customer, d, setup_mail, temp_db};
use duebook_core::views::call_list::{self, CallOutcome, OutcomeInput};
use proptest::prelude::*;

const TODAY: &str = "2026-03-06";

/// Two customers with two overdue invoices each: (alice, her invoices, bob, his invoices).
fn two_customers(db: &Database) -> (i64, Vec<i64>, i64, Vec<i64>) {
    let (alice, alices) = customer(
        db,
        "Alice Ltd",
        Some("ap@alice.example"),
        &["2026-01-10", "2026-02-01"],
    );
    let (bob, bobs) = customer(
        db,
        "Bob GmbH",
        Some("ap@bob.example"),
        &["2026-01-15", "2026-02-05"],
    );
    (alice, alices, bob, bobs)
}

fn rows(db: &Database, table: &str) -> i64 {
    db.conn()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn assert_other_customers_invoice(err: &DbError, invoice: i64) {
    assert!(
        matches!(err, DbError::OtherCustomer { record: "invoice", id } if *id == invoice),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("invoice {invoice} belongs to another customer")
    );
}

fn compose_db_error(err: ComposeError) -> DbError {
    match err {
        ComposeError::Db(e) => e,
        other => panic!("expected the ownership error, got {other:?}"),
    }
}

fn promise(customer_id: i64, invoice_id: i64) -> NewPromise {
    NewPromise {
        customer_id,
        invoice_id: Some(invoice_id),
        amount: Money::new(5_000, Currency::parse("EUR").unwrap()),
        promised_date: d("2026-03-20"),
    }
}

#[test]
fn a_promise_on_another_customers_invoice_is_refused_and_not_recorded() {
    let (_dir, mut db) = temp_db();
    let (alice, alices, _bob, bobs) = two_customers(&db);
    let err = db
        .write(|conn| promises::add(conn, &promise(alice, bobs[0]), d(TODAY)))
        .unwrap_err();
    assert_other_customers_invoice(&err, bobs[0]);
    assert_eq!(rows(&db, "promises"), 0);
    db.write(|conn| promises::add(conn, &promise(alice, alices[0]), d(TODAY)))
        .unwrap();
    assert_eq!(rows(&db, "promises"), 1);
}

fn call_outcome(task_id: i64, outcome: CallOutcome, invoice_id: i64) -> OutcomeInput {
    OutcomeInput {
        task_id,
        outcome,
        comment: None,
        amount: Some("50.00".into()),
        currency: Some("EUR".into()),
        promised_date: Some(d("2026-03-20")),
        invoice_id: Some(invoice_id),
        reason: Some("Never received the goods".into()),
        follow_up: None,
    }
}

#[test]
fn a_call_outcome_naming_another_customers_invoice_is_refused_and_leaves_the_task_open() {
    let (_dir, mut db) = temp_db();
    let (alice, _alices, _bob, bobs) = two_customers(&db);
    let task = tasks::add(
        db.conn(),
        &NewTask {
            customer_id: alice,
            kind: TaskKind::Call,
            title: "Call about the overdue invoices",
            due_date: d(TODAY),
        },
    )
    .unwrap();
    for outcome in [CallOutcome::Promise, CallOutcome::Dispute] {
        let input = call_outcome(task, outcome, bobs[1]);
        let err = db
            .write(|conn| call_list::log_outcome(conn, &input, d(TODAY)))
            .unwrap_err();
        assert_other_customers_invoice(&err, bobs[1]);
    }
    assert_eq!(rows(&db, "promises"), 0);
    assert_eq!(rows(&db, "disputes"), 0);
    assert!(tasks::get(db.conn(), task).unwrap().done_at.is_none());
}

#[test]
fn an_email_with_another_customers_invoice_copy_is_refused_and_nothing_is_queued() {
    let (_dir, db) = temp_db();
    setup_mail(&db);
    let (alice, alices, _bob, bobs) = two_customers(&db);
    let conn = db.conn();
    let request = SendRequest {
        customer_id: alice,
        template_key: "overdue-1".into(),
        attachments: Vec::new(),
    };
    let mut prepared = compose::prepare(conn, &request, d(TODAY)).unwrap();
    // Her own copy first: the whole list is checked before any copy is drawn.
    let err =
        attachments::attach_invoice_copies(conn, &mut prepared, &[alices[0], bobs[0]], d(TODAY))
            .unwrap_err();
    assert_other_customers_invoice(&compose_db_error(err), bobs[0]);
    assert!(prepared.email.attachments.is_empty());
    assert!(prepared.preview.attachments.is_empty());
    assert_eq!(rows(&db, "messages"), 0);

    attachments::attach_invoice_copies(conn, &mut prepared, &[alices[0]], d(TODAY)).unwrap();
    assert_eq!(prepared.email.attachments.len(), 1);
    outbox::enqueue_prepared(conn, &prepared, None).unwrap();
    assert_eq!(rows(&db, "messages"), 1);
}

#[test]
fn a_file_is_not_linked_as_the_copy_of_another_customers_invoice() {
    let (dir, db) = temp_db();
    let (alice, alices, _bob, bobs) = two_customers(&db);
    let pdf = dir.path().join("copy.pdf");
    std::fs::write(&pdf, b"%PDF-1.4 copy").unwrap();
    let err = attachments::link_invoice_file(db.conn(), alice, bobs[0], &pdf).unwrap_err();
    assert_other_customers_invoice(&compose_db_error(err), bobs[0]);
    assert_eq!(rows(&db, "invoice_files"), 0);
    attachments::link_invoice_file(db.conn(), alice, alices[0], &pdf).unwrap();
    assert_eq!(rows(&db, "invoice_files"), 1);
}

#[test]
fn the_outbox_does_not_file_a_message_under_another_customers_invoices() {
    let (_dir, db) = temp_db();
    setup_mail(&db);
    let (alice, alices, _bob, bobs) = two_customers(&db);
    let request = SendRequest {
        customer_id: alice,
        template_key: "overdue-1".into(),
        attachments: Vec::new(),
    };
    let prepared = compose::prepare(db.conn(), &request, d(TODAY)).unwrap();
    let meta = MessageMeta {
        customer_id: Some(alice),
        invoice_ids: vec![alices[0], bobs[1]],
        ..MessageMeta::default()
    };
    let err = outbox::enqueue(db.conn(), &prepared.email, &meta).unwrap_err();
    match err {
        outbox::OutboxError::Db(e) => assert_other_customers_invoice(&e, bobs[1]),
        other => panic!("expected the ownership error, got {other:?}"),
    }
    assert_eq!(rows(&db, "messages"), 0);
    assert_eq!(rows(&db, "message_invoices"), 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any customer with any invoice id: a promise is recorded exactly when the invoice is the
    /// customer's own; otherwise the error says whose it is not, or that it does not exist.
    #[test]
    fn a_promise_is_recorded_only_on_the_customers_own_invoice(
        pick_customer in 0usize..2,
        invoice in 0i64..12,
    ) {
        let (_dir, mut db) = temp_db();
        let (alice, alices, bob, bobs) = two_customers(&db);
        let (customer_id, own) = [(alice, &alices), (bob, &bobs)][pick_customer];
        let exists = alices.contains(&invoice) || bobs.contains(&invoice);
        let result = db.write(|conn| promises::add(conn, &promise(customer_id, invoice), d(TODAY)));
        match result {
            Ok(_) => prop_assert!(own.contains(&invoice)),
            Err(DbError::OtherCustomer { id, .. }) => {
                prop_assert!(exists && !own.contains(&invoice) && id == invoice);
            }
            Err(DbError::NotFound(what)) => {
                prop_assert!(!exists);
                prop_assert_eq!(what, format!("invoice {invoice}"));
            }
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
        prop_assert_eq!(rows(&db, "promises"), i64::from(own.contains(&invoice)));
    }
}
