//! Who a campaign contacts on one date, with what, and why everyone else is left out.
//!
//! Rules (DESIGN.md "Campaigns"): each open invoice is at the most advanced step whose date it
//! has reached; a step an invoice already received (by this campaign, or the same template sent
//! by hand) is never repeated, nor is one before the most advanced due-date step it received
//! (so an edited campaign never goes back, see [`super::update`]); a step missed while the
//! machine was off is skipped in favour of the most advanced one reached (catch-up sends once,
//! held back to one step up by one-step escalation).
//! A customer gets at most one message per run, at the most advanced step of any of their
//! invoices, listing all their open invoices; nobody is contacted twice within the minimum gap.
//! Invoices stop when paid, disputed or promised (until the promise breaks); customers stop
//! when marked do-not-contact, when they replied, or when a note says "stop". Quiet days plan
//! nothing; the daily cap (and the account's daily sending limit, across campaigns, see
//! [`super::room`]) holds back the least urgent messages: broken promises go first, then the
//! open amount times the days overdue. Customers without an email
//! get a call task instead.
//!
//! Audience rules (all optional, all must hold): segment, tags, currency, open balance range,
//! days overdue range, payment history ("usually late", see [`super::UsuallyLate`]) and
//! custom-field conditions (equals / contains). Do-not-contact customers are always excluded.
//! A/B steps give each customer a fixed variant ([`super::Step::variant_for`]).
//!
//! With one-step escalation (the default, see [`super::escalation`]) an invoice's step is held
//! back to the first overdue step above the customer's level, and the contact's `stage` says
//! where the customer is and why.
//!
//! The plan also warns, without blocking, when the newest import or invoice change is older
//! than the "stale after" setting ([`stale_warning`]): balances may be out of date.

use super::activation;
use super::escalation::{self, Escalation, Ladder};
use super::facts::{self, date_of, CustomerRow};
use super::room::{apply_account_room, Urgency};
use super::FieldCondition;
use super::{get, Audience, Campaign, CampaignError, CampaignResult, Channel, Trigger, Variant};
use crate::settings;
use chrono::{Datelike, NaiveDate, Weekday};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub campaign_id: i64,
    pub date: NaiveDate,
    /// Set on a weekend or holiday: nothing is planned and this says why.
    pub quiet_day: Option<String>,
    /// One entry per customer contacted, most advanced step first.
    pub contacts: Vec<PlannedContact>,
    pub excluded: Vec<Excluded>,
    /// Customers not listed because this campaign reminded them within its gap: their next
    /// step waits for the gap to pass (see `facts`' module note).
    pub between_steps: usize,
    pub counts: Vec<StepCount>,
    /// Set when the newest import or invoice change is older than the "stale after" setting:
    /// balances may be out of date. A warning only; the plan is made all the same.
    pub stale_data: Option<String>,
    /// Set when the campaign is active but its activation was never confirmed: runs send
    /// nothing for it (see [`super::activation`]).
    pub unconfirmed: Option<String>,
    /// Set while the server has paused sending for the account ("sending paused until TIME:
    /// <server's words>"); emails are still queued and go out when the pause ends.
    pub sending_paused: Option<String>,
}

impl Plan {
    pub fn emails(&self) -> impl Iterator<Item = &PlannedContact> {
        self.contacts.iter().filter(|c| c.channel == Channel::Email)
    }
    pub fn calls(&self) -> impl Iterator<Item = &PlannedContact> {
        self.contacts.iter().filter(|c| c.channel == Channel::Call)
    }
}

/// An invoice a contact moves on, at its own step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedInvoice {
    pub invoice_id: i64,
    pub number: String,
    pub step_position: i64,
    /// '' for due-date steps, 'YYYY-MM' for day-of-month steps.
    pub period: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedContact {
    pub customer_id: i64,
    pub customer_name: String,
    pub step_position: i64,
    /// The template sent: the step's, or on an A/B step the customer's variant's.
    pub template_key: String,
    /// On an A/B step, which of the two templates this customer gets.
    pub variant: Option<Variant>,
    /// Email, or a call task (a call step, or an email step for a customer without email).
    pub channel: Channel,
    /// The email step fell back to a call task because the customer has no usable address.
    pub no_email: bool,
    /// Invoices whose reminder state this contact advances.
    pub invoices: Vec<PlannedInvoice>,
    /// Every open invoice of the customer (what the message lists).
    pub open_invoice_ids: Vec<i64>,
    pub send_key: String,
    /// Which step of the escalation the customer is on and why ("first contact: starting at
    /// overdue-1, invoice 1043 is 143 days overdue").
    pub stage: String,
    pub why: String,
    /// What decides who goes first when the account's daily limit defers some.
    pub urgency: Urgency,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    Paid,
    Disputed,
    PromisePending,
    DoNotContact,
    Replied,
    StopNote,
    ContactedWithinGap,
    QuietDay,
    OverDailyCap,
    /// Its message for this campaign has not gone out yet (queued for a retry, or sending).
    Retrying,
    /// The account's daily sending limit is reached: planned again on the next run day.
    DailyLimit,
}

