//! First activation on a backlog: before a campaign sends anything from a timer, the user sees
//! what it would work through ([`backlog`]: who qualifies today, how many of them are 90+ days
//! overdue, how much they owe, how many days the sending limit takes to reach them all) and
//! confirms it ([`activate`]). A campaign never confirmed sends nothing, active or not
//! ([`super::Campaign::sends`]); `run-due` and the plan say so ([`super::Campaign::unconfirmed_note`]).
//!
//! The catch-up, chosen at activation, changes only a customer's *first* message in the
//! campaign, and only for a customer already past the first overdue step: instead of that step's
//! template they get [`CatchUp::TidyUp`] (a gentle "we are tidying up our accounts") or
//! [`CatchUp::Statement`] (the statement cover with their statement attached). The message
//! still counts as the first overdue step, so one-step escalation goes on from there one step
//! at a time, after the gap. It needs one-step escalation: with "jump" the first message is the
//! step the invoice's age reached, so a gentle start would be followed by the final notice.
//! The choice stays on the campaign until the next activation: a customer imported later with
//! old debts starts gently too.

use super::plan::plan_alone;
use super::{
    activate_hint, get, Campaign, CampaignError, CampaignResult, CatchUp, Escalation, NewCampaign,
};
use crate::mail::compose::ComposeError;
use crate::mail::{limits, pacing};
use crate::store::{json_ids, now_timestamp};
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::Serialize;
use ts_rs::TS;

/// What a campaign would work through if it were switched on today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Backlog {
    #[ts(type = "number")]
    pub campaign_id: i64,
    pub name: String,
    #[ts(type = "string")]
    pub date: NaiveDate,
    /// Customers the campaign would contact today, whatever the quiet days and sending limits.
    pub qualifying: u32,
    /// Of those, the ones reached by email (the others get a call task).
    pub emails: u32,
    /// Of those, customers whose oldest listed invoice is 90 or more days overdue.
    pub overdue_90: u32,
    /// What the qualifying customers' open invoices add up to, per currency.
    pub totals: Vec<BacklogTotal>,
    /// Messages per day the emails go out at (None: no limit).
    pub daily_limit: Option<u32>,
    /// Days of sending it takes to reach every qualifying customer by email.
    pub days_needed: u32,
    /// Whether the catch-up can be chosen (it needs one-step escalation).
    pub catch_up_possible: bool,
    /// Customers already past the first overdue step: the ones the catch-up would change.
    pub past_first_step: u32,
    /// When the activation was confirmed (None: never).
    pub confirmed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BacklogTotal {
    pub currency: String,
    /// A plain decimal, e.g. "1234.50".
    pub amount: String,
}

/// The backlog campaign `id` would work through from `today`, at the sending limit.
pub fn backlog(conn: &Connection, id: i64, today: NaiveDate) -> CampaignResult<Backlog> {
    let campaign = get(conn, id)?;
    let account = pacing::daily_limit(conn).map_err(ComposeError::from)?;
    let cap = campaign.daily_cap.and_then(|n| u32::try_from(n).ok());
    // The tighter of the account's daily limit and the campaign's own cap.
    let daily_limit = match (account, cap) {
        (Some(a), Some(c)) => Some(a.min(c)),
        (a, c) => a.or(c),
    };
    backlog_at(conn, campaign, today, daily_limit)
}

