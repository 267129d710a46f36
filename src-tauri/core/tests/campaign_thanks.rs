//! Thank-you on payment: 120 days of `run-due` with payments arriving by import on chosen days
//! (issue 20, part 1).

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::campaign::thanks::ThanksSkip;
use duebook_core::campaign::{self, plan, results, run, NewCampaign};
use duebook_core::import::ImportOptions;
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{
    block_on, d, friendly_campaign_db, queued, setup_mail, simulate_days, temp_db, StubMailer,
};
use duebook_core::test_support::import::{import_with, write};
use std::collections::BTreeMap;
use std::path::Path;

/// (customer, invoice, due date): every invoice is for 100.00 EUR, issued 2026-06-01.
const INVOICES: &[(&str, &str, &str)] = &[
    ("Alpha", "A-1", "2026-07-08"),
    ("Alpha", "A-2", "2026-07-08"),
    ("Beta", "B-1", "2026-07-08"),
    ("Gamma", "C-1", "2026-07-08"),
    ("Gamma", "C-2", "2026-07-08"),
    ("Delta", "D-1", "2026-07-08"),
    ("Never reminded", "N-1", "2026-10-30"),
];

/// Import days and the invoices paid in the file of that day (from then on, unless reopened).
/// Alpha pays both on Wednesday 15 July; Beta pays then, and the next import (16 July) has its
/// invoice open again, then it pays for good on 5 August; Gamma pays one invoice on the 15th,
/// the other on the 22nd; Delta pays on Friday 17 July; "Never reminded" pays before its first
/// reminder would have gone out.
fn paid_in_file(day: NaiveDate) -> Option<Vec<&'static str>> {
    let paid: &[&str] = match day.to_string().as_str() {
        "2026-07-01" => &[],
        "2026-07-15" => &["A-1", "A-2", "B-1", "C-1", "N-1"],
        "2026-07-16" => &["A-1", "A-2", "C-1", "N-1"],
        "2026-07-17" => &["A-1", "A-2", "C-1", "N-1", "D-1"],
        "2026-07-22" => &["A-1", "A-2", "C-1", "C-2", "N-1", "D-1"],
        "2026-08-05" => &["A-1", "A-2", "B-1", "C-1", "C-2", "N-1", "D-1"],
        _ => return None,
    };
    Some(paid.to_vec())
}

/// Imports the full invoice list as the accounting system shows it on `day`.
fn import_day(path: &Path, dir: &Path, day: NaiveDate) {
    let Some(paid) = paid_in_file(day) else {
        return;
    };
    let mut csv = String::from("Customer,E-mail,Invoice No,Date,Due Date,Total,Balance,Currency\n");
    for (customer, number, due) in INVOICES {
        let balance = if paid.contains(number) {
            "0.00"
        } else {
            "100.00"
        };
        let email = format!("{}@example.com", customer.replace(' ', "."));
        csv.push_str(&format!(
            "{customer},{email},{number},2026-06-01,{due},100.00,{balance},EUR\n"
        ));
    }
    let file = write(dir, &format!("{day}.csv"), &csv);
    let mut db = Database::open(path).unwrap();
    let report = import_with(&mut db, &file, &ImportOptions::new(day));
    assert!(
        report.rejections.is_empty(),
        "{day}: {:?}",
        report.rejections
    );
}