impl ExclusionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ExclusionReason::Paid => "paid",
            ExclusionReason::Disputed => "disputed",
            ExclusionReason::PromisePending => "pending promise",
            ExclusionReason::DoNotContact => "do not contact",
            ExclusionReason::Replied => "replied",
            ExclusionReason::StopNote => "note says stop",
            ExclusionReason::ContactedWithinGap => "contacted within the gap",
            ExclusionReason::QuietDay => "quiet day",
            ExclusionReason::OverDailyCap => "over the daily cap",
            ExclusionReason::Retrying => "retrying",
            ExclusionReason::DailyLimit => "daily limit",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    pub customer_id: i64,
    pub customer_name: String,
    pub reason: ExclusionReason,
    /// The step the customer would have received, when one was due.
    pub step_position: Option<i64>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepCount {
    pub position: i64,
    pub template_key: String,
    pub emails: usize,
    pub calls: usize,
    pub excluded: usize,
}

/// The send key of a campaign message: unique per campaign, step, customer and date, so a
/// rerun after a crash finds the message already queued instead of sending it again.
pub fn send_key(campaign_id: i64, position: i64, customer_id: i64, date: NaiveDate) -> String {
    format!("campaign:{campaign_id}:step:{position}:customer:{customer_id}:{date}")
}

/// Why `date` is a quiet day for the campaign, if it is.
pub fn quiet_day(campaign: &Campaign, date: NaiveDate) -> Option<String> {
    if campaign.quiet_weekends && matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        return Some(format!("{date} is a weekend"));
    }
    if campaign.holidays.contains(&date) {
        return Some(format!("{date} is on the holiday list"));
    }
    None
}

fn last_day_of_month(year: i32, month: u32) -> u32 {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .map_or(28, |d| d.day())
}

/// The most recent day D of a month on or before `today` (D clamped to the month's length).
pub(crate) fn month_occurrence(day: u32, today: NaiveDate) -> NaiveDate {
    let this = day.min(last_day_of_month(today.year(), today.month()));
    if today.day() >= this {
        return today.with_day(this).unwrap_or(today);
    }
    let (y, m) = if today.month() == 1 {
        (today.year() - 1, 12)
    } else {
        (today.year(), today.month() - 1)
    };
    let d = day.min(last_day_of_month(y, m));
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(today)
}

/// When a campaign's steps are reached, as of one date: a due-date step by invoices due on or
/// before its cutoff (the date minus its offset), a day-of-month step by every open invoice, in
/// the month of its latest occurrence.
pub(crate) struct Reach {
    /// In step order: (position, threshold).
    steps: Vec<(i64, Threshold)>,
}

enum Threshold {
    /// Reached by invoices due on or before this date (also kept as ISO text).
    DueBy(NaiveDate, String),
    /// Always reached; the period ('YYYY-MM') of the latest occurrence.
    Period(String),
}

impl Reach {
    pub(crate) fn new(campaign: &Campaign, today: NaiveDate) -> Reach {
        let threshold = |trigger| match trigger {
            Trigger::DueOffset(n) => {
                let by = today - chrono::Duration::days(n);
                Threshold::DueBy(by, by.to_string())
            }
            Trigger::DayOfMonth(d) => {
                Threshold::Period(month_occurrence(d, today).format("%Y-%m").to_string())
            }
        };
        Reach {
            steps: campaign
                .steps
                .iter()
                .map(|s| (s.position, threshold(s.trigger)))
                .collect(),
        }
    }

    /// The most advanced step reached by an invoice due on `due`, with its period ('' for a
    /// due-date step).
    pub(crate) fn target(&self, due: NaiveDate) -> Option<(i64, &str)> {
        self.find(|by, _| due <= by)
    }

