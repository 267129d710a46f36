//! Campaign audiences by payment history and custom fields, A/B steps, per-step results,
//! statement attachments and the stale-data warning, on a real SQLite file.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::campaign::plan::{self, ExclusionReason};
use duebook_core::campaign::results::{self, RESULTS_WINDOW_DAYS};
use duebook_core::campaign::{
    self, run, Audience, Channel, FieldCondition, FieldOp, NewCampaign, Step, Trigger, UsuallyLate,
    Variant,
};
use duebook_core::store::derived;
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{
    block_on, customer, d, setup_mail, temp_db, StubMailer,
};
use duebook_core::test_support::ledger::record_payment;
use std::collections::BTreeSet;

/// Pays a 100.00 EUR invoice in full on `on`.
fn pay(db: &Database, invoice_id: i64, on: &str) {
    record_payment(db, invoice_id, 10_000, d(on), None);
}

/// A customer with two invoices paid `late_days` after their due dates and one open invoice
/// due on 2026-04-05.
fn payer(db: &Database, name: &str, late_days: [u64; 2]) -> i64 {
    let (id, inv) = customer(
        db,
        name,
        Some(&format!(
            "{}@x.example",
            name.to_lowercase().replace(' ', "-")
        )),
        &["2026-01-10", "2026-02-10", "2026-04-05"],
    );
    for (n, late) in late_days.into_iter().enumerate() {
        let due = d(["2026-01-10", "2026-02-10"][n]);
        pay(db, inv[n], &(due + chrono::Days::new(late)).to_string());
    }
    derived::refresh_customers(db.conn(), &[id]).unwrap();
    id
}

fn set_fields(db: &Database, id: i64, json: &str) {
    db.conn()
        .execute(
            "UPDATE customers SET custom_fields = ?2 WHERE id = ?1",
            rusqlite::params![id, json],
        )
        .unwrap();
}

fn campaign_with(db: &Database, audience: Audience) -> i64 {
    let new = NewCampaign {
        audience,
        ..campaign::preset("friendly").unwrap()
    };
    campaign::create(db.conn(), &new).unwrap()
}

fn contacted(db: &Database, campaign_id: i64, on: &str) -> BTreeSet<i64> {
    plan::plan(db.conn(), campaign_id, d(on))
        .unwrap()
        .contacts
        .iter()
        .map(|c| c.customer_id)
        .collect()
}

#[test]
fn usually_late_payers_are_chosen_by_their_payment_history() {
    let (_dir, db) = temp_db();
    let late = payer(&db, "Late Ltd", [20, 30]);
    let _punctual = payer(&db, "Punctual Ltd", [0, 2]);
    let _early_and_very_late = payer(&db, "Mixed Ltd", [0, 15]); // average 7.5
    let (once, inv) = customer(
        &db,
        "Once Ltd",
        Some("once@x.example"),
        &["2026-01-10", "2026-04-05"],
    );
    pay(&db, inv[0], "2026-03-10"); // 59 days late, but only one paid invoice
    derived::refresh_customers(db.conn(), &[once]).unwrap();
    let blocked = payer(&db, "Blocked Ltd", [40, 40]);
    db.conn()
        .execute(
            "UPDATE customers SET do_not_contact = 1 WHERE id = ?1",
            [blocked],
        )
        .unwrap();

    let id = campaign_with(
        &db,
        Audience {
            usually_late: Some(UsuallyLate {
                min_average_days_late: 10,
            }),
            ..Audience::default()
        },
    );
    assert_eq!(contacted(&db, id, "2026-04-15"), BTreeSet::from([late]));
    let p = plan::plan(db.conn(), id, d("2026-04-15")).unwrap();
    let why: Vec<_> = p
        .excluded
        .iter()
        .map(|e| (e.customer_id, e.reason))
        .collect();
    assert_eq!(
        why,
        [(blocked, ExclusionReason::DoNotContact)],
        "do-not-contact is always left out, with the reason"
    );

    let lenient = campaign_with(
        &db,
        Audience {
            usually_late: Some(UsuallyLate {
                min_average_days_late: 7,
            }),
            ..Audience::default()
        },
    );
    assert_eq!(contacted(&db, lenient, "2026-04-15").len(), 2);
}

