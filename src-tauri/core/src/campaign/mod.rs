//! Reminder campaigns: an audience rule and ordered steps, planned per customer and run through
//! the outbox.
//!
//! - [`create`], [`update`], [`list`], [`get`] store campaigns (`campaigns`, `campaign_steps`) and
//!   [`presets`] are the shipped ones;
//! - [`plan::plan`] decides, for one date, who gets which message and why everyone else does not;
//! - [`run::run_due`] turns plans into outbox messages (unique send keys) and call tasks,
//!   records per-invoice reminder state (`invoice_reminders`) and delivers;
//! - [`fingerprint`] lets the next `run-due` of the day skip planning when nothing changed;
//! - [`activation`] shows the backlog a campaign would work through and records the user's
//!   confirmation, without which it sends nothing.

pub mod activation;
pub mod escalation;
mod facts;
pub mod fingerprint;
mod input;
pub mod plan;
pub mod results;
pub mod room;
pub mod run;
pub mod summary;

use crate::db::{now_timestamp, DbError};
use crate::mail::compose::ComposeError;
use crate::mail::outbox::OutboxError;
pub use activation::CatchUp;
use chrono::NaiveDate;
pub use escalation::Escalation;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "StepChannel")]
pub enum Channel {
    Email,
    Call,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Call => "call",
        }
    }
    fn from_db(s: &str) -> Channel {
        if s == "call" {
            Channel::Call
        } else {
            Channel::Email
        }
    }
}

/// When a step applies to an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Trigger {
    /// N days after the due date (negative: before, 0: on the day).
    DueOffset(i64),
    /// Day D of each month (statements); shorter months use their last day.
    DayOfMonth(u32),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Step {
    /// 1, 2, ...: later steps are more advanced (firmer tone).
    pub position: i64,
    pub trigger: Trigger,
    pub template_key: String,
    pub channel: Channel,
    /// A/B: a second template the step alternates with `template_key`, per customer.
    #[serde(default)]
    pub alt_template_key: Option<String>,
}

/// Which of a step's two templates a customer gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Variant {
    A,
    B,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::A => "a",
            Variant::B => "b",
        }
    }
    fn from_db(s: &str) -> Option<Variant> {
        match s {
            "a" => Some(Variant::A),
            "b" => Some(Variant::B),
            _ => None,
        }
    }
}

impl Step {
    /// A single-template step.
    pub fn new(position: i64, trigger: Trigger, template_key: &str, channel: Channel) -> Step {
        Step {
            position,
            trigger,
            template_key: template_key.to_string(),
            channel,
            alt_template_key: None,
        }
    }

    /// The variant `customer_id` gets at this step (None without a second template) and its
    /// template. The choice is a fixed hash of campaign, step and customer, never random, so a
    /// rerun (or a crash repair) picks the same variant; over many customers it splits in half.
    pub fn variant_for(&self, campaign_id: i64, customer_id: i64) -> (Option<Variant>, &str) {
        let Some(alt) = &self.alt_template_key else {
            return (None, &self.template_key);
        };
        if mix(campaign_id, self.position, customer_id) & 1 == 1 {
            (Some(Variant::B), alt)
        } else {
            (Some(Variant::A), &self.template_key)
        }
    }

    /// The template of `variant` (A when the step has no second template).
    pub fn template_of(&self, variant: Option<Variant>) -> &str {
        match (variant, &self.alt_template_key) {
            (Some(Variant::B), Some(alt)) => alt,
            _ => &self.template_key,
        }
    }
}

/// splitmix64 over the three ids: stable across builds and platforms (std's hasher is not).
fn mix(campaign_id: i64, position: i64, customer_id: i64) -> u64 {
    let mut z = (campaign_id as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((position as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9))
        .wrapping_add(customer_id as u64);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
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
        }
    }
}

pub const DEFAULT_MIN_GAP_DAYS: i64 = 15;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    pub audience: Audience,
    /// Ordered by position.
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
    /// When the user confirmed its activation after seeing the backlog (see [`activation`]);
    /// None: never, so it sends nothing, active or not.
    #[serde(default)]
    pub confirmed_at: Option<String>,
    /// The first message of a customer already past the first overdue step, chosen at
    /// activation; None: their step.
    #[serde(default)]
    pub catch_up: Option<CatchUp>,
}

impl Campaign {
    /// Whether runs send it: switched on and its activation confirmed.
    pub fn sends(&self) -> bool {
        self.active && self.confirmed_at.is_some()
    }

    pub fn step(&self, position: i64) -> Option<&Step> {
        self.steps.iter().find(|s| s.position == position)
    }
}

fn step_id(conn: &Connection, campaign_id: i64, position: i64) -> CampaignResult<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM campaign_steps WHERE campaign_id = ?1 AND position = ?2")?
        .query_row(params![campaign_id, position], |r| r.get(0))
        .optional()?)
}