/// [`backlog`] at `daily_limit` messages a day, counted by the plan itself: the campaign planned
/// alone (the account's room is what `daily_limit` spreads over the days), without quiet days
/// or its cap, and once more with the catch-up on to count who it would change.
fn backlog_at(
    conn: &Connection,
    campaign: Campaign,
    today: NaiveDate,
    daily_limit: Option<u32>,
) -> CampaignResult<Backlog> {
    let mut unlimited = campaign.clone();
    unlimited.catch_up = None;
    unlimited.definition = NewCampaign {
        quiet_weekends: false,
        holidays: Vec::new(),
        daily_cap: None,
        window: None,
        ..campaign.definition.clone()
    };
    let plan = plan_alone(conn, &unlimited, today)?;
    let catch_up_possible = campaign.escalation == Escalation::OneStep;
    let past_first_step = if catch_up_possible {
        let with_catch_up = Campaign {
            catch_up: Some(CatchUp::TidyUp),
            ..unlimited
        };
        let catch_up = CatchUp::TidyUp.template_key();
        let planned = plan_alone(conn, &with_catch_up, today)?;
        count(
            planned
                .contacts
                .iter()
                .filter(|c| c.template_key == catch_up),
        )
    } else {
        0
    };
    let emails = count(plan.emails());
    let listed: Vec<i64> = plan
        .contacts
        .iter()
        .flat_map(|c| c.open_invoice_ids.iter().copied())
        .collect();
    let (overdue_90, totals) = amounts(conn, &listed, today)?;
    Ok(Backlog {
        campaign_id: campaign.id,
        name: campaign.definition.name,
        date: today,
        qualifying: count(plan.contacts.iter()),
        emails,
        overdue_90,
        totals,
        daily_limit,
        days_needed: u32::try_from(limits::days_to_send(u64::from(emails), daily_limit))
            .unwrap_or(u32::MAX),
        catch_up_possible,
        past_first_step,
        confirmed_at: campaign.confirmed_at,
    })
}

fn count<T>(items: impl Iterator<Item = T>) -> u32 {
    u32::try_from(items.count()).unwrap_or(u32::MAX)
}

/// Over the invoices `ids`: how many customers' oldest one is 90+ days overdue on `today`, and
/// the open amount per currency.
fn amounts(
    conn: &Connection,
    ids: &[i64],
    today: NaiveDate,
) -> CampaignResult<(u32, Vec<BacklogTotal>)> {
    let ids = json_ids(ids);
    let cutoff = (today - chrono::Days::new(90)).to_string();
    let overdue_90: u32 = conn.query_row(
        "SELECT count(*) FROM (SELECT min(due_date) AS oldest FROM invoices
             WHERE id IN (SELECT value FROM json_each(?1)) GROUP BY customer_id)
         WHERE oldest <= ?2",
        params![ids, cutoff],
        |r| r.get(0),
    )?;
    let sums: Vec<(String, i64)> = conn
        .prepare_cached(
            "SELECT currency, sum(total_minor - paid_minor) FROM invoices
             WHERE id IN (SELECT value FROM json_each(?1)) GROUP BY currency ORDER BY currency",
        )?
        .query_map([ids], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let totals = sums
        .into_iter()
        .map(|(currency, minor)| {
            let decimals = crate::model::Currency::parse(&currency).map_or(2, |c| c.decimals());
            BacklogTotal {
                amount: crate::model::format_minor(minor, decimals),
                currency,
            }
        })
        .collect();
    Ok((overdue_90, totals))
}

/// Switches campaign `id` on and records that the user confirmed its backlog, with the
/// catch-up chosen (None: every customer gets their step). Refused, changing nothing, when a
/// catch-up is asked of a campaign that jumps to the invoice's age.
pub fn activate(conn: &Connection, id: i64, catch_up: Option<CatchUp>) -> CampaignResult<()> {
    let campaign = get(conn, id)?;
    if catch_up.is_some() && campaign.escalation != Escalation::OneStep {
        return Err(CampaignError::Invalid(format!(
            "the catch-up needs one-step escalation, and this campaign jumps to the invoice's age; \
             a gentle first message would be followed by {}",
            campaign
                .steps
                .last()
                .map_or("the last step", |s| s.template_key.as_str())
        )));
    }
    conn.execute(
        "UPDATE campaigns SET active = 1, confirmed_at = coalesce(confirmed_at, ?2),
                              catch_up = ?3, updated_at = ?2
         WHERE id = ?1",
        params![id, now_timestamp(), catch_up.map(CatchUp::as_str)],
    )?;
    Ok(())
}

/// An active campaign that sends nothing until its activation is confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotConfirmed {
    pub campaign_id: i64,
    pub name: String,
    /// What to do about it.
    pub note: String,
}

/// Every active campaign never confirmed, oldest first.
pub fn not_confirmed(conn: &Connection) -> CampaignResult<Vec<NotConfirmed>> {
    let rows: Vec<(i64, String)> = conn
        .prepare_cached(
            "SELECT id, name FROM campaigns WHERE active = 1 AND confirmed_at IS NULL ORDER BY id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        .map(|(campaign_id, name)| NotConfirmed {
            note: activate_hint(campaign_id),
            campaign_id,
            name,
        })
        .collect())
}