    /// [`Reach::target`] for a due date as stored: ISO dates compare as text, which spares
    /// parsing every open invoice's date.
    pub(crate) fn target_of_text(&self, due: &str) -> Option<(i64, &str)> {
        let due = due.get(..10).unwrap_or(due);
        self.find(|_, by| due <= by)
    }

    fn find(&self, due_by: impl Fn(NaiveDate, &str) -> bool) -> Option<(i64, &str)> {
        self.steps.iter().rev().find_map(|(position, t)| match t {
            Threshold::DueBy(date, text) => due_by(*date, text).then_some((*position, "")),
            Threshold::Period(period) => Some((*position, period.as_str())),
        })
    }

    /// Due dates from which on (as ISO text) no step is reached yet; None when every invoice
    /// reaches some step (a day-of-month step).
    pub(crate) fn unreached_from(&self) -> Option<String> {
        let mut latest: Option<NaiveDate> = None;
        for (_, threshold) in &self.steps {
            match threshold {
                Threshold::DueBy(date, _) => latest = latest.max(Some(*date)),
                Threshold::Period(_) => return None,
            }
        }
        latest.and_then(|d| d.succ_opt()).map(|d| d.to_string())
    }

    /// The current period of a day-of-month step (None for a due-date step).
    pub(crate) fn period_of(&self, position: i64) -> Option<&str> {
        self.steps.iter().find_map(|(p, t)| match t {
            Threshold::Period(period) if *p == position => Some(period.as_str()),
            _ => None,
        })
    }
}

fn fields_match(conditions: &[FieldCondition], json: &str) -> bool {
    if conditions.is_empty() {
        return true;
    }
    // A malformed object (hand-edited file) has no fields, so it matches no condition.
    let fields: BTreeMap<String, String> = serde_json::from_str(json).unwrap_or_default();
    conditions.iter().all(|c| c.matches(&fields))
}

fn in_audience(
    a: &Audience,
    c: &CustomerRow,
    tags: &HashSet<String>,
    balances: &[(String, i64)],
    late_payer: bool,
    today: NaiveDate,
) -> bool {
    if (a.usually_late.is_some() && !late_payer)
        || !fields_match(&a.custom_fields, &c.custom_fields)
    {
        return false;
    }
    if let Some(seg) = &a.segment {
        if c.segment.as_deref().map(str::trim) != Some(seg.trim()) {
            return false;
        }
    }
    if !a.tags.iter().all(|t| tags.contains(t)) {
        return false;
    }
    let balance: i64 = match &a.currency {
        Some(cur) => {
            let mut found = None;
            for (c, b) in balances {
                if c.eq_ignore_ascii_case(cur) {
                    found = Some(*b);
                }
            }
            match found {
                Some(b) => b,
                None => return false,
            }
        }
        None => balances.iter().map(|(_, b)| *b).sum(),
    };
    if a.min_balance_minor.is_some_and(|m| balance < m)
        || a.max_balance_minor.is_some_and(|m| balance > m)
    {
        return false;
    }
    if a.min_days_overdue.is_some() || a.max_days_overdue.is_some() {
        let days = c
            .oldest_open_due
            .map_or(i64::MIN, |d| (today - d).num_days());
        if a.min_days_overdue.is_some_and(|m| days < m)
            || a.max_days_overdue.is_some_and(|m| days > m)
        {
            return false;
        }
    }
    true
}

/// Setting: days after the newest import or invoice change when plans warn that balances may
/// be out of date.
pub const STALE_AFTER_DAYS_SETTING: &str = "campaign_stale_after_days";
pub const DEFAULT_STALE_AFTER_DAYS: i64 = 7;

/// The "stale after" setting; an unreadable value counts as the default.
pub fn stale_after_days(conn: &Connection) -> CampaignResult<i64> {
    Ok(settings::get(conn, STALE_AFTER_DAYS_SETTING)?
        .and_then(|v| v.trim().parse().ok())
        .filter(|d: &i64| *d >= 1)
        .unwrap_or(DEFAULT_STALE_AFTER_DAYS))
}

pub fn set_stale_after_days(conn: &Connection, days: i64) -> CampaignResult<()> {
    if days < 1 {
        return Err(CampaignError::Invalid(
            "balances can be called out of date after 1 day at the earliest".into(),
        ));
    }
    settings::set(conn, STALE_AFTER_DAYS_SETTING, &days.to_string())?;
    Ok(())
}

