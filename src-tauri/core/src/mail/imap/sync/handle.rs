//! What the sync does with each message: one from INBOX is read, classified and matched
//! ([`inbound::decide`]) and kept when it is a customer's ([`inbound::record`]); one from the
//! Sent folder is looked up among ours by its Message-ID: found, it is evidence the message
//! left — an `uncertain` one becomes sent, with that evidence. Mail in Sent that is not ours is
//! only counted: the user's own correspondence is not Duebook's to keep.

use super::{FolderReport, SyncError};
use crate::mail::inbound::{self, owner_reply, InboundError, Kind, Recorded};
use crate::mail::outbox::{self, MessageState};
use async_imap::types::Fetch;
use chrono::NaiveDate;
use rusqlite::{params, Connection};

/// Keeps a message of INBOX when it is a customer's; an unreadable one is skipped with why.
pub(super) fn inbox_message(
    conn: &Connection,
    fetch: &Fetch,
    today: NaiveDate,
    report: &mut FolderReport,
) -> Result<(), SyncError> {
    let uid = fetch.uid.unwrap_or(0);
    let Some(raw) = fetch.body() else {
        report.skip(uid, "the server sent no message body");
        return Ok(());
    };
    report.fetched += 1;
    let decision = match inbound::decide(conn, raw) {
        Ok(decision) => decision,
        Err(InboundError::Unreadable(e)) => {
            report.skip(uid, &e.to_string());
            return Ok(());
        }
        Err(InboundError::Match(e)) => return Err(e.into()),
    };
    if let Some(hold) = owner_reply::asked(conn, &decision.message)? {
        // The owner's own mail: it holds the customer and is not kept as the customer's.
        owner_reply::apply(conn, &hold)?;
        report.owner_holds += 1;
        return Ok(());
    }
    match inbound::record(conn, &decision, raw, today)? {
        Recorded::Unmatched => report.unmatched += 1,
        Recorded::AlreadyKept { .. } => report.already_kept += 1,
        Recorded::Stored { .. } => {
            report.stored += 1;
            match decision.classification.kind {
                Kind::HumanReply => report.replies += 1,
                Kind::AutoReply { .. } => report.auto_replies += 1,
                Kind::Bounce { .. } => report.bounces += 1,
            }
        }
    }
    Ok(())
}

/// Notes that a message of the Sent folder is one of ours (its ENVELOPE's Message-ID), and
/// settles it when it was left uncertain.
pub(super) fn sent_message(
    conn: &Connection,
    fetch: &Fetch,
    today: NaiveDate,
    report: &mut FolderReport,
) -> Result<(), SyncError> {
    report.fetched += 1;
    let message_id = fetch
        .envelope()
        .and_then(|e| e.message_id.as_deref())
        .map(|id| String::from_utf8_lossy(id).trim().to_string());
    let Some(message_id) = message_id.filter(|id| !id.is_empty()) else {
        report.unmatched += 1;
        return Ok(());
    };
    let Some((id, _)) = outbox::find_by_rfc_id(conn, &message_id)? else {
        report.unmatched += 1;
        return Ok(());
    };
    let first_seen = conn
        .prepare_cached(
            "UPDATE messages SET filed_in_sent_at = ?2 WHERE id = ?1 AND filed_in_sent_at IS NULL",
        )?
        .execute(params![id, crate::store::now_timestamp()])?;
    if first_seen == 0 {
        report.already_kept += 1;
    } else {
        report.stored += 1;
    }
    // Checked even when seen before: a sync stopped between the two writes settles it now.
    if outbox::get(conn, id)?.state == MessageState::Uncertain {
        let evidence = format!("Found in the mailbox's Sent folder on {today}");
        outbox::mark_sent_because(conn, id, &evidence)?;
        report.uncertain_resolved += 1;
    }
    Ok(())
}
