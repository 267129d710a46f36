//! The account's daily limit across campaigns: when more customers are due than the account
//! may send today, the most urgent go first — broken promises, then the open amount times the
//! days overdue — and the rest are deferred with a reason and the day they are planned again.
//! They stay on their step; the next working day plans them again. Messages already sent
//! today (statements, hand-sent, earlier runs) and those still queued take their room first.

use super::super::calendar::quiet_day;
use super::super::{Campaign, CampaignResult, Channel};
use super::{Excluded, ExclusionReason, Plan, PlannedContact};
use crate::mail::compose::ComposeError;
use crate::mail::outbox::sending_paused;
use crate::mail::pacing;
use crate::model::Currency;
use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::cmp::Reverse;
use ts_rs::TS;

/// How urgent a contact is when not everyone can be emailed today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Urgency {
    /// The customer's latest promise to pay is broken.
    pub broken_promise: bool,
    /// Open amount (all currencies at face value, in thousandths) × days the oldest open
    /// invoice is overdue.
    pub weight: i64,
}

impl Urgency {
    pub(super) fn of(
        balances: &[(String, i64)],
        oldest_due: Option<NaiveDate>,
        broken_promise: bool,
        today: NaiveDate,
    ) -> Urgency {
        let amount: i64 = balances
            .iter()
            .map(|(code, minor)| {
                let decimals = Currency::parse(code).map_or(2, |c| c.decimals());
                let scale = 10i64.pow(3u32.saturating_sub(decimals));
                (*minor).max(0).saturating_mul(scale)
            })
            .fold(0, i64::saturating_add);
        let days = oldest_due.map_or(0, |d| (today - d).num_days().max(0));
        Urgency {
            broken_promise,
            weight: amount.saturating_mul(days),
        }
    }

    /// Sorts the most urgent first.
    pub fn rank(&self) -> (bool, Reverse<i64>) {
        (!self.broken_promise, Reverse(self.weight))
    }
}

/// The first day after `today` the campaign may send on.
fn next_run_day(campaign: &Campaign, today: NaiveDate) -> NaiveDate {
    let mut day = today + Days::new(1);
    for _ in 0..366 {
        if quiet_day(campaign, day).is_none() {
            break;
        }
        day = day + Days::new(1);
    }
    day
}

/// Shares the day between the `plans` of one run (campaigns in list order): a customer a
/// campaign contacts is left out of the later ones with a gap (as when they were planned one
/// after the other, each seeing the previous one's messages); then the account's daily room
/// keeps the most urgent email contacts over all campaigns and defers the rest. Notes a
/// sending pause on every plan.
pub(in crate::campaign) fn apply_account_room(
    conn: &rusqlite::Connection,
    today: NaiveDate,
    plans: &mut [(&Campaign, &mut Plan)],
) -> CampaignResult<()> {
    one_campaign_a_day(plans);
    let paused = sending_paused(conn, chrono::Utc::now())?.map(|p| p.describe());
    for (_, plan) in plans.iter_mut() {
        plan.sending_paused.clone_from(&paused);
    }
    let emails = |plan: &Plan| plan.contacts.iter().any(|c| c.channel == Channel::Email);
    if !plans.iter().any(|(_, p)| emails(p)) {
        return Ok(());
    }
    let Some(room) = pacing::room_on(conn, today).map_err(ComposeError::from)? else {
        return Ok(());
    };
    let mut order: Vec<(usize, usize)> = Vec::new();
    for (p, (_, plan)) in plans.iter().enumerate() {
        for (c, contact) in plan.contacts.iter().enumerate() {
            if contact.channel == Channel::Email {
                order.push((p, c));
            }
        }
    }
    if order.len() <= room.left() as usize {
        return Ok(());
    }
    order.sort_by_key(|&(p, c)| {
        let contact = &plans[p].1.contacts[c];
        (contact.urgency.rank(), contact.customer_id, p)
    });
    let mut deferred: Vec<Vec<usize>> = vec![Vec::new(); plans.len()];
    for &(p, c) in order.iter().skip(room.left() as usize) {
        deferred[p].push(c);
    }
    for ((campaign, plan), mut held) in plans.iter_mut().zip(deferred) {
        held.sort_unstable();
        let detail = format!(
            "deferred: daily limit of {} reached; planned again on {}",
            room.limit,
            next_run_day(campaign, today)
        );
        exclude(plan, &held, ExclusionReason::DailyLimit, |_| detail.clone());
    }
    Ok(())
}

