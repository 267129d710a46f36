//! The late fees and interest a customer is charged, as templates see them (`fees.total`,
//! `fees.lines`): the unwaived charges recorded on their open invoices (a campaign records a
//! reminder's charges before composing it, so the email shows exactly what was recorded).

use super::join_amounts;
use crate::company::{format_date, format_money};
use crate::model::{Currency, Money};
use crate::store::charges::{self, StoredCharge};
use crate::store::DbResult;
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize)]
pub struct FeesFields {
    /// The charges' total with its currency ("€52.30"; per currency joined with "and"); empty
    /// when there are none.
    pub total: String,
    pub lines: Vec<FeeLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeeLine {
    /// "fee" or "interest".
    pub kind: String,
    /// "Late payment fee" or "Interest".
    pub label: &'static str,
    pub amount: String,
    pub amount_number: String,
    pub invoice_number: String,
    /// The day the charge was worked out ("15 Mar 2024").
    pub as_of: String,
}

/// The customer's unwaived charges on open invoices on `day`, by invoice: what reminders and
/// statements show.
pub fn shown_charges(
    conn: &Connection,
    customer_id: i64,
    day: NaiveDate,
) -> DbResult<Vec<StoredCharge>> {
    Ok(charges::current_of_customer(conn, customer_id, Some(day))?
        .into_iter()
        .filter(|c| c.invoice_open && c.waived_at.is_none())
        .collect())
}

/// Template fields of the given charges (which the caller has chosen).
pub fn fees_of(list: &[StoredCharge]) -> FeesFields {
    let mut totals: BTreeMap<&str, (i64, Currency)> = BTreeMap::new();
    let mut lines = Vec::new();
    for c in list {
        // A currency the store holds is valid; an unreadable one is left out, never guessed.
        let Ok(currency) = Currency::parse(&c.currency) else {
            continue;
        };
        let money = Money::new(c.amount_minor, currency.clone());
        let entry = totals.entry(&c.currency).or_insert((0, currency));
        entry.0 = entry.0.saturating_add(c.amount_minor);
        lines.push(FeeLine {
            kind: c.kind.clone(),
            label: if c.kind == "fee" {
                "Late payment fee"
            } else {
                "Interest"
            },
            amount: format_money(&money),
            amount_number: money.decimal_string(),
            invoice_number: c.invoice_number.clone(),
            as_of: c
                .as_of
                .parse()
                .map(format_date)
                .unwrap_or_else(|_| c.as_of.clone()),
        });
    }
    let amounts: Vec<String> = totals
        .into_values()
        .map(|(minor, currency)| format_money(&Money::new(minor, currency)))
        .collect();
    FeesFields {
        total: join_amounts(&amounts),
        lines,
    }
}
