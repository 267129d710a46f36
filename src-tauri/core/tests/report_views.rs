//! The report views of issue 18 (aging by customer and its drill-down, top overdue, the cash
//! forecast, collected per month, paying habits) against an independent reference over
//! generated histories (partial payments, credit notes used up, void invoices, three
//! currencies), then hand-checked cases.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod report_views_reference;

use duebook_core::model::{Currency, Money};
use duebook_core::test_support::campaign::{customer, d};
use duebook_core::test_support::ledger::{add_invoice, record_payment};
use duebook_core::test_support::temp_db;
use duebook_core::views::detail::customer_detail;
use duebook_core::views::report::customer_aging::{customer_aging, invoices_as_of};
use duebook_core::views::report::forecast::{forecast, ShiftSource};
use duebook_core::views::report::top_overdue::{TopOverdue, TOP};
use duebook_core::views::report::{collected, kpis};
use report_views_reference::{end, History};
use std::collections::BTreeMap;

const AS_OF: [&str; 6] = [
    "2024-02-29",
    "2024-06-30",
    "2024-12-31",
    "2025-03-01",
    "2025-06-30",
    "2025-09-15",
];

fn histories() -> Vec<(tempfile::TempDir, duebook_core::store::Database, History)> {
    [1, 2, 18]
        .into_iter()
        .map(|seed| {
            let (dir, db) = temp_db();
            let history = History::generate(&db, seed, 400);
            (dir, db, history)
        })
        .collect()
}

#[test]
fn aging_by_customer_and_its_drill_down_match_the_reference() {
    for (_dir, db, history) in histories() {
        for as_of in AS_OF.iter().map(|s| d(s)) {
            let report = customer_aging(db.conn(), as_of).unwrap();
            let got: BTreeMap<(String, i64), ([i64; 5], Option<i64>)> = report
                .rows
                .iter()
                .map(|r| {
                    let key = (r.currency.clone(), r.customer_id);
                    (key, (r.buckets.0, r.oldest_days_past_due))
                })
                .collect();
            let want: BTreeMap<_, _> = history
                .aging(as_of)
                .into_iter()
                .map(|(key, (b, oldest))| (key, (b, oldest.map(|o| (as_of - o).num_days()))))
                .collect();
            assert_eq!(got, want, "as of {as_of}");
            assert!(report.rows.iter().all(|r| r.total == r.buckets.total()));
            // The customers add up to the KPIs' receivable, computed another way.
            let kpis = kpis::kpis(db.conn(), as_of, 90).unwrap();
            for (code, k) in &kpis.currencies {
                let rows = report.rows.iter().filter(|r| &r.currency == code);
                assert_eq!(
                    rows.map(|r| r.total).sum::<i64>(),
                    k.ar_total,
                    "{code} {as_of}"
                );
            }
            for &customer in &history.customers {
                let mut got: Vec<(String, i64)> = invoices_as_of(db.conn(), customer, as_of)
                    .unwrap()
                    .into_iter()
                    .map(|i| (i.number, i.open))
                    .collect();
                let mut want: Vec<(String, i64)> = history
                    .open_on(as_of)
                    .into_iter()
                    .filter(|(n, _)| history.invoices[*n].customer == customer)
                    .map(|(n, open)| (format!("G-{n}"), open))
                    .collect();
                got.sort();
                want.sort();
                assert_eq!(got, want, "customer {customer} as of {as_of}");
            }
        }
    }
}

#[test]
fn top_overdue_takes_the_largest_past_due_per_currency() {
    for (_dir, db, history) in histories() {
        let as_of = d("2025-03-01");
        let top = TopOverdue::from_aging(&customer_aging(db.conn(), as_of).unwrap());
        let mut want: Vec<(String, i64, i64)> = history
            .aging(as_of)
            .into_iter()
            .map(|((code, customer), (b, _))| (code, customer, b[1..].iter().sum::<i64>()))
            .filter(|(_, _, overdue)| *overdue > 0)
            .collect();
        want.sort_by(|a, b| (&a.0, b.2).cmp(&(&b.0, a.2)));
        let got: Vec<(String, i64, i64)> = top
            .rows
            .iter()
            .map(|r| (r.currency.clone(), r.customer_id, r.overdue))
            .collect();
        for code in ["EUR", "JPY", "USD"] {
            let mine = |rows: &[(String, i64, i64)]| -> Vec<i64> {
                rows.iter().filter(|r| r.0 == code).map(|r| r.2).collect()
            };
            let expected: Vec<i64> = mine(&want).into_iter().take(TOP).collect();
            assert_eq!(mine(&got), expected, "{code}");
        }
    }
}

