//! The hand-checked history the KPI tests (core and CLI) read, as of [`HAND_AS_OF`]; the
//! figures it must give are worked out beside each row.

use super::campaign::{customer, d};
use super::ledger::{add_invoice, record_payment};
use crate::model::{Currency, Money};
use crate::store::Database;

/// D for the hand-checked history: in March of a leap year, so the countback walks back
/// across a 29-day February.
pub const HAND_AS_OF: &str = "2024-03-10";

fn money(minor: i64, code: &str) -> Money {
    Money::new(minor, Currency::parse(code).expect("currency"))
}

/// Writes three currencies:
/// - USD: 3100.00 issued 2024-01-15 (due 02-14, 1550.00 paid 03-05), 2900.00 issued 02-10 (due
///   03-20), 1000.00 issued 03-05 (due 04-09). AR 5450.00, current 3900.00, overdue 1550.00.
///   Countback: March 10 days (5450 − 1000), February 29 days (4450 − 2900), January
///   1550 / 3100 × 31 = 15.5 → 54.50. Sales of 90 days 7000.00: standard 5450/7000 × 90 =
///   70.07, best 3900/7000 × 90 = 50.14, ADD 19.93. CEI: AR(02-29) 6000 + sales 1000 − 5450 =
///   1550 over 7000 − 3900 = 3100 → 50.00. Nothing paid in full: no days to pay.
/// - EUR: 1000.00 issued 01-01 due 01-31, paid 400 on 02-10 and 600 on 02-20 (50 days, 20
///   late); 3000.00 issued 02-01 due 03-02, paid on 03-01 (29 days, 0 late). AR 0: both DSOs
///   0.00, CEI 3000 / 3000 = 100.00, days to pay (1000 × 50 + 3000 × 29) / 4000 = 34.25, late
///   5.00.
/// - JPY: only a credit note of −500 issued and due 03-01: AR −500, countback 0.00, no
///   positive sales (standard, best, ADD undefined), nothing collectible (CEI undefined).
pub fn hand_checked_history(db: &Database) {
    let (id, _) = customer(db, "Countback Ltd", None, &[]);
    let usd = |n: &str, issue: &str, due: &str, minor: i64| {
        add_invoice(db, id, n, d(issue), d(due), money(minor, "USD"))
    };
    let january = usd("U-1", "2024-01-15", "2024-02-14", 310_000);
    usd("U-2", "2024-02-10", "2024-03-20", 290_000);
    usd("U-3", "2024-03-05", "2024-04-09", 100_000);
    record_payment(db, january, 155_000, d("2024-03-05"), None);

    let eur = |n: &str, issue: &str, due: &str, minor: i64| {
        add_invoice(db, id, n, d(issue), d(due), money(minor, "EUR"))
    };
    let first = eur("E-1", "2024-01-01", "2024-01-31", 100_000);
    let second = eur("E-2", "2024-02-01", "2024-03-02", 300_000);
    record_payment(db, first, 40_000, d("2024-02-10"), None);
    record_payment(db, first, 60_000, d("2024-02-20"), None);
    record_payment(db, second, 300_000, d("2024-03-01"), None);

    let jpy = money(-500, "JPY");
    add_invoice(db, id, "J-CN-1", d("2024-03-01"), d("2024-03-01"), jpy);
}
