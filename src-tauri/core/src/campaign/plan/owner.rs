//! Owner notices (issue 20, part 2): a step with `notify_owner_days` = N tells the customer's
//! account owner, by an internal email, N days before the customer gets it.
//!
//! Each run day looks ahead: it plans the campaign for every day up to N days on (the last run
//! day before a weekend as far as the weekend's days would have looked, and over quiet days at
//! the end, so a Monday step is announced on the Friday before) as if nothing changed meanwhile, and tells the owners of the customers those plans reach at a step with a
//! notice, once per invoice, step and occurrence (`owner_notices`, like `invoice_reminders` for
//! the customer's message). A step first planned less than N days ahead (a new invoice, an
//! owner added late) is announced on the first run day that sees it, at the latest the day it
//! goes. The customer's step never waits for the notice: without an owner, or an owner without
//! an email address, the step goes all the same and the plan says the owner was not told.
//! Quiet days tell nobody.

use super::super::calendar::quiet_day;
use super::{plan_day, PlannedContact, PlannedInvoice};
use crate::campaign::{Campaign, CampaignResult};
use chrono::{Days, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// The shipped template of an owner notice.
pub const OWNER_NOTICE_TEMPLATE: &str = "owner-notice";

/// Quiet days a notice looks past at most (a long holiday list).
const MAX_QUIET_STRETCH: u64 = 14;

/// A step coming up for a customer, and whether their account owner is told today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PlannedOwnerNotice {
    pub customer_id: i64,
    pub customer_name: String,
    pub step_position: i64,
    pub template_key: String,
    /// The day the step is planned for.
    pub step_on: NaiveDate,
    /// The owner's name, else their address; None: the customer has no owner.
    pub owner: Option<String>,
    /// The owner's address when they have one: they are emailed today.
    pub owner_email: Option<String>,
    /// Invoices (at their step and occurrence) the notice is about.
    pub invoices: Vec<PlannedInvoice>,
    pub send_key: String,
    /// "owner Sam Lee notified on 2026-03-02 before overdue-2 on 2026-03-05", or why not.
    pub why: String,
}

/// The send key of an owner notice.
fn owner_key(campaign_id: i64, position: i64, customer_id: i64, date: NaiveDate) -> String {
    format!("campaign:{campaign_id}:owner:{position}:customer:{customer_id}:{date}")
}

/// The owner notices due on `today`, given today's planned contacts. Reads only.
pub(super) fn plan_owner_notices(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
    todays: &[PlannedContact],
) -> CampaignResult<Vec<PlannedOwnerNotice>> {
    let ahead = |n: i64| last_day_to_look(campaign, today, n);
    let Some(last) = campaign
        .steps
        .iter()
        .filter_map(|s| s.notify_owner_days)
        .map(ahead)
        .max()
    else {
        return Ok(Vec::new());
    };
    if quiet_day(campaign, today).is_some() {
        return Ok(Vec::new());
    }
    // Per customer, the first day a plan reaches them: what a day after it plans assumes that
    // message was never sent, so it is not what will happen.
    let mut found: BTreeMap<i64, (NaiveDate, PlannedContact)> = BTreeMap::new();
    let mut day = today;
    while day <= last {
        let contacts = match day == today {
            true => todays.to_vec(),
            false => plan_day(conn, campaign, day)?.contacts,
        };
        for c in contacts {
            found.entry(c.customer_id).or_insert((day, c));
        }
        day = day + Days::new(1);
    }
    let mut notices = Vec::new();
    for (day, contact) in found.into_values() {
        let reaches = campaign
            .step(contact.step_position)
            .and_then(|s| s.notify_owner_days)
            .is_some_and(|n| day <= ahead(n));
        if reaches && !told_already(conn, campaign.id, &contact)? {
            notices.push(notice(conn, campaign.id, today, day, contact)?);
        }
    }
    Ok(notices)
}

/// The last day `today` looks at for a step told `n` days ahead: `today` plus `n`, or, when
/// quiet days follow (no run tells anyone on them), as far as the last of them would have
/// looked; then, when that day is quiet, on to the next run day (where its steps wait).
fn last_day_to_look(campaign: &Campaign, today: NaiveDate, n: i64) -> NaiveDate {
    let ahead = Days::new(n.max(0).unsigned_abs());
    let quiet = |day: NaiveDate| quiet_day(campaign, day).is_some();
    let mut last = today + ahead;
    let mut next = today + Days::new(1);
    for _ in 0..MAX_QUIET_STRETCH {
        if !quiet(next) {
            break;
        }
        last = next + ahead;
        next = next + Days::new(1);
    }
    for _ in 0..MAX_QUIET_STRETCH {
        if !quiet(last) {
            break;
        }
        last = last + Days::new(1);
    }
    last
}

/// Whether the owner was told about every invoice of the contact at its step and occurrence.
fn told_already(conn: &Connection, campaign_id: i64, c: &PlannedContact) -> CampaignResult<bool> {
    let mut stmt = conn.prepare_cached(
        "SELECT 1 FROM owner_notices WHERE campaign_id = ?1 AND invoice_id = ?2
           AND step_position = ?3 AND period = ?4",
    )?;
    for i in &c.invoices {
        let params = params![campaign_id, i.invoice_id, i.step_position, i.period];
        if !stmt.exists(params)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn notice(
    conn: &Connection,
    campaign_id: i64,
    today: NaiveDate,
    step_on: NaiveDate,
    c: PlannedContact,
) -> CampaignResult<PlannedOwnerNotice> {
    let (name, email): (Option<String>, Option<String>) = conn
        .query_row(
            "SELECT owner_name, owner_email FROM customers WHERE id = ?1",
            [c.customer_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((None, None));
    let owner = name.clone().or_else(|| email.clone());
    let when = format!("{} on {step_on}", c.template_key);
    let why = match (&owner, &email) {
        (None, _) => format!("owner not told before {when}: the customer has no owner"),
        (Some(o), None) => format!("owner {o} not told before {when}: no email address for them"),
        (Some(o), Some(_)) => format!("owner {o} notified on {today} before {when}"),
    };
    Ok(PlannedOwnerNotice {
        customer_id: c.customer_id,
        customer_name: c.customer_name,
        send_key: owner_key(campaign_id, c.step_position, c.customer_id, today),
        step_position: c.step_position,
        template_key: c.template_key,
        step_on,
        owner,
        owner_email: email,
        invoices: c.invoices,
        why,
    })
}
