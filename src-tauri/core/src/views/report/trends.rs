//! The KPIs and the aging buckets month by month (issue 18's trend lines and "aging over time"):
//! as of the end of each of the last months, the last point being the as-of day itself. One
//! ledger load serves every point.

use super::aging::Buckets;
use super::kpis::{kpis_from, window_start, CurrencyKpis};
use super::ledger::Ledger;
use crate::store::DbResult;
use chrono::{Datelike, NaiveDate};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// How many months the Reports tab draws.
pub const DEFAULT_MONTHS: u32 = 12;

/// Per currency, one point per day of [`Trends::month_ends`], in the same order.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Trends {
    pub as_of: NaiveDate,
    /// N, as in the KPIs.
    pub days: u32,
    /// The last day of each month, oldest first, ending with `as_of` itself.
    pub month_ends: Vec<NaiveDate>,
    pub currencies: BTreeMap<String, Vec<TrendPoint>>,
}

/// A currency's figures on one day; zero amounts and `None` ratios before its first invoice.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TrendPoint {
    pub as_of: NaiveDate,
    pub kpis: CurrencyKpis,
    pub aging: Buckets,
}

/// The last `months` month ends up to `as_of` (at least one: `as_of`).
pub fn trends(conn: &Connection, as_of: NaiveDate, months: u32, days: u32) -> DbResult<Trends> {
    let month_ends = month_ends(as_of, months);
    let first = month_ends.first().copied().unwrap_or(as_of);
    let ledger = Ledger::load(conn, as_of, window_start(first, days))?;
    let reports: Vec<_> = month_ends
        .iter()
        .map(|day| kpis_from(&ledger, *day, days))
        .collect();
    let codes: Vec<&String> = reports.iter().flat_map(|r| r.currencies.keys()).collect();
    let mut currencies: BTreeMap<String, Vec<TrendPoint>> = BTreeMap::new();
    for code in codes {
        if currencies.contains_key(code) {
            continue;
        }
        let points = reports
            .iter()
            .map(|report| TrendPoint {
                as_of: report.as_of,
                kpis: report
                    .currencies
                    .get(code)
                    .cloned()
                    .unwrap_or_else(CurrencyKpis::nothing),
                aging: ledger.aging(code, report.as_of),
            })
            .collect();
        currencies.insert(code.clone(), points);
    }
    Ok(Trends {
        as_of,
        days,
        month_ends,
        currencies,
    })
}

/// The ends of the `months` months up to `as_of`, oldest first; the last is `as_of`.
fn month_ends(as_of: NaiveDate, months: u32) -> Vec<NaiveDate> {
    let mut ends = vec![as_of];
    let mut day = as_of;
    for _ in 1..months.max(1) {
        match day.with_day(1).and_then(|first| first.pred_opt()) {
            Some(previous) => {
                ends.push(previous);
                day = previous;
            }
            None => break,
        }
    }
    ends.reverse();
    ends
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn month_ends_walk_back_through_short_months() {
        assert_eq!(
            month_ends(d("2024-03-17"), 3),
            vec![d("2024-01-31"), d("2024-02-29"), d("2024-03-17")]
        );
        assert_eq!(month_ends(d("2024-03-17"), 0), vec![d("2024-03-17")]);
    }
}
