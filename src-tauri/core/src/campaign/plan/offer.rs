//! Which contacts' emails carry their step's early-payment offer (see `campaign::offer`), and
//! why the others' do not: the contact line says "offer 2.5 % until 2026-03-14" or "no offer:
//! ...". Reads only; a run records what the plan says.

use super::super::facts::{self, CustomerRow, Facts};
use super::super::{Campaign, CampaignResult, Channel, Offer};
use super::PlannedContact;
use crate::model::format_minor;
use chrono::{Days, NaiveDate};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use ts_rs::TS;

/// The offer a contact's email makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PlannedOffer {
    /// Basis points (250 = 2.5 %) when a percentage.
    pub percent_basis_points: Option<i64>,
    /// The amount off each invoice ("25.00") when an amount.
    pub amount: Option<String>,
    /// The last day a payment in full takes it.
    pub valid_until: NaiveDate,
}

/// Gives each emailed contact whose step has an offer either the offer or, in its `why`, the
/// rule the customer does not meet.
pub(super) fn attach(
    conn: &Connection,
    campaign: &Campaign,
    facts: &Facts,
    today: NaiveDate,
    contacts: &mut [PlannedContact],
) -> CampaignResult<()> {
    let mut late_payers: HashMap<i64, HashSet<i64>> = HashMap::new();
    for contact in contacts.iter_mut() {
        let offer = campaign
            .step(contact.step_position)
            .and_then(|s| s.offer.as_ref());
        let (Some(offer), Some(customer)) = (offer, facts.customers.get(&contact.customer_id))
        else {
            continue;
        };
        if contact.channel != Channel::Email {
            contact.why.push_str("; no offer: a call carries none");
            continue;
        }
        let late = match offer.usually_late {
            Some(rule) => {
                let min = rule.min_average_days_late;
                let set = match late_payers.entry(min) {
                    Entry::Occupied(e) => e.into_mut(),
                    Entry::Vacant(e) => e.insert(facts::late_payers(conn, min)?),
                };
                set.contains(&contact.customer_id)
            }
            None => false,
        };
        let balance: i64 = facts.balances.get(&contact.customer_id).map_or(0, |b| {
            b.iter().map(|(_, m)| *m).fold(0i64, i64::saturating_add)
        });
        match why_not(offer, customer, late, balance) {
            Some(reason) => contact.why.push_str(&format!("; no offer: {reason}")),
            None => {
                let planned = planned(offer, today);
                contact.why.push_str(&format!(
                    "; offer {} until {}",
                    offer.describe(),
                    planned.valid_until
                ));
                contact.offer = Some(planned);
            }
        }
    }
    Ok(())
}

fn planned(offer: &Offer, today: NaiveDate) -> PlannedOffer {
    // valid_days is 1..=90 (validated), so the date always exists; the fallback is today.
    let days = u64::try_from(offer.valid_days.saturating_sub(1)).unwrap_or(0);
    PlannedOffer {
        percent_basis_points: offer.percent_basis_points().ok().flatten(),
        amount: offer.amount.as_ref().map(|a| a.trim().to_string()),
        valid_until: today.checked_add_days(Days::new(days)).unwrap_or(today),
    }
}

/// The rule the customer does not meet, if any.
fn why_not(offer: &Offer, c: &CustomerRow, late_payer: bool, balance: i64) -> Option<String> {
    if let Some(seg) = &offer.segment {
        if c.segment.as_deref().map(str::trim) != Some(seg.trim()) {
            return Some(format!("not in segment {}", seg.trim()));
        }
    }
    if offer.usually_late.is_some() && !late_payer {
        return Some("does not usually pay late".into());
    }
    if let Some(min) = offer.min_balance_minor.filter(|m| balance < *m) {
        return Some(format!("balance below {}", format_minor(min, 2)));
    }
    if let Some(max) = offer.max_balance_minor.filter(|m| balance > *m) {
        return Some(format!("balance above {}", format_minor(max, 2)));
    }
    None
}
