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
//! days overdue range, payment history ("usually late", see [`super::UsuallyLate`]),
//! custom-field conditions (equals / contains) and silence ("no reply to the last N
//! reminders", see `facts::silence`; unknown until the mailbox is read, which the plan says).
//! Do-not-contact customers are always excluded.
//!
//! Event campaigns ([`super::EventDate`]): an event step reaches every open invoice for a week
//! from its day, once per customer and occurrence; outside a campaign's window
//! ([`super::Window`]) the day is quiet and the plan says so.
//! A/B steps give each customer a fixed variant ([`super::Step::variant_for`]).
//!
//! With one-step escalation (the default, see [`super::escalation`]) an invoice's step is held
//! back to the first overdue step above the customer's level, and the contact's `stage` says
//! where the customer is and why.
//!
//! The plan also warns, without blocking, when the newest import or invoice change is older
//! than the "stale after" setting ([`stale_warning`]): balances may be out of date.

mod audience;
pub mod charges;
mod customer;
mod digest;
mod hold;
mod offer;
mod owner;
pub mod room;
mod stale;

pub use super::facts::mailbox::{
    reply_hold, reply_pause_days, set_reply_pause_days, DEFAULT_REPLY_PAUSE_DAYS,
    REPLY_PAUSE_DAYS_SETTING,
};
pub use super::facts::silence::REPLIES_NOT_READ;
pub use super::facts::Reply;
pub use digest::{DigestCustomer, DigestStep, PlannedDigest, OWNER_DIGEST_TEMPLATE};
pub use offer::PlannedOffer;
pub use owner::{PlannedOwnerNotice, OWNER_NOTICE_TEMPLATE};
pub use stale::{
    set_stale_after_days, stale_after_days, stale_warning, DEFAULT_STALE_AFTER_DAYS,
    STALE_AFTER_DAYS_SETTING,
};

