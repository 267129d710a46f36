//! Statements by email through the outbox and a real SMTP server (aiosmtpd with STARTTLS and
//! AUTH; run through scripts/with-test-services.sh): the PDF the server receives is
//! byte-identical to the one saved, a statement is never queued twice, a customer without an
//! email address gets a clear refusal and nothing queued, and "send all" stops on cancel.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use duebook_core::mail::account;
use duebook_core::mail::outbox::{self, MessageState, OutboxError, RetryPolicy};
use duebook_core::mail::security::Security;
use duebook_core::mail::statements::{self as statement_mail, StatementMailError, StatementMailer};
use duebook_core::mail::{self};
use duebook_core::model::NewCustomer;
use duebook_core::secrets::{MemoryStore, Password};
use duebook_core::statement::{self, BulkOptions, Selection, StatementOptions};
use duebook_core::store::Database;
use duebook_core::test_support::count;
use duebook_core::test_support::mail::*;
use duebook_core::{store::customers, store::derived};
use std::sync::atomic::{AtomicBool, Ordering};

fn with_account(db: &Database, port: u16) -> MemoryStore {
    let secrets = MemoryStore::new();
    account::save(
        db.conn(),
        &secrets,
        &account(port, Security::StartTls),
        Some(&Password::new(PASSWORD)),
    )
    .expect("save account");
    secrets
}

fn statement_options() -> StatementOptions {
    StatementOptions::new(today())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emailed_statement_arrives_byte_identical_to_the_saved_one() {
    let (dir, mut db) = temp_db();
    seed_company(&db);
    let customer = seed_customer(&db, "Café Ölmann GmbH", "ap@olmann.example");
    let server = SmtpServer::start("accept", &dir.path().join("smtp"));
    let secrets = with_account(&db, server.port);

    // Saved as Save as… does: the same function, the same data.
    let saved = dir.path().join("saved.pdf");
    let pdf = statement::render_statement(db.conn(), customer, &statement_options()).unwrap();
    statement::write_file(&saved, &pdf).unwrap();

    let mailer = StatementMailer::new(db.conn()).unwrap();
    let id = mailer
        .enqueue(db.conn(), customer, &statement_options())
        .unwrap();
    let again = mailer
        .enqueue(db.conn(), customer, &statement_options())
        .unwrap_err();
    assert!(
        matches!(
            again,
            StatementMailError::Outbox(OutboxError::AlreadyQueued { .. })
        ),
        "{again}"
    );

    let m = mail::mailer_for_account(db.conn(), &secrets, mailer_options()).unwrap();
    let report = outbox::deliver(db.conn_mut(), &m, None, &RetryPolicy::default())
        .await
        .unwrap();
    assert_eq!(report.sent, vec![id]);
    assert_eq!(
        outbox::get(db.conn(), id).unwrap().state,
        MessageState::Sent
    );

    let got = server.received();
    assert_eq!(got.len(), 1, "one message, not two");
    let msg = &got[0];
    let subject = msg["headers"]["Subject"].as_str().unwrap();
    assert!(
        subject.contains("Statement of account for Café Ölmann GmbH"),
        "{subject}"
    );
    let parts = msg["parts"].as_array().unwrap();
    let pdf_part = parts
        .iter()
        .find(|p| p["content_type"] == "application/pdf")
        .expect("a PDF part");
    assert_eq!(
        pdf_part["filename"],
        statement::statement_file_name(customer, "Café Ölmann GmbH", today())
    );
    let received = BASE64.decode(pdf_part["base64"].as_str().unwrap()).unwrap();
    assert!(received.starts_with(b"%PDF"));
    assert_eq!(
        received,
        std::fs::read(&saved).unwrap(),
        "the attachment is the saved file, byte for byte"
    );
}

#[test]
fn a_customer_without_an_email_address_gets_a_clear_refusal_and_nothing_is_queued() {
    let (_dir, db) = temp_db();
    seed_company(&db);
    with_account(&db, 2525);
    let id = customers::insert(db.conn(), &NewCustomer::named("Quiet Traders")).unwrap();
    derived::refresh_customers(db.conn(), &[id]).unwrap();

    let e = StatementMailer::new(db.conn())
        .unwrap()
        .enqueue(db.conn(), id, &statement_options())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Quiet Traders has no contact with a usable email address"),
        "{e}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM messages"), 0);
}

#[test]
fn send_all_queues_one_message_per_customer_once_and_stops_on_cancel() {
    let (_dir, db) = temp_db();
    seed_company(&db);
    with_account(&db, 2525);
    let ids: Vec<i64> = (1..=4)
        .map(|i| seed_customer(&db, &format!("Customer {i}"), &format!("ap{i}@c.example")))
        .collect();
    let silent = customers::insert(db.conn(), &NewCustomer::named("No Mail Ltd")).unwrap();
    let bulk = |ids: Vec<i64>| BulkOptions {
        statement: statement_options(),
        selection: Selection::Customers(ids),
        threads: Some(1),
    };
    let mut all = ids.clone();
    all.push(silent);

    // Cancelled after the second statement.
    let cancel = AtomicBool::new(false);
    let stop_after_two = |p: statement::BulkProgress| {
        if p.done == 2 {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let first =
        statement_mail::enqueue_all(db.conn(), &bulk(all.clone()), &stop_after_two, &cancel)
            .unwrap();
    assert!(first.cancelled);
    assert_eq!(first.queued.len(), 2);
    assert_eq!(first.to_send, 4);
    assert_eq!(first.without_email.len(), 1);
    assert_eq!(first.without_email[0].customer_name, "No Mail Ltd");

    // Run again: the two queued before are not queued twice.
    let second =
        statement_mail::enqueue_all(db.conn(), &bulk(all), &|_| {}, &AtomicBool::new(false))
            .unwrap();
    assert!(!second.cancelled);
    assert_eq!(second.queued.len(), 2);
    assert_eq!(second.already_queued.len(), 2);
    assert!(second.failed.is_empty(), "{:?}", second.failed);
    let per_customer: Vec<i64> = ids
        .iter()
        .map(|id| {
            db.conn()
                .query_row(
                    "SELECT count(*) FROM messages WHERE customer_id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .unwrap()
        })
        .collect();
    assert_eq!(per_customer, vec![1, 1, 1, 1]);
}
