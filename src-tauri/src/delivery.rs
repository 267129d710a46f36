//! Sending the outbox in the background while the window stays responsive.
//!
//! Whoever queues a message calls [`kick`]. One delivery loop runs at a time, on its own
//! connection to the open file (the outbox holds its connection for the whole run); a kick while
//! it runs makes it go round once more afterwards, so nothing queued meanwhile waits for the next
//! kick. The window hears `outbox-changed` (payload [`DeliveryStatus`]) while messages move and
//! when a run ends, and a run that cannot send — no account, keychain locked, another process
//! sending — leaves its reason in [`DeliveryStatus::problem`] instead of failing silently.
//!
//! A message that met an outage or a 4xx stays queued with a time for its next attempt: the
//! loop sets a timer for the earliest and goes round again then. A refused login stops the run
//! (the outbox marks the account as needing attention) and shows a desktop notification; the
//! next kick — a new message, a saved password — tries once more.

use crate::state::AppState;
use duebook_core::mail::outbox::{self, DeliveryReport, MessageState, OutboxError, RetryPolicy};
use duebook_core::mail::transport::AccountMailer;
use duebook_core::mail::{self, MailSetupError};
use duebook_core::store::{Database, DbError};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;
use ts_rs::TS;

pub const OUTBOX_CHANGED_EVENT: &str = "outbox-changed";
/// How often the window is told to look again while messages are on their way (the outbox
/// reports only when a whole run ends).
const REFRESH_WHILE_SENDING: Duration = Duration::from_millis(700);
/// When another process holds the send lease, try again after this long.
const BUSY_RETRY: Duration = Duration::from_secs(30);

/// What the window shows about background sending.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DeliveryStatus {
    pub running: bool,
    /// Why queued messages are not going out, in words for the person; None when all is well.
    pub problem: Option<String>,
}