#[test]
fn custom_field_conditions_match_equals_and_contains() {
    let (_dir, db) = temp_db();
    let (north, _) = customer(&db, "North Co", Some("n@x.example"), &["2026-04-05"]);
    let (south, _) = customer(&db, "South Co", Some("s@x.example"), &["2026-04-05"]);
    let (_bare, _) = customer(&db, "Bare Co", Some("b@x.example"), &["2026-04-05"]);
    let (broken, _) = customer(&db, "Broken Co", Some("x@x.example"), &["2026-04-05"]);
    set_fields(&db, north, r#"{"region":"North East","tier":"Gold"}"#);
    set_fields(&db, south, r#"{"region":"South","tier":"gold"}"#);
    set_fields(&db, broken, "not json");
    let cond = |key: &str, op, value: &str| FieldCondition {
        key: key.into(),
        op,
        value: value.into(),
    };
    let audience = |conditions| Audience {
        custom_fields: conditions,
        ..Audience::default()
    };
    let on = "2026-04-15";
    let id = campaign_with(
        &db,
        audience(vec![cond("region", FieldOp::Contains, "north")]),
    );
    assert_eq!(contacted(&db, id, on), BTreeSet::from([north]));
    let id = campaign_with(&db, audience(vec![cond("tier", FieldOp::Equals, " GOLD ")]));
    assert_eq!(contacted(&db, id, on), BTreeSet::from([north, south]));
    let id = campaign_with(
        &db,
        audience(vec![cond("region", FieldOp::Equals, "north")]),
    );
    assert!(
        contacted(&db, id, on).is_empty(),
        "equals is the whole value"
    );
    let id = campaign_with(
        &db,
        audience(vec![
            cond("tier", FieldOp::Equals, "gold"),
            cond("region", FieldOp::Contains, "south"),
        ]),
    );
    assert_eq!(
        contacted(&db, id, on),
        BTreeSet::from([south]),
        "all must hold"
    );
}

fn ab_campaign(db: &Database) -> i64 {
    let step = Step {
        alt_template_key: Some("overdue-2".into()),
        ..Step::new(1, Trigger::DueOffset(7), "overdue-1", Channel::Email)
    };
    campaign::create(db.conn(), &NewCampaign::new("A/B test", vec![step])).unwrap()
}

#[test]
fn an_ab_step_alternates_templates_per_customer_and_results_count_each_variant() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let id = ab_campaign(&db);
    let mut invoices = Vec::new();
    for n in 0..40 {
        invoices.push(customer(
            &db,
            &format!("Customer {n}"),
            Some(&format!("c{n}@x.example")),
            &["2026-04-01"],
        ));
    }
    customer(&db, "Bounce", Some("bounce@x.example"), &["2026-04-01"]);
    customer(&db, "Lost", Some("lost@x.example"), &["2026-04-01"]);
    let on = d("2026-04-15");
    let first = plan::plan(db.conn(), id, on).unwrap();
    let again = plan::plan(db.conn(), id, on).unwrap();
    assert_eq!(
        first.contacts, again.contacts,
        "a replan picks the same variants"
    );
    let variant_of = |customer: i64| {
        first
            .contacts
            .iter()
            .find(|c| c.customer_id == customer)
            .and_then(|c| c.variant)
            .unwrap()
    };
    let split: Vec<Variant> = invoices.iter().map(|(c, _)| variant_of(*c)).collect();
    let b = split.iter().filter(|v| **v == Variant::B).count();
    assert!((10..=30).contains(&b), "40 customers split {b}/40 into B");

    let mailer = StubMailer::picky();
    let path = dir.path().join("test.sqlite");
    let report = block_on(run::run_due(&path, &mailer, on, false)).unwrap();
    assert_eq!(report.campaigns[0].messages.len(), 42);
    assert_eq!(mailer.count(), 40);
    let sent: Vec<(i64, String, Option<String>)> = db
        .conn()
        .prepare(
            "SELECT m.customer_id, m.template_key, (SELECT max(variant) FROM invoice_reminders r WHERE r.message_id = m.id)
             FROM messages m WHERE m.state <> 'failed'",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (customer, template, variant) in &sent {
        let want = variant_of(*customer);
        assert_eq!(
            variant.as_deref(),
            Some(want.as_str()),
            "recorded with the send"
        );
        let expected = if want == Variant::A {
            "overdue-1"
        } else {
            "overdue-2"
        };
        assert_eq!(template, expected);
    }

    // Paid within the window: three A customers and one B; one more B pays too late.
    let of = |v: Variant| invoices.iter().filter(move |(c, _)| variant_of(*c) == v);
    for (_, inv) in of(Variant::A).take(3) {
        pay(&db, inv[0], "2026-04-20");
    }
    let mut bs = of(Variant::B);
    pay(&db, bs.next().unwrap().1[0], "2026-04-29");
    pay(&db, bs.next().unwrap().1[0], "2026-04-30");
    let r = results::results(db.conn(), id, d("2026-05-20")).unwrap();
    assert_eq!(r.window_days, RESULTS_WINDOW_DAYS);
    let step = &r.steps[0].outcomes;
    assert_eq!(
        (step.sent, step.failed, step.uncertain, step.queued),
        (40, 1, 1, 0)
    );
    assert_eq!(
        (step.paid, step.paid_or_promised, step.window_open),
        (4, 4, 0)
    );
    let variants = &r.steps[0].variants;
    assert_eq!(variants.len(), 2);
    let a = &variants[0].outcomes;
    let b_out = &variants[1].outcomes;
    assert_eq!(
        (variants[0].template_key.as_str(), a.paid),
        ("overdue-1", 3)
    );
    assert_eq!(
        (variants[1].template_key.as_str(), b_out.paid),
        ("overdue-2", 1)
    );
    assert_eq!(a.sent + b_out.sent, 40);
    assert_eq!(a.paid_rate, Some(3.0 / a.sent as f64));
    assert_eq!(b_out.paid_rate, Some(1.0 / b_out.sent as f64));
    assert_eq!(a.failed + b_out.failed, 1);
    assert_eq!(a.uncertain + b_out.uncertain, 1);

    // Before the window closes the figures say so.
    let early = results::results(db.conn(), id, d("2026-04-20")).unwrap();
    assert_eq!(early.steps[0].outcomes.window_open, 40);
}

#[test]
fn a_monthly_statement_step_attaches_the_customers_statement() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    campaign::create(db.conn(), &campaign::preset("statements").unwrap()).unwrap();
    let (id, _) = customer(
        &db,
        "Statement Co",
        Some("st@x.example"),
        &["2026-04-05", "2026-05-20"],
    );
    let mailer = StubMailer::default();
    let path = dir.path().join("test.sqlite");
    let report = block_on(run::run_due(&path, &mailer, d("2026-05-01"), false)).unwrap();
    assert!(
        report.campaigns[0].failed.is_empty(),
        "{:?}",
        report.campaigns[0].failed
    );
    assert_eq!(mailer.count(), 1);
    let raw = String::from_utf8_lossy(&mailer.sent.lock().unwrap()[0]).to_string();
    let file = format!("statement-{id}-statement-co-2026-05-01.pdf");
    assert!(raw.contains("application/pdf"), "a PDF is attached");
    assert!(raw.contains(&file), "named {file}");
    let (name, size): (String, i64) = db
        .conn()
        .query_row(
            "SELECT file_name, size_bytes FROM message_attachments",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(name, file);
    assert!(size > 1_000, "a real PDF, {size} bytes");
}

#[test]
fn stale_balances_are_warned_about_but_do_not_block() {
    let (_dir, db) = temp_db();
    let id = campaign::create(db.conn(), &campaign::preset("friendly").unwrap()).unwrap();
    // Invoices written now (wall clock): their due dates are relative to that.
    let now: NaiveDate = chrono::Utc::now().date_naive();
    let due = (now - chrono::Days::new(3)).to_string();
    customer(&db, "Alpha", Some("a@x.example"), &[&due]);
    let plan_on = |days: u64| plan::plan(db.conn(), id, now + chrono::Days::new(days)).unwrap();
    assert_eq!(plan_on(7).stale_data, None, "7 days old is still fresh");
    let stale = plan_on(12);
    let warning = stale.stale_data.as_deref().unwrap();
    assert!(warning.contains("may be out of date"), "{warning}");
    assert!(warning.contains(&now.to_string()), "{warning}");
    let report = run::enqueue_due(&db, now + chrono::Days::new(12), true).unwrap();
    assert_eq!(report.stale_data.as_deref(), Some(warning));
    assert!(
        report.campaigns[0].plan.contacts.len() + report.campaigns[0].plan.excluded.len() > 0,
        "planned all the same"
    );

    plan::set_stale_after_days(db.conn(), 30).unwrap();
    assert_eq!(plan_on(12).stale_data, None);
    assert!(plan::set_stale_after_days(db.conn(), 0).is_err());
    assert_eq!(
        plan::stale_after_days(db.conn()).unwrap(),
        30,
        "a refused value changes nothing"
    );
    // A newer import makes the data fresh again.
    db.conn()
        .execute(
            "INSERT INTO imports (file_name, format, full_sync, created, updated, unchanged, closed, rejected, imported_at)
             VALUES ('x.csv', 'generic', 1, 0, 0, 0, 0, 0, ?1)",
            [format!("{}T09:00:00Z", now + chrono::Days::new(40))],
        )
        .unwrap();
    assert_eq!(plan_on(45).stale_data, None);
    assert!(plan_on(71).stale_data.is_some());
}
