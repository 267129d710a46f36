//! Promises kept rate and campaign conversion (issue 18), on hand-made histories. Promises are
//! stamped with the wall clock when made, so the days here are counted from today.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::{Days, NaiveDate, Utc};
use duebook_core::model::{Currency, Money};
use duebook_core::store::promises::{self, NewPromise};
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{customer, friendly_campaign_db};
use duebook_core::test_support::ledger::{add_invoice, record_payment};
use duebook_core::test_support::temp_db;
use duebook_core::views::report::conversion::conversion;
use duebook_core::views::report::promises::{promises_kept, PromiseCounts};
use rusqlite::params;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn day(offset: i64) -> NaiveDate {
    let t = today();
    let days = Days::new(offset.unsigned_abs());
    if offset < 0 {
        t.checked_sub_days(days).unwrap()
    } else {
        t.checked_add_days(days).unwrap()
    }
}

fn money(minor: i64, code: &str) -> Money {
    Money::new(minor, Currency::parse(code).unwrap())
}

/// A customer with one invoice of 100.00 in `code`; returns (customer, invoice).
fn debtor(db: &Database, name: &str, code: &str) -> (i64, i64) {
    let (id, _) = customer(db, name, None, &[]);
    let invoice = add_invoice(
        db,
        id,
        &format!("{name}-1"),
        day(-60),
        day(-30),
        money(10_000, code),
    );
    (id, invoice)
}

fn promise(db: &Database, customer_id: i64, minor: i64, code: &str, due_in: i64) {
    let new = NewPromise {
        customer_id,
        invoice_id: None,
        amount: money(minor, code),
        promised_date: day(due_in),
    };
    promises::add(db.conn(), &new, today()).unwrap();
}

#[test]
fn kept_rate_counts_the_promises_due_in_the_period() {
    let (_dir, db) = temp_db();
    let (kept, invoice) = debtor(&db, "Kept", "USD");
    let (broken, _) = debtor(&db, "Broken", "USD");
    let (pending, _) = debtor(&db, "Pending", "USD");
    let (euro, _) = debtor(&db, "Euro", "EUR");
    promise(&db, kept, 5_000, "USD", 0);
    record_payment(&db, invoice, 5_000, today(), None);
    promise(&db, broken, 3_000, "USD", 3);
    promise(&db, pending, 2_000, "USD", 10);
    promise(&db, euro, 1_000, "EUR", 5);
    // Due after the period: not counted.
    promise(&db, broken, 9_000, "USD", 20);

    let report = promises_kept(db.conn(), today(), day(10)).unwrap();
    let usd = PromiseCounts {
        due: 3,
        kept: 1,
        broken: 1,
        pending: 1,
        kept_percent: Some(33.33),
        promised: 10_000,
        promised_kept: 5_000,
    };
    assert_eq!(report.currencies["USD"], usd);
    let eur = &report.currencies["EUR"];
    assert_eq!((eur.due, eur.broken, eur.kept_percent), (1, 1, Some(0.0)));
    let all = &report.overall;
    assert_eq!((all.due, all.kept, all.broken, all.pending), (4, 1, 2, 1));
    assert_eq!(all.kept_percent, Some(25.0));

    let empty = promises_kept(db.conn(), day(30), day(40)).unwrap();
    assert!(empty.currencies.is_empty());
    assert_eq!(empty.overall.kept_percent, None);
}

/// A delivered step, as the campaign run keeps it.
fn reminded(
    db: &Database,
    campaign: i64,
    invoice: i64,
    customer: i64,
    step: i64,
    variant: Option<&str>,
    sent: i64,
) {
    db.conn()
        .execute(
            "INSERT INTO invoice_reminders (invoice_id, campaign_id, step_position, customer_id,
                                            template_key, channel, sent_on, variant)
             VALUES (?1, ?2, ?3, ?4, 'friendly_reminder', 'email', ?5, ?6)",
            params![
                invoice,
                campaign,
                step,
                customer,
                day(sent).to_string(),
                variant
            ],
        )
        .unwrap();
}

#[test]
fn conversion_counts_customers_who_paid_or_promised_within_14_days() {
    let (_dir, db, campaign) = friendly_campaign_db();
    let (paid, paid_invoice) = debtor(&db, "Paid", "EUR");
    let (slow, slow_invoice) = debtor(&db, "Slow", "EUR");
    let (promised, promised_invoice) = debtor(&db, "Promised", "EUR");
    let (before, before_invoice) = debtor(&db, "Before", "EUR");
    // Step 1: Paid pays 5 days later (reminded for two invoices, counted once); Slow pays after 18 days;
    // Promised promises today, 20 days later.
    reminded(&db, campaign, paid_invoice, paid, 1, None, -20);
    let second = add_invoice(&db, paid, "Paid-2", day(-50), day(-25), money(500, "EUR"));
    reminded(&db, campaign, second, paid, 1, None, -18);
    reminded(&db, campaign, slow_invoice, slow, 1, None, -20);
    reminded(&db, campaign, promised_invoice, promised, 1, None, -20);
    record_payment(&db, paid_invoice, 1_000, day(-15), None);
    record_payment(&db, slow_invoice, 1_000, day(-2), None);
    promise(&db, promised, 2_000, "EUR", 7);
    // Step 2, A/B: Paid had paid before variant a reached them; Promised promised within b's.
    reminded(&db, campaign, paid_invoice, paid, 2, Some("a"), -10);
    reminded(&db, campaign, promised_invoice, promised, 2, Some("b"), -5);
    // Before the period: not counted.
    reminded(&db, campaign, before_invoice, before, 1, None, -40);

    let report = conversion(db.conn(), day(-30), today()).unwrap();
    let got: Vec<_> = report
        .rows
        .iter()
        .map(|r| {
            (
                r.step,
                r.variant.as_deref(),
                r.reminded,
                r.converted,
                r.converted_percent,
                r.window_open,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (1, None, 3, 1, 33.33, 0),
            (2, Some("a"), 1, 0, 0.0, 1),
            (2, Some("b"), 1, 1, 100.0, 1),
        ]
    );
    assert!(report.rows.iter().all(|r| r.campaign_id == campaign));
    assert_eq!(report.window_days, 14);
}
