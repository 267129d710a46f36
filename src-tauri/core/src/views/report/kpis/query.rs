//! The SQL behind the KPIs: three aggregate passes per report, grouped by currency (invoices
//! also by issue day, for the countback's months), never one query per invoice. Void invoices
//! are left out everywhere: they were cancelled in the accounting system and were never owed.

use crate::store::DbResult;
use rusqlite::{params, Connection};
use std::collections::BTreeMap;

/// The days a report reads, as the `YYYY-MM-DD` text the tables store (so every comparison is
/// a string compare on an indexed column).
pub(super) struct Days {
    /// D, the as-of day.
    pub as_of: String,
    /// The day before the CEI period starts (S − 1): the opening receivable is AR on this day.
    pub before_period: String,
    /// S, the first day of the CEI period.
    pub period_start: String,
    /// The first of the last N days (D − N + 1), for sales and invoices paid in full.
    pub window_start: String,
}

/// One currency's sums in minor units.
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

/// One currency's sums and its sales per month (`YYYY-MM`, up to and including D).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Ledger {
    pub totals: Totals,
    pub months: BTreeMap<String, i64>,
}

/// AR and sales per currency: invoiced amounts, in one pass grouped by currency and issue day
/// (folded into months here), less the payments dated on or before each day. Grouping by the
/// day rather than the month lets an index on (currency, issue_date) serve the GROUP BY without
/// a sort.
pub(super) fn ledgers(conn: &Connection, days: &Days) -> DbResult<BTreeMap<String, Ledger>> {
    let mut out: BTreeMap<String, Ledger> = BTreeMap::new();
    let mut invoiced = conn.prepare_cached(
        "SELECT currency, issue_date,
                SUM(total_minor),
                SUM(CASE WHEN due_date >= ?1 THEN total_minor ELSE 0 END),
                SUM(CASE WHEN issue_date <= ?2 THEN total_minor ELSE 0 END),
                SUM(CASE WHEN issue_date >= ?3 THEN total_minor ELSE 0 END),
                SUM(CASE WHEN issue_date >= ?4 THEN total_minor ELSE 0 END)
         FROM invoices WHERE status <> 'void' AND issue_date <= ?1
         GROUP BY currency, issue_date",
    )?;
    let rows = invoiced.query_map(
        params![
            days.as_of,
            days.before_period,
            days.window_start,
            days.period_start
        ],
        |r| {
            let totals = Totals {
                ar: r.get(2)?,
                current: r.get(3)?,
                ar_before_period: r.get(4)?,
                sales_window: r.get(5)?,
                sales_period: r.get(6)?,
            };
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, totals))
        },
    )?;
    for row in rows {
        let (currency, issue_date, day) = row?;
        let ledger = out.entry(currency).or_default();
        let month = issue_date.get(..7).unwrap_or(&issue_date).to_string();
        let sales = ledger.months.entry(month).or_default();
        *sales = sales.saturating_add(day.ar);
        ledger.totals = ledger.totals.plus(day);
    }
    subtract_payments(conn, days, &mut out)?;
    Ok(out)
}

impl Totals {
    fn plus(self, other: Totals) -> Totals {
        Totals {
            ar: self.ar.saturating_add(other.ar),
            current: self.current.saturating_add(other.current),
            ar_before_period: self.ar_before_period.saturating_add(other.ar_before_period),
            sales_window: self.sales_window.saturating_add(other.sales_window),
            sales_period: self.sales_period.saturating_add(other.sales_period),
        }
    }
}

/// Takes the payments off AR. Only payments on invoices issued by the day count for that day:
/// AR(D) sums, over invoices issued on or before D, the amount less the payments dated on or
/// before D.
fn subtract_payments(
    conn: &Connection,
    days: &Days,
    ledgers: &mut BTreeMap<String, Ledger>,
) -> DbResult<()> {
    let mut paid = conn.prepare_cached(
        "SELECT i.currency,
                SUM(p.amount_minor),
                SUM(CASE WHEN i.due_date >= ?1 THEN p.amount_minor ELSE 0 END),
                SUM(CASE WHEN i.issue_date <= ?2 AND p.paid_on <= ?2
                         THEN p.amount_minor ELSE 0 END)
         FROM payments p JOIN invoices i ON i.id = p.invoice_id
         WHERE i.status <> 'void' AND i.issue_date <= ?1 AND p.paid_on <= ?1
         GROUP BY i.currency",
    )?;
    let rows = paid.query_map(params![days.as_of, days.before_period], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (currency, all, current, before_period) = row?;
        let totals = &mut ledgers.entry(currency).or_default().totals;
        totals.ar = totals.ar.saturating_sub(all);
        totals.current = totals.current.saturating_sub(current);
        totals.ar_before_period = totals.ar_before_period.saturating_sub(before_period);
    }
    Ok(())
}

/// Invoices (not credit notes) whose payments dated on or before D first reached their amount
/// on a day in the last N days. Payments of one day count together (the window's default
/// RANGE frame), so the paid day is a day, not a payment. Only invoices with a payment in the
/// window can qualify, which keeps the running sums to those.
pub(super) fn paid_in_full(
    conn: &Connection,
    days: &Days,
) -> DbResult<BTreeMap<String, PaidInFull>> {
    let mut stmt = conn.prepare_cached(
        "WITH candidates AS (
             SELECT DISTINCT invoice_id FROM payments WHERE paid_on >= ?2 AND paid_on <= ?1
         ), running AS (
             SELECT i.id, i.currency, i.total_minor, i.issue_date, i.due_date, p.paid_on,
                    SUM(p.amount_minor) OVER (PARTITION BY i.id ORDER BY p.paid_on) AS so_far
             FROM candidates c
             JOIN invoices i ON i.id = c.invoice_id
             JOIN payments p ON p.invoice_id = i.id
             WHERE i.kind = 'invoice' AND i.status <> 'void' AND i.total_minor > 0
               AND i.issue_date <= ?1 AND p.paid_on <= ?1
         ), paid AS (
             SELECT id, currency, total_minor, issue_date, due_date, MIN(paid_on) AS paid_day
             FROM running WHERE so_far >= total_minor GROUP BY id
         )
         SELECT currency, SUM(total_minor),
                TOTAL(total_minor * (julianday(paid_day) - julianday(issue_date))),
                TOTAL(total_minor * max(0, julianday(paid_day) - julianday(due_date)))
         FROM paid WHERE paid_day >= ?2
         GROUP BY currency",
    )?;
    let rows = stmt.query_map(params![days.as_of, days.window_start], |r| {
        let paid = PaidInFull {
            amount: r.get(1)?,
            weighted_days_to_pay: r.get(2)?,
            weighted_days_late: r.get(3)?,
        };
        Ok((r.get::<_, String>(0)?, paid))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
