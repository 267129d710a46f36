//! Reading the mailbox: INBOX and the Sent folder, read-only (EXAMINE, `BODY.PEEK[]`: nothing
//! is flagged, moved or deleted), incrementally by UIDVALIDITY + UID ([`state`]).
//!
//! Each folder's new messages — above the last UID looked at and within the look-back window
//! (90 days by default: a first sync does not read years of mail) — are fetched in batches of
//! bounded count and bytes ([`fetch`]; a message over [`MAX_RAW`] is skipped by its size, never
//! downloaded) and handled one by one as they arrive ([`handle`]). After each batch the folder's
//! last UID is written: a sync killed mid-way starts again at that batch, and what it had kept
//! is found again by its Message-ID (nothing twice, nothing missed).
//!
//! [`sync_mailbox`] can be called as often as wanted (by `duebook inbox sync` from cron, or the
//! app on a timer and after IDLE says something arrived); with nothing new it costs a login, two
//! EXAMINEs and two searches.
//!
//! One write, when the account asks for it ([`ImapSettings::save_sent`]), for providers that do
//! not file mail sent by SMTP themselves: after the Sent folder was read, our sent messages not
//! found there are added to it ([`file_sent`]). Nothing is ever marked read, moved or deleted.

mod fetch;
mod file_sent;
mod handle;
mod state;

use super::folders::{self, timed};
use super::login::{self, LoggedIn};
use super::ImapLogin;
use crate::mail::account::{AccountError, ImapSettings};
use crate::mail::inbound::parse::MAX_RAW;
use crate::mail::inbound::{MatchError, RecordError};
use crate::mail::outbox::OutboxError;
use crate::mail::smtp::{MailError, MailerOptions};
use crate::store::DbError;
use chrono::{Days, NaiveDate};
use rusqlite::Connection;
use serde::Serialize;
use std::time::Instant;
use ts_rs::TS;

/// How far back a folder's first sync reads, in days.
pub const DEFAULT_LOOKBACK_DAYS: u32 = 90;
/// Skipped messages listed with their reason in a report (all are counted).
const LISTED_SKIPS: usize = 20;

/// How a sync reads.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Dates the tasks a reply creates, and ends the look-back window.
    pub today: NaiveDate,
    /// Messages that arrived longer ago than this are not read.
    pub lookback_days: u32,
    /// Messages per batch: the folder's place is saved after each.
    pub batch: usize,
    /// Bytes of messages per FETCH, at most (a larger message comes alone).
    pub batch_bytes: usize,
}

impl SyncOptions {
    pub fn new(today: NaiveDate) -> SyncOptions {
        SyncOptions {
            today,
            lookback_days: DEFAULT_LOOKBACK_DAYS,
            batch: 200,
            batch_bytes: 8 * 1024 * 1024,
        }
    }
}

/// What one sync found, folder by folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncReport {
    pub folders: Vec<FolderReport>,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

/// One folder's part of a sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FolderReport {
    pub folder: String,
    pub role: FolderRole,
    /// The folder's UIDVALIDITY changed since the last sync: it was read again from the
    /// look-back window.
    pub resynced: bool,
    /// Messages read.
    pub fetched: u32,
    /// INBOX: customers' messages kept now. Sent: our messages found there for the first time.
    pub stored: u32,
    /// Kept (or found) by an earlier sync: nothing changed.
    pub already_kept: u32,
    /// Not a customer's (INBOX) or not ours (Sent): counted, nothing kept.
    pub unmatched: u32,
    /// Unreadable or too large: not kept; the first few are listed with why.
    pub skipped: u32,
    pub skipped_reasons: Vec<Skipped>,
    pub replies: u32,
    pub auto_replies: u32,
    pub bounces: u32,
    /// INBOX: account owners' "hold" replies to owner notices, applied (see
    /// [`crate::mail::inbound::owner_reply`]); not kept as customers' mail.
    pub owner_holds: u32,
    /// Uncertain messages of ours found in the Sent folder, now marked sent.
    pub uncertain_resolved: u32,
    /// Sent: our sent messages the sync saved to the folder (the account's "save sent").
    pub filed: u32,
    /// Sent: why saving them stopped early (the server refused one); the next sync tries again.
    pub filing_stopped: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Skipped {
    pub uid: u32,
    pub reason: String,
}