/// A warning when the newest import (or invoice change) is older than the setting on `today`;
/// None when the data is fresh or there is none.
pub fn stale_warning(conn: &Connection, today: NaiveDate) -> CampaignResult<Option<String>> {
    let newest: Option<String> = conn.query_row(
        "SELECT max(coalesce((SELECT max(imported_at) FROM imports), ''),
                    coalesce((SELECT max(updated_at) FROM invoices), ''))",
        [],
        |r| r.get(0),
    )?;
    let Some(newest) = newest.as_deref().and_then(date_of) else {
        return Ok(None);
    };
    let limit = stale_after_days(conn)?;
    let age = (today - newest).num_days();
    Ok((age > limit).then(|| {
        format!(
            "the newest import or invoice change is from {newest} ({age} days ago, more than {limit}): \
             balances may be out of date; import again before sending"
        )
    }))
}

/// Plans campaign `campaign_id` for `today`. Reads only.
pub fn plan(conn: &Connection, campaign_id: i64, today: NaiveDate) -> CampaignResult<Plan> {
    let campaign = get(conn, campaign_id)?;
    plan_campaign(conn, &campaign, today)
}

/// Plans one campaign for `today`, within the account's sending limits. Reads only.
pub fn plan_campaign(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
) -> CampaignResult<Plan> {
    let mut plan = plan_alone(conn, campaign, today)?;
    apply_account_room(conn, today, &mut [(campaign, &mut plan)])?;
    Ok(plan)
}

