//! The early-payment offer a customer was made, as templates see it (`offer.percent`,
//! `offer.amount`, `offer.valid_until`, `offer.discounted_total`, `offer.invoice_numbers`): the offers the latest
//! offering email recorded on their open invoices, still valid (a campaign records a step's
//! offer before composing its email, so the email shows exactly what was recorded).

use super::join_amounts;
use crate::company::{format_date, format_money};
use crate::model::{Currency, Money};
use crate::store::offers::{shown_offers, ShownOffer};
use crate::store::DbResult;
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfferFields {
    /// "2.5" for a percentage offer; null for an amount off.
    pub percent: Option<String>,
    /// What the offer takes off in all ("€25.00"; per currency joined with "and").
    pub amount: String,
    /// The last day it holds ("14 Mar 2024").
    pub valid_until: String,
    /// What is left to pay with the offer taken, on the offered invoices ("€975.00").
    pub discounted_total: String,
    /// The invoices it is for ("INV-1017, INV-1022").
    pub invoice_numbers: String,
}

/// The customer's offer on `day`, or None.
pub fn offer(conn: &Connection, customer_id: i64, day: NaiveDate) -> DbResult<Option<OfferFields>> {
    Ok(offer_of(&shown_offers(conn, customer_id, day)?))
}

/// Template fields of the given offers; None when there are none.
pub fn offer_of(list: &[ShownOffer]) -> Option<OfferFields> {
    let first = list.first()?;
    let mut sums: BTreeMap<&str, (i64, i64, Currency)> = BTreeMap::new();
    for o in list {
        // A currency the store holds is valid; an unreadable one is left out, never guessed.
        let Ok(currency) = Currency::parse(&o.currency) else {
            continue;
        };
        let entry = sums.entry(&o.currency).or_insert((0, 0, currency));
        entry.0 = entry.0.saturating_add(o.discount_minor);
        entry.1 = entry
            .1
            .saturating_add(o.open_minor.saturating_sub(o.discount_minor));
    }
    let join = |pick: fn(&(i64, i64, Currency)) -> i64| {
        let amounts: Vec<String> = sums
            .values()
            .map(|v| format_money(&Money::new(pick(v), v.2.clone())))
            .collect();
        join_amounts(&amounts)
    };
    let valid_until = list.iter().map(|o| o.valid_until).min()?;
    Some(OfferFields {
        percent: first.percent_basis_points.map(percent_text),
        amount: join(|v| v.0),
        valid_until: format_date(valid_until),
        discounted_total: join(|v| v.1),
        invoice_numbers: list
            .iter()
            .map(|o| o.invoice_number.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// Basis points as a short percentage: 250 → "2.5", 300 → "3", 1025 → "10.25".
pub fn percent_text(basis_points: i64) -> String {
    let text = crate::model::format_minor(basis_points, 2);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