impl FolderReport {
    fn skip(&mut self, uid: u32, reason: &str) {
        self.skipped += 1;
        if self.skipped_reasons.len() < LISTED_SKIPS {
            self.skipped_reasons.push(Skipped {
                uid,
                reason: reason.to_string(),
            });
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Account(#[from] AccountError),
    /// The mailbox could not be read: which step failed, in SMTP's and the IMAP test's words.
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Match(#[from] MatchError),
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Db(e.into())
    }
}

/// Which folder it is, and so what is done with its messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FolderRole {
    /// Customers' replies, automatic replies and bounces are kept.
    #[default]
    Inbox,
    /// Our messages are found there (evidence they left).
    Sent,
}

/// Logs in to `settings`' server, syncs INBOX and the Sent folder into `conn` and logs out.
pub async fn sync_mailbox(
    conn: &Connection,
    settings: &ImapSettings,
    login: &ImapLogin,
    mail_options: &MailerOptions,
    options: &SyncOptions,
) -> Result<SyncReport, SyncError> {
    let started = Instant::now();
    let settings = settings
        .validated()
        .map_err(|e| MailError::Invalid(e.to_string()))?;
    let mut session = login::log_in(&settings, login, mail_options).await?;
    let synced = sync_folders(
        &mut session,
        conn,
        settings.save_sent,
        mail_options,
        options,
    )
    .await;
    // Logging out is a courtesy: what was read is kept either way.
    let _ = tokio::time::timeout(mail_options.timeouts.command, session.logout()).await;
    Ok(SyncReport {
        folders: synced?,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

async fn sync_folders(
    session: &mut LoggedIn,
    conn: &Connection,
    save_sent: bool,
    mail_options: &MailerOptions,
    options: &SyncOptions,
) -> Result<Vec<FolderReport>, SyncError> {
    let sent = folders::find_sent(session, mail_options.timeouts.command).await?;
    let mut reports = vec![
        sync_folder(
            session,
            conn,
            "INBOX",
            FolderRole::Inbox,
            mail_options,
            options,
        )
        .await?,
    ];
    if let Some(sent) = sent {
        let mut report = sync_folder(
            session,
            conn,
            &sent,
            FolderRole::Sent,
            mail_options,
            options,
        )
        .await?;
        if save_sent {
            let since = window_start(options);
            let limit = mail_options.timeouts.data;
            file_sent::file_sent(session, conn, &sent, since, limit, &mut report).await?;
        }
        reports.push(report);
    }
    Ok(reports)
}

async fn sync_folder(
    session: &mut LoggedIn,
    conn: &Connection,
    folder: &str,
    role: FolderRole,
    mail_options: &MailerOptions,
    options: &SyncOptions,
) -> Result<FolderReport, SyncError> {
    let limit = mail_options.timeouts.command;
    let mailbox = timed(limit, session.examine(folder)).await?;
    let (after, resynced) = state::start(conn, folder, mailbox.uid_validity.unwrap_or(0))?;
    let mut report = FolderReport {
        folder: folder.to_string(),
        role,
        resynced,
        ..FolderReport::default()
    };
    let uids = fetch::new_uids(session, after, window_start(options), limit).await?;
    for batch in uids.chunks(options.batch.max(1)) {
        read_batch(
            session,
            conn,
            role,
            batch,
            mail_options,
            options,
            &mut report,
        )
        .await?;
        if let Some(last) = batch.last() {
            state::advance(conn, folder, *last)?;
        }
    }
    // Every UID below UIDNEXT was searched: those left out are older than the window for good.
    if let Some(next) = mailbox.uid_next {
        state::advance(conn, folder, next.saturating_sub(1))?;
    }
    Ok(report)
}

/// The first day of the look-back window.
fn window_start(options: &SyncOptions) -> NaiveDate {
    options
        .today
        .checked_sub_days(Days::new(options.lookback_days.into()))
        .unwrap_or(NaiveDate::MIN)
}

/// Reads one batch: from Sent only the envelopes (the Message-ID is all it needs); from INBOX
/// the sizes, then the messages small enough to read, in groups of bounded bytes.
async fn read_batch(
    session: &mut LoggedIn,
    conn: &Connection,
    role: FolderRole,
    uids: &[u32],
    mail_options: &MailerOptions,
    options: &SyncOptions,
    report: &mut FolderReport,
) -> Result<(), SyncError> {
    let (limit, today) = (mail_options.timeouts.command, options.today);
    if role == FolderRole::Sent {
        return fetch::each_fetched(session, uids, "ENVELOPE", limit, |f| {
            handle::sent_message(conn, f, today, report)
        })
        .await;
    }
    let (fit, too_large): (Vec<_>, Vec<_>) = fetch::sizes(session, uids, limit)
        .await?
        .into_iter()
        .partition(|(_, size)| *size as usize <= MAX_RAW);
    for (uid, size) in too_large {
        let reason = format!(
            "{} MB, larger than the {} MB read: not downloaded",
            size / (1024 * 1024),
            MAX_RAW / (1024 * 1024)
        );
        report.skip(uid, &reason);
    }
    for group in fetch::groups(&fit, options.batch_bytes) {
        fetch::each_fetched(
            session,
            &group,
            "BODY.PEEK[]",
            mail_options.timeouts.data,
            |f| handle::inbox_message(conn, f, today, report),
        )
        .await?;
    }
    Ok(())
}
