//! Collection KPIs per currency as of a day D (issue 18): the receivable, DSO three ways, the
//! average days delinquent, the collection effectiveness index and how fast invoices get paid.
//! Currencies are never mixed and nothing is converted.
//!
//! Definitions (the README's "Reports" says the same):
//! - **AR(D)**: over invoices and credit notes issued on or before D (void ones left out), the
//!   amount less the payments dated on or before D. **Current** is the part due on or after D,
//!   **overdue** the rest.
//! - **Sales** of a period: invoices issued in it less credit notes issued in it.
//! - **DSO countback**: walk back month by month from D's month (which counts up to D only),
//!   taking each month's sales off AR(D) and adding the month's days while AR remains; the month
//!   where it runs out adds `remaining / sales × its days`. 0 when AR(D) ≤ 0; `None` when AR
//!   remains after the month of the first invoice in the currency.
//! - **Standard DSO** = AR(D) / sales of the last N days (D − N + 1 ..= D) × N; **best possible
//!   DSO** = current AR(D) / the same sales × N; both `None` when those sales are zero or less.
//!   **ADD** = standard DSO − best possible DSO (`None` with them).
//! - **CEI** over [S, D], S = the first of D's month:
//!   (AR(S − 1) + sales in [S, D] − AR(D)) / (AR(S − 1) + sales in [S, D] − current AR(D)) × 100;
//!   `None` when the denominator (what was collectible) is zero or less.
//! - **Average days to pay / late**: over invoices (not credit notes) whose payments first
//!   reached their amount on a day P in the last N days, the amount-weighted mean of P − issue
//!   date and of max(0, P − due date); `None` when no invoice was paid in full then.
//!
//! Money stays in integer minor units; days and percentages are rounded to two decimals.

mod query;
mod text;

use crate::store::DbResult;
use chrono::{Datelike, Days, NaiveDate};
use query::{Ledger, PaidInFull};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// N, the days standard DSO's sales and the paid-in-full averages look back over, by default.
pub const DEFAULT_DAYS: u32 = 90;

/// The KPIs of every currency with an invoice issued on or before `as_of`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Kpis {
    pub as_of: NaiveDate,
    /// N: the last N days (ending on `as_of`) of sales and of invoices paid in full.
    pub days: u32,
    /// S: the first day of the CEI period, which ends on `as_of`.
    pub period_start: NaiveDate,
    pub currencies: BTreeMap<String, CurrencyKpis>,
}

/// One currency's KPIs: amounts in minor units, days and CEI (a percentage) rounded to two
/// decimals, `None` where the definition divides by nothing (see the module's definitions).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CurrencyKpis {
    pub ar_total: i64,
    pub ar_current: i64,
    pub ar_overdue: i64,
    pub dso_countback: Option<f64>,
    pub dso_standard: Option<f64>,
    pub best_dso: Option<f64>,
    pub add: Option<f64>,
    pub cei: Option<f64>,
    pub average_days_to_pay: Option<f64>,
    pub average_days_late: Option<f64>,
}

/// The KPIs as of `as_of`, over the last `days` days (N; [`DEFAULT_DAYS`] unless the user chose).
pub fn kpis(conn: &Connection, as_of: NaiveDate, days: u32) -> DbResult<Kpis> {
    let period_start = as_of.with_day(1).unwrap_or(as_of);
    let query_days = query::Days {
        as_of: as_of.to_string(),
        before_period: back(period_start, 1).to_string(),
        period_start: period_start.to_string(),
        window_start: window_start(as_of, days).to_string(),
    };
    let ledgers = query::ledgers(conn, &query_days)?;
    let paid = query::paid_in_full(conn, &query_days)?;
    let currencies = ledgers
        .iter()
        .map(|(code, ledger)| {
            let kpis = currency_kpis(ledger, paid.get(code), as_of, f64::from(days));
            (code.clone(), kpis)
        })
        .collect();
    Ok(Kpis {
        as_of,
        days,
        period_start,
        currencies,
    })
}

fn currency_kpis(
    ledger: &Ledger,
    paid: Option<&PaidInFull>,
    as_of: NaiveDate,
    days: f64,
) -> CurrencyKpis {
    let t = &ledger.totals;
    let per_day = |ar: i64| (t.sales_window > 0).then(|| ar as f64 / t.sales_window as f64 * days);
    let standard = per_day(t.ar);
    let best = per_day(t.current);
    let collectible = t.ar_before_period.saturating_add(t.sales_period);
    // Saturating: amounts come from imported files, and no sum of them may panic.
    let denominator = collectible.saturating_sub(t.current);
    let cei = (denominator > 0)
        .then(|| collectible.saturating_sub(t.ar) as f64 / denominator as f64 * 100.0);
    let weighted = |sum: f64| paid.filter(|p| p.amount > 0).map(|p| sum / p.amount as f64);
    CurrencyKpis {
        ar_total: t.ar,
        ar_current: t.current,
        ar_overdue: t.ar.saturating_sub(t.current),
        dso_countback: countback(t.ar, as_of, &ledger.months).map(round2),
        dso_standard: standard.map(round2),
        best_dso: best.map(round2),
        add: standard.zip(best).map(|(s, b)| round2(s - b)),
        cei: cei.map(round2),
        average_days_to_pay: paid
            .and_then(|p| weighted(p.weighted_days_to_pay))
            .map(round2),
        average_days_late: paid
            .and_then(|p| weighted(p.weighted_days_late))
            .map(round2),
    }
}

/// DSO by the countback method over `months` (sales per `YYYY-MM`, up to `as_of`).
fn countback(ar: i64, as_of: NaiveDate, months: &BTreeMap<String, i64>) -> Option<f64> {
    if ar <= 0 {
        return Some(0.0);
    }
    let earliest = months.keys().next()?;
    let mut remaining = ar;
    let mut dso = 0.0;
    let mut end = as_of;
    loop {
        let start = end.with_day(1)?;
        let key = start.format("%Y-%m").to_string();
        if key < *earliest {
            // More is owed than was ever sold: refunds on credit notes outweigh the payments.
            return None;
        }
        let sales = months.get(&key).copied().unwrap_or(0);
        let month_days = (end - start).num_days() as f64 + 1.0;
        if remaining <= sales {
            return Some(dso + remaining as f64 / sales as f64 * month_days);
        }
        remaining = remaining.saturating_sub(sales);
        dso += month_days;
        end = start.pred_opt()?;
    }
}

/// The first of the last `days` days ending on `as_of`; for 0 days the day after (an empty window).
fn window_start(as_of: NaiveDate, days: u32) -> NaiveDate {
    match days.checked_sub(1) {
        Some(before) => back(as_of, u64::from(before)),
        None => as_of.succ_opt().unwrap_or(as_of),
    }
}

fn back(from: NaiveDate, days: u64) -> NaiveDate {
    from.checked_sub_days(Days::new(days))
        .unwrap_or(NaiveDate::MIN)
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