#[test]
fn collected_per_month_matches_the_reference_and_leaves_credit_notes_out() {
    for (_dir, db, history) in histories() {
        for as_of in AS_OF.iter().map(|s| d(s)) {
            let report = collected::collected(db.conn(), as_of).unwrap();
            let want = history.collected(report.from, as_of);
            let mut got = BTreeMap::new();
            for (code, months) in &report.currencies {
                assert_eq!(months.len(), 12, "{code}");
                for m in months.iter().filter(|m| m.amount != 0) {
                    got.insert((code.clone(), m.month.clone()), m.amount);
                }
            }
            let want: BTreeMap<_, _> = want.into_iter().filter(|(_, a)| *a != 0).collect();
            assert_eq!(got, want, "as of {as_of}");
        }
    }
}

#[test]
fn paying_habits_match_the_reference_on_the_customer_screen() {
    for (_dir, db, history) in histories() {
        let want = history.habits();
        assert!(
            want.len() > 20,
            "the generator pays too little: {}",
            want.len()
        );
        for &customer in &history.customers {
            let detail = customer_detail(db.conn(), customer, end()).unwrap();
            let got: BTreeMap<String, (i64, f64, f64)> = detail
                .pay_habits
                .iter()
                .map(|h| {
                    let figures = (h.invoices, h.average_days_to_pay, h.average_days_late);
                    (h.currency.clone(), figures)
                })
                .collect();
            let round2 = |x: f64| (x * 100.0).round() / 100.0;
            let want: BTreeMap<String, (i64, f64, f64)> = want
                .iter()
                .filter(|((c, _), _)| *c == customer)
                .map(|((_, code), s)| {
                    let amount = s.1 as f64;
                    (
                        code.clone(),
                        (s.0, round2(s.2 / amount), round2(s.3 / amount)),
                    )
                })
                .collect();
            assert_eq!(got, want, "customer {customer}");
        }
    }
}

#[test]
fn the_forecast_matches_the_reference_and_adds_up_to_the_open_balance() {
    for (_dir, db, history) in histories() {
        let today = end();
        let report = forecast(db.conn(), today).unwrap();
        let (want_lines, want_shifts) = history.forecast(today);
        let mut got_lines = BTreeMap::new();
        for (code, f) in &report.currencies {
            assert_eq!(f.lines.len(), 10, "{code}");
            for (n, line) in f.lines.iter().enumerate().filter(|(_, l)| l.amount != 0) {
                got_lines.insert((code.clone(), n), line.amount);
            }
        }
        assert_eq!(got_lines, want_lines);
        let got_shifts: BTreeMap<(i64, String), (i64, &str)> = report
            .customers
            .iter()
            .map(|c| {
                let source = match c.shift_source {
                    ShiftSource::Customer => "customer",
                    ShiftSource::Currency => "currency",
                    ShiftSource::None => "none",
                };
                ((c.customer_id, c.currency.clone()), (c.shift_days, source))
            })
            .collect();
        assert_eq!(got_shifts, want_shifts);
        assert!(
            got_lines.keys().any(|(_, n)| (1..=8).contains(n)),
            "nothing falls in the weeks: {got_lines:?}"
        );
    }
}

fn usd(minor: i64) -> Money {
    Money::new(minor, Currency::parse("USD").unwrap())
}

