//! Campaign runs inside the app: the background scheduler and "Run now".
//!
//! The scheduler wakes every minute and compares the wall clock with the next-run time kept in
//! the settings table, so a laptop that slept through the planned time runs once on waking (and
//! a restart does not run again). A due run queues what the active campaigns plan for today and
//! hands delivery to [`crate::delivery`], like `duebook run-due` from cron would.
//!
//! A run started by hand queues the same way, then sends its own messages in small chunks so the
//! window can show progress and pause, resume or cancel between chunks. Pausing keeps the rest
//! queued; cancelling takes the rest out of the queue (they stay in the outbox as cancelled and
//! can be resent from there). The outbox's unique send keys make every rerun safe: a message
//! queued once is never queued again. Another process holding the send lease (a cron
//! `run-due`) is not an error: its messages stay queued and the lease holder or a later run sends
//! them.

use crate::delivery;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::test_hooks::{self, Pause};
use chrono::{DateTime, Days, Local, NaiveTime, TimeZone, Utc};
use duebook_core::campaign::run::{self, RunReport};
use duebook_core::campaign::{self, Campaign};
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::mail::outbox::{self, DeliveryReport, OutboxError, RetryPolicy};
use duebook_core::mail::smtp::{MailerOptions, SmtpMailer};
use duebook_core::mail::{self};
use duebook_core::secrets::KeychainStore;
use duebook_core::store::settings;
use duebook_core::store::Database;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;
use ts_rs::TS;

/// The window hears every change of a run under this name (payload [`RunProgress`]).
pub const RUN_EVENT: &str = "campaign-run";
/// RFC 3339 time of the next scheduled run, in the settings table.
const NEXT_RUN_KEY: &str = "campaigns_next_run";
const TICK: Duration = Duration::from_secs(60);
/// Scheduled runs happen at this local hour (the first one as soon as the app is open).
const RUN_HOUR: u32 = 8;
/// Messages sent between two looks at pause/cancel.
const SEND_CHUNK: usize = 5;
const PAUSE_POLL: Duration = Duration::from_millis(250);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RunPhase {
    Queueing,
    Sending,
    Paused,
    Finished,
    Cancelled,
    Failed,
}

/// One campaign's share of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CampaignRunSummary {
    pub campaign_id: i64,
    pub name: String,
    pub emails: u32,
    pub calls: u32,
    pub excluded: u32,
    /// Customers whose email could not be prepared, with why.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RunProgress {
    /// Started from the window (false: the scheduler).
    pub manual: bool,
    /// Only planned: nothing was queued or sent.
    pub dry_run: bool,
    pub phase: RunPhase,
    /// Emails this run queued (or would queue, on a dry run).
    pub total: u32,
    /// Of those, how many have been handed to the server (sent, failed or uncertain).
    pub done: u32,
    pub sent: u32,
    pub failed: u32,
    pub uncertain: u32,
    /// Taken out of the queue by Cancel.
    pub cancelled: u32,
    pub campaigns: Vec<CampaignRunSummary>,
    /// What the person should know: why it failed, that another process is sending ...
    pub message: Option<String>,
}

impl RunProgress {
    fn new(manual: bool, dry_run: bool) -> RunProgress {
        RunProgress {
            manual,
            dry_run,
            phase: RunPhase::Queueing,
            total: 0,
            done: 0,
            sent: 0,
            failed: 0,
            uncertain: 0,
            cancelled: 0,
            campaigns: Vec::new(),
            message: None,
        }
    }

    fn calls(&self) -> u32 {
        self.campaigns.iter().map(|c| c.calls).sum()
    }

