//! Open receivables per currency in aging buckets.

use crate::model::text::for_terminal;
use crate::model::{format_minor, Currency};
use crate::store::DbResult;
use chrono::{Days, NaiveDate};
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// Bucket names, in order, as they appear in reports and JSON.
pub const BUCKETS: [&str; 5] = ["current", "1-30", "31-60", "61-90", "90+"];

/// Amounts in minor units per bucket, same order as [`BUCKETS`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Buckets(pub [i64; 5]);

impl Buckets {
    pub fn total(&self) -> i64 {
        self.0.iter().sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Aging {
    pub as_of: NaiveDate,
    pub currencies: BTreeMap<String, Buckets>,
}

/// The first due date of each bucket after "current": due on or after `cutoffs[0]` (= `as_of`)
/// is current, on or after `cutoffs[1]` is 1–30 days past due, and so on; older is 90+.
pub(super) fn cutoffs(as_of: NaiveDate) -> [NaiveDate; 4] {
    let back = |days: u64| {
        as_of
            .checked_sub_days(Days::new(days))
            .unwrap_or(NaiveDate::MIN)
    };
    [as_of, back(30), back(60), back(90)]
}

/// The bucket (index into [`BUCKETS`]) of an amount due on `due_date`, seen on `as_of`: the
/// same rule the SQL in [`aging`] applies, for callers that age amounts they computed.
pub fn bucket_index(due_date: NaiveDate, as_of: NaiveDate) -> usize {
    cutoffs(as_of)
        .iter()
        .position(|cutoff| due_date >= *cutoff)
        .unwrap_or(4)
}

/// Open amounts (credits as negative amounts) by currency and days past due on `as_of`.
pub fn aging(conn: &Connection, as_of: NaiveDate) -> DbResult<Aging> {
    aging_where(conn, as_of, None)
}

/// [`aging`] for one customer's invoices.
pub fn customer_aging(conn: &Connection, customer_id: i64, as_of: NaiveDate) -> DbResult<Aging> {
    aging_where(conn, as_of, Some(customer_id))
}

fn aging_where(conn: &Connection, as_of: NaiveDate, customer_id: Option<i64>) -> DbResult<Aging> {
    let [current, days30, days60, days90] = cutoffs(as_of).map(|d| d.to_string());
    // Comparing with precomputed cut-off dates keeps the per-row work to string compares.
    let sql = format!(
        "SELECT currency,
                CASE WHEN due_date >= ?1 THEN 0
                     WHEN due_date >= ?2 THEN 1
                     WHEN due_date >= ?3 THEN 2
                     WHEN due_date >= ?4 THEN 3
                     ELSE 4 END AS bucket,
                SUM(total_minor - paid_minor)
         FROM invoices WHERE status = 'open'{}
         GROUP BY currency, bucket",
        if customer_id.is_some() {
            " AND customer_id = ?5"
        } else {
            ""
        }
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let map = |r: &rusqlite::Row| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)? as usize,
            r.get::<_, i64>(2)?,
        ))
    };
    let rows = match customer_id {
        Some(id) => stmt.query_map(params![current, days30, days60, days90, id], map)?,
        None => stmt.query_map(params![current, days30, days60, days90], map)?,
    };
    let mut currencies: BTreeMap<String, Buckets> = BTreeMap::new();
    for row in rows {
        let (currency, bucket, minor) = row?;
        currencies.entry(currency).or_default().0[bucket] += minor;
    }
    Ok(Aging { as_of, currencies })
}

impl Aging {
    /// `{"as_of": "...", "currencies": {"USD": {"current": "123.45", "1-30": ...}}}`
    pub fn to_json(&self) -> serde_json::Value {
        let currencies: serde_json::Map<String, serde_json::Value> = self
            .currencies
            .iter()
            .map(|(code, buckets)| {
                let decimals = Currency::parse(code).map_or(2, |c| c.decimals());
                let amounts: serde_json::Map<String, serde_json::Value> = BUCKETS
                    .iter()
                    .zip(buckets.0)
                    .map(|(name, minor)| (name.to_string(), format_minor(minor, decimals).into()))
                    .collect();
                (code.clone(), amounts.into())
            })
            .collect();
        serde_json::json!({ "as_of": self.as_of.to_string(), "currencies": currencies })
    }

    /// A fixed-width table for the terminal.
    pub fn to_table(&self) -> String {
        let mut out = format!("Aging as of {}\n", self.as_of);
        out.push_str(&format!("{:<9}", "currency"));
        for name in BUCKETS.iter().chain(["total"].iter()) {
            out.push_str(&format!("{name:>15}"));
        }
        out.push('\n');
        for (code, buckets) in &self.currencies {
            let decimals = Currency::parse(code).map_or(2, |c| c.decimals());
            out.push_str(&format!("{:<9}", for_terminal(code)));
            for minor in buckets.0.iter().chain([buckets.total()].iter()) {
                out.push_str(&format!("{:>15}", format_minor(*minor, decimals)));
            }
            out.push('\n');
        }
        if self.currencies.is_empty() {
            out.push_str("(no open invoices)\n");
        }
        out
    }
}
