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
//! - A payment dated before its invoice was issued (a deposit) counts from the issue date, and
//!   so does an invoice it paid in full: AR(D) only takes payments on invoices issued by D.
//!
//! The figures are read from the report ledger ([`super::ledger`]), not the invoices: a day's
//! KPIs cost the same on a million invoices as on a thousand days of them.
//!
//! Money stays in integer minor units; days and percentages are rounded to two decimals.

mod text;

use super::ledger::{Day, Days as LedgerDays, Ledger, PaidInFull, Totals};
use crate::store::DbResult;
use chrono::{Datelike, Days, NaiveDate};
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

impl CurrencyKpis {
    /// A currency's figures before its first invoice: nothing owed, nothing to divide by.
    pub(crate) fn nothing() -> CurrencyKpis {
        CurrencyKpis {
            ar_total: 0,
            ar_current: 0,
            ar_overdue: 0,
            dso_countback: None,
            dso_standard: None,
            best_dso: None,
            add: None,
            cei: None,
            average_days_to_pay: None,
            average_days_late: None,
        }
    }
}

/// The KPIs as of `as_of`, over the last `days` days (N; [`DEFAULT_DAYS`] unless the user chose).
pub fn kpis(conn: &Connection, as_of: NaiveDate, days: u32) -> DbResult<Kpis> {
    let ledger = Ledger::load(conn, as_of, window_start(as_of, days))?;
    Ok(kpis_from(&ledger, as_of, days))
}

/// [`kpis`] over a loaded ledger (which must reach `as_of`, and its days paid in full back to
/// the window's start): reports that need many days load the ledger once.
pub(super) fn kpis_from(ledger: &Ledger, as_of: NaiveDate, days: u32) -> Kpis {
    let period_start = as_of.with_day(1).unwrap_or(as_of);
    let report_days = LedgerDays {
        as_of: Day::of(as_of),
        before_period: Day::of(back(period_start, 1)),
        period_start: Day::of(period_start),
        window_start: Day::of(window_start(as_of, days)),
    };
    let currencies = ledger
        .currencies(report_days.as_of)
        .map(|code| {
            let (totals, months) = ledger.totals(code, &report_days);
            let paid = ledger.paid_in_full(code, report_days.window_start, report_days.as_of);
            let kpis = currency_kpis(&totals, &months, paid, as_of, f64::from(days));
            (code.to_string(), kpis)
        })
        .collect();
    Kpis {
        as_of,
        days,
        period_start,
        currencies,
    }
}

fn currency_kpis(
    t: &Totals,
    months: &BTreeMap<u32, i64>,
    paid: Option<PaidInFull>,
    as_of: NaiveDate,
    days: f64,
) -> CurrencyKpis {
    let per_day = |ar: i64| (t.sales_window > 0).then(|| ar as f64 / t.sales_window as f64 * days);
    let standard = per_day(t.ar);
    let best = per_day(t.current);
    let collectible = t.ar_before_period.saturating_add(t.sales_period);
    // Saturating: amounts come from imported files, and no sum of them may panic.
    let denominator = collectible.saturating_sub(t.current);
    let cei = (denominator > 0)
        .then(|| collectible.saturating_sub(t.ar) as f64 / denominator as f64 * 100.0);
    let weighted = |sum: fn(&PaidInFull) -> f64| {
        paid.filter(|p| p.amount > 0)
            .map(|p| round2(sum(&p) / p.amount as f64))
    };
    CurrencyKpis {
        ar_total: t.ar,
        ar_current: t.current,
        ar_overdue: t.ar.saturating_sub(t.current),
        dso_countback: countback(t.ar, as_of, months).map(round2),
        dso_standard: standard.map(round2),
        best_dso: best.map(round2),
        add: standard.zip(best).map(|(s, b)| round2(s - b)),
        cei: cei.map(round2),
        average_days_to_pay: weighted(|p| p.weighted_days_to_pay),
        average_days_late: weighted(|p| p.weighted_days_late),
    }
}

/// DSO by the countback method over `months` (sales per YYYYMM, up to `as_of`).
fn countback(ar: i64, as_of: NaiveDate, months: &BTreeMap<u32, i64>) -> Option<f64> {
    if ar <= 0 {
        return Some(0.0);
    }
    let earliest = *months.keys().next()?;
    let mut remaining = ar;
    let mut dso = 0.0;
    let mut end = as_of;
    loop {
        let start = end.with_day(1)?;
        let key = Day::of(start).month();
        if key < earliest {
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
pub(super) fn window_start(as_of: NaiveDate, days: u32) -> NaiveDate {
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