/// A customer an earlier campaign of the run contacts is left out of a later one with a gap.
fn one_campaign_a_day(plans: &mut [(&Campaign, &mut Plan)]) {
    let mut contacted: std::collections::HashMap<i64, String> = Default::default();
    for (campaign, plan) in plans.iter_mut() {
        if campaign.min_gap_days > 0 && !contacted.is_empty() {
            let held: Vec<usize> = (0..plan.contacts.len())
                .filter(|&i| contacted.contains_key(&plan.contacts[i].customer_id))
                .collect();
            let gap = campaign.min_gap_days;
            exclude(plan, &held, ExclusionReason::ContactedWithinGap, |c| {
                let by = contacted.get(&c.customer_id).map_or("", String::as_str);
                format!("contacted today by the campaign {by} (the gap is {gap} days)")
            });
        }
        for c in &plan.contacts {
            contacted
                .entry(c.customer_id)
                .or_insert_with(|| campaign.name.clone());
        }
    }
}

/// Moves the contacts at `held` (ascending indexes) to the excluded list.
fn exclude(
    plan: &mut Plan,
    held: &[usize],
    reason: ExclusionReason,
    detail: impl Fn(&PlannedContact) -> String,
) {
    if held.is_empty() {
        return;
    }
    let contacts = std::mem::take(&mut plan.contacts);
    for (i, contact) in contacts.into_iter().enumerate() {
        if held.binary_search(&i).is_err() {
            plan.contacts.push(contact);
            continue;
        }
        if let Some(count) = plan
            .counts
            .iter_mut()
            .find(|s| s.position == contact.step_position)
        {
            match contact.channel {
                Channel::Email => count.emails = count.emails.saturating_sub(1),
                Channel::Call => count.calls = count.calls.saturating_sub(1),
            }
            count.excluded += 1;
        }
        let detail = detail(&contact);
        plan.excluded.push(Excluded {
            customer_id: contact.customer_id,
            customer_name: contact.customer_name,
            reason,
            step_position: Some(contact.step_position),
            detail,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_promises_come_first_then_amount_times_days_overdue() {
        let today: NaiveDate = "2026-07-01".parse().unwrap();
        let eur = |minor| vec![("EUR".to_string(), minor)];
        let days_ago = |n| Some(today - Days::new(n));
        let small_broken = Urgency::of(&eur(1_000), days_ago(5), true, today);
        let big_old = Urgency::of(&eur(100_000), days_ago(90), false, today);
        let big_new = Urgency::of(&eur(100_000), days_ago(10), false, today);
        let not_due = Urgency::of(&eur(900_000), None, false, today);
        let mut all = [not_due, big_new, big_old, small_broken];
        all.sort_by_key(Urgency::rank);
        assert_eq!(all, [small_broken, big_old, big_new, not_due]);
        // Currencies at face value: 1,000 JPY (no decimals) weighs 1,000.00 EUR.
        let yen = Urgency::of(&[("JPY".into(), 1_000)], days_ago(1), false, today);
        assert_eq!(
            yen.weight,
            Urgency::of(&eur(100_000), days_ago(1), false, today).weight
        );
        // Nothing overflows, whatever a hand-edited file holds.
        let huge = Urgency::of(&eur(i64::MAX), Some(NaiveDate::MIN), false, today);
        assert_eq!(huge.weight, i64::MAX);
    }
}
