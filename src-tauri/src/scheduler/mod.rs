//! Campaign runs inside the app: the background scheduler and "Run now".
//!
//! The scheduler wakes every minute and asks [`schedule::is_due`] whether today's run is due
//! (once a day, and once on waking from a sleep through the planned time). A due run queues
//! what the active campaigns plan for today and hands delivery to [`crate::delivery`], like
//! `duebook run-due` from cron would.
//!
//! A run started by hand queues the same way, then sends its own messages through the core's
//! [`runner`] in small chunks, so the window can show progress and pause, resume or cancel
//! between chunks ([`WindowControl`] forwards both). The outbox's unique send keys make every
//! rerun safe: a message queued once is never queued again.

mod notify;
mod progress;

use crate::delivery;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::test_hooks::{self, Pause};
use chrono::{Local, NaiveDate, Utc};
use duebook_core::campaign::run;
use duebook_core::campaign::runner::{self, Ending, Progress, Request, RunControl, RunnerOptions};
use duebook_core::campaign::schedule;
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::mail::{self, transport::AccountMailer};
use duebook_core::store::Database;
use progress::{count, summaries};
pub use progress::{RunPhase, RunProgress, Scheduler};
use std::path::PathBuf;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager};

/// The window hears every change of a run under this name (payload [`RunProgress`]).
pub const RUN_EVENT: &str = "campaign-run";
const TICK: Duration = Duration::from_secs(60);
/// Messages sent between two looks at pause/cancel.
const SEND_CHUNK: usize = 5;
const PAUSE_POLL: Duration = Duration::from_millis(250);

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

/// See [`schedule::is_due`]; no open file (or one that cannot be read) is never due.
fn run_is_due(app: &AppHandle) -> bool {
    app.state::<AppState>()
        .with_db(|db| {
            schedule::is_due(db.conn(), Utc::now())
                .map_err(crate::commands::campaigns::campaign_error)
        })
        .unwrap_or(false)
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
                tracing::warn!("campaign run failed: {e}");
                p.phase = RunPhase::Failed;
                p.message = Some(e.to_string());
            }
        });
        if let Some(progress) = finished.filter(|p| !p.dry_run) {
            notify::notify_desktop(&app, &progress);
        }
    });
    Ok(progress)
}

async fn execute(app: &AppHandle, manual: bool, dry_run: bool) -> CommandResult<()> {
    if !manual {
        // Moved on before running: a failed run is tried again tomorrow, not every minute.
        app.state::<AppState>()
            .write(|conn| schedule::move_on(conn, Local::now()))?;
    }
    let today = SystemClock.today();
    let queued = queue(app, today, dry_run).await?;
    if dry_run || queued.is_empty() {
        return Ok(());
    }
    if manual {
        send(app, &queued, today).await
    } else {
        delivery::kick(app);
        Ok(())
    }
}

/// Plans and queues today's messages and call tasks; returns the ids queued (or found queued).
async fn queue(app: &AppHandle, today: NaiveDate, dry_run: bool) -> CommandResult<Vec<i64>> {
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

/// A sending connection of its own (the outbox holds it for a whole chunk) and the mailer.
fn open_sender(path: PathBuf) -> CommandResult<(Database, AccountMailer)> {
    let db = Database::open(&path)?;
    let mailer = mail::account_mailer(db.conn())
        .map_err(|e| CommandError::InvalidInput(format!("cannot send: {e}")))?;
    Ok((db, mailer))
}

/// Sends the run's messages through the core's runner, the window's pause and cancel
/// requests between chunks.
async fn send(app: &AppHandle, ids: &[i64], today: NaiveDate) -> CommandResult<()> {
    let path = app.state::<AppState>().db_path()?;
    let (mut db, mailer) =
        tauri::async_runtime::spawn_blocking(move || open_sender(path)).await??;
    let options = RunnerOptions {
        chunk: SEND_CHUNK,
        pause_poll: PAUSE_POLL,
        chunk_delay: test_hooks::pause(Pause::RunChunk),
    };
    let control = WindowControl(app);
    let sent = runner::send(&mut db, &mailer, ids, today, (&options, &control)).await;
    mailer.close().await;
    let sent = sent.map_err(|e| CommandError::Database(format!("sending stopped: {e}")));
    let mut retry_later = false;
    if let Ok(sent) = &sent {
        // One login attempt per run: a refused login or a paused account waits for a kick.
        retry_later = !matches!(sent.ending, Ending::Stopped(_))
            && sent.delivery.as_ref().is_some_and(|d| d.waiting > 0);
        tell_ending(app, &sent.ending);
    }
    if retry_later {
        // Messages left waiting for a retry (an outage, a 4xx) get the delivery loop's timer.
        delivery::kick(app);
    } else {
        delivery::notify(app);
    }
    sent.map(|_| ())
}

/// Shows why a run stopped early; another process sending gets the delivery loop's retry.
fn tell_ending(app: &AppHandle, ending: &Ending) {
    match ending {
        Ending::Done => {}
        Ending::Cancelled(cancelled) => {
            emit(app, |p| {
                p.cancelled = count(*cancelled);
                p.phase = RunPhase::Cancelled;
            });
        }
        Ending::Stopped(why) => {
            emit(app, |p| p.message = Some(why.clone()));
        }
        Ending::Busy { until, .. } => {
            emit(app, |p| {
                p.message = Some(format!(
                    "another Duebook process is sending (until {until}); the rest stays queued and goes out with it or with the next run"
                ));
            });
            delivery::kick(app);
        }
    }
}

/// The window's side of a run: its Pause/Cancel buttons, and progress as Tauri events.
struct WindowControl<'a>(&'a AppHandle);

impl RunControl for WindowControl<'_> {
    fn request(&self) -> Request {
        match self.0.state::<Scheduler>().requests() {
            (_, true) => Request::Cancel,
            (true, false) => Request::Pause,
            (false, false) => Request::Go,
        }
    }

    fn progress(&self, event: Progress<'_>) {
        match event {
            Progress::Paused => {
                emit(self.0, |p| p.phase = RunPhase::Paused);
            }
            Progress::Resumed => {
                emit(self.0, |p| p.phase = RunPhase::Sending);
            }
            Progress::Delivered(report) => {
                emit(self.0, |p| {
                    p.sent += count(report.sent.len());
                    p.failed += count(report.failed.len());
                    p.uncertain += count(report.uncertain.len());
                    p.done = p.sent + p.failed + p.uncertain;
                });
                delivery::notify(self.0);
            }
        }
    }
}