/// The stored (JSON) forms of a campaign's audience and holiday list.
fn stored_rules(new: &NewCampaign) -> CampaignResult<(String, String)> {
    let audience = serde_json::to_string(&new.audience)
        .map_err(|e| CampaignError::Invalid(format!("audience: {e}")))?;
    let holidays: Vec<String> = new.holidays.iter().map(|d| d.to_string()).collect();
    let holidays = serde_json::to_string(&holidays)
        .map_err(|e| CampaignError::Invalid(format!("holidays: {e}")))?;
    Ok((audience, holidays))
}

/// Writes the campaign's steps by position: a position kept is updated in place (its id, which
/// sent messages point to for results, stays), a new one is added, a missing one is removed.
fn save_steps(conn: &Connection, campaign_id: i64, steps: &[Step]) -> CampaignResult<()> {
    let positions: Vec<String> = steps.iter().map(|s| s.position.to_string()).collect();
    conn.execute(
        "DELETE FROM campaign_steps WHERE campaign_id = ?1
           AND position NOT IN (SELECT value FROM json_each(?2))",
        params![campaign_id, format!("[{}]", positions.join(","))],
    )?;
    let mut upsert = conn.prepare_cached(
        "INSERT INTO campaign_steps (campaign_id, position, trigger, offset_days, day_of_month,
                                     template_key, channel, alt_template_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (campaign_id, position) DO UPDATE SET
             trigger = excluded.trigger, offset_days = excluded.offset_days,
             day_of_month = excluded.day_of_month, template_key = excluded.template_key,
             channel = excluded.channel, alt_template_key = excluded.alt_template_key",
    )?;
    for s in steps {
        let (trigger, offset, day) = match s.trigger {
            Trigger::DueOffset(n) => ("due_offset", Some(n), None),
            Trigger::DayOfMonth(d) => ("day_of_month", None, Some(d)),
        };
        upsert.execute(params![
            campaign_id,
            s.position,
            trigger,
            offset,
            day,
            s.template_key.trim(),
            s.channel.as_str(),
            s.alt_template_key.as_deref().map(str::trim)
        ])?;
    }
    Ok(())
}

/// Stores a campaign and its steps; returns its id. One created active counts as confirmed:
/// the caller decided (seeding, tests, a file of campaigns already running). What the user
/// creates goes through [`create_pending`].
pub fn create(conn: &Connection, new: &NewCampaign) -> CampaignResult<i64> {
    insert(conn, new, new.active)
}

/// Stores a campaign the user made (in the app or from a preset) never confirmed: it sends
/// nothing until [`activation::activate`] confirms its backlog summary, even when `active`.
pub fn create_pending(conn: &Connection, new: &NewCampaign) -> CampaignResult<i64> {
    insert(conn, new, false)
}

fn insert(conn: &Connection, new: &NewCampaign, confirmed: bool) -> CampaignResult<i64> {
    let new = &input::checked(new)?;
    let (audience, holidays) = stored_rules(new)?;
    let tx = conn.unchecked_transaction()?;
    let now = now_timestamp();
    tx.execute(
        "INSERT INTO campaigns (name, audience, min_gap_days, active, quiet_weekends, holidays,
                                daily_cap, escalation, created_at, updated_at, confirmed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?9, ?8, ?8, CASE WHEN ?10 THEN ?8 END)",
        params![
            new.name.trim(),
            audience,
            new.min_gap_days,
            new.active,
            new.quiet_weekends,
            holidays,
            new.daily_cap,
            now,
            new.escalation.as_str(),
            confirmed
        ],
    )?;
    let id = tx.last_insert_rowid();
    save_steps(&tx, id, &new.steps)?;
    tx.commit()?;
    Ok(id)
}

/// Replaces campaign `id`'s name, audience, steps and rules with `new`, checked like
/// [`create`]: a refused edit changes nothing.
///
/// Reminder state (`invoice_reminders`) is kept per invoice by step position, and an invoice
/// counts as having received every due-date step up to the most advanced position it received
/// (see [`plan`]). So no step is ever sent again after an edit, and none goes backwards:
/// - a step whose timing, template or channel changed keeps its position: invoices that
///   received it are not sent it again, the others get it on its new date;
/// - a step removed from the end: invoices that had received it are past every remaining
///   step, so the campaign sends them nothing more;
/// - steps that move (renumbered, or a step removed before them): state follows the position,
///   not the content — an invoice that received position N counts as having received whatever
///   step is at N now, and goes on with N + 1.
///
/// Day-of-month (statement) steps are per month, so an edit does not change what a month got.
pub fn update(conn: &Connection, id: i64, new: &NewCampaign) -> CampaignResult<()> {
    let new = &input::checked(new)?;
    let (audience, holidays) = stored_rules(new)?;
    let tx = conn.unchecked_transaction()?;
    let changed = tx.execute(
        "UPDATE campaigns SET name = ?2, audience = ?3, min_gap_days = ?4, active = ?5,
                              quiet_weekends = ?6, holidays = ?7, daily_cap = ?8, updated_at = ?9,
                              escalation = ?10
         WHERE id = ?1",
        params![
            id,
            new.name.trim(),
            audience,
            new.min_gap_days,
            new.active,
            new.quiet_weekends,
            holidays,
            new.daily_cap,
            now_timestamp(),
            new.escalation.as_str()
        ],
    )?;
    if changed == 0 {
        return Err(CampaignError::NotFound(id));
    }
    save_steps(&tx, id, &new.steps)?;
    tx.commit()?;
    Ok(())
}

