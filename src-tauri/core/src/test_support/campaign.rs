//! Helpers for the campaign tests: a database file with a sending account and company,
//! customers with invoices due on chosen dates, and a mailer that records.

pub use super::{temp_db, StubMailer};
// The mail tests' company and account, so both suites send the same kind of message.
use super::mail as mail_support;

pub mod backlog;

use crate::campaign::run;
use crate::clock::{Clock, FixedClock};
use crate::mail::account;
use crate::mail::security::Security;
use crate::mail::smtp::Mailer;
use crate::model::{Currency, InvoiceKind, Money, NewCustomer, NewInvoice};
use crate::secrets::{MemoryStore, Password};
use crate::store::promises::{self, NewPromise};
use crate::store::Database;
use crate::{store::customers, store::derived, store::invoices, store::tasks};
use chrono::NaiveDate;
use std::path::Path;
use std::process::Output;

pub fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

/// Company profile and an SMTP account (password in a memory store), so messages can be composed.
pub fn setup_mail(db: &Database) {
    mail_support::seed_company(db);
    account::save(
        db.conn(),
        &MemoryStore::new(),
        &mail_support::account(2525, Security::None),
        Some(&Password::new("pw")),
    )
    .expect("account");
}

/// A new database that can send (company and account, see [`setup_mail`]) with the "friendly"
/// preset campaign; returns (its folder's guard, the database, the campaign's id).
pub fn friendly_campaign_db() -> (tempfile::TempDir, Database, i64) {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let preset = crate::campaign::preset("friendly").expect("the friendly preset");
    let id = crate::campaign::create(db.conn(), &preset).expect("create the campaign");
    (dir, db, id)
}

/// A customer with (optionally) a billing email and one EUR invoice per due date; returns
/// (customer id, invoice ids).
pub fn customer(db: &Database, name: &str, email: Option<&str>, dues: &[&str]) -> (i64, Vec<i64>) {
    let conn = db.conn();
    let id = customers::insert(conn, &NewCustomer::named(name)).expect("customer");
    mail_support::billing_contact(db, id, email, Some("+44 20 7946 0000"));
    let ids = dues
        .iter()
        .enumerate()
        .map(|(n, due)| invoice(db, id, &format!("INV-{id}-{n}"), due))
        .collect();
    derived::refresh_customers(conn, &[id]).expect("refresh");
    (id, ids)
}

/// An open invoice of 100.00 EUR for `customer`, issued 30 days before it is `due`.
pub fn invoice(db: &Database, customer: i64, number: &str, due: &str) -> i64 {
    let due = d(due);
    invoices::insert(
        db.conn(),
        &NewInvoice {
            customer_id: customer,
            kind: InvoiceKind::Invoice,
            number: number.into(),
            issue_date: due - chrono::Days::new(30),
            due_date: due,
            total: Money::new(10_000, Currency::parse("EUR").expect("eur")),
            source: "manual".into(),
        },
    )
    .expect("invoice")
}

/// A payment of `minor` on `invoice_id`, dated `on`, as an import records it.
pub fn pay(db: &Database, invoice_id: i64, minor: i64, on: NaiveDate) {
    let payment = crate::store::payments::NewPayment {
        invoice_id,
        amount_minor: minor,
        paid_on: on,
        reference: None,
        source: crate::store::payments::PaymentSource::Import,
    };
    crate::store::payments::record(db.conn(), &payment).expect("payment");
}

/// One message in the outbox, as the tests read it.
#[derive(Debug, Clone)]
pub struct Queued {
    /// None for an internal message (an owner's notice or digest).
    pub customer_id: Option<i64>,
    pub to: String,
    pub body_text: String,
    pub send_key: String,
    /// The day it was queued ('YYYY-MM-DD').
    pub queued_on: String,
}

/// The outbox's messages of template `template_key`, oldest first.
pub fn queued(db: &Database, template_key: &str) -> Vec<Queued> {
    let mut stmt = db
        .conn()
        .prepare(
            "SELECT customer_id, to_addrs, body_text, COALESCE(send_key, ''), substr(created_at, 1, 10)
             FROM messages WHERE template_key = ?1 ORDER BY id",
        )
        .expect("outbox query");
    let rows = stmt.query_map([template_key], |r| {
        Ok(Queued {
            customer_id: r.get(0)?,
            to: r.get(1)?,
            body_text: r.get(2)?,
            send_key: r.get(3)?,
            queued_on: r.get(4)?,
        })
    });
    rows.and_then(|rows| rows.collect()).expect("outbox rows")
}

