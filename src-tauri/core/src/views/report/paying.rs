//! How a customer pays: the average days to pay and days late, weighted by amount, over the
//! customer's invoices paid in full (the customer screen shows them; the cash forecast shifts
//! due dates by the days late).
//!
//! An invoice is paid in full on the day its payments first reached its amount (the later of
//! that and its issue day), as the KPIs count it: `invoices.paid_in_full_on`, kept by
//! `store::payments`. Credit notes and void invoices are left out. Days to pay = paid day − issue date; days late = max(0, paid day − due date). Each
//! currency is averaged on its own, since amounts in two currencies cannot be weighed together.

use crate::store::DbResult;
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// One customer's paying habit in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PayHabit {
    pub currency: String,
    /// Invoices paid in full the averages are over.
    pub invoices: i64,
    pub average_days_to_pay: f64,
    pub average_days_late: f64,
}

/// The sums a [`PayHabit`] is made of, so habits can be added up (a currency's over all its
/// customers) before they are divided.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sums {
    pub invoices: i64,
    pub amount: i64,
    pub weighted_days_to_pay: f64,
    pub weighted_days_late: f64,
}

impl Sums {
    pub fn plus(self, other: Sums) -> Sums {
        Sums {
            invoices: self.invoices + other.invoices,
            amount: self.amount.saturating_add(other.amount),
            weighted_days_to_pay: self.weighted_days_to_pay + other.weighted_days_to_pay,
            weighted_days_late: self.weighted_days_late + other.weighted_days_late,
        }
    }

    /// The amount-weighted average days late, rounded to two decimals (`None` with no amount).
    pub fn days_late(&self) -> Option<f64> {
        (self.amount > 0).then(|| round2(self.weighted_days_late / self.amount as f64))
    }

    fn habit(&self, currency: &str) -> Option<PayHabit> {
        (self.amount > 0).then(|| PayHabit {
            currency: currency.to_string(),
            invoices: self.invoices,
            average_days_to_pay: round2(self.weighted_days_to_pay / self.amount as f64),
            average_days_late: round2(self.weighted_days_late / self.amount as f64),
        })
    }
}

/// (customer id, currency) → the sums over that customer's invoices paid in full.
pub type HabitSums = BTreeMap<(i64, String), Sums>;

/// The sums of every customer, in one aggregate pass over the paid invoices.
pub fn all_sums(conn: &Connection) -> DbResult<HabitSums> {
    sums_where(conn, None)
}

/// One customer's habits, a currency each (those with an invoice paid in full).
pub fn customer_habits(conn: &Connection, customer_id: i64) -> DbResult<Vec<PayHabit>> {
    let sums = sums_where(conn, Some(customer_id))?;
    Ok(sums
        .iter()
        .filter_map(|((_, currency), sums)| sums.habit(currency))
        .collect())
}

fn sums_where(conn: &Connection, customer_id: Option<i64>) -> DbResult<HabitSums> {
    let sql = format!(
        "SELECT customer_id, currency, COUNT(*), SUM(total_minor),
                TOTAL(total_minor * (julianday(max(paid_in_full_on, issue_date))
                                     - julianday(issue_date))),
                TOTAL(total_minor * max(0, julianday(max(paid_in_full_on, issue_date))
                                           - julianday(due_date)))
         FROM invoices
         WHERE paid_in_full_on IS NOT NULL AND status <> 'void' AND kind = 'invoice'
           AND total_minor > 0{}
         GROUP BY customer_id, currency",
        if customer_id.is_some() {
            " AND customer_id = ?1"
        } else {
            ""
        }
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let map = |r: &rusqlite::Row| {
        let sums = Sums {
            invoices: r.get(2)?,
            amount: r.get(3)?,
            weighted_days_to_pay: r.get(4)?,
            weighted_days_late: r.get(5)?,
        };
        Ok(((r.get(0)?, r.get(1)?), sums))
    };
    let rows = match customer_id {
        Some(id) => stmt.query_map(params![id], map)?,
        None => stmt.query_map(params![], map)?,
    };
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
