//! The delivery loop: pick what is due, claim it, hand it to the mailer, record the outcome.

use super::lease::{acquire_lease, recover, release_lease, renew_lease, LEASE_RENEW_EVERY};
use super::transitions::refresh_customer;
use super::{hold, now_ts, sending_paused, DeliveryReport, OutboxError, RetryPolicy, QUEUED};
use crate::mail::attention::{clear_attention, mark_needs_attention};
use crate::mail::pacing::{Pace, Pacer};
use crate::mail::smtp::{Mailer, SendError};
use crate::store::json_ids;
use chrono::NaiveDate;
use lettre::address::Envelope;
use lettre::message::Mailbox;
use rusqlite::{params, Connection, OptionalExtension};
use std::time::Duration;

struct Claimed {
    id: i64,
    attempt: u32,
    envelope: Envelope,
    raw: Vec<u8>,
}

/// queued → sending (attempts + 1) for one message, counted on `day` for the account's
/// limits; None when it is not queued any more.
fn claim(
    conn: &Connection,
    id: i64,
    day: NaiveDate,
) -> Result<Option<Result<Claimed, String>>, OutboxError> {
    let changed = conn.execute(
        "UPDATE messages SET state = 'sending', attempts = attempts + 1, last_attempt_at = ?2,
                             next_attempt_at = NULL, send_day = ?3
         WHERE id = ?1 AND state = 'queued' AND direction = 'out'",
        params![id, now_ts(), day.to_string()],
    )?;
    if changed == 0 {
        return Ok(None);
    }
    let (attempts, from, to, raw): (i64, Option<String>, Option<String>, Option<Vec<u8>>) = conn
        .query_row(
            "SELECT attempts, from_addr, to_addrs, raw_mime FROM messages WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
    let envelope = (|| -> Result<(Envelope, Vec<u8>), String> {
        let raw = raw.ok_or("the message has no stored content to send")?;
        let from: Mailbox = from
            .as_deref()
            .unwrap_or("")
            .parse()
            .map_err(|e| format!("the sender address cannot be read ({e})"))?;
        let to: Vec<String> = serde_json::from_str(to.as_deref().unwrap_or("[]"))
            .map_err(|e| format!("the recipients cannot be read ({e})"))?;
        let to = to
            .iter()
            .map(|t| t.parse::<Mailbox>().map(|m| m.email))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("a recipient address cannot be read ({e})"))?;
        let envelope = Envelope::new(Some(from.email), to)
            .map_err(|e| format!("the envelope is invalid ({e})"))?;
        Ok((envelope, raw))
    })();
    Ok(Some(envelope.map(|(envelope, raw)| Claimed {
        id,
        attempt: attempts.max(1) as u32,
        envelope,
        raw,
    })))
}

fn record(
    conn: &Connection,
    c: &Claimed,
    result: Result<String, SendError>,
    run: &mut Run,
) -> Result<(), OutboxError> {
    let (id, attempt) = (c.id, c.attempt);
    if let Err(e) = &result {
        // By id only: the log is sent to others, the recipient stays in the file.
        tracing::warn!(outbox_id = id, attempt, "email not sent: {e}");
    }
    let report = &mut run.report;
    if matches!(result, Err(SendError::NotSent(_))) {
        // Certainly not taken: it gives its place in the day back.
        run.pacer.not_taken();
    }
    match result {
        Ok(reply) => record_sent(conn, id, &reply, report)?,
        Err(SendError::NotSent(e)) if e.is_login_refused() => {
            // Not an attempt at this message: it waits, unchanged, for a login that works.
            wait_unchanged(conn, id, &format!("not sent yet: {e}"))?;
            if report.login_refused.is_none() {
                mark_needs_attention(conn, &e, &e.login_fix())?;
                report.login_refused = Some(e.to_string());
            }
        }
        Err(SendError::NotSent(e)) if e.throttle().is_some() => {
            let pause = hold::pause_for(conn, &e, run.pacer.day, report)?;
            wait_unchanged(conn, id, &format!("not sent yet: {pause}"))?;
        }
        Err(SendError::NotSent(e)) if e.is_transient() => {
            let next = stamp(run.policy.next_attempt(attempt, chrono::Utc::now()));
            conn.execute(
                "UPDATE messages SET state = 'queued', next_attempt_at = ?2, failure_reason = ?3,
                                     send_day = NULL
                 WHERE id = ?1",
                params![
                    id,
                    next,
                    format!("{e} (attempt {attempt}; trying again at {next})")
                ],
            )?;
            report.retries += 1;
        }
        Err(SendError::NotSent(e)) => {
            conn.execute(
                "UPDATE messages SET state = 'failed', failure_reason = ?2, send_day = NULL
                 WHERE id = ?1",
                params![id, e.to_string()],
            )?;
            report.failed.push(id);
        }
        Err(SendError::Unknown(e)) => {
            conn.execute(
                "UPDATE messages SET state = 'uncertain', failure_reason = ?2 WHERE id = ?1",
                params![
                    id,
                    format!("The message was handed to the server but no confirmation came back ({e}); it may have been delivered. Check your Sent folder or ask the customer, then choose Resend or Mark as sent.")
                ],
            )?;
            report.uncertain.push(id);
        }
    }
    Ok(())
}

