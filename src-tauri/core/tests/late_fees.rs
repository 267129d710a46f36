//! Late fees and interest: the arithmetic to the cent (over month and year ends and leap years,
//! against an independent day-by-day calculation and figures worked out by hand), the grace
//! period, the statutory rate the user sets, and the campaign setting stored and refused.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::campaign::fees::{
    self, simple_interest, Charge, ChargeKind, FeeError, InterestRate, StatutoryRate,
};
use duebook_core::campaign::{self, preset, CampaignError, LateFees};
use duebook_core::test_support::campaign::temp_db;

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// Walks the calendar a day at a time and rounds by comparing the remainder, so neither the
/// day count nor the rounding shares code with the library.
fn independent(principal: u128, basis_points: u128, due: NaiveDate, as_of: NaiveDate) -> u128 {
    let mut days = 0u128;
    let mut day = due;
    while day < as_of {
        day = day.succ_opt().unwrap();
        days += 1;
    }
    let numerator = principal * basis_points * days;
    let denominator = 10_000 * 365;
    let (whole, rest) = (numerator / denominator, numerator % denominator);
    if 2 * rest >= denominator {
        whole + 1
    } else {
        whole
    }
}

/// (open amount, basis points, due, as of, interest in minor units as worked out with exact
/// fractions by hand).
const CASES: &[(i64, i64, &str, &str, i64)] = &[
    // End of January to 1 March in a common year: 29 days.
    (123_456, 800, "2026-01-31", "2026-03-01", 785),
    // Over the new year, at 5.25 % + 8 points: 30 days.
    (1_000_000, 1325, "2025-12-15", "2026-01-14", 10_890),
    // 29 February 2028 counts as a day: 2 days.
    (999_999, 800, "2028-02-28", "2028-03-01", 438),
    // A whole leap year is 366 days at 1/365 each: a little more than the annual rate.
    (250_000, 1250, "2027-12-31", "2028-12-31", 31_336),
    // February of a leap year.
    (1_000_000, 800, "2024-02-01", "2024-03-01", 6356),
    // Exactly half a cent rounds up; 1.5 cents to 2.
    (365, 5000, "2026-05-01", "2026-05-02", 1),
    (365, 5000, "2026-05-01", "2026-05-04", 2),
    // Just under half a cent rounds down.
    (364, 5000, "2026-05-01", "2026-05-02", 0),
];

#[test]
fn interest_is_right_to_the_cent_over_month_and_year_ends_and_leap_years() {
    for &(open, bp, due, as_of, expected) in CASES {
        let days = (d(as_of) - d(due)).num_days();
        let got = simple_interest(open, bp, days).unwrap();
        assert_eq!(got, expected, "{open} at {bp} bp from {due} to {as_of}");
        let check = independent(open as u128, bp as u128, d(due), d(as_of));
        assert_eq!(
            got as u128, check,
            "{open} at {bp} bp from {due} to {as_of}"
        );
    }
}

#[test]
fn a_year_of_interest_matches_the_independent_walk_on_every_day() {
    let due = d("2027-11-15");
    let mut as_of = due;
    for _ in 0..500 {
        as_of = as_of.succ_opt().unwrap();
        let days = (as_of - due).num_days();
        let got = simple_interest(1_234_567, 1075, days).unwrap();
        assert_eq!(
            got as u128,
            independent(1_234_567, 1075, due, as_of),
            "{as_of}"
        );
    }
}

fn fee_and_interest(grace_days: i64) -> LateFees {
    LateFees {
        fee_minor: Some(4000),
        interest: Some(InterestRate::Annual { basis_points: 800 }),
        grace_days,
    }
}

#[test]
fn nothing_is_charged_inside_the_grace_period_then_both_count_from_the_due_date() {
    let fees = fee_and_interest(7);
    let due = d("2026-03-02");
    assert_eq!(
        fees.charges(None, due, 100_000, d("2026-03-01")),
        Ok(vec![])
    );
    assert_eq!(
        fees.charges(None, due, 100_000, d("2026-03-09")),
        Ok(vec![])
    );
    let charged = fees.charges(None, due, 100_000, d("2026-03-10")).unwrap();
    // 8 days of 8 % on 1,000.00: 1.753... → 1.75.
    let want = vec![
        Charge {
            kind: ChargeKind::Fee,
            amount_minor: 4000,
        },
        Charge {
            kind: ChargeKind::Interest,
            amount_minor: 175,
        },
    ];
    assert_eq!(charged, want);
}

