//! The KPIs (issue 18) against an independent reference: generated histories (partial
//! payments, credit notes, void invoices, three currencies, months of 28 to 31 days across a
//! leap year) are written through the store, and every figure is recomputed here in plain Rust
//! over the same rows, straight from the definitions; then a hand-checked history.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod kpis_reference;

use chrono::NaiveDate;
use duebook_core::model::{Currency, Money};
use duebook_core::test_support::campaign::customer;
use duebook_core::test_support::campaign::d;
use duebook_core::test_support::kpis::{hand_checked_history, HAND_AS_OF};
use duebook_core::test_support::ledger::{add_invoice, record_payment};
use duebook_core::test_support::temp_db;
use duebook_core::views::report::kpis::{kpis, CurrencyKpis, DEFAULT_DAYS};
use duebook_core::views::report::trends::trends;
use kpis_reference::{History, Reference};

/// Days to compare at: month ends of 28, 29, 30 and 31 days, the days after, mid-month.
const AS_OF: [&str; 9] = [
    "2023-12-15",
    "2024-02-29",
    "2024-03-01",
    "2024-03-31",
    "2024-04-30",
    "2024-12-31",
    "2025-02-28",
    "2025-03-01",
    "2025-03-17",
];

fn assert_figure(what: &str, got: Option<f64>, want: Option<f64>) {
    match (got, want) {
        (Some(got), Some(want)) => assert!(
            (got - want).abs() <= 0.01 + 1e-9,
            "{what}: got {got}, reference {want}"
        ),
        _ => assert_eq!(got, want, "{what}"),
    }
}

fn assert_matches(context: &str, got: &CurrencyKpis, want: &CurrencyKpis) {
    assert_eq!(got.ar_total, want.ar_total, "{context} ar_total");
    assert_eq!(got.ar_current, want.ar_current, "{context} ar_current");
    assert_eq!(got.ar_overdue, want.ar_overdue, "{context} ar_overdue");
    let pairs = [
        ("dso_countback", got.dso_countback, want.dso_countback),
        ("dso_standard", got.dso_standard, want.dso_standard),
        ("best_dso", got.best_dso, want.best_dso),
        ("add", got.add, want.add),
        ("cei", got.cei, want.cei),
        (
            "days_to_pay",
            got.average_days_to_pay,
            want.average_days_to_pay,
        ),
        ("days_late", got.average_days_late, want.average_days_late),
    ];
    for (name, got, want) in pairs {
        assert_figure(&format!("{context} {name}"), got, want);
    }
}

#[test]
fn generated_histories_match_the_reference_calculation() {
    for seed in [1, 2, 3, 18] {
        let history = History::generate(seed, 240);
        let (_dir, db) = temp_db();
        history.write(&db);
        let reference = Reference::new(&history);
        let mut days_seen = 0;
        for as_of in AS_OF.iter().map(|s| d(s)) {
            for days in [DEFAULT_DAYS, 30, 365] {
                let got = kpis(db.conn(), as_of, days).unwrap();
                let want = reference.kpis(as_of, days);
                let context = format!("seed {seed} as of {as_of} N={days}");
                let codes: Vec<_> = got.currencies.keys().collect();
                let want_codes: Vec<_> = want.keys().collect();
                assert_eq!(codes, want_codes, "{context}");
                for (code, want) in &want {
                    assert_matches(&format!("{context} {code}"), &got.currencies[code], want);
                    days_seen += usize::from(want.average_days_to_pay.is_some());
                }
            }
        }
        // The generator must exercise every figure, or the comparison proves little.
        assert!(
            days_seen > 20,
            "seed {seed}: only {days_seen} days-to-pay figures"
        );
    }
}

#[test]
fn the_trend_is_the_kpis_and_the_aging_of_each_month_end() {
    for seed in [2, 18] {
        let history = History::generate(seed, 240);
        let (_dir, db) = temp_db();
        history.write(&db);
        let reference = Reference::new(&history);
        let as_of = d("2025-03-17");
        let got = trends(db.conn(), as_of, 12, DEFAULT_DAYS).unwrap();
        assert_eq!(got.month_ends.first(), Some(&d("2024-04-30")));
        assert_eq!(got.month_ends.last(), Some(&as_of));
        assert_eq!(got.month_ends.len(), 12);
        assert_eq!(got.currencies.len(), 3, "seed {seed}");
        for (code, points) in &got.currencies {
            assert_eq!(points.len(), 12);
            for (point, day) in points.iter().zip(&got.month_ends) {
                let context = format!("seed {seed} {code} on {day}");
                assert_eq!(point.as_of, *day, "{context}");
                match reference.kpis(*day, DEFAULT_DAYS).get(code) {
                    Some(want) => assert_matches(&context, &point.kpis, want),
                    None => assert_eq!((point.kpis.ar_total, point.kpis.cei), (0, None)),
                }
                assert_eq!(
                    point.aging.0,
                    reference.aging(code, *day),
                    "{context} aging"
                );
            }
        }
    }
}