use super::calendar::{quiet_day, Reach};
use super::credit_rule::{plan_credit, PlannedCredit};
use super::escalation::Ladder;
use super::facts;
use super::thanks::{plan_thanks, PlannedThanks, ThanksSkipped};
use super::{get, Campaign, CampaignResult, Channel, Variant};
use chrono::NaiveDate;
use customer::{Decision, Rules};
use room::{apply_account_room, Urgency};
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Plan {
    pub campaign_id: i64,
    pub date: NaiveDate,
    /// Set on a weekend, a holiday or a day outside the campaign's window: nothing is planned
    /// and this says why.
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
    /// Customers thanked today for paying reminded invoices (see [`super::thanks`]).
    pub thanks: Vec<PlannedThanks>,
    /// Customers who paid lately and get no thank-you today, with the reason.
    pub thanks_skipped: Vec<ThanksSkipped>,
    /// Customers crossing the campaign's credit rule (see [`super::credit_rule`]).
    pub credit: Vec<PlannedCredit>,
    /// Steps coming up whose customers' owners are told today, or why they are not (see
    /// `owner`).
    pub owner_notices: Vec<PlannedOwnerNotice>,
    /// The owners' weekly digests this campaign sends today (see `digest`).
    pub digests: Vec<PlannedDigest>,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PlannedInvoice {
    pub invoice_id: i64,
    pub number: String,
    pub step_position: i64,
    /// '' for due-date steps, 'YYYY-MM' for day-of-month steps, the event's day ('YYYY-MM-DD')
    /// for event steps.
    pub period: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
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
    /// The early-payment offer its email makes (see `offer`); None: none.
    pub offer: Option<PlannedOffer>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExclusionReason {
    Paid,
    Disputed,
    PromisePending,
    DoNotContact,
    /// A person replied: reminders wait until resumed or the reply pause has passed.
    Replied,
    /// An out-of-office stated a return day still to come.
    Away,
    StopNote,
    /// The customer's account owner holds reminders (with their reason in the detail).
    HeldByOwner,
    ContactedWithinGap,
    QuietDay,
    OverDailyCap,
    /// Its message for this campaign has not gone out yet (queued for a retry, or sending).
    Retrying,
    /// The account's daily sending limit is reached: planned again on the next run day.
    DailyLimit,
    /// The day is outside the campaign's window: nothing goes out.
    OutsideWindow,
    /// "No reply to the last N reminders" cannot be judged: the mailbox is not read.
    RepliesNotRead,
    /// The invoice is on a payment plan that is being kept: its instalments are what is due.
    OnPaymentPlan,
}

impl ExclusionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ExclusionReason::Paid => "paid",
            ExclusionReason::Disputed => "disputed",
            ExclusionReason::PromisePending => "pending promise",
            ExclusionReason::DoNotContact => "do not contact",
            ExclusionReason::Replied => "replied",
            ExclusionReason::Away => "away",
            ExclusionReason::StopNote => "note says stop",
            ExclusionReason::HeldByOwner => "held by the owner",
            ExclusionReason::ContactedWithinGap => "contacted within the gap",
            ExclusionReason::QuietDay => "quiet day",
            ExclusionReason::OverDailyCap => "over the daily cap",
            ExclusionReason::Retrying => "retrying",
            ExclusionReason::DailyLimit => "daily limit",
            ExclusionReason::OutsideWindow => "outside the window",
            ExclusionReason::RepliesNotRead => "replies not read",
            ExclusionReason::OnPaymentPlan => "on a payment plan",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Excluded {
    pub customer_id: i64,
    pub customer_name: String,
    pub reason: ExclusionReason,
    /// The step the customer would have received, when one was due.
    pub step_position: Option<i64>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct StepCount {
    pub position: i64,
    pub template_key: String,
    pub emails: usize,
    pub calls: usize,
    pub excluded: usize,
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
    let mut plan = plan_day(conn, campaign, today)?;
    plan.owner_notices = owner::plan_owner_notices(conn, campaign, today, &plan.contacts)?;
    plan.digests = digest::plan_digests(conn, campaign, today)?;
    Ok(plan)
}

/// [`plan_alone`] without the owner notices, which look ahead with it.
fn plan_day(conn: &Connection, campaign: &Campaign, today: NaiveDate) -> CampaignResult<Plan> {
    let reach = Reach::new(campaign, today);
    let facts = facts::load(conn, campaign, &reach, today)?;
    let in_flight = super::in_flight::in_flight(conn, campaign, today)?;
    let rules = Rules {
        campaign,
        today,
        reach: &reach,
        ladder: &Ladder::new(campaign),
        facts: &facts,
        in_flight: &in_flight,
    };
    let (mut contacts, mut excluded) = (Vec::new(), Vec::new());
    for (&customer_id, c) in &facts.customers {
        match rules.decide(customer_id, c) {
            Decision::Contact(contact) => contacts.push(contact),
            Decision::Exclude(e) => excluded.push(e),
            Decision::Nothing => {}
        }
    }
    offer::attach(conn, campaign, &facts, today, &mut contacts)?;
    excluded.extend(hold::waiting_elsewhere(in_flight, &facts));
    hold::most_urgent_first(&mut contacts);
    let quiet = quiet_day(campaign, today);
    let (thanks, thanks_skipped) = plan_thanks(conn, campaign, today, quiet.is_some())?;
    let credit = plan_credit(conn, campaign, today, quiet.is_some())?;
    let contacts = hold::hold_back(
        conn,
        campaign,
        today,
        quiet.as_deref(),
        contacts,
        &mut excluded,
    )?;
    Ok(Plan {
        campaign_id: campaign.id,
        date: today,
        counts: hold::counts(campaign, &contacts, &excluded),
        quiet_day: quiet,
        contacts,
        excluded,
        between_steps: facts.between_steps,
        stale_data: stale_warning(conn, today)?,
        unconfirmed: campaign.unconfirmed_note(),
        sending_paused: None,
        thanks,
        thanks_skipped,
        credit,
        owner_notices: Vec::new(),
        digests: Vec::new(),
    })
}