    fn is_over(&self) -> bool {
        matches!(
            self.phase,
            RunPhase::Finished | RunPhase::Cancelled | RunPhase::Failed
        )
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The run in progress (or the last one) and the window's pause/cancel requests (managed by
/// Tauri).
#[derive(Default)]
pub struct Scheduler {
    inner: Mutex<Control>,
}

#[derive(Default)]
struct Control {
    progress: Option<RunProgress>,
    pause: bool,
    cancel: bool,
}

impl Control {
    fn under_way(&self) -> Option<&RunProgress> {
        self.progress.as_ref().filter(|p| !p.is_over())
    }
}

impl Scheduler {
    fn lock(&self) -> MutexGuard<'_, Control> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Claims the runner; refuses while a run is under way.
    fn begin(&self, progress: RunProgress) -> CommandResult<()> {
        let mut control = self.lock();
        if control.under_way().is_some() {
            return Err(CommandError::InvalidInput(
                "a campaign run is already under way".into(),
            ));
        }
        *control = Control {
            progress: Some(progress),
            pause: false,
            cancel: false,
        };
        Ok(())
    }

    pub fn status(&self) -> Option<RunProgress> {
        self.lock().progress.clone()
    }

    fn update(&self, change: impl FnOnce(&mut RunProgress)) -> Option<RunProgress> {
        let mut control = self.lock();
        let progress = control.progress.as_mut()?;
        change(progress);
        Some(progress.clone())
    }

    /// Pause (true) or resume (false) a manual run between chunks.
    pub fn set_paused(&self, paused: bool) -> CommandResult<()> {
        let mut control = self.lock();
        if !control
            .progress
            .as_ref()
            .is_some_and(|p| p.manual && !p.is_over())
        {
            return Err(CommandError::InvalidInput(
                "no campaign run started here is under way".into(),
            ));
        }
        control.pause = paused;
        Ok(())
    }

    pub fn request_cancel(&self) -> CommandResult<()> {
        let mut control = self.lock();
        if control.under_way().is_none() {
            return Err(CommandError::InvalidInput(
                "no campaign run is under way".into(),
            ));
        }
        control.cancel = true;
        control.pause = false;
        Ok(())
    }

    fn requests(&self) -> (bool, bool) {
        let control = self.lock();
        (control.pause, control.cancel)
    }
}

fn emit(app: &AppHandle, change: impl FnOnce(&mut RunProgress)) -> Option<RunProgress> {
    let progress = app.state::<Scheduler>().update(change)?;
    // Nobody listening (the window is closing) is fine.
    let _ = app.emit(RUN_EVENT, &progress);
    Some(progress)
}

/// Starts the minute-by-minute check for due runs.
pub fn spawn(app: AppHandle) {
    let tick = test_hooks::pause(Pause::SchedulerTick).unwrap_or(TICK);
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(tick).await;
            if run_is_due(&app) {
                // Refused only while a run started by hand is under way; the next tick looks
                // again.
                let _ = start(&app, false, false);
            }
        }
    });
}

/// True when a campaign that sends (active and confirmed) exists and the stored next-run time has passed (or none is
/// stored yet). Without active campaigns nothing is written to the file.
fn run_is_due(app: &AppHandle) -> bool {
    // None: no active campaign; Some(None): active ones, never run by the scheduler yet.
    let next = app.state::<AppState>().with_db(|db| {
        let campaigns =
            campaign::list(db.conn()).map_err(crate::commands::campaigns::campaign_error)?;
        if !campaigns.iter().any(Campaign::sends) {
            return Ok(None);
        }
        Ok(Some(settings::get(db.conn(), NEXT_RUN_KEY)?))
    });
    match next {
        Ok(Some(Some(text))) => {
            DateTime::parse_from_rfc3339(&text).map_or(true, |at| Utc::now() >= at)
        }
        Ok(Some(None)) => true,
        _ => false,
    }
}

/// Tomorrow at [`RUN_HOUR`] local time.
fn next_run_after(now: DateTime<Local>) -> DateTime<Utc> {
    let tomorrow = now.date_naive() + Days::new(1);
    let at = tomorrow.and_time(NaiveTime::from_hms_opt(RUN_HOUR, 0, 0).unwrap_or_default());
    Local.from_local_datetime(&at).earliest().map_or_else(
        || now.with_timezone(&Utc) + chrono::Duration::days(1),
        |t| t.with_timezone(&Utc),
    )
}

/// Starts a run: `manual` from the window, else the scheduler's. Returns its first progress.
pub fn start(app: &AppHandle, manual: bool, dry_run: bool) -> CommandResult<RunProgress> {
    let progress = RunProgress::new(manual, dry_run);
    app.state::<Scheduler>().begin(progress.clone())?;
    let _ = app.emit(RUN_EVENT, &progress);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let outcome = execute(&app, manual, dry_run).await;
        let finished = emit(&app, |p| match outcome {
            Ok(()) if p.phase != RunPhase::Cancelled => p.phase = RunPhase::Finished,
            Ok(()) => {}
            Err(e) => {
                p.phase = RunPhase::Failed;
                p.message = Some(e.to_string());
            }
        });
        if let Some(progress) = finished.filter(|p| !p.dry_run) {
            notify_desktop(&app, &progress);
        }
    });
    Ok(progress)
}

async fn execute(app: &AppHandle, manual: bool, dry_run: bool) -> CommandResult<()> {
    if !manual {
        // Moved on before running: a run that fails (no account, say) is reported once and
        // tried again tomorrow, not every minute.
        let next = next_run_after(Local::now()).to_rfc3339();
        app.state::<AppState>()
            .write(|conn| settings::set(conn, NEXT_RUN_KEY, &next))?;
    }
    let queued = queue(app, dry_run).await?;
    if dry_run || queued.is_empty() {
        return Ok(());
    }
    if manual {
        send_in_chunks(app, &queued).await
    } else {
        delivery::kick(app);
        Ok(())
    }
}

