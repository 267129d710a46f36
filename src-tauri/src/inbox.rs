//! Reading replies while the app is open (issue 17): the account's mailbox is synced soon after
//! start, then again as soon as IMAP IDLE says INBOX changed, and at the latest after
//! [`IDLE_WAIT`] (or every [`FALLBACK`] when IDLE cannot be used: no IMAP set up yet, a server
//! without IDLE, a dropped connection, a sleeping laptop). "Check for replies" syncs at once.
//!
//! A sync runs on its own connection to the open file in a blocking thread with a small runtime
//! of its own: SQLite and the keychain block, and the core's sync keeps its connection across
//! its awaits. One sync at a time ([`Inbox::lock`]): the loop and the button never read the same
//! messages twice at once. The window hears `inbox-synced` ([`InboxStatus`]) after each sync and
//! reloads what it shows.

use crate::commands::mail_imap::imap_problem;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use chrono::Utc;
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::mail::imap::{SyncError, SyncOptions, SyncReport};
use duebook_core::mail::{self, account};
use duebook_core::secrets::KeychainStore;
use duebook_core::store::Database;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::oneshot;
use ts_rs::TS;

pub const INBOX_EVENT: &str = "inbox-synced";
/// The first sync waits for the window to settle.
const FIRST_SYNC_AFTER: Duration = Duration::from_secs(5);
/// One IDLE at most this long: servers may drop an IDLE after 30 minutes (RFC 2177).
const IDLE_WAIT: Duration = Duration::from_secs(25 * 60);
/// Between syncs when IDLE cannot be used.
const FALLBACK: Duration = Duration::from_secs(5 * 60);

/// What the window shows about reading replies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InboxStatus {
    /// An IMAP server is set up: replies are read.
    pub enabled: bool,
    pub syncing: bool,
    /// When the last sync ended well (UTC, RFC 3339).
    pub last_synced_at: Option<String>,
    pub last_report: Option<SyncReport>,
    /// Why the last sync failed, with what to do; None when all is well.
    pub problem: Option<String>,
}

/// The app-wide state of reading replies (managed by Tauri).
#[derive(Default)]
pub struct Inbox {
    status: Mutex<InboxStatus>,
    /// Held for the whole of a sync.
    syncing: tokio::sync::Mutex<()>,
    /// Cuts the loop's wait short: a sync by hand, a saved account.
    wake: tokio::sync::Notify,
}

impl Inbox {
    fn lock(&self) -> MutexGuard<'_, InboxStatus> {
        self.status.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn status(&self) -> InboxStatus {
        self.lock().clone()
    }

    /// The loop syncs now and waits again (after the account's settings changed).
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// How a sync ended, for the loop's next wait.
enum Ended {
    Synced,
    NotSetUp,
    Failed,
}

/// Starts the loop (see the module comment).
pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(FIRST_SYNC_AFTER).await;
        loop {
            let ended = sync(&app).await;
            let inbox = app.state::<Inbox>();
            let (stop, stopped) = oneshot::channel::<()>();
            let waiting = wait_for_mail(&app, ended, stopped);
            tokio::select! {
                _ = inbox.wake.notified() => drop(stop),
                _ = waiting => {}
            }
        }
    });
}

/// Syncs the open file's mailbox now; the window hears how it went.
async fn sync(app: &AppHandle) -> Ended {
    let inbox = app.state::<Inbox>();
    let _one_at_a_time = inbox.syncing.lock().await;
    let Ok(path) = app.state::<AppState>().db_path() else {
        return Ended::NotSetUp;
    };
    inbox.lock().syncing = true;
    let _ = app.emit(INBOX_EVENT, inbox.status());
    let outcome = tauri::async_runtime::spawn_blocking(move || sync_blocking(path))
        .await
        .unwrap_or_else(|e| {
            Err(format!(
                "reading replies stopped unexpectedly ({e}); please report this"
            ))
        });
    let ended = {
        let mut status = inbox.lock();
        status.syncing = false;
        match outcome {
            Ok(None) => {
                *status = InboxStatus::default();
                Ended::NotSetUp
            }
            Ok(Some(report)) => {
                status.enabled = true;
                status.last_synced_at = Some(Utc::now().to_rfc3339());
                status.last_report = Some(report);
                status.problem = None;
                Ended::Synced
            }
            Err(problem) => {
                // Once per problem, not at every retry.
                if status.problem.as_ref() != Some(&problem) {
                    tracing::warn!("reading replies failed: {problem}");
                }
                status.enabled = true;
                status.problem = Some(problem);
                Ended::Failed
            }
        }
    };
    let _ = app.emit(INBOX_EVENT, inbox.status());
    ended
}

