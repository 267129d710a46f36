//! Which customers of a campaign have a message that has not gone out yet.

use super::{parse_send_key, Campaign, CampaignResult};
use crate::mail::outbox::{MessageState, CANCELLED_REASON};
use crate::model::text::clean_line;
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use std::collections::HashMap;

/// SQL condition (on `m`, a failed campaign message; `?1` binds [`CANCELLED_REASON`]) for a
/// failure that still waits for the user: not cancelled, and no later message of the same
/// campaign to that customer is queued, sending, sent or uncertain. The unary `+` keeps the
/// later-message lookup on the customer's few messages (messages_customer) instead of all of a
/// campaign's. The plan holds such a customer on the step; the summary counts the message.
pub(super) const FAILED_AND_WAITING: &str =
    "m.failure_reason IS NOT ?1 AND m.customer_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM messages later
                     WHERE later.customer_id = m.customer_id
                       AND +later.campaign_id = m.campaign_id
                       AND later.id > m.id AND later.state <> 'failed')";

/// A customer whose campaign message has not gone out yet.
pub(in crate::campaign) struct InFlight {
    pub name: String,
    pub step_position: Option<i64>,
    /// What the plan says, e.g. "retrying: the last attempt failed on 2026-04-15: ...".
    pub detail: String,
}

/// The campaign's queued, sending and failed messages, read through the two partial indexes on
/// `state` (migrations 0001 and 0012): their WHERE terms written out as the indexes have them,
/// since SQLite uses a partial index only for a query that repeats its condition. Without them
/// the plan scanned every message ever sent.
const CANDIDATES: &str = "
    SELECT id FROM messages
     WHERE state IN ('queued', 'sending', 'uncertain') AND state <> 'uncertain'
       AND send_key LIKE ?2
    UNION ALL
    SELECT id FROM messages
     WHERE state IN ('failed', 'uncertain') AND state = 'failed' AND send_key LIKE ?2";

/// Customers of `campaign` whose message has not gone out: queued or being sent (retried after
/// a transient failure), or refused for good and waiting for the user to resend or cancel it.
/// Such a customer stays on the step until the message goes out (or the user cancels it), and
/// is never offered another one meanwhile. A message that could not even be prepared (a bad
/// address) holds nothing: the next run prepares it again, from the corrected data.
/// A message the user cancelled today holds the customer until tomorrow: today's send key is
/// taken, and the user has just said "not this one".
pub(in crate::campaign) fn in_flight(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
) -> CampaignResult<HashMap<i64, InFlight>> {
    let pattern = format!("campaign:{}:step:%", campaign.id);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT m.customer_id, c.name, m.send_key, m.created_at, m.attempts, m.last_attempt_at,
                m.failure_reason, m.state
         FROM ({CANDIDATES}) w
         JOIN messages m ON m.id = w.id JOIN customers c ON c.id = m.customer_id
         WHERE m.send_key LIKE ?2 AND (m.state IN ('queued', 'sending')
               OR (m.state = 'failed' AND m.raw_mime IS NOT NULL AND {FAILED_AND_WAITING})
               OR (m.state = 'failed' AND m.failure_reason IS ?1 AND m.send_key LIKE ?3))
         ORDER BY m.id"
    ))?;
    let cancelled_today = format!("%:{today}");
    let rows = stmt.query_map(params![CANCELLED_REASON, &pattern, cancelled_today], |r| {
        let key: String = r.get(2)?;
        let created: String = r.get(3)?;
        let attempts: i64 = r.get(4)?;
        let last: Option<String> = r.get(5)?;
        let reason: Option<String> = r.get(6)?;
        let failed = r.get::<_, String>(7)? == MessageState::Failed.as_str();
        let day = |t: &str| t.get(..10).unwrap_or(t).to_string();
        let detail = match (last, reason) {
            (_, Some(reason)) if failed && reason == CANCELLED_REASON => {
                "cancelled today: offered again on the next run day".to_string()
            }
            (Some(last), Some(reason)) if failed => format!(
                "waiting for your decision: the last attempt failed on {}: {reason} (resend or cancel it in the outbox)",
                day(&last)
            ),
            (Some(last), Some(reason)) if attempts > 0 => format!(
                "retrying: the last attempt failed on {}: {reason}",
                day(&last)
            ),
            (_, Some(reason)) => format!("waiting to be sent: {reason}"),
            _ => format!("waiting to be sent (queued on {})", day(&created)),
        };
        let flight = InFlight {
            name: r.get(1)?,
            step_position: parse_send_key(&key).map(|(_, step, _, _)| step),
            detail: clean_line(&detail),
        };
        Ok((r.get(0)?, flight))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
