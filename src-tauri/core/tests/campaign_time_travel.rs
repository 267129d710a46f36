//! 120 days of `run-due` with a stopped clock moved one day at a time, against the real outbox.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::{Datelike, NaiveDate, Weekday};
use duebook_core::campaign::{self, NewCampaign};
use duebook_core::demo::{self, DemoOptions};
use duebook_core::model::PromiseStatus;
use duebook_core::store::disputes;
use duebook_core::store::promises;
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{
    customer, d, promise_to_pay, setup_mail, simulate, temp_db, StubMailer,
};
use std::collections::{BTreeMap, HashMap, HashSet};

#[test]
fn exact_schedule_over_120_days() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let conn = db.conn();
    campaign::create(
        conn,
        &NewCampaign {
            holidays: vec![d("2026-08-14")],
            ..campaign::preset("friendly").unwrap()
        },
    )
    .unwrap();
    let (a, _) = customer(&db, "A single", Some("a@a.example"), &["2026-07-15"]);
    let (b, _) = customer(
        &db,
        "B grouped",
        Some("b@b.example"),
        &["2026-07-01", "2026-08-01"],
    );
    let (c, _) = customer(&db, "C phone", None, &["2026-07-15"]);
    let (disputed, dinv) = customer(&db, "D disputed", Some("d@d.example"), &["2026-07-15"]);
    disputes::open(conn, dinv[0], "damaged goods").unwrap();
    let (e, einv) = customer(&db, "E promised", Some("e@e.example"), &["2026-07-10"]);
    promise_to_pay(&db, e, einv[0], "2026-08-01", "2026-06-30");

    let mailer = StubMailer::default();
    let path = dir.path().join("test.sqlite");
    let log = simulate(&path, d("2026-07-01"), 120, &mailer);

    let mut by_customer: BTreeMap<i64, Vec<(String, String, &str)>> = BTreeMap::new();
    for (day, cust, template, channel) in &log {
        by_customer
            .entry(*cust)
            .or_default()
            .push((day.to_string(), template.clone(), channel));
    }
    let s = |v: &[(&str, &str)], ch: &'static str| -> Vec<(String, String, &'static str)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string(), ch))
            .collect()
    };
    // Sunday pre-due moves to Monday; the gap pushes overdue-1; the holiday moves overdue-2.
    let single = [
        ("2026-07-13", "pre-due"),
        ("2026-07-28", "overdue-1"),
        ("2026-08-17", "overdue-2"),
        ("2026-09-14", "overdue-3"),
        ("2026-10-13", "final-notice"),
    ];
    assert_eq!(by_customer[&a], s(&single, "email"));
    assert_eq!(by_customer[&c], s(&single, "call"), "no email: call tasks");
    // Two invoices, one message per run, in the tone of the most advanced step reached.
    assert_eq!(
        by_customer[&b],
        s(
            &[
                ("2026-07-01", "pre-due"),
                ("2026-07-16", "overdue-1"),
                ("2026-07-31", "overdue-2"),
                ("2026-08-17", "overdue-2"),
                ("2026-09-01", "overdue-3"),
                ("2026-09-29", "final-notice"),
                ("2026-10-14", "final-notice"),
            ],
            "email"
        )
    );
    assert!(!by_customer.contains_key(&disputed), "disputed: never");
    // Promised until 2026-08-01; broken from the 2nd (a Sunday).
    assert_eq!(
        by_customer[&e],
        s(
            &[
                ("2026-08-03", "overdue-1"),
                ("2026-08-18", "overdue-2"),
                ("2026-09-08", "overdue-3"),
                ("2026-10-08", "final-notice"),
            ],
            "email"
        )
    );
    let emails = log.iter().filter(|l| l.3 == "email").count();
    assert_eq!(
        mailer.count(),
        emails,
        "every queued message delivered once"
    );
}

#[test]
fn demo_data_over_120_days_keeps_every_rule() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    let start = d("2026-07-01");
    {
        let mut db = Database::open(&path).unwrap();
        demo::generate(
            &mut db,
            &DemoOptions {
                customers: 80,
                seed: 42,
                today: start,
            },
        )
        .unwrap();
        setup_mail(&db);
        campaign::create(
            db.conn(),
            &NewCampaign {
                daily_cap: Some(6),
                holidays: vec![d("2026-08-31")],
                ..campaign::preset("friendly").unwrap()
            },
        )
        .unwrap();
    }
    let db = Database::open(&path).unwrap();
    let conn = db.conn();
    let mailer = StubMailer::default();
    let log = simulate(&path, start, 120, &mailer);
    assert!(
        log.len() > 40,
        "the demo data keeps the campaign busy: {}",
        log.len()
    );

    let mut per_day: HashMap<NaiveDate, usize> = HashMap::new();
    let mut seen_day: HashSet<(NaiveDate, i64)> = HashSet::new();
    let mut last: HashMap<i64, NaiveDate> = HashMap::new();
    let dnc: HashSet<i64> = conn
        .prepare("SELECT id FROM customers WHERE do_not_contact = 1")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (day, cust, _, channel) in &log {
        assert!(
            !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && *day != d("2026-08-31"),
            "quiet day {day}"
        );
        assert!(
            seen_day.insert((*day, *cust)),
            "two contacts on {day} for {cust}"
        );
        if *channel == "email" {
            *per_day.entry(*day).or_default() += 1;
        }
        if let Some(prev) = last.insert(*cust, *day) {
            assert!(
                (*day - prev).num_days() >= 15,
                "gap broken for {cust}: {prev} → {day}"
            );
        }
        assert!(!dnc.contains(cust), "do-not-contact {cust} contacted");
        for p in promises::for_customer(conn, *cust, *day).unwrap() {
            if p.status == PromiseStatus::Pending && p.invoice_id.is_none() {
                panic!("{cust} contacted on {day} during a pending promise");
            }
        }
    }
    assert!(per_day.values().all(|n| *n <= 6), "cap: {per_day:?}");
    assert!(
        per_day.values().any(|n| *n == 6),
        "the cap is reached some day"
    );

    // Per invoice: steps only go up, each once; never while disputed.
    let rows: Vec<(i64, i64, String)> = conn
        .prepare("SELECT invoice_id, step_position, sent_on FROM invoice_reminders ORDER BY invoice_id, sent_on")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut steps: HashMap<i64, i64> = HashMap::new();
    for (inv, step, _) in &rows {
        if let Some(prev) = steps.insert(*inv, *step) {
            assert!(
                *step > prev,
                "invoice {inv} went from step {prev} to {step}"
            );
        }
        assert!(
            disputes::open_for_invoice(conn, *inv).unwrap().is_none(),
            "disputed invoice {inv} reminded"
        );
    }
    // Every send key is unique and every message went out exactly once.
    let (messages, keys): (i64, i64) = conn
        .query_row(
            "SELECT count(*), count(DISTINCT send_key) FROM messages WHERE send_key LIKE 'campaign:%'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(messages, keys);
    assert_eq!(mailer.count() as i64, messages);
}