#[test]
fn credits_and_settled_invoices_are_charged_nothing() {
    let fees = fee_and_interest(0);
    let (due, later) = (d("2026-01-01"), d("2026-06-01"));
    assert_eq!(fees.charges(None, due, 0, later), Ok(vec![]));
    assert_eq!(fees.charges(None, due, -5000, later), Ok(vec![]));
    assert!(!LateFees::default().charges_anything());
    assert_eq!(
        LateFees::default().charges(None, due, 5000, later),
        Ok(vec![])
    );
}

#[test]
fn the_statutory_rate_is_the_reference_rate_plus_points_as_the_user_set_them() {
    let (_dir, db) = temp_db();
    let conn = db.conn();
    let statutory = LateFees {
        fee_minor: None,
        interest: Some(InterestRate::Statutory),
        grace_days: 0,
    };
    let (due, as_of) = (d("2025-12-15"), d("2026-01-14"));
    assert_eq!(fees::statutory_rate(conn).unwrap(), None);
    assert_eq!(
        statutory.charges(None, due, 1_000_000, as_of),
        Err(FeeError::NoStatutoryRate)
    );
    let rate = StatutoryRate {
        reference_basis_points: fees::parse_percent("5.25").unwrap(),
        points_basis_points: fees::parse_percent("8").unwrap(),
    };
    fees::set_statutory_rate(conn, rate).unwrap();
    let stored = fees::statutory_rate(conn).unwrap();
    assert_eq!(stored, Some(rate));
    let charged = statutory.charges(stored, due, 1_000_000, as_of).unwrap();
    assert_eq!(charged[0].amount_minor, 10_890);
    let too_high = StatutoryRate {
        reference_basis_points: 200_000,
        points_basis_points: 800,
    };
    assert!(fees::set_statutory_rate(conn, too_high).is_err());
    assert_eq!(fees::statutory_rate(conn).unwrap(), Some(rate));
}

#[test]
fn percentages_parse_exactly_or_are_refused() {
    for (text, bp) in [
        ("4", 400),
        ("4.0", 400),
        ("5.25", 525),
        (" 8 % ", 800),
        ("0.5", 50),
    ] {
        assert_eq!(fees::parse_percent(text), Ok(bp), "{text}");
    }
    for text in ["", "-1", "4.255", "1e3", "four", ".5", "4.5.1", "99999999"] {
        assert!(fees::parse_percent(text).is_err(), "{text}");
    }
    assert_eq!(fees::hundredths(525), "5.25");
    assert_eq!(fees::hundredths(4000), "40.00");
}

#[test]
fn a_campaign_keeps_its_late_fees_and_has_none_by_default() {
    let (_dir, db) = temp_db();
    let conn = db.conn();
    let plain = campaign::create(conn, &preset("friendly").unwrap()).unwrap();
    assert_eq!(campaign::get(conn, plain).unwrap().late_fees, None);
    let mut charging = preset("friendly").unwrap();
    charging.late_fees = Some(fee_and_interest(14));
    let id = campaign::create(conn, &charging).unwrap();
    assert_eq!(
        campaign::get(conn, id).unwrap().late_fees,
        charging.late_fees
    );
    charging.late_fees = None;
    campaign::update(conn, id, &charging).unwrap();
    assert_eq!(campaign::get(conn, id).unwrap().late_fees, None);
}

#[test]
fn impossible_late_fees_are_refused_and_change_nothing() {
    let (_dir, db) = temp_db();
    let conn = db.conn();
    let id = campaign::create(conn, &preset("friendly").unwrap()).unwrap();
    let bad = [
        LateFees {
            fee_minor: Some(-1),
            ..LateFees::default()
        },
        LateFees {
            grace_days: -3,
            ..LateFees::default()
        },
        LateFees {
            interest: Some(InterestRate::Annual {
                basis_points: 100_001,
            }),
            ..LateFees::default()
        },
    ];
    for fees in bad {
        let mut new = preset("friendly").unwrap();
        new.late_fees = Some(fees);
        let refused = campaign::update(conn, id, &new);
        assert!(matches!(refused, Err(CampaignError::Fees(_))), "{fees:?}");
        assert!(campaign::create(conn, &new).is_err());
    }
    assert_eq!(campaign::get(conn, id).unwrap().late_fees, None);
}

#[test]
fn a_campaign_file_names_its_late_fees_in_json() {
    let json =
        r#"{"fee_minor": 4000, "interest": {"annual": {"basis_points": 800}}, "grace_days": 7}"#;
    let fees: LateFees = serde_json::from_str(json).unwrap();
    assert_eq!(fees, fee_and_interest(7));
    let statutory: LateFees = serde_json::from_str(r#"{"interest": "statutory"}"#).unwrap();
    assert_eq!(statutory.interest, Some(InterestRate::Statutory));
    assert_eq!(
        fees::describe(&fees),
        "a fixed fee of 40.00 per invoice and interest at 8.00 % a year, after 7 days' grace"
    );
}