/// Plans one campaign for `today` as if it were the only one: the account's daily room, shared
/// by every campaign of a run, is applied afterwards ([`apply_account_room`]).
pub(super) fn plan_alone(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
) -> CampaignResult<Plan> {
    let reach = Reach::new(campaign, today);
    let ladder = Ladder::new(campaign);
    let facts = facts::load(conn, campaign, &reach, today)?;
    let in_flight = super::run::in_flight(conn, campaign, today)?;
    let empty_tags = HashSet::new();
    let mut contacts = Vec::new();
    let mut excluded = Vec::new();
    for (&customer_id, c) in &facts.customers {
        let tags = facts.tags.get(&customer_id).unwrap_or(&empty_tags);
        let balances = facts
            .balances
            .get(&customer_id)
            .map_or(&[][..], Vec::as_slice);
        let open = facts
            .invoices
            .get(&customer_id)
            .map_or(&[][..], Vec::as_slice);
        let exclude = |reason: ExclusionReason, step: Option<i64>, detail: String| Excluded {
            customer_id,
            customer_name: c.name.clone(),
            reason,
            step_position: step,
            detail,
        };
        if open.is_empty() {
            if facts.paid_since_reminder.contains(&customer_id) {
                excluded.push(exclude(
                    ExclusionReason::Paid,
                    None,
                    "every reminded invoice is paid".into(),
                ));
            }
            continue;
        }
        let late_payer = facts.late_payers.contains(&customer_id);
        if !in_audience(&campaign.audience, c, tags, balances, late_payer, today) {
            continue;
        }
        let level = (campaign.escalation == Escalation::OneStep)
            .then(|| escalation::level(campaign, open, &facts))
            .flatten();
        let cap = ladder.cap(level.as_ref());
        // Each invoice's most advanced reached step (held back to the cap); the ones not
        // received yet are due.
        let mut due_invoices = Vec::new();
        let mut top_reached: Option<i64> = None;
        let mut aged_top: Option<i64> = None;
        let mut oldest: Option<(&str, i64)> = None;
        let mut stopped: Option<(ExclusionReason, String)> = None;
        for inv in open {
            let Some((aged, period)) = reach.target(inv.due) else {
                continue;
            };
            let position = ladder.held(aged, cap);
            let Some(step) = campaign.step(position) else {
                continue;
            };
            let received = facts.received.has(inv.id, position, period)
                || (period.is_empty() && facts.manual.on(inv.id, &step.template_key).is_some());
            let invoice_stopped = facts.disputed_invoices.contains(&inv.id)
                || facts.promised_invoices.contains(&inv.id);
            if !invoice_stopped {
                top_reached = top_reached.max(Some(position));
                aged_top = aged_top.max(Some(aged));
                oldest.get_or_insert((&inv.number, (today - inv.due).num_days()));
            }
            if received {
                continue;
            }
            if facts.disputed_invoices.contains(&inv.id) {
                stopped.get_or_insert((
                    ExclusionReason::Disputed,
                    format!("invoice {} is disputed", inv.number),
                ));
                continue;
            }
            if facts.promised_invoices.contains(&inv.id) {
                stopped.get_or_insert((
                    ExclusionReason::PromisePending,
                    format!("a payment is promised for invoice {}", inv.number),
                ));
                continue;
            }
            due_invoices.push(PlannedInvoice {
                invoice_id: inv.id,
                number: inv.number.clone(),
                step_position: position,
                period: period.to_string(),
            });
        }
        // Its last message has not gone out: that step is not done, and nothing follows it yet.
        if let Some(flight) = in_flight.get(&customer_id) {
            let detail = flight.detail.clone();
            excluded.push(exclude(ExclusionReason::Retrying, top_reached, detail));
            continue;
        }
        // The message's tone: the most advanced step any (unstopped) open invoice has reached,
        // received or not; sent only when some invoice has a step not received yet.
        let top = if due_invoices.is_empty() {
            None
        } else {
            top_reached
        };
        if top.is_none() && stopped.is_none() {
            continue; // nothing due
        }
        let customer_stop = if c.do_not_contact {
            Some((
                ExclusionReason::DoNotContact,
                "marked do not contact".to_string(),
            ))
        } else if facts.stop_notes.contains(&customer_id) {
            Some((ExclusionReason::StopNote, "a note says stop".to_string()))
        } else if facts.replied.contains(&customer_id) {
            Some((
                ExclusionReason::Replied,
                "replied after the last email; answer them first".to_string(),
            ))
        } else if facts.disputed_customers.contains(&customer_id) {
            Some((
                ExclusionReason::Disputed,
                "the account is disputed".to_string(),
            ))
        } else if facts.promised_customers.contains(&customer_id) {
            Some((
                ExclusionReason::PromisePending,
                "a payment is promised".to_string(),
            ))
        } else {
            None
        };
        if let Some((reason, detail)) = customer_stop {
            excluded.push(exclude(reason, top, detail));
            continue;
        }
        let Some(top) = top else {
            if let Some((reason, detail)) = stopped {
                excluded.push(exclude(reason, None, detail));
            }
            continue;
        };
        // A step up the ladder waits at least a day, whatever the gap.
        let climbing = ladder.climbs(top) && level.as_ref().is_none_or(|l| top > l.position);
        let gap = if climbing {
            campaign.min_gap_days.max(1)
        } else {
            campaign.min_gap_days
        };
        if let Some(last) = facts.last_contact.get(&customer_id) {
            let days = (today - *last).num_days();
            if days < gap {
                excluded.push(exclude(
                    ExclusionReason::ContactedWithinGap,
                    Some(top),
                    format!("last contacted {last} ({days} days ago; the gap is {gap} days)"),
                ));
                continue;
            }
        }
        let Some(step) = campaign.step(top) else {
            continue;
        };
        let aged = aged_top.unwrap_or(top);
        let catch_up = activation::catch_up_template(campaign, &ladder, level.as_ref(), top, aged);
        let (variant, template) = match catch_up {
            Some(template) => (None, template),
            None => step.variant_for(campaign.id, customer_id),
        };
        let no_email = step.channel == Channel::Email && !facts.has_email.contains(&customer_id);
        let channel = if no_email {
            Channel::Call
        } else {
            step.channel
        };
        let moving = due_invoices
            .iter()
            .map(|i| format!("{} to step {}", i.number, i.step_position))
            .collect::<Vec<_>>()
            .join(", ");
        let mut why = format!(
            "{moving}; tone of step {top} ({template}), the most advanced reached; lists {} open invoice(s)",
            open.len()
        );
        if let Some(v) = variant {
            why.push_str(&format!("; A/B variant {}", v.as_str().to_uppercase()));
        }
        if no_email {
            why.push_str("; no usable email address, so a call task instead");
        }
        contacts.push(PlannedContact {
            customer_id,
            customer_name: c.name.clone(),
            step_position: top,
            template_key: template.to_string(),
            variant,
            channel,
            no_email,
            invoices: due_invoices,
            open_invoice_ids: open.iter().map(|i| i.id).collect(),
            send_key: send_key(campaign.id, top, customer_id, today),
            stage: match catch_up {
                Some(_) => activation::catch_up_stage(campaign, top, oldest),
                None => escalation::stage(campaign, &ladder, level.as_ref(), top, aged, oldest),
            },
            why,
            urgency: Urgency::of(
                balances,
                c.oldest_open_due,
                facts.broken_promises.contains(&customer_id),
                today,
            ),
        });
    }

    // A customer whose invoices all stand at a step already queued is not among the facts; the
    // waiting message still earns a line.
    let mut waiting: Vec<_> = in_flight
        .into_iter()
        .filter(|(id, _)| !facts.customers.contains_key(id))
        .collect();
    waiting.sort_by_key(|(id, _)| *id);
    excluded.extend(waiting.into_iter().map(|(customer_id, f)| Excluded {
        customer_id,
        customer_name: f.name,
        reason: ExclusionReason::Retrying,
        step_position: f.step_position,
        detail: f.detail,
    }));

    // Most urgent first (broken promises, then amount × days overdue): what the caps keep.
    contacts.sort_by(|a, b| {
        a.urgency
            .rank()
            .cmp(&b.urgency.rank())
            .then(a.customer_id.cmp(&b.customer_id))
    });

    let quiet = quiet_day(campaign, today);
    let mut kept = Vec::with_capacity(contacts.len());
    // Read only when it can matter: after a big day's run it is many rows.
    let mut room = match campaign.daily_cap {
        Some(cap) if contacts.iter().any(|c| c.channel == Channel::Email) => {
            Some((cap - facts::emailed_on(conn, campaign.id, today)?).max(0))
        }
        _ => None,
    };
    for contact in contacts {
        let held = |reason, detail| Excluded {
            customer_id: contact.customer_id,
            customer_name: contact.customer_name.clone(),
            reason,
            step_position: Some(contact.step_position),
            detail,
        };
        if let Some(q) = &quiet {
            excluded.push(held(ExclusionReason::QuietDay, q.clone()));
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

    let counts = campaign
        .steps
        .iter()
        .map(|s| StepCount {
            position: s.position,
            template_key: s.template_key.clone(),
            emails: kept
                .iter()
                .filter(|c| c.step_position == s.position && c.channel == Channel::Email)
                .count(),
            calls: kept
                .iter()
                .filter(|c| c.step_position == s.position && c.channel == Channel::Call)
                .count(),
            excluded: excluded
                .iter()
                .filter(|e| e.step_position == Some(s.position))
                .count(),
        })
        .collect();
    Ok(Plan {
        campaign_id: campaign.id,
        date: today,
        quiet_day: quiet,
        contacts: kept,
        excluded,
        between_steps: facts.between_steps,
        counts,
        stale_data: stale_warning(conn, today)?,
        unconfirmed: activation::unconfirmed_note(campaign),
        sending_paused: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::{preset, Step};

    fn campaign_with(steps: Vec<Step>) -> Campaign {
        let new = preset("friendly").expect("preset");
        Campaign {
            id: 1,
            name: new.name,
            audience: new.audience,
            steps,
            min_gap_days: new.min_gap_days,
            quiet_weekends: new.quiet_weekends,
            holidays: new.holidays,
            daily_cap: new.daily_cap,
            active: true,
            escalation: Escalation::Jump,
            confirmed_at: None,
            catch_up: None,
        }
    }

    #[test]
    fn a_due_date_as_text_reaches_the_same_step_as_the_date() {
        let today: NaiveDate = "2026-03-31".parse().expect("date");
        let mut steps = preset("friendly").expect("preset").steps;
        steps.push(Step::new(
            9,
            Trigger::DayOfMonth(31),
            "statement",
            Channel::Email,
        ));
        for campaign in [
            campaign_with(preset("friendly").expect("preset").steps),
            campaign_with(steps),
        ] {
            let reach = Reach::new(&campaign, today);
            for offset in -120..120 {
                let due = today + chrono::Duration::days(offset);
                let want = reach.target(due);
                assert_eq!(reach.target_of_text(&due.to_string()), want, "{due}");
                assert_eq!(reach.target_of_text(&format!("{due}T00:00:00")), want);
            }
        }
    }

    #[test]
    fn a_day_of_month_step_is_reached_by_every_invoice_in_its_latest_month() {
        let campaign = campaign_with(vec![Step::new(
            1,
            Trigger::DayOfMonth(31),
            "statement",
            Channel::Email,
        )]);
        // February has no 31st: its last day stands in; before it, January's counts.
        let reach = Reach::new(&campaign, "2026-02-27".parse().expect("date"));
        let far_future = "2027-01-01".parse().expect("date");
        assert_eq!(reach.target(far_future), Some((1, "2026-01")));
        assert_eq!(reach.period_of(1), Some("2026-01"));
        let reach = Reach::new(&campaign, "2026-02-28".parse().expect("date"));
        assert_eq!(reach.target(far_future), Some((1, "2026-02")));
    }
}
