//! The receivable on any past day, from the report tables of migration 17 (kept by triggers on
//! every write to invoices and payments): what was invoiced per issue and due day, what was paid
//! per day and due day, and what was paid in full per day. A report loads them once — thousands
//! of rows where the invoices are millions — and then answers for as many days as it needs
//! (a 12-month trend asks for 13), in memory.

use super::aging::{cutoffs, Buckets};
use crate::store::DbResult;
use chrono::{Datelike, NaiveDate};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::{params, Connection};
use std::collections::BTreeMap;

/// A day as the number YYYYMMDD: ordered as the days are, and cheap to compare, which is all a
/// report does with the tables' days; `day / 100` is its month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Day(u32);

impl Day {
    pub fn of(date: NaiveDate) -> Day {
        // Years before 0 never reach the tables (dates are checked on the way in).
        let year = u32::try_from(date.year()).unwrap_or(0);
        Day(year * 10_000 + date.month() * 100 + date.day())
    }

    /// The month as YYYYMM.
    pub fn month(self) -> u32 {
        self.0 / 100
    }
}

impl FromSql for Day {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Day::of)
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// One currency's report rows.
#[derive(Debug, Default)]
struct Rows {
    /// (issue day, due day, amount invoiced; credit notes negative).
    invoiced: Vec<(Day, Day, i64)>,
    /// (day the payment counts from, its invoice's due day, amount).
    paid: Vec<(Day, Day, i64)>,
    /// (day paid in full, amount, Σ amount × days to pay, Σ amount × days late).
    settled: Vec<(Day, i64, i64, i64)>,
}

/// The days a set of figures is for.
pub(super) struct Days {
    /// D, the as-of day.
    pub as_of: Day,
    /// The day before the CEI period starts (S − 1): the opening receivable is AR on this day.
    pub before_period: Day,
    /// S, the first day of the CEI period.
    pub period_start: Day,
    /// The first of the last N days (D − N + 1), for sales and invoices paid in full.
    pub window_start: Day,
}

/// One currency's sums in minor units on a day.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Totals {
    /// AR(D).
    pub ar: i64,
    /// The part of AR(D) due on or after D.
    pub current: i64,
    /// AR(S − 1).
    pub ar_before_period: i64,
    /// Sales (invoices less credit notes) issued in the last N days.
    pub sales_window: i64,
    /// Sales issued in [S, D].
    pub sales_period: i64,
}

/// Invoices paid in full in the last N days: their amount, and the amount-weighted sums of days
/// from issue to payment and of days late.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(super) struct PaidInFull {
    pub amount: i64,
    pub weighted_days_to_pay: f64,
    pub weighted_days_late: f64,
}

/// The report rows of every currency up to a day.
#[derive(Debug, Default)]
pub(super) struct Ledger {
    currencies: BTreeMap<String, Rows>,
}

