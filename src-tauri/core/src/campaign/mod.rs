//! Reminder campaigns: an audience rule and ordered steps, planned per customer and run through
//! the outbox.
//!
//! - [`create`], [`update`], [`list`], [`get`] store campaigns (`campaigns`, `campaign_steps`) and
//!   [`presets`] are the shipped ones;
//! - [`plan::plan`] decides, for one date, who gets which message and why everyone else does not;
//! - [`run::run_due`] turns plans into outbox messages (unique send keys) and call tasks,
//!   records per-invoice reminder state (`invoice_reminders`) and delivers;
//! - [`run::fingerprint`] lets the next `run-due` of the day skip planning when nothing changed;
//! - [`activation`] shows the backlog a campaign would work through and records the user's
//!   confirmation, without which it sends nothing.
//!
//! Inside, imports point one way (checked by `tests/layers.rs`). This file holds what all
//! parts share (the campaign, its audience, escalation and catch-up settings, send keys; its
//! steps come from `step`, which imports nothing here); then, each importing only those
//! before it: step, event <- `mod` <- storage, input, presets, schedule, results, calendar,
//! in_flight <- facts <- escalation <- catch_up <- thanks, credit_rule, instalments <- plan (with
//! `plan::room`, and `plan::owner` / `plan::digest`, which plan other days and campaigns for the
//! account owners' notices and weekly digest) <- activation,
//! run (with `run::fingerprint`; it drives [`runner`]) <- summary.

pub mod activation;
mod calendar;
mod catch_up;
pub mod credit_rule;
pub mod escalation;
mod event;
mod facts;
pub mod fees;
mod in_flight;
mod input;
pub mod instalments;
pub mod offer;
pub mod plan;
mod presets;
pub mod results;
pub mod run;
pub mod runner;
pub mod schedule;
mod step;
mod storage;
pub mod summary;
pub mod thanks;

use crate::mail::account::AccountSettings;
use crate::mail::compose::{self, ComposeError, SendRequest};
use crate::mail::outbox::{self, MessageMeta, OutboxError};
use crate::mail::templates::{self, Renderer};
use crate::store::{now_timestamp, DbError};
use chrono::NaiveDate;
pub use credit_rule::CreditRule;
pub use event::{EventDate, Window};
pub use fees::{FeeError, LateFees};
pub use offer::Offer;
pub use presets::{preset, presets, PRESET_NAMES};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
pub use step::{Channel, Step, Trigger, Variant};
pub use storage::{create, create_pending, get, list, set_active, update};
use ts_rs::TS;

#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    #[error(transparent)]
    Compose(#[from] ComposeError),
    #[error("{0}")]
    Invalid(String),
    #[error("there is no campaign {0}")]
    NotFound(i64),
    #[error(transparent)]
    Fees(#[from] FeeError),
    #[error("nothing was queued: the database could not be backed up first: {0}")]
    Backup(#[from] crate::store::backup::BackupError),
}

impl From<rusqlite::Error> for CampaignError {
    fn from(e: rusqlite::Error) -> Self {
        CampaignError::Db(DbError::Sqlite(e))
    }
}

pub type CampaignResult<T> = Result<T, CampaignError>;

/// Who a campaign writes to. Every field is optional; do-not-contact customers are always
/// excluded whatever the rule says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct Audience {
    pub segment: Option<String>,
    /// The customer must carry every one of these tags.
    pub tags: Vec<String>,
    /// Only customers with an open balance in this ISO 4217 currency.
    pub currency: Option<String>,
    /// Open balance range in minor units (in `currency`, else summed at face value).
    pub min_balance_minor: Option<i64>,
    pub max_balance_minor: Option<i64>,
    /// Days the oldest open invoice is past due.
    pub min_days_overdue: Option<i64>,
    pub max_days_overdue: Option<i64>,
    /// Payment history: only customers who usually pay late.
    pub usually_late: Option<UsuallyLate>,
    /// Custom-field conditions; the customer must meet every one.
    pub custom_fields: Vec<FieldCondition>,
    /// Escalation on silence: only customers none of whose last N reminders got a reply
    /// (see `facts::silence`).
    pub no_reply_to_last: Option<i64>,
    /// Only customers whose open balance in their credit limit's currency is at least this
    /// percentage of the limit; customers without a limit never match.
    pub min_credit_used_percent: Option<i64>,
}

/// "Usually late": over the customer's invoices paid in full, the average number of days
/// between the due date and the last payment (an early payment counts as 0) is at least
/// `min_average_days_late`. Judged only with at least [`USUALLY_LATE_MIN_PAID`] paid invoices,
/// so one late payment does not make a late payer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UsuallyLate {
    pub min_average_days_late: i64,
}

pub const USUALLY_LATE_MIN_PAID: i64 = 2;

/// A condition on one custom field. Keys match exactly (trimmed); values ignore case and the
/// spaces around them. A customer without the field never matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldCondition {
    pub key: String,
    pub op: FieldOp,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FieldOp {
    Equals,
    Contains,
}

