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
//! offers nothing else ([`in_flight`]); a message that fails for good or is cancelled gives its
//! reminder rows back (a trigger, migration 11), so the customer stays on the same step.
//!
//! Statements: the email of a day-of-month step (the "Monthly statements" preset) carries the
//! customer's statement of account as a PDF, dated the run's date.
//!
//! Catch-up: a run only considers what is due on its date (each invoice at its most advanced
//! reached step), so after days switched off it sends once, not once per missed day.

use super::activation;
use super::plan::{plan_alone, quiet_day, stale_warning, Plan, PlannedContact, Reach};
use super::room::apply_account_room;
use super::summary::FAILED_AND_WAITING;
use super::{fingerprint, list, step_id, Campaign, CampaignResult, Channel, Trigger, Variant};
use crate::db::{now_timestamp, Database};
use crate::mail::account::{self, AccountSettings};
use crate::mail::compose::{self, Attachment, PreparedEmail, SendRequest};
use crate::mail::outbox::{
    self, DeliveryReport, MessageMeta, MessageState, OutboxError, RetryPolicy, CANCELLED_REASON,
};
use crate::mail::smtp::Mailer;
use crate::mail::templates::{self, Renderer};
use crate::model::text::clean_line;
use crate::model::TaskKind;
use crate::statement::{self, StatementOptions};
use crate::tasks::{self, NewTask};
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
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
    /// What the outbox did with the queued messages (None on a dry run or with nothing queued).
    #[serde(skip)]
    pub delivery: Option<Box<DeliveryReport>>,
}

impl RunReport {
    /// Whether any campaign planned a contact (email or call task).
    pub fn plans_anything(&self) -> bool {
        self.campaigns.iter().any(|c| !c.plan.contacts.is_empty())
    }

    /// Every message prepared and handed over (none deferred to another runner): what is left
    /// to send now depends only on the data, so the run may record its fingerprint.
    fn settled_cleanly(&self) -> bool {
        self.deferred.is_none()
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
/// tasks, records reminder state, then delivers the queued messages through `mailer`. With
/// `dry_run` only plans (nothing is written or sent).
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
    let mut ids: Vec<i64> = report
        .campaigns
        .iter()
        .flat_map(|c| c.messages.iter().copied())
        .collect();
    let queued_now: HashSet<i64> = ids.iter().copied().collect();
    report.resumed = left_queued(db.conn())?
        .into_iter()
        .filter(|id| !queued_now.contains(id))
        .collect();
    ids.extend(&report.resumed);
    let mut batches: Vec<&[i64]> = ids.chunks(DELIVERY_CHUNK).collect();
    if batches.is_empty() && !left_sending(db.conn())?.is_empty() {
        // Nothing to send, but a runner died mid-send: one delivery pass marks those messages
        // uncertain (unless their runner still holds the lease) so the user sees them.
        batches.push(&[]);
    }
    let mut done = 0;
    for chunk in batches {
        match deliver_chunk(&mut db, mailer, chunk, today).await {
            Ok(d) => {
                let stop = d.login_refused.is_some() || d.paused.is_some();
                merge(report.delivery.get_or_insert_with(Default::default), d);
                if stop {
                    // One login attempt per run, and a paused account sends nothing: the rest
                    // stays queued for the next run.
                    break;
                }
            }
            // Another runner (the app, a second cron job) holds the send lease: the messages
            // stay queued under their keys and the next run (or that runner) sends them.
            Err(OutboxError::Busy { until }) => {
                report.deferred = Some(format!(
                    "another Duebook process is sending (until {until}); {} message(s) stay queued for the next run",
                    ids.len() - done
                ));
                break;
            }
            Err(e) => return Err(e.into()),
        }
        done += chunk.len();
    }
    if report.settled_cleanly() {
        fingerprint::settle(db.conn(), today)?;
    }
    Ok(report)
}

/// Ids handed to one `outbox::deliver` call: the outbox reads its id filter again for every
/// few messages it picks, so one call with tens of thousands of ids would cost O(n²).
const DELIVERY_CHUNK: usize = 256;

async fn deliver_chunk<M: Mailer>(
    db: &mut Database,
    mailer: &M,
    ids: &[i64],
    today: NaiveDate,
) -> Result<DeliveryReport, OutboxError> {
    // The run's date is the day its messages count on (a simulated one under `--today`).
    let policy = RetryPolicy {
        sending_day: Some(today),
        ..RetryPolicy::default()
    };
    let mut attempt = 0;
    loop {
        let result = outbox::deliver(db.conn_mut(), mailer, Some(ids), &policy).await;
        // A concurrent writer (another runner queuing) can make SQLite refuse a write at
        // once. Trying again never duplicates: a message already claimed is `sending` and
        // becomes `uncertain`, never resent.
        match result {
            Err(ref e) if is_locked(e) && attempt < 5 => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
            }
            other => return other,
        }
    }
}

