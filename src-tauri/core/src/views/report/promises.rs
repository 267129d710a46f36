//! Promises kept rate: of the promises to pay whose date fell in a period, how many were kept.
//!
//! A promise's status is the one the customer screen shows (`store::promises`): kept once the
//! payments recorded since it was made cover its amount, broken when its date passed first,
//! pending until then. Rate = kept / promises due in the period, per currency of the promise
//! and over all of them (counts, so currencies can be added).

use super::table::{amount, Cell, ReportTable};
use crate::model::PromiseStatus;
use crate::store::{promises, DbResult};
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PromiseCounts {
    /// Promises whose date is in the period.
    pub due: i64,
    pub kept: i64,
    pub broken: i64,
    /// Due on the last day of the period and not kept yet.
    pub pending: i64,
    /// kept / due × 100, rounded to two decimals; `None` when none was due.
    pub kept_percent: Option<f64>,
    /// Minor units promised, and of the promises kept (per currency only; 0 in `overall`).
    pub promised: i64,
    pub promised_kept: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PromisesKept {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currencies: BTreeMap<String, PromiseCounts>,
    pub overall: PromiseCounts,
}

/// The promises due in [`from`, `to`], with their status on `to`.
pub fn promises_kept(conn: &Connection, from: NaiveDate, to: NaiveDate) -> DbResult<PromisesKept> {
    let mut currencies: BTreeMap<String, PromiseCounts> = BTreeMap::new();
    let mut overall = PromiseCounts::default();
    for promise in promises::due_between(conn, from, to, to)? {
        let code = promise.amount.currency.code().to_string();
        let counts = currencies.entry(code).or_default();
        counts.count(promise.status, promise.amount.minor);
        overall.count(promise.status, 0);
    }
    for counts in currencies.values_mut().chain([&mut overall]) {
        counts.kept_percent = (counts.due > 0)
            .then(|| super::paying::round2(counts.kept as f64 / counts.due as f64 * 100.0));
    }
    Ok(PromisesKept {
        from,
        to,
        currencies,
        overall,
    })
}

impl PromiseCounts {
    fn count(&mut self, status: PromiseStatus, minor: i64) {
        self.due += 1;
        self.promised = self.promised.saturating_add(minor);
        match status {
            PromiseStatus::Kept => {
                self.kept += 1;
                self.promised_kept = self.promised_kept.saturating_add(minor);
            }
            PromiseStatus::Broken => self.broken += 1,
            PromiseStatus::Pending => self.pending += 1,
        }
    }
}

impl PromisesKept {
    /// One row per currency, then `all` (counts only).
    pub fn table(&self) -> ReportTable {
        let row = |code: &str, c: &PromiseCounts, amounts: bool| {
            let money = |minor| match amounts {
                true => amount(minor, code),
                false => Cell::Empty,
            };
            vec![
                Cell::Plain(code.to_string()),
                Cell::Count(c.due),
                Cell::Count(c.kept),
                Cell::Count(c.broken),
                Cell::Count(c.pending),
                Cell::Figure(c.kept_percent),
                money(c.promised),
                money(c.promised_kept),
            ]
        };
        let mut rows: Vec<Vec<Cell>> = self
            .currencies
            .iter()
            .map(|(code, counts)| row(code, counts, true))
            .collect();
        rows.push(row("all", &self.overall, false));
        ReportTable {
            title: format!(
                "Promises due from {} to {}: kept % = kept / due × 100",
                self.from, self.to
            ),
            meta: vec![("from", self.from.to_string()), ("to", self.to.to_string())],
            columns: vec![
                "currency",
                "due",
                "kept",
                "broken",
                "pending",
                "kept_percent",
                "promised",
                "promised_kept",
            ],
            rows,
        }
    }
}