impl FieldCondition {
    pub fn matches(&self, fields: &std::collections::BTreeMap<String, String>) -> bool {
        let Some(actual) = fields.get(self.key.trim()) else {
            return false;
        };
        let actual = actual.trim().to_lowercase();
        let wanted = self.value.trim().to_lowercase();
        match self.op {
            FieldOp::Equals => actual == wanted,
            FieldOp::Contains => actual.contains(&wanted),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewCampaign {
    pub name: String,
    pub audience: Audience,
    pub steps: Vec<Step>,
    pub min_gap_days: i64,
    pub quiet_weekends: bool,
    pub holidays: Vec<NaiveDate>,
    pub daily_cap: Option<i64>,
    pub active: bool,
    /// How far one message may move a customer up the overdue steps (one step by default; a
    /// campaign file without it gets the default).
    #[serde(default)]
    pub escalation: Escalation,
    /// Sends only on these days (both included); None: any day.
    #[serde(default)]
    pub window: Option<Window>,
    /// The date event steps count from; None: the campaign has no event steps.
    #[serde(default)]
    pub event: Option<EventDate>,
    /// Thank the customers it reminded once a payment closes their invoice (see [`thanks`]);
    /// a campaign file without it has it off, the shipped presets on.
    #[serde(default)]
    pub thank_you: bool,
    /// A notice and/or a hold when a customer's balance reaches a share of their credit limit.
    #[serde(default)]
    pub credit_rule: Option<CreditRule>,
    /// Late fees and interest its reminders carry; None (the default): none.
    #[serde(default)]
    pub late_fees: Option<LateFees>,
    /// Send each account owner a weekly digest of their customers (see [`digest`]).
    #[serde(default)]
    pub owner_digest: bool,
}

impl NewCampaign {
    /// A campaign with the defaults: 15-day gap, quiet weekends, no holidays, no cap, active.
    pub fn new(name: &str, steps: Vec<Step>) -> NewCampaign {
        NewCampaign {
            name: name.to_string(),
            audience: Audience::default(),
            steps,
            min_gap_days: DEFAULT_MIN_GAP_DAYS,
            quiet_weekends: true,
            holidays: Vec::new(),
            daily_cap: None,
            active: true,
            escalation: Escalation::OneStep,
            window: None,
            event: None,
            thank_you: false,
            credit_rule: None,
            late_fees: None,
            owner_digest: false,
        }
    }
}

pub const DEFAULT_MIN_GAP_DAYS: i64 = 15;

/// Per campaign: how far one message may move a customer up the overdue steps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Escalation {
    /// First the earliest overdue step, then one step up per message, after the gap.
    #[default]
    OneStep,
    /// Straight to the step the invoice's age reached.
    Jump,
}

impl Escalation {
    pub fn as_str(self) -> &'static str {
        match self {
            Escalation::OneStep => "one_step",
            Escalation::Jump => "jump",
        }
    }

    /// As stored; anything unknown reads as the safe default.
    fn from_db(s: &str) -> Escalation {
        if s == "jump" {
            Escalation::Jump
        } else {
            Escalation::OneStep
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Escalation::OneStep => "one step at a time",
            Escalation::Jump => "jump to the invoice's age",
        }
    }
}

/// The first message of a customer already past the first overdue step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CatchUp {
    /// The shipped "catch-up" template: we are tidying up our accounts.
    TidyUp,
    /// The statement cover with the customer's statement of account attached.
    Statement,
}

impl CatchUp {
    pub fn as_str(self) -> &'static str {
        match self {
            CatchUp::TidyUp => "tidy_up",
            CatchUp::Statement => "statement",
        }
    }

    /// As stored; anything unknown reads as no catch-up (the customer's own step).
    fn from_db(s: &str) -> Option<CatchUp> {
        match s {
            "tidy_up" => Some(CatchUp::TidyUp),
            "statement" => Some(CatchUp::Statement),
            _ => None,
        }
    }

    pub fn template_key(self) -> &'static str {
        match self {
            CatchUp::TidyUp => "catch-up",
            CatchUp::Statement => "statement-cover",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            CatchUp::TidyUp => "a gentle \"we are tidying up our accounts\" message",
            CatchUp::Statement => "a statement of account",
        }
    }
}

/// A stored campaign: what its author wrote ([`NewCampaign`], flattened into the same JSON) and
/// what the app keeps about it. It reads as its definition (`campaign.steps`) through `Deref`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Campaign {
    pub id: i64,
    #[serde(flatten)]
    pub definition: NewCampaign,
    /// When the user confirmed its activation after seeing the backlog (see [`activation`]);
    /// None: never, so it sends nothing, active or not.
    #[serde(default)]
    pub confirmed_at: Option<String>,
    /// The first message of a customer already past the first overdue step, chosen at
    /// activation; None: their step.
    #[serde(default)]
    pub catch_up: Option<CatchUp>,
}