/// Plans and queues today's messages and call tasks; returns the ids queued (or found queued).
async fn queue(app: &AppHandle, dry_run: bool) -> CommandResult<Vec<i64>> {
    let today = SystemClock.today();
    let handle = app.clone();
    let report = tauri::async_runtime::spawn_blocking(move || {
        handle.state::<AppState>().with_db(|db| {
            run::enqueue_due(db, today, dry_run).map_err(crate::commands::campaigns::campaign_error)
        })
    })
    .await??;
    let ids: Vec<i64> = report
        .campaigns
        .iter()
        .flat_map(|c| c.messages.iter().copied())
        .collect();
    let campaigns = summaries(&report);
    emit(app, |p| {
        // A dry run queues nothing; its total is what would be queued.
        p.total = campaigns.iter().map(|c| c.emails).sum();
        p.campaigns = campaigns;
        p.phase = RunPhase::Sending;
    });
    Ok(ids)
}

fn summaries(report: &RunReport) -> Vec<CampaignRunSummary> {
    report
        .campaigns
        .iter()
        .map(|c| {
            let (emails, calls) = if report.dry_run {
                (c.plan.emails().count(), c.plan.calls().count())
            } else {
                (c.messages.len(), c.tasks.len())
            };
            CampaignRunSummary {
                campaign_id: c.campaign_id,
                name: c.name.clone(),
                emails: count(emails),
                calls: count(calls),
                excluded: count(c.plan.excluded.len()),
                problems: c
                    .failed
                    .iter()
                    .map(|(customer, why)| format!("customer {customer}: {why}"))
                    .collect(),
            }
        })
        .collect()
}

/// A sending connection of its own (the outbox holds it for a whole chunk) and the mailer.
fn open_sender(path: PathBuf) -> CommandResult<(Database, SmtpMailer)> {
    let db = Database::open(&path)?;
    let options = MailerOptions::default()
        .with_env_ca()
        .map_err(|e| CommandError::InvalidInput(format!("cannot send: {e}")))?;
    let mailer = mail::mailer_for_account(db.conn(), &KeychainStore::default(), options)
        .map_err(|e| CommandError::InvalidInput(format!("cannot send: {e}")))?;
    Ok((db, mailer))
}

async fn send_in_chunks(app: &AppHandle, ids: &[i64]) -> CommandResult<()> {
    let path = app.state::<AppState>().db_path()?;
    let (mut db, mailer) =
        tauri::async_runtime::spawn_blocking(move || open_sender(path)).await??;
    let delay = test_hooks::pause(Pause::RunChunk);
    let mut result = Ok(());
    let mut retry_later = false;
    for (index, chunk) in ids.chunks(SEND_CHUNK).enumerate() {
        if !wait_while_paused(app).await {
            let rest = &ids[index * SEND_CHUNK..];
            let cancelled = cancel_queued(&db, rest);
            emit(app, |p| {
                p.cancelled = cancelled;
                p.phase = RunPhase::Cancelled;
            });
            break;
        }
        match outbox::deliver(db.conn_mut(), &mailer, Some(chunk), &RetryPolicy::default()).await {
            Ok(report) => {
                record_chunk(app, &report);
                if report.login_refused.is_some() || report.paused.is_some() {
                    // One login attempt per run, and nothing while the server has paused the
                    // account: the rest stays queued (the outbox says why).
                    let why = report.login_refused.clone().or(report.paused.clone());
                    emit(app, |p| p.message = why);
                    break;
                }
                retry_later |= report.waiting > 0;
            }
            Err(OutboxError::Busy { until }) => {
                emit(app, |p| {
                    p.message = Some(format!(
                        "another Duebook process is sending (until {until}); the rest stays queued and goes out with it or with the next run"
                    ));
                });
                delivery::kick(app);
                break;
            }
            Err(e) => {
                result = Err(CommandError::Database(format!("sending stopped: {e}")));
                break;
            }
        }
        delivery::notify(app);
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
    }
    mailer.close().await;
    if retry_later {
        // Messages left waiting for a retry (an outage, a 4xx) get the delivery loop's timer.
        delivery::kick(app);
    } else {
        delivery::notify(app);
    }
    result
}

fn record_chunk(app: &AppHandle, report: &DeliveryReport) {
    emit(app, |p| {
        p.sent += count(report.sent.len());
        p.failed += count(report.failed.len());
        p.uncertain += count(report.uncertain.len());
        p.done = p.sent + p.failed + p.uncertain;
    });
}

