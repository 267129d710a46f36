//! After the rules: the order that decides who a cap keeps, what quiet days and the campaign's
//! daily cap hold back, and the counts per step.

use super::super::calendar::outside_window;
use super::super::facts::{self, Facts};
use super::super::in_flight::InFlight;
use super::super::{Campaign, CampaignResult, Channel};
use super::{Excluded, ExclusionReason, PlannedContact, StepCount};
use chrono::NaiveDate;
use rusqlite::Connection;
use std::collections::HashMap;

/// A customer whose invoices all stand at a step already queued is not among the facts; the
/// waiting message still earns a line.
pub(super) fn waiting_elsewhere(in_flight: HashMap<i64, InFlight>, facts: &Facts) -> Vec<Excluded> {
    let mut waiting: Vec<_> = in_flight
        .into_iter()
        .filter(|(id, _)| !facts.customers.contains_key(id))
        .collect();
    waiting.sort_by_key(|(id, _)| *id);
    waiting
        .into_iter()
        .map(|(customer_id, f)| Excluded {
            customer_id,
            customer_name: f.name,
            reason: ExclusionReason::Retrying,
            step_position: f.step_position,
            detail: f.detail,
        })
        .collect()
}

/// Most urgent first (broken promises, then amount × days overdue): what the caps keep.
pub(super) fn most_urgent_first(contacts: &mut [PlannedContact]) {
    contacts.sort_by_key(|c| (c.urgency.rank(), c.customer_id));
}

/// Holds back every contact on a quiet day, and the emails beyond the campaign's daily cap;
/// returns the contacts kept, in order.
pub(super) fn hold_back(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
    quiet: Option<&str>,
    contacts: Vec<PlannedContact>,
    excluded: &mut Vec<Excluded>,
) -> CampaignResult<Vec<PlannedContact>> {
    let mut kept = Vec::with_capacity(contacts.len());
    // Read only when it can matter: after a big day's run it is many rows.
    let mut room = match campaign.daily_cap {
        Some(cap) if contacts.iter().any(|c| c.channel == Channel::Email) => {
            Some((cap - facts::emailed_on(conn, campaign.id, today)?).max(0))
        }
        _ => None,
    };
    let quiet_reason = match outside_window(campaign, today) {
        Some(_) => ExclusionReason::OutsideWindow,
        None => ExclusionReason::QuietDay,
    };
    for contact in contacts {
        let held = |reason, detail| Excluded {
            customer_id: contact.customer_id,
            customer_name: contact.customer_name.clone(),
            reason,
            step_position: Some(contact.step_position),
            detail,
        };
        if let Some(q) = quiet {
            excluded.push(held(quiet_reason, q.to_string()));
            continue;
        }
        if contact.channel == Channel::Email {
            if let Some(r) = room.as_mut() {
                if *r == 0 {
                    excluded.push(held(
                        ExclusionReason::OverDailyCap,
                        format!(
                            "the daily cap of {} emails is reached; planned again tomorrow",
                            campaign.daily_cap.unwrap_or(0)
                        ),
                    ));
                    continue;
                }
                *r -= 1;
            }
        }
        kept.push(contact);
    }
    Ok(kept)
}

/// Emails, calls and exclusions per step.
pub(super) fn counts(
    campaign: &Campaign,
    kept: &[PlannedContact],
    excluded: &[Excluded],
) -> Vec<StepCount> {
    let planned = |position, channel| {
        kept.iter()
            .filter(|c| c.step_position == position && c.channel == channel)
            .count()
    };
    campaign
        .steps
        .iter()
        .map(|s| StepCount {
            position: s.position,
            template_key: s.template_key.clone(),
            emails: planned(s.position, Channel::Email),
            calls: planned(s.position, Channel::Call),
            excluded: excluded
                .iter()
                .filter(|e| e.step_position == Some(s.position))
                .count(),
        })
        .collect()
}
