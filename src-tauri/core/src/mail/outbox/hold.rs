//! Holding messages back for the account's sake, not theirs: the daily limit is reached, or
//! the server asked to slow down. The messages stay queued; nothing counts as a failed attempt.

use super::deliver::stamp;
use super::{pause_end, pause_sending, DeliveryReport, OutboxError, RetryPolicy, QUEUED};
use crate::mail::smtp::MailError;
use chrono::NaiveDate;
use rusqlite::{params, Connection};

/// The server answered "slow down" or "quota used up" (`error`): pauses sending for the
/// account (once per run) and returns what the messages held say.
pub(super) fn pause_for(
    conn: &Connection,
    error: &MailError,
    day: NaiveDate,
    report: &mut DeliveryReport,
) -> Result<String, OutboxError> {
    if let Some(described) = &report.paused {
        return Ok(described.clone());
    }
    let (Some((throttle, reply)), MailError::Rejected { code, .. }) = (error.throttle(), error)
    else {
        return Ok(error.to_string());
    };
    let until = pause_end(throttle, chrono::Utc::now(), day);
    let pause = pause_sending(conn, until, *code, reply)?;
    report.paused = Some(pause.describe());
    Ok(pause.describe())
}

/// The day's limit of `limit` is reached on `day`: every queued message in scope that is due
/// before the next working morning waits until then, with the reason. Returns the run's line.
pub(super) fn defer_to_next_day(
    conn: &Connection,
    filter: Option<&str>,
    day: NaiveDate,
    limit: u32,
) -> Result<String, OutboxError> {
    let morning = RetryPolicy::working_morning_after(day);
    let scope = match filter {
        Some(_) => "AND id IN (SELECT value FROM json_each(?3))",
        None => "AND ?3 IS NULL",
    };
    let reason = format!("deferred: daily limit of {limit} reached");
    let held = conn.execute(
        &format!(
            "UPDATE messages SET next_attempt_at = ?1, failure_reason = ?2
             WHERE {QUEUED} AND direction = 'out'
               AND (next_attempt_at IS NULL OR next_attempt_at < ?1) {scope}"
        ),
        params![stamp(morning), reason, filter],
    )?;
    Ok(format!(
        "{reason}: {held} message(s) wait until {}",
        morning
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M")
    ))
}