/// False when the run was cancelled (while paused or not).
async fn wait_while_paused(app: &AppHandle) -> bool {
    let mut shown_paused = false;
    loop {
        let (pause, cancel) = app.state::<Scheduler>().requests();
        if cancel {
            return false;
        }
        if !pause {
            if shown_paused {
                emit(app, |p| p.phase = RunPhase::Sending);
            }
            return true;
        }
        if !shown_paused {
            emit(app, |p| p.phase = RunPhase::Paused);
            shown_paused = true;
        }
        tokio::time::sleep(PAUSE_POLL).await;
    }
}

/// Takes the run's unsent messages out of the queue; returns how many.
fn cancel_queued(db: &Database, ids: &[i64]) -> u32 {
    // A message no longer queued (another sender took it) simply is not cancelled.
    count(
        ids.iter()
            .filter(|id| outbox::cancel(db.conn(), **id).is_ok())
            .count(),
    )
}

fn notify_desktop(app: &AppHandle, progress: &RunProgress) {
    let Some((title, body)) = notification_text(progress) else {
        return;
    };
    // No notification daemon (a bare session) must not fail the run.
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        eprintln!("duebook-app: cannot show a notification: {e}");
    }
}

/// What the desktop notification says, or None when the run did nothing worth a word.
fn notification_text(p: &RunProgress) -> Option<(&'static str, String)> {
    let problems: usize = p.campaigns.iter().map(|c| c.problems.len()).sum();
    if p.phase == RunPhase::Failed {
        let why = p.message.clone().unwrap_or_default();
        return Some(("Campaign run needs attention", why));
    }
    if p.failed > 0 || p.uncertain > 0 || problems > 0 {
        return Some((
            "Campaign run needs attention",
            format!(
                "{} sent, {} failed, {} uncertain, {problems} could not be prepared: check the outbox.",
                p.sent, p.failed, p.uncertain
            ),
        ));
    }
    if p.total == 0 && p.calls() == 0 {
        return None;
    }
    let emails = if p.manual {
        format!("{} of {} emails sent", p.sent, p.total)
    } else {
        format!("{} emails queued for sending", p.total)
    };
    Some((
        "Campaign run finished",
        format!("{emails}, {} call tasks added.", p.calls()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn finished(total: u32, sent: u32, failed: u32) -> RunProgress {
        RunProgress {
            phase: RunPhase::Finished,
            total,
            sent,
            failed,
            done: sent + failed,
            ..RunProgress::new(true, false)
        }
    }

    #[test]
    fn the_next_run_is_tomorrow_morning() {
        let now = Local::now();
        let next = next_run_after(now).with_timezone(&Local);
        assert_eq!(next.date_naive(), now.date_naive() + Days::new(1));
        assert_eq!(next.hour(), RUN_HOUR);
    }

    #[test]
    fn one_run_at_a_time_and_controls_only_while_running() {
        let scheduler = Scheduler::default();
        assert!(scheduler.set_paused(true).is_err(), "nothing to pause");
        scheduler.begin(RunProgress::new(true, false)).unwrap();
        assert!(scheduler.begin(RunProgress::new(false, false)).is_err());
        scheduler.set_paused(true).unwrap();
        assert_eq!(scheduler.requests(), (true, false));
        scheduler.request_cancel().unwrap();
        assert_eq!(scheduler.requests(), (false, true), "cancel ends a pause");
        scheduler.update(|p| p.phase = RunPhase::Cancelled);
        assert!(scheduler.request_cancel().is_err());
        scheduler.begin(RunProgress::new(false, false)).unwrap();
        assert!(
            scheduler.set_paused(true).is_err(),
            "scheduled runs hand sending to the outbox"
        );
    }

    #[test]
    fn notifications_say_what_needs_attention() {
        assert_eq!(notification_text(&finished(0, 0, 0)), None);
        let (title, body) = notification_text(&finished(3, 3, 0)).unwrap();
        assert_eq!(title, "Campaign run finished");
        assert_eq!(body, "3 of 3 emails sent, 0 call tasks added.");
        let (title, body) = notification_text(&finished(3, 2, 1)).unwrap();
        assert_eq!(title, "Campaign run needs attention");
        assert!(body.contains("1 failed"));
        let failed = RunProgress {
            phase: RunPhase::Failed,
            message: Some("no email account is set up".into()),
            ..RunProgress::new(false, false)
        };
        assert_eq!(
            notification_text(&failed).unwrap().1,
            "no email account is set up"
        );
    }
}