impl Ledger {
    /// The rows up to `through` (invoices issued and payments counted by then), and the days
    /// paid in full from `settled_from` on.
    pub fn load(conn: &Connection, through: NaiveDate, settled_from: NaiveDate) -> DbResult<Self> {
        let through = through.to_string();
        let mut ledger = Ledger::default();
        let mut invoiced = conn.prepare_cached(
            "SELECT currency, issue_date, due_date, amount_minor FROM report_invoiced
             WHERE issue_date <= ?1 AND amount_minor <> 0",
        )?;
        let rows = invoiced.query_map([&through], |r| {
            Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
        })?;
        for row in rows {
            let (currency, row) = row?;
            ledger.rows(currency).invoiced.push(row);
        }
        let mut paid = conn.prepare_cached(
            "SELECT currency, counted_on, due_date, amount_minor FROM report_paid
             WHERE counted_on <= ?1 AND amount_minor <> 0",
        )?;
        let rows = paid.query_map([&through], |r| {
            Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
        })?;
        for row in rows {
            let (currency, row) = row?;
            ledger.rows(currency).paid.push(row);
        }
        let mut settled = conn.prepare_cached(
            "SELECT currency, paid_day, amount_minor, weighted_days_to_pay, weighted_days_late
             FROM report_settled WHERE paid_day >= ?1 AND paid_day <= ?2 AND amount_minor <> 0",
        )?;
        let rows = settled.query_map(params![settled_from.to_string(), through], |r| {
            let row = (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            Ok((r.get::<_, String>(0)?, row))
        })?;
        for row in rows {
            let (currency, row) = row?;
            ledger.rows(currency).settled.push(row);
        }
        Ok(ledger)
    }

    fn rows(&mut self, currency: String) -> &mut Rows {
        self.currencies.entry(currency).or_default()
    }

    /// The currencies with an invoice issued on or before `as_of`.
    pub fn currencies(&self, as_of: Day) -> impl Iterator<Item = &str> {
        self.currencies
            .iter()
            .filter(move |(_, rows)| rows.invoiced.iter().any(|(issue, ..)| *issue <= as_of))
            .map(|(code, _)| code.as_str())
    }

    /// A currency's AR and sales on `days`, and its sales per month (YYYYMM) up to D.
    pub fn totals(&self, currency: &str, days: &Days) -> (Totals, BTreeMap<u32, i64>) {
        let mut t = Totals::default();
        let mut months = BTreeMap::new();
        let Some(rows) = self.currencies.get(currency) else {
            return (t, months);
        };
        // Saturating: amounts come from imported files, and no sum of them may panic.
        let add = |sum: &mut i64, amount: i64| *sum = sum.saturating_add(amount);
        for &(issue, due, amount) in rows.invoiced.iter().filter(|r| r.0 <= days.as_of) {
            add(&mut t.ar, amount);
            add(months.entry(issue.month()).or_default(), amount);
            if due >= days.as_of {
                add(&mut t.current, amount);
            }
            if issue <= days.before_period {
                add(&mut t.ar_before_period, amount);
            }
            if issue >= days.window_start {
                add(&mut t.sales_window, amount);
            }
            if issue >= days.period_start {
                add(&mut t.sales_period, amount);
            }
        }
        for &(counted, due, amount) in rows.paid.iter().filter(|r| r.0 <= days.as_of) {
            add(&mut t.ar, -amount);
            if due >= days.as_of {
                add(&mut t.current, -amount);
            }
            if counted <= days.before_period {
                add(&mut t.ar_before_period, -amount);
            }
        }
        (t, months)
    }

    /// A currency's invoices paid in full from `from` to `to`, both included.
    pub fn paid_in_full(&self, currency: &str, from: Day, to: Day) -> Option<PaidInFull> {
        let rows = self.currencies.get(currency)?;
        let mut sum = PaidInFull::default();
        for &(day, amount, to_pay, late) in &rows.settled {
            if from <= day && day <= to {
                sum.amount = sum.amount.saturating_add(amount);
                sum.weighted_days_to_pay += to_pay as f64;
                sum.weighted_days_late += late as f64;
            }
        }
        (sum.amount != 0).then_some(sum)
    }

    /// A currency's receivable on `as_of` by days past due (the buckets of the aging report).
    pub fn aging(&self, currency: &str, as_of: NaiveDate) -> Buckets {
        let mut buckets = Buckets::default();
        let Some(rows) = self.currencies.get(currency) else {
            return buckets;
        };
        let day = Day::of(as_of);
        let cutoffs = cutoffs(as_of).map(Day::of);
        let bucket = |due: Day| cutoffs.iter().position(|c| due >= *c).unwrap_or(4);
        for &(_, due, amount) in rows.invoiced.iter().filter(|r| r.0 <= day) {
            let slot = &mut buckets.0[bucket(due)];
            *slot = slot.saturating_add(amount);
        }
        for &(_, due, amount) in rows.paid.iter().filter(|r| r.0 <= day) {
            let slot = &mut buckets.0[bucket(due)];
            *slot = slot.saturating_sub(amount);
        }
        buckets
    }
}
