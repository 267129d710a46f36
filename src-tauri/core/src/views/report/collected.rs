//! Cash collected per currency per calendar month: the payments dated in the month against
//! invoices. Payments on credit notes (a refund, a note used up) are not cash received, and
//! void invoices were never owed, so neither counts. The last month counts up to the as-of day.

use super::table::{amount, Cell, ReportTable};
use crate::store::DbResult;
use chrono::{Datelike, Months, NaiveDate};
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// How many calendar months the report covers, the as-of day's month last.
pub const MONTHS: u32 = 12;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CollectedMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Minor units received.
    pub amount: i64,
    pub payments: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Collected {
    pub as_of: NaiveDate,
    /// The first day counted: the first of the month [`MONTHS`] − 1 months before `as_of`'s.
    pub from: NaiveDate,
    /// Per currency with a payment in the period, every month of it in order (0 when nothing
    /// came in).
    pub currencies: BTreeMap<String, Vec<CollectedMonth>>,
}

pub fn collected(conn: &Connection, as_of: NaiveDate) -> DbResult<Collected> {
    let first_of_month = as_of.with_day(1).unwrap_or(as_of);
    let from = first_of_month
        .checked_sub_months(Months::new(MONTHS - 1))
        .unwrap_or(NaiveDate::MIN);
    let months: Vec<String> = (0..MONTHS)
        .filter_map(|n| from.checked_add_months(Months::new(n)))
        .map(|m| m.format("%Y-%m").to_string())
        .collect();
    let mut stmt = conn.prepare_cached(
        "SELECT i.currency, substr(p.paid_on, 1, 7), SUM(p.amount_minor), COUNT(*)
         FROM payments p JOIN invoices i ON i.id = p.invoice_id
         WHERE p.paid_on >= ?1 AND p.paid_on <= ?2 AND i.kind = 'invoice' AND i.status <> 'void'
         GROUP BY 1, 2",
    )?;
    let rows = stmt.query_map(params![from.to_string(), as_of.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    let mut currencies: BTreeMap<String, Vec<CollectedMonth>> = BTreeMap::new();
    for row in rows {
        let (currency, month, minor, payments) = row?;
        let series = currencies.entry(currency).or_insert_with(|| {
            months
                .iter()
                .map(|month| CollectedMonth {
                    month: month.clone(),
                    amount: 0,
                    payments: 0,
                })
                .collect()
        });
        if let Some(slot) = series.iter_mut().find(|m| m.month == month) {
            slot.amount = minor;
            slot.payments = payments;
        }
    }
    Ok(Collected {
        as_of,
        from,
        currencies,
    })
}

impl Collected {
    pub fn table(&self) -> ReportTable {
        let rows = self.currencies.iter().flat_map(|(currency, months)| {
            months.iter().map(move |m| {
                vec![
                    Cell::Plain(currency.clone()),
                    Cell::Plain(m.month.clone()),
                    amount(m.amount, currency),
                    Cell::Count(m.payments),
                ]
            })
        });
        ReportTable {
            title: format!(
                "Collected per month from {} to {} (payments on invoices; credit notes are not cash)",
                self.from, self.as_of
            ),
            meta: vec![
                ("as_of", self.as_of.to_string()),
                ("from", self.from.to_string()),
            ],
            columns: vec!["currency", "month", "collected", "payments"],
            rows: rows.collect(),
        }
    }
}