fn merge(into: &mut DeliveryReport, more: DeliveryReport) {
    into.sent.extend(more.sent);
    into.failed.extend(more.failed);
    into.uncertain.extend(more.uncertain);
    into.recovered.extend(more.recovered);
    into.retries += more.retries;
    into.waiting += more.waiting;
    into.next_retry_at = match (into.next_retry_at.take(), more.next_retry_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    into.login_refused = into.login_refused.take().or(more.login_refused);
    into.paused = into.paused.take().or(more.paused);
    into.daily_limit = into.daily_limit.take().or(more.daily_limit);
}

fn is_locked(e: &OutboxError) -> bool {
    matches!(
        e,
        OutboxError::Db(crate::db::DbError::Sqlite(err))
            if matches!(
                err.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            )
    )
}

/// The first half of [`run_due`]: plans and queues (or only plans, with `dry_run`).
pub fn enqueue_due(db: &Database, today: NaiveDate, dry_run: bool) -> CampaignResult<RunReport> {
    let conn = db.conn();
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
               AND send_key LIKE 'campaign:%'
             ORDER BY id",
        )?
        .query_map([state.as_str()], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

fn execute(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
    run: &mut CampaignRun,
) -> CampaignResult<()> {
    let started = now_timestamp();
    let emails: Vec<&PlannedContact> = run.plan.emails().collect();
    if !emails.is_empty() {
        let account = account::require(conn).map_err(compose::ComposeError::from)?;
        let mut keys: Vec<&str> = emails.iter().map(|c| c.template_key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        let list = keys
            .iter()
            .map(|k| templates::get(conn, k))
            .collect::<Result<Vec<_>, _>>()
            .map_err(compose::ComposeError::from)?;
        let renderer = Renderer::new(&list).map_err(compose::ComposeError::from)?;
        for contact in emails {
            match queue_email(conn, campaign, contact, today, (&renderer, &account))? {
                Queued::New(id) => run.messages.push(id),
                Queued::Already(id) => {
                    run.already_queued.push(id);
                    run.messages.push(id);
                }
                Queued::Failed(reason) => run.failed.push((contact.customer_id, reason)),
            }
        }
    }
    for contact in run.plan.calls() {
        let tx = conn.unchecked_transaction()?;
        let mut title = format!(
            "Call {} ({}: step {}, {})",
            contact.customer_name, campaign.name, contact.step_position, contact.template_key
        );
        if contact.no_email {
            title.push_str(" — no email address");
        }
        let title: String = clean_line(&title).chars().take(200).collect();
        let task = tasks::add(
            &tx,
            &NewTask {
                customer_id: contact.customer_id,
                kind: TaskKind::Call,
                title: &title,
                due_date: today,
            },
        )?;
        record(&tx, campaign, contact, today, None, Some(task))?;
        tx.commit()?;
        run.tasks.push(task);
    }
    conn.execute(
        "INSERT INTO campaign_runs (campaign_id, run_date, started_at, finished_at, emails, calls, excluded)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            campaign.id,
            today.to_string(),
            started,
            now_timestamp(),
            run.messages.len() as i64,
            run.tasks.len() as i64,
            run.plan.excluded.len() as i64
        ],
    )?;
    Ok(())
}

/// What became of one planned email.
enum Queued {
    New(i64),
    /// An earlier (interrupted) run of the same day had queued it.
    Already(i64),
    /// It could not be prepared or queued: the reason.
    Failed(String),
}

/// Prepares and queues one planned email and records the reminder state it stands for. An email
/// that cannot be prepared (a customer's data no header can carry, a template error ...) is
/// recorded in the outbox as failed with the reason and the run goes on with the next
/// customer; its reminder state stays unwritten, so the next run tries again.
fn queue_email(
    conn: &Connection,
    campaign: &Campaign,
    contact: &PlannedContact,
    today: NaiveDate,
    (renderer, account): (&Renderer, &AccountSettings),
) -> CampaignResult<Queued> {
    let request = SendRequest {
        customer_id: contact.customer_id,
        template_key: contact.template_key.clone(),
        attachments: Vec::new(),
    };
    let mut meta = MessageMeta {
        customer_id: Some(contact.customer_id),
        send_key: Some(contact.send_key.clone()),
        template_key: Some(contact.template_key.clone()),
        campaign_id: Some(campaign.id),
        step_id: step_id(conn, campaign.id, contact.step_position)?,
        invoice_ids: Vec::new(),
    };
    let queued = compose::prepare_with(conn, renderer, account, &request, today)
        .map_err(|e| e.to_string())
        .and_then(|p| attach_statement(conn, campaign, contact, today, p))
        .and_then(|prepared| {
            meta.invoice_ids = prepared.preview.invoice_ids.clone();
            match outbox::enqueue(conn, &prepared.email, &meta) {
                Ok(id) => Ok(Queued::New(id)),
                Err(OutboxError::AlreadyQueued { id, .. }) => Ok(Queued::Already(id)),
                Err(e) => Err(e.to_string()),
            }
        });
    let queued = match queued {
        Ok(queued) => queued,
        Err(reason) => {
            outbox::record_unprepared(conn, &meta, &reason)?;
            return Ok(Queued::Failed(reason));
        }
    };
    if let Queued::New(id) | Queued::Already(id) = queued {
        let tx = conn.unchecked_transaction()?;
        record(&tx, campaign, contact, today, Some(id), None)?;
        tx.commit()?;
    }
    Ok(queued)
}

/// Adds the customer's statement PDF to the email of a day-of-month (statement) step.
fn attach_statement(
    conn: &Connection,
    campaign: &Campaign,
    contact: &PlannedContact,
    today: NaiveDate,
    mut prepared: PreparedEmail,
) -> Result<PreparedEmail, String> {
    let is_statement = campaign
        .step(contact.step_position)
        .is_some_and(|s| matches!(s.trigger, Trigger::DayOfMonth(_)))
        || activation::is_statement_catch_up(campaign, &contact.template_key);
    if !is_statement {
        return Ok(prepared);
    }
    let pdf = statement::render_statement(conn, contact.customer_id, &StatementOptions::new(today))
        .map_err(|e| format!("the statement could not be made: {e}"))?;
    let attachment = Attachment {
        file_name: statement::statement_file_name(
            contact.customer_id,
            &contact.customer_name,
            today,
        ),
        content_type: "application/pdf".into(),
        bytes: pdf,
    };
    compose::attach(&mut prepared, vec![attachment]).map_err(|e| e.to_string())?;
    Ok(prepared)
}

fn record(
    conn: &Connection,
    campaign: &Campaign,
    contact: &PlannedContact,
    today: NaiveDate,
    message_id: Option<i64>,
    task_id: Option<i64>,
) -> CampaignResult<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO invoice_reminders (invoice_id, campaign_id, step_position, period,
             customer_id, template_key, channel, sent_on, message_id, task_id, variant)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let channel = if task_id.is_some() {
        Channel::Call
    } else {
        Channel::Email
    };
    for inv in &contact.invoices {
        let template = match campaign.step(inv.step_position) {
            Some(s) if inv.step_position != contact.step_position => s.template_key.as_str(),
            _ => contact.template_key.as_str(),
        };
        stmt.execute(params![
            inv.invoice_id,
            campaign.id,
            inv.step_position,
            inv.period,
            contact.customer_id,
            template,
            channel.as_str(),
            today.to_string(),
            message_id,
            task_id,
            contact.variant.map(Variant::as_str)
        ])?;
    }
    Ok(())
}

/// A customer whose campaign message has not gone out yet.
pub(super) struct InFlight {
    pub name: String,
    pub step_position: Option<i64>,
    /// What the plan says, e.g. "retrying: the last attempt failed on 2026-04-15: ...".
    pub detail: String,
}

/// The campaign's queued, sending and failed messages, read through the two partial indexes on
/// `state` (migrations 0001 and 0012): their WHERE terms written out as the indexes have them,
/// since SQLite uses a partial index only for a query that repeats its condition. Without them
/// the plan scanned every message ever sent.
const CANDIDATES: &str = "
    SELECT id FROM messages
     WHERE state IN ('queued', 'sending', 'uncertain') AND state <> 'uncertain'
       AND send_key LIKE ?2
    UNION ALL
    SELECT id FROM messages
     WHERE state IN ('failed', 'uncertain') AND state = 'failed' AND send_key LIKE ?2";

/// Customers of `campaign` whose message has not gone out: queued or being sent (retried after
/// a transient failure), or refused for good and waiting for the user to resend or cancel it.
/// Such a customer stays on the step until the message goes out (or the user cancels it), and
/// is never offered another one meanwhile. A message that could not even be prepared (a bad
/// address) holds nothing: the next run prepares it again, from the corrected data.
/// A message the user cancelled today holds the customer until tomorrow: today's send key is
/// taken, and the user has just said "not this one".
pub(super) fn in_flight(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
) -> CampaignResult<HashMap<i64, InFlight>> {
    let pattern = format!("campaign:{}:step:%", campaign.id);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT m.customer_id, c.name, m.send_key, m.created_at, m.attempts, m.last_attempt_at,
                m.failure_reason, m.state
         FROM ({CANDIDATES}) w
         JOIN messages m ON m.id = w.id JOIN customers c ON c.id = m.customer_id
         WHERE m.send_key LIKE ?2 AND (m.state IN ('queued', 'sending')
               OR (m.state = 'failed' AND m.raw_mime IS NOT NULL AND {FAILED_AND_WAITING})
               OR (m.state = 'failed' AND m.failure_reason IS ?1 AND m.send_key LIKE ?3))
         ORDER BY m.id"
    ))?;
    let cancelled_today = format!("%:{today}");
    let rows = stmt.query_map(params![CANCELLED_REASON, &pattern, cancelled_today], |r| {
        let key: String = r.get(2)?;
        let created: String = r.get(3)?;
        let attempts: i64 = r.get(4)?;
        let last: Option<String> = r.get(5)?;
        let reason: Option<String> = r.get(6)?;
        let failed = r.get::<_, String>(7)? == MessageState::Failed.as_str();
        let day = |t: &str| t.get(..10).unwrap_or(t).to_string();
        let detail = match (last, reason) {
            (_, Some(reason)) if failed && reason == CANCELLED_REASON => {
                "cancelled today: offered again on the next run day".to_string()
            }
            (Some(last), Some(reason)) if failed => format!(
                "waiting for your decision: the last attempt failed on {}: {reason} (resend or cancel it in the outbox)",
                day(&last)
            ),
            (Some(last), Some(reason)) if attempts > 0 => format!(
                "retrying: the last attempt failed on {}: {reason}",
                day(&last)
            ),
            (_, Some(reason)) => format!("waiting to be sent: {reason}"),
            _ => format!("waiting to be sent (queued on {})", day(&created)),
        };
        let flight = InFlight {
            name: r.get(1)?,
            step_position: parse_send_key(&key).map(|(_, step, _, _)| step),
            detail: clean_line(&detail),
        };
        Ok((r.get(0)?, flight))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
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

/// Writes reminder state missing for messages this campaign queued (a run that stopped between
/// the enqueue and the state write). Each invoice of the message gets the step it had reached on
/// the message's date. Returns how many messages were repaired.
pub fn reconcile(conn: &Connection, campaign: &Campaign) -> CampaignResult<usize> {
    let pattern = format!("campaign:{}:step:%", campaign.id);
    // A failed message (never prepared, refused for good, cancelled) stands for no reminder:
    // the customer stays on its step and the next run tries again. A resent one counts again.
    let orphans: Vec<(i64, String)> = conn
        .prepare(
            "SELECT m.id, m.send_key FROM messages m
             WHERE m.send_key LIKE ?1 AND m.state <> 'failed'
               AND NOT EXISTS (SELECT 1 FROM invoice_reminders r WHERE r.message_id = m.id)",
        )?
        .query_map([&pattern], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut repaired = 0;
    for (message_id, key) in orphans {
        let Some((_, position, customer_id, date)) = parse_send_key(&key) else {
            continue;
        };
        let invoices: Vec<(i64, String)> = conn
            .prepare_cached(
                "SELECT i.id, i.due_date FROM message_invoices mi JOIN invoices i ON i.id = mi.invoice_id
                 WHERE mi.message_id = ?1",
            )?
            .query_map([message_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        // The variant is a fixed function of the customer, so the repair finds the one sent.
        let variant = campaign
            .step(position)
            .and_then(|s| s.variant_for(campaign.id, customer_id).0);
        let reach = Reach::new(campaign, date);
        let tx = conn.unchecked_transaction()?;
        for (invoice_id, due) in invoices {
            let Ok(due) = due.parse::<NaiveDate>() else {
                continue;
            };
            let Some((p, period)) = reach.target(due) else {
                continue;
            };
            if p > position {
                continue;
            }
            let template = campaign
                .step(p)
                .map_or("", |s| s.template_of(variant.filter(|_| p == position)));
            tx.execute(
                "INSERT OR IGNORE INTO invoice_reminders (invoice_id, campaign_id, step_position, period,
                     customer_id, template_key, channel, sent_on, message_id, task_id, variant)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'email', ?7, ?8, NULL, ?9)",
                params![
                    invoice_id,
                    campaign.id,
                    p,
                    period,
                    customer_id,
                    template,
                    date.to_string(),
                    message_id,
                    variant.map(Variant::as_str)
                ],
            )?;
        }
        tx.commit()?;
        repaired += 1;
    }
    Ok(repaired)
}
