//! Running campaigns: plans become outbox messages and call tasks, then the outbox delivers.
//!
//! Crash safety: every email is queued under its send key
//! (`campaign:{id}:step:{pos}:customer:{id}:{date}`), so a rerun the same day finds it already
//! queued and never queues it twice. The per-invoice reminder state is written right after the
//! enqueue; `outbox::enqueue` runs its own transaction, so the two cannot share one yet — instead
//! [`reconcile`] repairs, at the start of every run, reminder state missing for a campaign
//! message (a crash between the two writes). Call tasks and their reminder state are written in
//! one transaction. Delivery goes through [`outbox::deliver`], which holds the send lease, so
//! two runners never send at once.
//!
//! A step counts once its message is delivered: while the message waits (queued for a retry
//! after an outage, or behind a refused login) the plan shows the customer as "retrying" and
//! offers nothing else ([`super::in_flight`]); a message that fails for good or is cancelled gives its
//! reminder rows back (a trigger, migration 11), so the customer stays on the same step.
//!
//! Statements: the email of a day-of-month step (the "Monthly statements" preset) carries the
//! customer's statement of account as a PDF, dated the run's date.
//!
//! Catch-up: a run only considers what is due on its date (each invoice at its most advanced
//! reached step), so after days switched off it sends once, not once per missed day.

mod charge;
mod digest;
mod execute;
pub mod fingerprint;
mod offer;
mod owner;
mod reconcile;

use execute::execute;
pub use reconcile::reconcile;