/// Turns a campaign on or off (only active, confirmed campaigns are run by `run-due`). Turning
/// one on confirms nothing: a never-confirmed campaign goes through [`activation::activate`].
pub fn set_active(conn: &Connection, id: i64, active: bool) -> CampaignResult<()> {
    let n = conn.execute(
        "UPDATE campaigns SET active = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, active, now_timestamp()],
    )?;
    if n == 0 {
        return Err(CampaignError::NotFound(id));
    }
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> CampaignResult<Campaign> {
    let row = conn
        .prepare_cached(
            "SELECT name, audience, min_gap_days, quiet_weekends, holidays, daily_cap, active,
                    escalation, confirmed_at, catch_up
             FROM campaigns WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<i64>>(5)?,
                r.get::<_, bool>(6)?,
                Escalation::from_db(&r.get::<_, String>(7)?),
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?
                    .as_deref()
                    .and_then(CatchUp::from_db),
            ))
        })
        .optional()?
        .ok_or(CampaignError::NotFound(id))?;
    let (
        name,
        audience,
        min_gap_days,
        quiet_weekends,
        holidays,
        daily_cap,
        active,
        escalation,
        confirmed_at,
        catch_up,
    ) = row;
    let audience: Audience = serde_json::from_str(&audience).map_err(|e| {
        CampaignError::Invalid(format!("campaign {id} has an unreadable audience: {e}"))
    })?;
    let holidays: Vec<NaiveDate> = serde_json::from_str(&holidays).map_err(|e| {
        CampaignError::Invalid(format!("campaign {id} has an unreadable holiday list: {e}"))
    })?;
    let mut stmt = conn.prepare_cached(
        "SELECT position, trigger, offset_days, day_of_month, template_key, channel, alt_template_key
         FROM campaign_steps WHERE campaign_id = ?1 ORDER BY position",
    )?;
    let steps = stmt
        .query_map([id], |r| {
            let trigger: String = r.get(1)?;
            let trigger = if trigger == "day_of_month" {
                Trigger::DayOfMonth(r.get::<_, Option<u32>>(3)?.unwrap_or(1))
            } else {
                Trigger::DueOffset(r.get::<_, Option<i64>>(2)?.unwrap_or(0))
            };
            Ok(Step {
                position: r.get(0)?,
                trigger,
                template_key: r.get(4)?,
                channel: Channel::from_db(&r.get::<_, String>(5)?),
                alt_template_key: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Campaign {
        id,
        name,
        audience,
        steps,
        min_gap_days,
        quiet_weekends,
        holidays,
        daily_cap,
        active,
        escalation,
        confirmed_at,
        catch_up,
    })
}

/// Every campaign, oldest first.
pub fn list(conn: &Connection) -> CampaignResult<Vec<Campaign>> {
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM campaigns ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    ids.into_iter().map(|id| get(conn, id)).collect()
}

/// Shipped preset names, as `duebook campaigns preset NAME` accepts them.
pub const PRESET_NAMES: &[&str] = &["friendly", "statements", "high-touch"];

/// The shipped campaigns, ready to [`create`]: by short name (see [`PRESET_NAMES`]).
pub fn preset(name: &str) -> Option<NewCampaign> {
    use Channel::{Call, Email};
    use Trigger::{DayOfMonth, DueOffset};
    let step = Step::new;
    Some(match name {
        "friendly" => NewCampaign::new(
            "Friendly pre-due + 3 overdue steps + final notice",
            vec![
                step(1, DueOffset(-3), "pre-due", Email),
                step(2, DueOffset(7), "overdue-1", Email),
                step(3, DueOffset(30), "overdue-2", Email),
                step(4, DueOffset(60), "overdue-3", Email),
                step(5, DueOffset(90), "final-notice", Email),
            ],
        ),
        "statements" => NewCampaign {
            // A statement is expected monthly whatever the last reminder was.
            min_gap_days: 0,
            ..NewCampaign::new(
                "Monthly statements",
                vec![step(1, DayOfMonth(1), "statement-cover", Email)],
            )
        },
        "high-touch" => NewCampaign {
            audience: Audience {
                min_balance_minor: Some(500_000),
                ..Audience::default()
            },
            ..NewCampaign::new(
                "High-touch: email then call",
                vec![
                    step(1, DueOffset(-5), "pre-due", Email),
                    step(2, DueOffset(1), "overdue-1", Email),
                    step(3, DueOffset(10), "overdue-1", Call),
                    step(4, DueOffset(30), "overdue-2", Email),
                    step(5, DueOffset(45), "overdue-3", Call),
                    step(6, DueOffset(60), "final-notice", Email),
                ],
            )
        },
        _ => return None,
    })
}

/// All shipped presets.
pub fn presets() -> Vec<NewCampaign> {
    PRESET_NAMES.iter().filter_map(|n| preset(n)).collect()
}