#[derive(Debug, thiserror::Error)]
enum DeliveryProblem {
    #[error("{0}")]
    NoDatabase(String),
    #[error("queued messages cannot be sent: {0}")]
    Setup(#[from] MailSetupError),
    #[error("queued messages cannot be sent: {0}")]
    Outbox(#[from] OutboxError),
    #[error("queued messages cannot be sent: {0}")]
    Db(#[from] DbError),
    #[error("sending stopped unexpectedly ({0}); please report this")]
    Task(String),
}

/// The app-wide delivery state (managed by Tauri).
#[derive(Default)]
pub struct Delivery {
    inner: Mutex<LoopState>,
}

#[derive(Default)]
struct LoopState {
    running: bool,
    /// A kick arrived while running: go round once more.
    again: bool,
    problem: Option<String>,
    /// When the pending retry timer fires (UTC timestamp as stored), if one is set.
    retry_timer: Option<String>,
}

impl Delivery {
    fn lock(&self) -> MutexGuard<'_, LoopState> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn status(&self) -> DeliveryStatus {
        let state = self.lock();
        DeliveryStatus {
            running: state.running,
            problem: state.problem.clone(),
        }
    }

    /// True when the caller should start the loop; false when one runs (it will go again).
    fn start(&self) -> bool {
        let mut state = self.lock();
        if state.running {
            state.again = true;
            return false;
        }
        state.running = true;
        true
    }

    /// Whether a timer for a retry due `at` is needed (none pending, or the pending one fires
    /// later); remembers it.
    fn wants_timer(&self, at: &str) -> bool {
        let mut state = self.lock();
        if state.retry_timer.as_deref().is_some_and(|t| t <= at) {
            return false;
        }
        state.retry_timer = Some(at.to_string());
        true
    }

    fn timer_fired(&self) {
        self.lock().retry_timer = None;
    }

    /// Records how a round ended; true when another round was asked for meanwhile.
    fn finish_round(&self, problem: Option<String>) -> bool {
        let mut state = self.lock();
        state.problem = problem;
        if state.again {
            state.again = false;
            return true;
        }
        state.running = false;
        false
    }
}

/// Sends every queued message of the open file in the background (see the module comment).
pub fn kick(app: &AppHandle) {
    if !app.state::<Delivery>().start() {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move { run(app).await });
}

/// At start and whenever the window shows another file: a message a process that died left
/// `sending` becomes `uncertain` (never resent on its own), then whatever is queued goes out.
pub fn resume(app: &AppHandle) {
    let recovered = app
        .state::<AppState>()
        .with_db(|db| Ok(outbox::recover_interrupted(db.conn())));
    // No open database: nothing to recover; the window says why.
    if let Ok(Err(e)) = recovered {
        tracing::warn!("cannot check for interrupted messages: {e}");
        eprintln!("duebook-app: cannot check for interrupted messages: {e}");
    }
    kick(app);
}

/// Tells the window to reload messages; nobody listening (the window is closing) is fine.
pub fn notify(app: &AppHandle) {
    let _ = app.emit(OUTBOX_CHANGED_EVENT, app.state::<Delivery>().status());
}

async fn run(app: AppHandle) {
    loop {
        notify(&app);
        let outcome = deliver_queued(&app).await;
        let busy = matches!(
            outcome,
            Err(DeliveryProblem::Outbox(OutboxError::Busy { .. }))
        );
        let report = outcome.as_ref().ok().cloned().flatten();
        let problem = match (&outcome, &report) {
            (Err(e), _) => Some(e.to_string()),
            (Ok(_), Some(r)) => r
                .login_refused
                .as_ref()
                .map(|e| format!("the email account needs attention: {e}"))
                .or_else(|| r.paused.clone()),
            _ => None,
        };
        let again = app.state::<Delivery>().finish_round(problem.clone());
        notify(&app);
        if let Some(r) = &report {
            after_round(&app, r, problem.as_deref());
        }
        if again {
            continue;
        }
        if busy {
            // The other sender may leave messages it was not asked to send.
            tokio::time::sleep(BUSY_RETRY).await;
            kick(&app);
        }
        return;
    }
}

/// A refused login is told on the desktop; a message waiting for a retry gets a timer.
fn after_round(app: &AppHandle, report: &DeliveryReport, problem: Option<&str>) {
    if let (Some(_), Some(problem)) = (&report.login_refused, problem) {
        // No notification daemon (a bare session) must not stop sending.
        let shown = app
            .notification()
            .builder()
            .title("Email account needs attention")
            .body(problem)
            .show();
        if let Err(e) = shown {
            tracing::warn!("cannot show a notification: {e}");
            eprintln!("duebook-app: cannot show a notification: {e}");
        }
    }
    let Some(at) = report.next_retry_at.clone() else {
        return;
    };
    if report.login_refused.is_some() || !app.state::<Delivery>().wants_timer(&at) {
        return;
    }
    let wait = chrono::DateTime::parse_from_rfc3339(&at)
        .map(|t| (t.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_milliseconds())
        .unwrap_or(0)
        .max(0) as u64;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(Duration::from_millis(wait)).await;
        app.state::<Delivery>().timer_fired();
        kick(&app);
    });
}

/// One delivery run over everything queued; None when nothing was queued.
async fn deliver_queued(app: &AppHandle) -> Result<Option<DeliveryReport>, DeliveryProblem> {
    let path = app
        .state::<AppState>()
        .db_path()
        .map_err(|e| DeliveryProblem::NoDatabase(e.to_string()))?;
    let Some((mut db, mailer)) = open_sender(path).await? else {
        return Ok(None);
    };
    let policy = RetryPolicy::default();
    let delivering = outbox::deliver(db.conn_mut(), &mailer, None, &policy);
    tokio::pin!(delivering);
    let result = loop {
        tokio::select! {
            result = &mut delivering => break result,
            _ = tokio::time::sleep(REFRESH_WHILE_SENDING) => notify(app),
        }
    };
    mailer.close().await;
    Ok(Some(result?))
}

/// The sender's own connection and the account's mailer, or None when nothing is queued (then
/// a missing account is no problem yet). Off the async runtime: SQLite and the keychain block.
async fn open_sender(path: PathBuf) -> Result<Option<(Database, AccountMailer)>, DeliveryProblem> {
    tauri::async_runtime::spawn_blocking(move || open_sender_blocking(&path))
        .await
        .map_err(|e| DeliveryProblem::Task(e.to_string()))?
}

fn open_sender_blocking(path: &Path) -> Result<Option<(Database, AccountMailer)>, DeliveryProblem> {
    let db = Database::open(path)?;
    if outbox::count_in_states(db.conn(), &[MessageState::Queued])? == 0 {
        return Ok(None);
    }
    let mailer = mail::account_mailer(db.conn())?;
    Ok(Some((db, mailer)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kick_while_running_makes_the_loop_go_again_once() {
        let delivery = Delivery::default();
        assert!(delivery.start());
        assert!(!delivery.start(), "only one loop at a time");
        assert!(!delivery.start());
        assert!(
            delivery.finish_round(None),
            "the kicks ask for one more round"
        );
        assert!(delivery.status().running);
        assert!(!delivery.finish_round(Some("no account".into())));
        assert_eq!(
            delivery.status(),
            DeliveryStatus {
                running: false,
                problem: Some("no account".into())
            }
        );
        assert!(delivery.start(), "a later kick starts a new loop");
    }

    #[test]
    fn one_retry_timer_for_the_earliest_retry() {
        let delivery = Delivery::default();
        assert!(delivery.wants_timer("2026-12-07T08:00:00.000Z"));
        assert!(
            !delivery.wants_timer("2026-12-07T09:00:00.000Z"),
            "a later one waits"
        );
        assert!(
            delivery.wants_timer("2026-12-06T21:01:00.000Z"),
            "an earlier one"
        );
        delivery.timer_fired();
        assert!(delivery.wants_timer("2026-12-07T09:00:00.000Z"));
    }
}