/// Back to the queue as it was: the attempt does not count (a refused login, a paused account).
fn wait_unchanged(conn: &Connection, id: i64, reason: &str) -> Result<(), OutboxError> {
    conn.execute(
        "UPDATE messages SET state = 'queued', attempts = max(attempts - 1, 0),
                             next_attempt_at = NULL, failure_reason = ?2, send_day = NULL
         WHERE id = ?1",
        params![id, reason],
    )?;
    Ok(())
}

fn record_sent(
    conn: &Connection,
    id: i64,
    reply: &str,
    report: &mut DeliveryReport,
) -> Result<(), OutboxError> {
    conn.execute(
        "UPDATE messages SET state = 'sent', sent_at = ?2, server_reply = ?3, failure_reason = NULL
         WHERE id = ?1",
        params![id, now_ts(), reply],
    )?;
    let customer: Option<i64> = conn
        .query_row(
            "SELECT customer_id FROM messages WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    refresh_customer(conn, customer)?;
    if report.sent.is_empty() {
        // The login works: whatever was wrong with the account is fixed.
        clear_attention(conn)?;
    }
    report.sent.push(id);
    Ok(())
}

pub(super) fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Sends queued messages — `only` these ids, or every queued one — that are due. A passing
/// failure leaves the message queued for its next attempt ([`RetryPolicy`]; waited for inside
/// the run only when due within `wait_in_run`); a refused login stops the run with every
/// message still queued. Keeps to the account's sending limits ([`crate::mail::limits`]):
/// waits for room in the minute, leaves the rest for the next working morning when the day's
/// limit is reached, and stops with every message queued when the server says "slow down"
/// (a pause kept for the next run, see [`super::sending_paused`]). Takes the send lease first (and
/// turns a dead sender's `sending` rows into `uncertain`); refuses with
/// [`OutboxError::Busy`] while another process sends.
///
/// The future is `Send`; it holds `conn` for its whole run, so give it its own connection
/// (open a second [`crate::store::Database`] on the same file: WAL lets the app keep reading).
pub async fn deliver<M: Mailer>(
    conn: &mut Connection,
    mailer: &M,
    only: Option<&[i64]>,
    policy: &RetryPolicy,
) -> Result<DeliveryReport, OutboxError> {
    let holder = format!("{}:{:016x}", std::process::id(), fastrand::u64(..));
    acquire_lease(conn, &holder)?;
    let result = deliver_holding(conn, mailer, only, policy, &holder).await;
    let released = release_lease(conn, &holder);
    let report = result?;
    released?;
    Ok(report)
}

/// One delivery run's state: its policy, the account's limits, what it did.
struct Run<'a> {
    policy: &'a RetryPolicy,
    pacer: Pacer,
    report: DeliveryReport,
}

async fn deliver_holding<M: Mailer>(
    conn: &mut Connection,
    mailer: &M,
    only: Option<&[i64]>,
    policy: &RetryPolicy,
    holder: &str,
) -> Result<DeliveryReport, OutboxError> {
    let recovered = recover(conn, Some(holder))?;
    let mut run = Run {
        policy,
        pacer: Pacer::load(conn, policy.day(), chrono::Utc::now())?,
        report: DeliveryReport {
            recovered,
            ..DeliveryReport::default()
        },
    };
    let filter = only.map(json_ids);
    if let Some(pause) = sending_paused(conn, chrono::Utc::now())? {
        run.report.paused = Some(pause.describe());
    }
    while run.report.paused.is_none() && run.report.login_refused.is_none() {
        let (mut due, next_wait) = pick(conn, filter.as_deref(), policy.concurrency.max(1))?;
        if due.is_empty() {
            match next_wait.filter(|wait| *wait <= policy.wait_in_run) {
                Some(wait) => {
                    renew_lease(conn, holder)?;
                    tokio::time::sleep(wait.min(LEASE_RENEW_EVERY)).await;
                    continue;
                }
                None => break,
            }
        }
        match run.pacer.next(due.len(), chrono::Utc::now()) {
            Pace::Go(n) => due.truncate(n),
            Pace::Wait(wait) => {
                // The minute's limit: pace within the run (the messages are due now).
                renew_lease(conn, holder)?;
                tokio::time::sleep(wait.min(LEASE_RENEW_EVERY)).await;
                continue;
            }
            Pace::DayFull(limit) => {
                let held = hold::defer_to_next_day(conn, filter.as_deref(), run.pacer.day, limit)?;
                run.report.daily_limit = Some(held);
                break;
            }
        }
        send_batch(conn, mailer, &due, holder, &mut run).await?;
    }
    let mut report = run.report;
    note_waiting(conn, filter.as_deref(), &mut report)?;
    if let Some(pause) = sending_paused(conn, chrono::Utc::now())? {
        // Nothing goes out before the pause ends: that is when to try again.
        report.next_retry_at = Some(stamp(pause.until));
    }
    Ok(report)
}