/// A plan for `customer_id`'s `invoice_ids` paying (due date, amount) instalments.
pub fn custom_plan(
    customer_id: i64,
    invoice_ids: &[i64],
    instalments: &[(&str, &str)],
) -> crate::store::plans::PlanInput {
    use crate::store::plans::{InstalmentInput, PlanInput, PlanSplit};
    PlanInput {
        customer_id,
        invoice_ids: invoice_ids.to_vec(),
        split: PlanSplit::Custom {
            instalments: instalments
                .iter()
                .map(|(due, amount)| InstalmentInput {
                    due_date: d(due),
                    amount: (*amount).into(),
                })
                .collect(),
        },
        note: String::new(),
    }
}

/// `customer_id`'s promise, made on `made_on`, to pay 100.00 EUR of `invoice_id` by `promised`.
pub fn promise_to_pay(
    db: &Database,
    customer_id: i64,
    invoice_id: i64,
    promised: &str,
    made_on: &str,
) {
    let promise = NewPromise {
        customer_id,
        invoice_id: Some(invoice_id),
        amount: Money::new(10_000, Currency::parse("EUR").expect("eur")),
        promised_date: d(promised),
    };
    promises::add(db.conn(), &promise, d(made_on)).expect("promise");
}

/// A contact address with a header injection, for [`store_raw`].
pub const INJECTED: &str = "ap@acme.example\r\nBcc: eve@evil.example";
/// A customer name with a line break, a header, an encoded-word look-alike and a bidi override.
pub const POISONED_NAME: &str =
    "Acme\r\nBcc: eve@evil.example =?utf-8?b?UGF5IElCQU4gWFg=?=\u{202E}";

/// Writes a customer's name and its contacts' name (and address, when given) straight into
/// SQLite, past every way in that cleans: what an older version, another tool or a hand-edited
/// file may have left there.
pub fn store_raw(db: &Database, customer_id: i64, name: &str, contact: &str, email: Option<&str>) {
    let conn = db.conn();
    conn.execute(
        "UPDATE customers SET name = ?2 WHERE id = ?1",
        rusqlite::params![customer_id, name],
    )
    .expect("store the name");
    conn.execute(
        "UPDATE contacts SET name = ?2, email = coalesce(?3, email) WHERE customer_id = ?1",
        rusqlite::params![customer_id, contact, email],
    )
    .expect("store the contact");
}

/// Standard output of a run that must have succeeded.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// (date, customer, template, channel) for every message and call task, day by day.
pub type Log = Vec<(NaiveDate, i64, String, &'static str)>;

/// Runs `run-due` once a day for `days` days from `start`, with the clock stopped on each day.
pub fn simulate<M: Mailer>(path: &Path, start: NaiveDate, days: u64, mailer: &M) -> Log {
    simulate_days(path, (start, days), mailer, |_| {}, |_| {})
}

/// The customer an owner notice (which names no customer in the outbox) was about.
fn owner_notice_customer(db: &Database, message_id: i64) -> Option<i64> {
    db.conn()
        .query_row(
            "SELECT customer_id FROM owner_notices WHERE message_id = ?1 LIMIT 1",
            [message_id],
            |r| r.get(0),
        )
        .ok()
}

/// [`simulate`], calling `before` with each day's date before its run and `after` with the
/// run's report.
pub fn simulate_days<M: Mailer>(
    path: &Path,
    (start, days): (NaiveDate, u64),
    mailer: &M,
    mut before: impl FnMut(NaiveDate),
    mut after: impl FnMut(&run::RunReport),
) -> Log {
    let db = Database::open(path).expect("open");
    let mut log = Vec::new();
    for n in 0..days {
        let clock = FixedClock(start + chrono::Days::new(n));
        let today = clock.today();
        before(today);
        let report = block_on(run::run_due(path, mailer, today, false)).expect("run-due");
        after(&report);
        for c in &report.campaigns {
            assert!(c.failed.is_empty(), "{today}: {:?}", c.failed);
            assert!(c.already_queued.is_empty());
            for id in &c.messages {
                let m = crate::mail::outbox::get(db.conn(), *id).expect("message");
                log.push((
                    today,
                    // 0: about no one customer (an owner's digest).
                    m.customer_id
                        .or_else(|| owner_notice_customer(&db, *id))
                        .unwrap_or(0),
                    m.template_key.expect("template"),
                    "email",
                ));
            }
            for id in &c.tasks {
                let t = tasks::get(db.conn(), *id).expect("task");
                let step = c
                    .plan
                    .contacts
                    .iter()
                    .find(|p| p.customer_id == t.customer_id)
                    .expect("planned");
                log.push((today, t.customer_id, step.template_key.clone(), "call"));
            }
        }
    }
    log
}