use super::calendar::{quiet_day, Reach};
use super::catch_up;
use super::credit_rule;
use super::instalments::{self, PlannedInstalment};
use super::plan::room::apply_account_room;
use super::plan::{plan_alone, stale_warning, Plan, PlannedContact};
use super::runner::{self, Ending, RunnerOptions, Unattended};
use super::storage::step_id;
use super::thanks;
use super::{list, Campaign, CampaignResult, Channel, Trigger, Variant};
use crate::mail::account::{self, AccountSettings};
use crate::mail::compose::{self, Attachment, PreparedEmail, SendRequest};
use crate::mail::outbox::{self, DeliveryReport, MessageMeta, MessageState, OutboxError};
use crate::mail::smtp::Mailer;
use crate::mail::templates::{self, Renderer};
use crate::model::text::clean_line;
use crate::model::TaskKind;
use crate::statement::{self, StatementOptions};
use crate::store::tasks::{self, NewTask};
use crate::store::{now_timestamp, Database};
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct CampaignRun {
    pub campaign_id: i64,
    pub name: String,
    pub plan: Plan,
    /// Outbox ids of the messages queued by this run, or found already queued under their key.
    pub messages: Vec<i64>,
    /// Of those, the ones an earlier (interrupted) run had queued already.
    pub already_queued: Vec<i64>,
    /// Call tasks created.
    pub tasks: Vec<i64>,
    /// Of `messages`, the thank-yous on payment (see [`super::thanks`]).
    pub thank_yous: Vec<i64>,
    /// Customers whose email could not be prepared, with the reason (also in the outbox as a
    /// failed message; retried next run).
    pub failed: Vec<(i64, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub date: NaiveDate,
    pub dry_run: bool,
    pub campaigns: Vec<CampaignRun>,
    /// Campaign messages an earlier, interrupted run left queued; delivered by this run.
    pub resumed: Vec<i64>,
    /// Set when another process held the send lease, so delivery was left to a later run.
    pub deferred: Option<String>,
    /// Balances may be out of date (see [`super::plan::stale_warning`]); the run went ahead.
    pub stale_data: Option<String>,
    /// Payment plan instalments reminded today, or why not (see [`super::instalments`]).
    pub instalments: Vec<PlannedInstalment>,
    /// Outbox ids of the instalment reminders queued (or found queued) by this run.
    pub instalment_messages: Vec<i64>,
    /// Customers whose instalment reminder could not be prepared, with the reason.
    pub instalment_failed: Vec<(i64, String)>,
    /// Call tasks for payment plans found broken by this run (see [`super::instalments`]).
    pub broken_plan_calls: Vec<i64>,
    /// What the outbox did with the queued messages (None on a dry run or with nothing queued).
    #[serde(skip)]
    pub delivery: Option<Box<DeliveryReport>>,
}

impl RunReport {
    /// Whether any campaign planned a contact (email or call task), a thank-you, a credit
    /// notice or hold, or an owner notice.
    pub fn plans_anything(&self) -> bool {
        self.instalments.iter().any(|i| i.skipped.is_none())
            || self.campaigns.iter().any(|c| {
                !c.plan.contacts.is_empty()
                    || !c.plan.thanks.is_empty()
                    || !c.plan.credit.is_empty()
                    || c.plan.owner_notices.iter().any(|n| n.owner_email.is_some())
                    || c.plan.digests.iter().any(|d| d.owner_email.is_some())
            })
    }

    /// Every message prepared and handed over (none deferred to another runner): what is left
    /// to send now depends only on the data, so the run may record its fingerprint.
    fn settled_cleanly(&self) -> bool {
        self.deferred.is_none()
            && self.instalment_failed.is_empty()
            && self.campaigns.iter().all(|c| c.failed.is_empty())
            && self
                .delivery
                .as_ref()
                .is_none_or(|d| d.login_refused.is_none() && d.paused.is_none())
    }
}

/// Plans every active campaign for `today` without writing anything; the account's daily
/// room is shared by all of them, most urgent customers first.
pub fn plan_all(conn: &Connection, today: NaiveDate) -> CampaignResult<Vec<(Campaign, Plan)>> {
    let mut out = Vec::new();
    for campaign in list(conn)?.into_iter().filter(Campaign::sends) {
        let plan = plan_alone(conn, &campaign, today)?;
        out.push((campaign, plan));
    }
    let mut all: Vec<(&Campaign, &mut Plan)> = out.iter_mut().map(|(c, p)| (&*c, p)).collect();
    apply_account_room(conn, today, &mut all)?;
    Ok(out)
}

/// When every active campaign is on a quiet day (weekend, holiday) on `today`: each with the
/// reason. Nothing can be sent then, so a run need not plan. None when some active campaign
/// may send, or when none is active.
pub fn quiet_everywhere(
    conn: &Connection,
    today: NaiveDate,
) -> CampaignResult<Option<Vec<(Campaign, String)>>> {
    let mut quiet = Vec::new();
    for campaign in list(conn)?.into_iter().filter(Campaign::sends) {
        let Some(reason) = quiet_day(&campaign, today) else {
            return Ok(None);
        };
        quiet.push((campaign, reason));
    }
    Ok((!quiet.is_empty()).then_some(quiet))
}

/// Runs what is due on `today` for every active, confirmed campaign: queues the emails, creates the call
/// tasks, records reminder state, then delivers the queued messages through `mailer` with the
/// [`runner`]. With `dry_run` only plans (nothing is written or sent).
pub async fn run_due<M: Mailer>(
    db_path: &Path,
    mailer: &M,
    today: NaiveDate,
    dry_run: bool,
) -> CampaignResult<RunReport> {
    let mut db = Database::open(db_path)?;
    let mut report = enqueue_due(&db, today, dry_run)?;
    if dry_run {
        return Ok(report);
    }
    let mut ids: Vec<i64> = report.instalment_messages.clone();
    ids.extend(
        report
            .campaigns
            .iter()
            .flat_map(|c| c.messages.iter().copied()),
    );
    let queued_now: HashSet<i64> = ids.iter().copied().collect();
    report.resumed = left_queued(db.conn())?
        .into_iter()
        .filter(|id| !queued_now.contains(id))
        .collect();
    ids.extend(&report.resumed);
    // Nothing to send, but a runner died mid-send: one delivery pass marks those messages
    // uncertain (unless their runner still holds the lease) so the user sees them.
    if !ids.is_empty() || !left_sending(db.conn())?.is_empty() {
        let control = (&RunnerOptions::default(), &Unattended);
        let sent = runner::send(&mut db, mailer, &ids, today, control).await?;
        report.delivery = sent.delivery.map(Box::new);
        // Another runner (the app, a second cron job) holds the send lease: the messages
        // stay queued under their keys and the next run (or that runner) sends them.
        if let Ending::Busy { until, left } = sent.ending {
            report.deferred = Some(format!(
                "another Duebook process is sending (until {until}); {left} message(s) stay queued for the next run"
            ));
        }
    }
    if report.settled_cleanly() {
        fingerprint::settle(db.conn(), today)?;
    }
    Ok(report)
}

/// The first half of [`run_due`]: plans and queues (or only plans, with `dry_run`). A real run
/// backs the file up first (reason before-send), so the state before a bulk send can be restored.
pub fn enqueue_due(db: &Database, today: NaiveDate, dry_run: bool) -> CampaignResult<RunReport> {
    if !dry_run {
        crate::store::backup::before(db, crate::store::backup::Reason::BeforeSend)?;
    }
    let conn = db.conn();
    if !dry_run {
        thanks::notice(conn, today)?;
    }
    // Before the campaigns: queued first, the reminders take their room of the day's limit.
    let standing = crate::store::plans::all_standing(conn, today)?;
    let planned = instalments::plan_reminders(conn, &standing, today)?;
    let mut queued = super::Queued::default();
    let broken_plan_calls = match dry_run {
        true => Vec::new(),
        false => instalments::flag_broken(conn, &standing, today)?,
    };
    if !dry_run && planned.iter().any(|p| p.skipped.is_none()) {
        let account = account::require(conn).map_err(compose::ComposeError::from)?;
        queued = instalments::queue_reminders(conn, &planned, today, &account)?;
    }
    let campaigns: Vec<Campaign> = list(conn)?.into_iter().filter(Campaign::sends).collect();
    let mut plans = Vec::with_capacity(campaigns.len());
    for campaign in &campaigns {
        if !dry_run {
            reconcile(conn, campaign)?;
        }
        plans.push(plan_alone(conn, campaign, today)?);
    }
    // The account's daily room is shared: applied once over every campaign's emails.
    let mut all: Vec<(&Campaign, &mut Plan)> = campaigns.iter().zip(plans.iter_mut()).collect();
    apply_account_room(conn, today, &mut all)?;
    let mut runs = Vec::with_capacity(campaigns.len());
    for (campaign, plan) in campaigns.iter().zip(plans) {
        let mut run = CampaignRun {
            campaign_id: campaign.id,
            name: campaign.name.clone(),
            plan,
            messages: Vec::new(),
            already_queued: Vec::new(),
            tasks: Vec::new(),
            thank_yous: Vec::new(),
            failed: Vec::new(),
        };
        if !dry_run {
            execute(conn, campaign, today, &mut run)?;
        }
        runs.push(run);
    }
    // Every plan of the run carries the same warning; read it again only without a plan.
    let stale_data = match runs.first() {
        Some(run) => run.plan.stale_data.clone(),
        None => stale_warning(conn, today)?,
    };
    Ok(RunReport {
        date: today,
        dry_run,
        campaigns: runs,
        resumed: Vec::new(),
        deferred: None,
        stale_data,
        instalments: planned,
        instalment_messages: queued.messages,
        instalment_failed: queued.failed,
        broken_plan_calls,
        delivery: None,
    })
}

/// Campaign messages still queued (a run stopped before delivering them).
pub fn left_queued(conn: &Connection) -> CampaignResult<Vec<i64>> {
    campaign_messages_in(conn, MessageState::Queued)
}

/// Campaign messages marked as being sent: by a runner at work now, or by one that died
/// mid-send (the outbox turns those into `uncertain` when it next delivers).
pub fn left_sending(conn: &Connection) -> CampaignResult<Vec<i64>> {
    campaign_messages_in(conn, MessageState::Sending)
}

fn campaign_messages_in(conn: &Connection, state: MessageState) -> CampaignResult<Vec<i64>> {
    Ok(conn
        // The IN list repeats the partial index messages_state's condition, so SQLite reads
        // that small index instead of every stored message.
        .prepare_cached(
            "SELECT id FROM messages
             WHERE state IN ('queued', 'sending', 'uncertain') AND state = ?1
               AND (send_key LIKE 'campaign:%' OR send_key LIKE 'plan:%')
             ORDER BY id",
        )?
        .query_map([state.as_str()], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}
