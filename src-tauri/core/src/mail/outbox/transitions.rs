//! The user's decisions on a message: resend, mark as sent, cancel.

use super::store::{get, UNPREPARED};
use super::{now_ts, MessageState, OutboxError, OutboxMessage};
use rusqlite::{Connection, OptionalExtension, ToSql};

/// Moves message `id` from one of the states `from` with `sql` (?1 the id, ?2 the states, ?3
/// now, then `extra`).
fn transition(
    conn: &Connection,
    id: i64,
    from: &[MessageState],
    action: &'static str,
    allowed: &'static str,
    sql: &str,
    extra: &[&dyn ToSql],
) -> Result<OutboxMessage, OutboxError> {
    let current = get(conn, id)?;
    if !from.contains(&current.state) {
        return Err(OutboxError::WrongState {
            id,
            state: current.state,
            action,
            allowed,
        });
    }
    let states: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    let states = serde_json::to_string(&states).unwrap_or_default();
    let now = now_ts();
    let mut values: Vec<&dyn ToSql> = vec![&id, &states, &now];
    values.extend_from_slice(extra);
    let changed = conn.execute(
        &format!("{sql} WHERE id = ?1 AND state IN (SELECT value FROM json_each(?2))"),
        &*values,
    )?;
    if changed == 0 {
        // Someone else moved it in between: report what it is now.
        let now = get(conn, id)?;
        return Err(OutboxError::WrongState {
            id,
            state: now.state,
            action,
            allowed,
        });
    }
    get(conn, id)
}

/// The user decided to send a failed or uncertain message again (same Message-ID, same bytes).
/// A message that was never built has nothing to resend: the next run prepares it again.
pub fn resend(conn: &Connection, id: i64) -> Result<OutboxMessage, OutboxError> {
    let unprepared: bool = conn
        .query_row(
            &format!("SELECT {UNPREPARED} FROM messages WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false);
    if unprepared {
        return Err(OutboxError::Invalid(format!(
            "message {id} could not be prepared, so there is nothing to resend; correct what its reason names and the next run prepares it again"
        )));
    }
    transition(
        conn,
        id,
        &[MessageState::Failed, MessageState::Uncertain],
        "resending",
        "failed or uncertain",
        "UPDATE messages SET state = 'queued', next_attempt_at = NULL, failure_reason = NULL,
                             server_reply = NULL, last_attempt_at = coalesce(last_attempt_at, ?3)",
        &[],
    )
}

/// The user confirmed an uncertain message arrived.
pub fn mark_sent(conn: &Connection, id: i64) -> Result<OutboxMessage, OutboxError> {
    mark_sent_because(conn, id, "Marked as sent by the user")
}

/// An uncertain message is sent after all, for `evidence` (kept in its reason): the user said
/// so, or the mailbox's Sent folder has it.
pub fn mark_sent_because(
    conn: &Connection,
    id: i64,
    evidence: &str,
) -> Result<OutboxMessage, OutboxError> {
    let m = transition(
        conn,
        id,
        &[MessageState::Uncertain],
        "marking as sent",
        "uncertain",
        "UPDATE messages SET state = 'sent', sent_at = ?3, failure_reason = ?4",
        &[&evidence],
    )?;
    refresh_customer(conn, m.customer_id)?;
    Ok(m)
}

/// Takes a queued message out of the queue before it is sent, or gives up on a failed one.
pub fn cancel(conn: &Connection, id: i64) -> Result<OutboxMessage, OutboxError> {
    // A failed message can be cancelled too: the user's answer to "resend or give up?".
    transition(
        conn,
        id,
        &[MessageState::Queued, MessageState::Failed],
        "cancelling",
        "queued or failed",
        &format!(
            "UPDATE messages SET state = 'failed', failure_reason = '{CANCELLED_REASON}', next_attempt_at = NULL, last_attempt_at = coalesce(last_attempt_at, ?3)"
        ),
        &[],
    )
}

/// The failure reason of a message the user cancelled: it waits for nothing any more.
pub const CANCELLED_REASON: &str = "Cancelled before sending";

/// A message's fate changes only the customer's last contact among the derived figures.
pub(super) fn refresh_customer(
    conn: &Connection,
    customer_id: Option<i64>,
) -> Result<(), OutboxError> {
    if let Some(id) = customer_id {
        crate::store::derived::refresh_last_contact(conn, id)?;
    }
    Ok(())
}
