//! Sending a campaign run's queued messages: the one loop both the app ("Run now", the
//! scheduler) and `duebook run-due` go through.
//!
//! The messages go to the outbox in chunks; between two chunks the runner asks its
//! [`RunControl`] whether the person paused or cancelled, and after each chunk tells it what
//! was delivered, so a window can show progress. Pausing keeps the rest queued; cancelling takes
//! the rest out of the queue (they stay in the outbox as cancelled and can be resent from
//! there). A refused login or a server that paused the account stops the run with the rest
//! queued (one login attempt per run). Another process holding the send lease is not an error:
//! the rest stays queued for it or for the next run. SQLite refusing a write at once because
//! another runner is queuing is retried a few times ([`deliver_chunk`]).

use crate::mail::outbox::{self, DeliveryReport, OutboxError, RetryPolicy};
use crate::mail::smtp::Mailer;
use crate::store::Database;
use chrono::NaiveDate;
use std::time::Duration;

/// What the person asked for, read between two chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    Go,
    Pause,
    Cancel,
}

/// What the runner tells its caller while it sends.
#[derive(Debug)]
pub enum Progress<'a> {
    /// A pause request took effect: nothing is sent until it is lifted.
    Paused,
    /// Sending goes on after a pause.
    Resumed,
    /// One chunk went to the outbox; this is what it did.
    Delivered(&'a DeliveryReport),
}

/// The caller's side of a run: its pause/cancel requests and where progress goes.
pub trait RunControl {
    fn request(&self) -> Request;
    fn progress(&self, event: Progress<'_>);
}

/// Nobody to ask and nobody listening (`duebook run-due` from cron).
pub struct Unattended;

impl RunControl for Unattended {
    fn request(&self) -> Request {
        Request::Go
    }
    fn progress(&self, _: Progress<'_>) {}
}

/// How a run sends.
#[derive(Debug, Clone)]
pub struct RunnerOptions {
    /// Messages handed to the outbox between two looks at pause/cancel.
    pub chunk: usize,
    /// How often a paused run looks whether it may go on.
    pub pause_poll: Duration,
    /// A wait after every chunk (the app's end-to-end tests slow a run down to pause it).
    pub chunk_delay: Option<Duration>,
}

impl Default for RunnerOptions {
    /// Unattended: the outbox reads its id filter again for every few messages it picks, so
    /// one call with tens of thousands of ids would cost O(n²); 256 keeps it linear.
    fn default() -> Self {
        RunnerOptions {
            chunk: 256,
            pause_poll: Duration::from_millis(250),
            chunk_delay: None,
        }
    }
}

/// Why a run stopped sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Every chunk went to the outbox.
    Done,
    /// Cancelled: this many unsent messages were taken out of the queue.
    Cancelled(usize),
    /// The login was refused or the server paused the account (its words); the rest stays
    /// queued.
    Stopped(String),
    /// Another process holds the send lease until this time; `left` messages stay queued.
    Busy { until: String, left: usize },
}

/// What a run sent: the outbox's reports merged (None when no chunk reached it), and why it
/// ended.
#[derive(Debug)]
pub struct Sent {
    pub delivery: Option<DeliveryReport>,
    pub ending: Ending,
}

/// Sends the messages `ids` of a run on `today` through `mailer` (see the module comment).
/// With no ids, one delivery pass still runs (it marks what a dead runner left `sending`).
pub async fn send<M: Mailer, C: RunControl>(
    db: &mut Database,
    mailer: &M,
    ids: &[i64],
    today: NaiveDate,
    (options, control): (&RunnerOptions, &C),
) -> Result<Sent, OutboxError> {
    let mut delivery = None;
    let chunks: Vec<&[i64]> = if ids.is_empty() {
        vec![&[]]
    } else {
        ids.chunks(options.chunk.max(1)).collect()
    };
    let mut done = 0;
    for chunk in chunks {
        if !wait_while_paused(control, options.pause_poll).await {
            let cancelled = cancel_queued(db, &ids[done..]);
            return Ok(Sent {
                delivery,
                ending: Ending::Cancelled(cancelled),
            });
        }
        let report = match deliver_chunk(db, mailer, chunk, today).await {
            Ok(report) => report,
            Err(OutboxError::Busy { until }) => {
                let ending = Ending::Busy {
                    until,
                    left: ids.len() - done,
                };
                return Ok(Sent { delivery, ending });
            }
            Err(e) => return Err(e),
        };
        control.progress(Progress::Delivered(&report));
        let stop = report.login_refused.clone().or(report.paused.clone());
        merge(delivery.get_or_insert_with(DeliveryReport::default), report);
        if let Some(why) = stop {
            return Ok(Sent {
                delivery,
                ending: Ending::Stopped(why),
            });
        }
        done += chunk.len();
        if let Some(delay) = options.chunk_delay {
            tokio::time::sleep(delay).await;
        }
    }
    Ok(Sent {
        delivery,
        ending: Ending::Done,
    })
}

/// False when the run was cancelled (while paused or not).
async fn wait_while_paused<C: RunControl>(control: &C, poll: Duration) -> bool {
    let mut paused = false;
    loop {
        match control.request() {
            Request::Cancel => return false,
            Request::Go => {
                if paused {
                    control.progress(Progress::Resumed);
                }
                return true;
            }
            Request::Pause if !paused => {
                control.progress(Progress::Paused);
                paused = true;
            }
            Request::Pause => {}
        }
        tokio::time::sleep(poll).await;
    }
}

/// Takes the run's unsent messages out of the queue; returns how many.
fn cancel_queued(db: &Database, ids: &[i64]) -> usize {
    // A message no longer queued (another sender took it) simply is not cancelled.
    ids.iter()
        .filter(|id| outbox::cancel(db.conn(), **id).is_ok())
        .count()
}

/// Times SQLite may refuse a write at once before the run gives up.
const LOCKED_RETRIES: u64 = 5;

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
            Err(ref e) if is_locked(e) && attempt < LOCKED_RETRIES => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
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
        OutboxError::Db(crate::store::DbError::Sqlite(err))
            if matches!(
                err.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            )
    )
}