impl std::ops::Deref for Campaign {
    type Target = NewCampaign;

    fn deref(&self) -> &NewCampaign {
        &self.definition
    }
}

impl std::ops::DerefMut for Campaign {
    fn deref_mut(&mut self) -> &mut NewCampaign {
        &mut self.definition
    }
}

impl Campaign {
    /// `definition` as stored under `id`: never confirmed, no catch-up.
    #[cfg(test)]
    fn stored(id: i64, definition: NewCampaign) -> Campaign {
        Campaign {
            id,
            definition,
            confirmed_at: None,
            catch_up: None,
        }
    }

    /// Whether runs send it: switched on and its activation confirmed.
    pub fn sends(&self) -> bool {
        self.active && self.confirmed_at.is_some()
    }

    /// Why it sends nothing though active: it was never confirmed (None when it sends, or is
    /// off). `run-due` and the plan say so.
    pub fn unconfirmed_note(&self) -> Option<String> {
        (self.active && self.confirmed_at.is_none()).then(|| activate_hint(self.id))
    }

    pub fn step(&self, position: i64) -> Option<&Step> {
        self.steps.iter().find(|s| s.position == position)
    }
}

/// What became of the messages a run prepares beside its steps' (thank-yous, credit notices).
#[derive(Debug, Default)]
pub(crate) struct Queued {
    /// Outbox ids, queued now or found queued under their key by an earlier run today.
    pub messages: Vec<i64>,
    /// Customers whose message could not be prepared, with the reason.
    pub failed: Vec<(i64, String)>,
}

/// Prepares `template` (in `renderer`) for the customer and queues it under `key` as a
/// campaign message outside the steps (a thank-you, a credit notice): its outbox id (also when
/// an earlier run today queued it), or why it could not be prepared, recorded in the outbox as
/// a failed message.
pub(crate) fn queue_message(
    conn: &Connection,
    (campaign_id, customer_id, key): (i64, i64, &str),
    template: &str,
    how: (&Renderer, &AccountSettings),
    today: NaiveDate,
) -> CampaignResult<Result<i64, String>> {
    let meta = MessageMeta {
        customer_id: Some(customer_id),
        send_key: Some(key.to_string()),
        template_key: Some(template.to_string()),
        campaign_id: Some(campaign_id),
        step_id: None,
        invoice_ids: Vec::new(),
    };
    queue_with_meta(conn, &meta, how, today)
}

/// [`queue_message`] for any message to a customer: its template, key and campaign (if any)
/// are in `meta`.
pub(crate) fn queue_with_meta(
    conn: &Connection,
    meta: &MessageMeta,
    (renderer, account): (&Renderer, &AccountSettings),
    today: NaiveDate,
) -> CampaignResult<Result<i64, String>> {
    let (Some(customer_id), Some(template)) = (meta.customer_id, meta.template_key.clone()) else {
        return Ok(Err(
            "a message to a customer needs the customer and template".into(),
        ));
    };
    let request = SendRequest {
        customer_id,
        template_key: template,
        attachments: Vec::new(),
    };
    let queued = compose::prepare_with(conn, renderer, account, &request, today)
        .map_err(|e| e.to_string())
        .and_then(|p| match outbox::enqueue(conn, &p.email, meta) {
            Ok(id) | Err(OutboxError::AlreadyQueued { id, .. }) => Ok(id),
            Err(e) => Err(e.to_string()),
        });
    if let Err(reason) = &queued {
        outbox::record_unprepared(conn, meta, reason)?;
    }
    Ok(queued)
}

/// The renderer of one shipped (or the user's edited) template.
pub(crate) fn renderer_of(conn: &Connection, template: &str) -> CampaignResult<Renderer> {
    let template = templates::get(conn, template).map_err(ComposeError::from)?;
    Ok(Renderer::new(&[template]).map_err(ComposeError::from)?)
}

/// The send key of a campaign message: unique per campaign, step, customer and date, so a
/// rerun after a crash finds the message already queued instead of sending it again.
pub fn send_key(campaign_id: i64, position: i64, customer_id: i64, date: NaiveDate) -> String {
    format!("campaign:{campaign_id}:step:{position}:customer:{customer_id}:{date}")
}

/// Parses a campaign send key into (campaign, step, customer, date).
pub fn parse_send_key(key: &str) -> Option<(i64, i64, i64, NaiveDate)> {
    let parts: Vec<&str> = key.split(':').collect();
    match parts.as_slice() {
        ["campaign", c, "step", s, "customer", u, d] => Some((
            c.parse().ok()?,
            s.parse().ok()?,
            u.parse().ok()?,
            d.parse().ok()?,
        )),
        _ => None,
    }
}

/// What to do about a campaign that is not confirmed.
fn activate_hint(id: i64) -> String {
    format!("not confirmed: activate it with `duebook campaigns activate {id} --yes` or in the app")
}
