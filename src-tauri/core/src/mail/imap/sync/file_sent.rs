//! Saving our sent reminders to the Sent folder (IMAP APPEND) for providers that do not file
//! mail sent by SMTP there themselves (Gmail and Microsoft 365 do), when the account asks for
//! it ([`ImapSettings::save_sent`](crate::mail::account::ImapSettings::save_sent)).
//!
//! The only write Duebook ever makes to the mailbox, and it only adds our own sent messages:
//! nothing is marked read, moved or deleted. Each is added flagged `\Seen` (the user sent it)
//! with its sent time as the folder's date for it.
//!
//! It runs after the Sent folder was read, so what the provider filed itself is already marked
//! (`filed_in_sent_at`) and is not added again. Each message is marked right after its APPEND,
//! so a run that stops never adds twice what it recorded. A process that dies between an
//! APPEND and its mark leaves the message in Sent unmarked: the next sync reads the Sent
//! folder first, finds it there by its Message-ID and marks it, so it is not added again.

use super::super::folders::timed;
use super::super::login::LoggedIn;
use super::{FolderReport, SyncError};
use crate::mail::outbox;
use crate::store::now_timestamp;
use async_imap::error::Error as ImapError;
use chrono::{DateTime, NaiveDate};
use rusqlite::{params, Connection};
use std::time::Duration;

/// Messages added per sync, at most: a first sync with a long look-back window spreads the
/// work over several runs instead of holding the mailbox for an hour.
pub(super) const MAX_FILED: usize = 500;

/// APPENDs to `folder` each sent message of ours sent on or after `since` that is not in it
/// yet, at most [`MAX_FILED`], counting them in `report`. A message the server refuses stops
/// this run (said in the report; the next sync tries again); a lost connection fails the sync.
pub(super) async fn file_sent(
    session: &mut LoggedIn,
    conn: &Connection,
    folder: &str,
    since: NaiveDate,
    limit: Duration,
    report: &mut FolderReport,
) -> Result<(), SyncError> {
    for (id, sent_at) in not_filed(conn, since)? {
        // One message's bytes at a time: memory stays bounded by the largest message.
        let raw = outbox::raw_mime(conn, id)?;
        let date = sent_at.as_deref().and_then(internal_date);
        let appended = timed(limit, async {
            let appending = session.append(folder, Some("(\\Seen)"), date.as_deref(), &raw);
            match appending.await {
                // Refused (quota, size, a folder it will not write): the others may fare no
                // better, and reading the mailbox went well; stop here and say so.
                Err(ImapError::No(reason) | ImapError::Bad(reason)) => Ok(Err(reason)),
                // Refused before it took the message (async-imap keeps no words for it).
                Err(ImapError::Append) => Ok(Err("it would not take the message".to_string())),
                other => other.map(Ok),
            }
        })
        .await?;
        if let Err(reason) = appended {
            report.filing_stopped = Some(format!(
                "the server refused to save a sent message to {folder}: {reason}"
            ));
            return Ok(());
        }
        conn.prepare_cached(
            "UPDATE messages SET filed_in_sent_at = ?2 WHERE id = ?1 AND filed_in_sent_at IS NULL",
        )?
        .execute(params![id, now_timestamp()])?;
        report.filed += 1;
    }
    Ok(())
}

/// Our sent messages since `since` that are not in the Sent folder yet (id, sent time), oldest
/// first, at most [`MAX_FILED`].
fn not_filed(conn: &Connection, since: NaiveDate) -> Result<Vec<(i64, Option<String>)>, SyncError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, sent_at FROM messages
         WHERE direction = 'out' AND state = 'sent' AND filed_in_sent_at IS NULL
           AND raw_mime IS NOT NULL AND sent_at >= ?1
         ORDER BY sent_at, id LIMIT ?2",
    )?;
    let rows = stmt.query_map(
        params![since.format("%Y-%m-%d").to_string(), MAX_FILED as i64],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A stored sent time (RFC 3339) as an IMAP date-time, quoted: "07-Dec-2026 14:03:09 +0000".
fn internal_date(sent_at: &str) -> Option<String> {
    let at = DateTime::parse_from_rfc3339(sent_at).ok()?;
    Some(format!("\"{}\"", at.format("%d-%b-%Y %H:%M:%S %z")))
}

#[cfg(test)]
mod tests {
    use super::internal_date;

    #[test]
    fn the_sent_time_becomes_an_imap_date_time() {
        assert_eq!(
            internal_date("2026-12-07T09:03:09.250Z").as_deref(),
            Some("\"07-Dec-2026 09:03:09 +0000\"")
        );
        assert_eq!(internal_date("yesterday"), None);
    }
}