#[test]
fn the_drill_down_shows_what_was_open_on_the_day() {
    let (_dir, db) = temp_db();
    let (id, _) = customer(&db, "Hand Ltd", None, &[]);
    let a = add_invoice(&db, id, "A", d("2024-01-01"), d("2024-01-31"), usd(10_000));
    record_payment(&db, a, 4_000, d("2024-02-10"), None);
    record_payment(&db, a, 6_000, d("2024-03-20"), None);
    let credit = add_invoice(&db, id, "CN", d("2024-02-01"), d("2024-02-01"), usd(-2_500));
    record_payment(&db, credit, -2_500, d("2024-04-01"), None);
    add_invoice(
        &db,
        id,
        "LATER",
        d("2024-03-05"),
        d("2024-04-05"),
        usd(7_000),
    );
    let rows = invoices_as_of(db.conn(), id, d("2024-03-01")).unwrap();
    let got: Vec<(&str, i64, i64)> = rows
        .iter()
        .map(|i| (i.number.as_str(), i.open, i.days_past_due))
        .collect();
    assert_eq!(got, [("A", 6_000, 30), ("CN", -2_500, 29)]);
    let aging = customer_aging(db.conn(), d("2024-03-01")).unwrap();
    let row = &aging.rows[0];
    assert_eq!(row.buckets.0, [0, 3_500, 0, 0, 0]);
    assert_eq!(row.oldest_days_past_due, Some(30));
    // Everything settled by April: nothing left to show but the later invoice.
    let april = customer_aging(db.conn(), d("2024-04-02")).unwrap();
    assert_eq!(april.rows[0].buckets.0, [7_000, 0, 0, 0, 0]);
    assert_eq!(april.rows[0].oldest_days_past_due, None);
}

#[test]
fn a_currency_without_history_shifts_by_nothing_and_says_so() {
    let (_dir, db) = temp_db();
    let (id, _) = customer(&db, "New Ltd", None, &[]);
    let (other, _) = customer(&db, "Old Ltd", None, &[]);
    // Old Ltd paid a USD invoice 10 days late; New Ltd has no history.
    let paid = add_invoice(
        &db,
        other,
        "P",
        d("2024-01-01"),
        d("2024-01-11"),
        usd(5_000),
    );
    record_payment(&db, paid, 5_000, d("2024-01-21"), None);
    add_invoice(&db, id, "U", d("2024-02-01"), d("2024-02-20"), usd(1_000));
    let jpy = Money::new(900, Currency::parse("JPY").unwrap());
    add_invoice(&db, id, "J", d("2024-02-01"), d("2024-02-20"), jpy);
    let report = forecast(db.conn(), d("2024-02-15")).unwrap();
    let basis: Vec<(&str, i64, ShiftSource)> = report
        .customers
        .iter()
        .map(|c| (c.currency.as_str(), c.shift_days, c.shift_source))
        .collect();
    assert_eq!(
        basis,
        [
            ("JPY", 0, ShiftSource::None),
            ("USD", 10, ShiftSource::Currency)
        ]
    );
    // Due on the 20th, ten days late: the 30th, in week 3 from the 15th.
    let usd_lines = &report.currencies["USD"].lines;
    assert_eq!(usd_lines[3].amount, 1_000, "{usd_lines:?}");
    assert_eq!(report.currencies["USD"].average_days_late, Some(10.0));
    assert_eq!(report.currencies["JPY"].lines[1].amount, 900);
}

#[test]
fn amounts_expected_before_today_come_first() {
    let (_dir, db) = temp_db();
    let (id, _) = customer(&db, "Late Ltd", None, &[]);
    add_invoice(&db, id, "OLD", d("2024-01-01"), d("2024-01-15"), usd(3_000));
    let report = forecast(db.conn(), d("2024-03-01")).unwrap();
    let lines = &report.currencies["USD"].lines;
    assert_eq!(lines[0].label, "overdue, expected now");
    assert_eq!((lines[0].amount, lines[0].invoices), (3_000, 1));
    assert_eq!(lines[0].to, Some(d("2024-02-29")));
    assert_eq!(lines[1].from, Some(d("2024-03-01")));
    assert_eq!(lines[9].label, "later");
    let sum: i64 = lines.iter().map(|l| l.amount).sum();
    assert_eq!(sum, 3_000);
    assert_eq!(
        (lines[8].to, lines[9].from),
        (Some(d("2024-04-25")), Some(d("2024-04-26")))
    );
}