#[test]
fn the_reference_sees_what_the_generator_promises() {
    let history = History::generate(7, 240);
    let kinds = history.coverage();
    assert!(
        kinds.credit_notes > 5 && kinds.partial > 5 && kinds.voids > 0,
        "{kinds:?}"
    );
    assert_eq!(kinds.currencies, 3);
}

fn hand(code: &str) -> CurrencyKpis {
    let (_dir, db) = temp_db();
    hand_checked_history(&db);
    let report = kpis(db.conn(), d(HAND_AS_OF), DEFAULT_DAYS).unwrap();
    assert_eq!(report.period_start, d("2024-03-01"));
    report.currencies[code].clone()
}

#[test]
fn countback_walks_back_across_a_leap_february() {
    let usd = hand("USD");
    let want = CurrencyKpis {
        ar_total: 545_000,
        ar_current: 390_000,
        ar_overdue: 155_000,
        dso_countback: Some(54.5),
        dso_standard: Some(70.07),
        best_dso: Some(50.14),
        add: Some(19.93),
        cei: Some(50.0),
        average_days_to_pay: None,
        average_days_late: None,
    };
    assert_eq!(usd, want);
}

#[test]
fn days_to_pay_are_weighted_by_amount_and_counted_from_the_day_paid_in_full() {
    let eur = hand("EUR");
    assert_eq!((eur.ar_total, eur.dso_countback), (0, Some(0.0)));
    assert_eq!(
        (eur.dso_standard, eur.best_dso, eur.add),
        (Some(0.0), Some(0.0), Some(0.0))
    );
    assert_eq!(eur.cei, Some(100.0));
    assert_eq!(eur.average_days_to_pay, Some(34.25));
    assert_eq!(eur.average_days_late, Some(5.0));
}

#[test]
fn a_currency_with_only_a_credit_note_has_undefined_ratios() {
    let jpy = hand("JPY");
    assert_eq!(
        (jpy.ar_total, jpy.ar_current, jpy.ar_overdue),
        (-500, 0, -500)
    );
    assert_eq!(jpy.dso_countback, Some(0.0));
    let undefined = [jpy.dso_standard, jpy.best_dso, jpy.add, jpy.cei];
    assert_eq!(undefined, [None; 4]);
    assert_eq!(
        (jpy.average_days_to_pay, jpy.average_days_late),
        (None, None)
    );
}

#[test]
fn before_the_first_invoice_there_is_no_currency() {
    let (_dir, db) = temp_db();
    hand_checked_history(&db);
    let report = kpis(
        db.conn(),
        NaiveDate::from_ymd_opt(2023, 12, 31).unwrap(),
        90,
    )
    .unwrap();
    assert!(report.currencies.is_empty(), "{report:?}");
}

#[test]
fn more_owed_than_ever_sold_leaves_the_ratios_undefined() {
    // 50.00 invoiced, a 100.00 credit note refunded in cash: 50.00 is owed on sales of −50.00.
    let (_dir, db) = temp_db();
    let (id, _) = customer(&db, "Refunded Ltd", None, &[]);
    let gbp = |minor| Money::new(minor, Currency::parse("GBP").unwrap());
    add_invoice(&db, id, "I-1", d("2024-01-05"), d("2024-02-15"), gbp(5_000));
    let credit = add_invoice(
        &db,
        id,
        "CN-1",
        d("2024-01-08"),
        d("2024-01-10"),
        gbp(-10_000),
    );
    record_payment(&db, credit, -10_000, d("2024-01-20"), Some("refund"));
    let report = kpis(db.conn(), d("2024-01-31"), DEFAULT_DAYS).unwrap();
    let gbp = &report.currencies["GBP"];
    assert_eq!(
        (gbp.ar_total, gbp.ar_current, gbp.ar_overdue),
        (5_000, 5_000, 0)
    );
    let undefined = [
        gbp.dso_countback,
        gbp.dso_standard,
        gbp.best_dso,
        gbp.add,
        gbp.cei,
    ];
    assert_eq!(undefined, [None; 5]);
}