/// Claims `due`, hands the messages to the mailer together and records each outcome.
async fn send_batch<M: Mailer>(
    conn: &mut Connection,
    mailer: &M,
    due: &[i64],
    holder: &str,
    run: &mut Run<'_>,
) -> Result<(), OutboxError> {
    let mut claimed = Vec::new();
    for &id in due {
        match claim(conn, id, run.pacer.day)? {
            None => {}
            Some(Ok(c)) => claimed.push(c),
            Some(Err(reason)) => {
                conn.execute(
                    "UPDATE messages SET state = 'failed', failure_reason = ?2, send_day = NULL
                     WHERE id = ?1",
                    params![id, reason],
                )?;
                run.report.failed.push(id);
            }
        }
    }
    run.pacer.handed_over(claimed.len(), chrono::Utc::now());
    renew_lease(conn, holder)?;
    let sends =
        futures_util::future::join_all(claimed.iter().map(|c| mailer.send(&c.envelope, &c.raw)));
    tokio::pin!(sends);
    // Keep the lease fresh while messages are on the wire (a DATA phase can take minutes).
    let results = loop {
        tokio::select! {
            results = &mut sends => break results,
            _ = tokio::time::sleep(LEASE_RENEW_EVERY) => renew_lease(conn, holder)?,
        }
    };
    for (c, result) in claimed.iter().zip(results) {
        record(conn, c, result, run)?;
    }
    Ok(())
}

/// The messages left queued for a later retry, and when the first is due.
fn note_waiting(
    conn: &Connection,
    filter: Option<&str>,
    report: &mut DeliveryReport,
) -> Result<(), OutboxError> {
    let scope = match filter {
        Some(_) => "AND id IN (SELECT value FROM json_each(?1))",
        None => "AND ?1 IS NULL",
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT count(*), min(next_attempt_at) FROM messages
         WHERE {QUEUED} AND direction = 'out' AND next_attempt_at IS NOT NULL {scope}"
    ))?;
    let (count, first): (u32, Option<String>) =
        stmt.query_row([filter], |r| Ok((r.get(0)?, r.get(1)?)))?;
    report.waiting = count;
    report.next_retry_at = first;
    Ok(())
}

/// Up to `limit` queued messages that are due now, and how long until the next one is due.
fn pick(
    conn: &Connection,
    filter: Option<&str>,
    limit: usize,
) -> Result<(Vec<i64>, Option<Duration>), OutboxError> {
    let scope = match filter {
        Some(_) => "AND id IN (SELECT value FROM json_each(?3))",
        None => "AND ?3 IS NULL",
    };
    let now = now_ts();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id FROM messages WHERE {QUEUED} AND direction = 'out'
           AND (next_attempt_at IS NULL OR next_attempt_at <= ?1) {scope}
         ORDER BY id LIMIT ?2"
    ))?;
    let due: Vec<i64> = stmt
        .query_map(params![now, limit as i64, filter], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if !due.is_empty() {
        return Ok((due, None));
    }
    let next: Option<String> = conn
        .query_row(
            &format!(
                "SELECT MIN(next_attempt_at) FROM messages WHERE {QUEUED} AND direction = 'out'
                   AND next_attempt_at > ?1 {}",
                scope.replace("?3", "?2")
            ),
            params![now, filter],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let wait = next.and_then(|n| {
        let at = chrono::DateTime::parse_from_rfc3339(&n).ok()?;
        let ms = (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
            .num_milliseconds()
            .max(1);
        Some(Duration::from_millis(ms as u64))
    });
    Ok((Vec::new(), wait))
}
