//! The customers owing the most overdue money per currency on a day: the aging report's rows
//! with the most past due (every bucket but "current"), the largest first.

use super::customer_aging::{customer_aging, CustomerAging};
use super::table::{amount, Cell, ReportTable};
use crate::store::DbResult;
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

/// How many customers each currency lists.
pub const TOP: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OverdueCustomer {
    pub customer_id: i64,
    pub name: String,
    pub currency: String,
    /// Minor units past due on the day.
    pub overdue: i64,
    pub oldest_days_past_due: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TopOverdue {
    pub as_of: NaiveDate,
    /// By currency, the largest overdue first (ties by name), at most [`TOP`] per currency.
    pub rows: Vec<OverdueCustomer>,
}

pub fn top_overdue(conn: &Connection, as_of: NaiveDate) -> DbResult<TopOverdue> {
    Ok(TopOverdue::from_aging(&customer_aging(conn, as_of)?))
}

impl TopOverdue {
    /// The top customers of an aging report already read (the Reports tab shows both).
    pub fn from_aging(aging: &CustomerAging) -> TopOverdue {
        let mut rows: Vec<OverdueCustomer> = aging
            .rows
            .iter()
            .map(|row| OverdueCustomer {
                customer_id: row.customer_id,
                name: row.name.clone(),
                currency: row.currency.clone(),
                overdue: row.buckets.0[1..].iter().sum(),
                oldest_days_past_due: row.oldest_days_past_due,
            })
            .filter(|row| row.overdue > 0)
            .collect();
        rows.sort_by(|a, b| {
            (&a.currency, b.overdue, &a.name, a.customer_id).cmp(&(
                &b.currency,
                a.overdue,
                &b.name,
                b.customer_id,
            ))
        });
        let mut shown: Vec<OverdueCustomer> = Vec::new();
        for row in rows {
            let same = shown.iter().filter(|s| s.currency == row.currency).count();
            if same < TOP {
                shown.push(row);
            }
        }
        TopOverdue {
            as_of: aging.as_of,
            rows: shown,
        }
    }

    pub fn table(&self) -> ReportTable {
        let rows = self.rows.iter().map(|row| {
            vec![
                Cell::Plain(row.currency.clone()),
                Cell::Count(row.customer_id),
                Cell::Text(row.name.clone()),
                amount(row.overdue, &row.currency),
                Cell::Days(row.oldest_days_past_due),
            ]
        });
        ReportTable {
            title: format!(
                "Top {TOP} overdue customers per currency as of {}",
                self.as_of
            ),
            meta: vec![("as_of", self.as_of.to_string())],
            columns: vec![
                "currency",
                "customer_id",
                "name",
                "overdue",
                "oldest_days_past_due",
            ],
            rows: rows.collect(),
        }
    }
}