fn customer_id(db: &Database, name: &str) -> i64 {
    db.conn()
        .query_row("SELECT id FROM customers WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .unwrap()
}

#[test]
fn one_thank_you_per_customer_per_payment_day_over_120_days() {
    let (dir, db, id) = friendly_campaign_db();
    let path = dir.path().join("test.sqlite");
    let mailer = StubMailer::default();
    let mut previews = BTreeMap::new();
    let log = simulate_days(
        &path,
        (d("2026-07-01"), 120),
        &mailer,
        |day| {
            import_day(&path, dir.path(), day);
            let plan = plan::plan(db.conn(), id, day).unwrap();
            previews.insert(day, plan);
        },
        |report| {
            // A restart the same day: the rerun finds everything done and thanks nobody again.
            let again = block_on(run::run_due(&path, &mailer, report.date, false)).unwrap();
            for c in &again.campaigns {
                assert!(
                    c.thank_yous.is_empty(),
                    "{}: {:?}",
                    report.date,
                    c.thank_yous
                );
            }
        },
    );
    let names = ["Alpha", "Beta", "Gamma", "Delta", "Never reminded"];
    let ids: BTreeMap<&str, i64> = names.iter().map(|n| (*n, customer_id(&db, n))).collect();
    let mut thanked: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (day, customer, template, _) in &log {
        if template == "thank-you" {
            thanked.entry(*customer).or_default().push(day.to_string());
        }
    }
    // Paid Wednesday, thanked Thursday; Delta paid on a Friday and is thanked on Monday.
    assert_eq!(
        thanked[&ids["Alpha"]],
        ["2026-07-16"],
        "two invoices, one message"
    );
    assert_eq!(
        thanked[&ids["Beta"]],
        ["2026-08-06"],
        "the reversed payment is not thanked"
    );
    assert_eq!(thanked[&ids["Gamma"]], ["2026-07-16", "2026-07-23"]);
    assert_eq!(thanked[&ids["Delta"]], ["2026-07-20"]);
    assert!(!thanked.contains_key(&ids["Never reminded"]));
    let in_outbox = queued(&db, "thank-you");
    assert_eq!(in_outbox.len(), 5, "nothing twice: {in_outbox:?}");

    // The plan said so beforehand.
    let on = |day: &str| &previews[&d(day)];
    let reason = |day: &str, who: &str| {
        on(day)
            .thanks_skipped
            .iter()
            .find(|s| s.customer_id == ids[who])
            .map(|s| s.reason)
    };
    assert_eq!(reason("2026-07-15", "Alpha"), Some(ThanksSkip::WaitingADay));
    assert_eq!(
        reason("2026-07-15", "Never reminded"),
        Some(ThanksSkip::NoReminder)
    );
    let planned: Vec<i64> = on("2026-07-16")
        .thanks
        .iter()
        .map(|t| t.customer_id)
        .collect();
    assert_eq!(
        planned,
        [ids["Alpha"], ids["Gamma"]],
        "Beta's payment was reversed"
    );
    let alpha = &on("2026-07-16").thanks[0];
    assert_eq!(alpha.invoices.len(), 2);
    assert!(
        alpha.why.contains("A-1") && alpha.why.contains("A-2"),
        "{}",
        alpha.why
    );
    assert!(on("2026-07-18").thanks.is_empty(), "a quiet Saturday waits");

    // The message lists the invoices paid, their amounts and dates.
    let body = thank_you_text(&db, ids["Alpha"]);
    assert!(body.contains("A-1  €100.00  paid 15 Jul 2026"), "{body}");
    assert!(body.contains("A-2  €100.00  paid 15 Jul 2026"), "{body}");

    let r = results::results(db.conn(), id, d("2026-10-28")).unwrap();
    assert_eq!((r.thank_yous.sent, r.thank_yous.invoices), (5, 6));
    assert_eq!(mailer.count(), log.len(), "every message delivered once");
}

/// The plain-text part of the customer's (one) thank-you.
fn thank_you_text(db: &Database, customer: i64) -> String {
    db.conn()
        .query_row(
            "SELECT body_text FROM messages WHERE template_key = 'thank-you' AND customer_id = ?1",
            [customer],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_campaign_with_thank_you_off_says_so_and_sends_none() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let off = NewCampaign {
        thank_you: false,
        ..campaign::preset("friendly").unwrap()
    };
    let id = campaign::create(db.conn(), &off).unwrap();
    let path = dir.path().join("test.sqlite");
    let mailer = StubMailer::default();
    let log = simulate_days(
        &path,
        (d("2026-07-01"), 30),
        &mailer,
        |day| import_day(&path, dir.path(), day),
        |_| {},
    );
    assert!(log.iter().all(|l| l.2 != "thank-you"));
    let plan = plan::plan(db.conn(), id, d("2026-07-23")).unwrap();
    let gamma = customer_id(&db, "Gamma");
    let skipped = plan
        .thanks_skipped
        .iter()
        .find(|s| s.customer_id == gamma)
        .unwrap();
    assert_eq!(skipped.reason, ThanksSkip::Disabled);
    assert!(plan.thanks.is_empty());
}