/// One sync of the file at `path`: None when no IMAP server is set up; Err: what went wrong,
/// in words with what to do.
fn sync_blocking(path: PathBuf) -> Result<Option<SyncReport>, String> {
    let db = Database::open(&path).map_err(|e| e.to_string())?;
    match account::load(db.conn()) {
        Ok(Some(settings)) if settings.imap.is_some() => {}
        Ok(_) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    }
    let options = mail::mailer_options().map_err(|e| e.to_string())?;
    let sync = SyncOptions::new(SystemClock.today());
    let synced = runtime()?.block_on(mail::sync_account_mailbox(
        db.conn(),
        &KeychainStore::default(),
        &options,
        &sync,
    ));
    synced.map(Some).map_err(|e| describe(&e))
}

/// Waits for the next sync: IDLE on INBOX after a good sync, else [`FALLBACK`]; ends early
/// when `stopped` fires (the IDLE connection is closed then).
async fn wait_for_mail(app: &AppHandle, ended: Ended, stopped: oneshot::Receiver<()>) {
    let path = app.state::<AppState>().db_path();
    let (Ended::Synced, Ok(path)) = (ended, path) else {
        tokio::time::sleep(FALLBACK).await;
        return;
    };
    let idled = tauri::async_runtime::spawn_blocking(move || idle_blocking(path, stopped)).await;
    if !matches!(idled, Ok(Ok(()))) {
        // No IDLE (or it broke): look again after the fallback.
        tokio::time::sleep(FALLBACK).await;
    }
}

fn idle_blocking(path: PathBuf, stopped: oneshot::Receiver<()>) -> Result<(), String> {
    let db = Database::open(&path).map_err(|e| e.to_string())?;
    let options = mail::mailer_options().map_err(|e| e.to_string())?;
    runtime()?.block_on(async {
        let keychain = KeychainStore::default();
        let idle = mail::wait_for_account_mail(db.conn(), &keychain, &options, IDLE_WAIT);
        tokio::select! {
            waited = idle => waited.map(|_| ()).map_err(|e| describe(&e)),
            _ = stopped => Ok(()),
        }
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start reading replies: {e}"))
}

/// A failed sync in words: for the mailbox, the step (in IMAP's words) and what to do.
fn describe(error: &SyncError) -> String {
    match error {
        SyncError::Mail(e) => {
            let problem = imap_problem(e);
            let mut text = format!(
                "Reading replies failed at {}: {}",
                problem.step_label, problem.message
            );
            if let Some(hint) = problem.hint {
                text.push_str(&format!(" What to do: {hint}"));
            }
            text
        }
        other => format!("Reading replies failed: {other}"),
    }
}

/// "Check for replies": syncs now and returns how it went.
#[tauri::command]
pub async fn check_replies(app: AppHandle) -> CommandResult<InboxStatus> {
    if let Ended::NotSetUp = sync(&app).await {
        return Err(CommandError::InvalidInput(
            "no mailbox to read replies from: set up IMAP in Settings → Email".into(),
        ));
    }
    Ok(app.state::<Inbox>().status())
}

/// How reading replies stands (the window asks once, then listens to `inbox-synced`).
#[tauri::command]
pub async fn inbox_status(inbox: tauri::State<'_, Inbox>) -> CommandResult<InboxStatus> {
    Ok(inbox.status())
}
