//! The durable outbox: never email twice, never lose one.
//!
//! ```text
//!  enqueue ──▶ queued ──claim──▶ sending ──250──────────────▶ sent
//!                ▲                  │ ──4xx / dropped before DATA ──▶ queued (retry after backoff)
//!                │                  │ ──5xx, login/TLS/DNS errors ──▶ failed (reason)
//!                │                  │ ──no verdict after DATA ──────▶ uncertain
//!                │                  └─ process died ─(next start)──▶ uncertain
//!   resend ──────┴── failed / uncertain            mark_sent: uncertain ──▶ sent
//! ```
//!
//! A message is written with its unique `send_key`, our own Message-ID and its exact MIME bytes
//! before any network I/O; each attempt re-sends the same bytes. Only one process sends at a time
//! (a lease row); a `sending` row found while nobody holds the lease belongs to a process that
//! died mid-send and becomes `uncertain` — shown to the user, never resent on its own.

use super::compose::{build_mime, new_message_id, AttachmentInfo, OutgoingEmail, PreparedEmail};
use super::mime::mailbox_text;
use super::smtp::{Mailer, SendError};
use crate::db::{json_ids, DbError};
use lettre::address::Envelope;
use lettre::message::Mailbox;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use ts_rs::TS;

/// How long a sender's lease lasts without renewal; a live sender renews it every
/// [`LEASE_RENEW_EVERY`], also while a message is on the wire.
pub const LEASE_TTL: Duration = Duration::from_secs(90);
pub const LEASE_RENEW_EVERY: Duration = Duration::from_secs(20);

const UNCERTAIN_INTERRUPTED: &str = "Duebook stopped while sending this message, so it may or may not have been delivered. Check your Sent folder or ask the customer, then choose Resend or Mark as sent.";

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("this message was already queued (message {id}, {state}); it is not queued twice")]
    AlreadyQueued { id: i64, state: MessageState },
    #[error("another Duebook window or `duebook` command is sending right now (until {until}); try again when it has finished")]
    Busy { until: String },
    #[error("there is no message {0}")]
    NotFound(i64),
    #[error("message {id} is {state}; {action} is only possible for {allowed} messages")]
    WrongState {
        id: i64,
        state: MessageState,
        action: &'static str,
        allowed: &'static str,
    },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for OutboxError {
    fn from(e: rusqlite::Error) -> Self {
        OutboxError::Db(DbError::Sqlite(e))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MessageState {
    Queued,
    Sending,
    Sent,
    Failed,
    Uncertain,
    Received,
}

impl MessageState {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Queued => "queued",
            MessageState::Sending => "sending",
            MessageState::Sent => "sent",
            MessageState::Failed => "failed",
            MessageState::Uncertain => "uncertain",
            MessageState::Received => "received",
        }
    }

    pub fn parse(text: &str) -> Option<MessageState> {
        Some(match text {
            "queued" => MessageState::Queued,
            "sending" => MessageState::Sending,
            "sent" => MessageState::Sent,
            "failed" => MessageState::Failed,
            "uncertain" => MessageState::Uncertain,
            "received" => MessageState::Received,
            _ => return None,
        })
    }
}

impl std::fmt::Display for MessageState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message as the timeline and outbox screens show it (without its bodies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OutboxMessage {
    pub id: i64,
    pub customer_id: Option<i64>,
    pub send_key: Option<String>,
    pub template_key: Option<String>,
    /// Our Message-ID, e.g. "<lz3k9a.5f1e…@acme.example>": replies refer to it.
    pub rfc_message_id: Option<String>,
    pub from_addr: Option<String>,
    pub to_addrs: Vec<String>,
    pub reply_to: Option<String>,
    pub subject: String,
    pub state: MessageState,
    /// Why it is not sent (failed, uncertain, or queued for a retry).
    pub failure_reason: Option<String>,
    /// The server's reply to the last attempt, e.g. "250 2.0.0 Ok: queued as 4F2A1".
    pub server_reply: Option<String>,
    pub attempts: i64,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub last_attempt_at: Option<String>,
    pub next_attempt_at: Option<String>,
    pub attachments: Vec<AttachmentInfo>,
    pub invoice_ids: Vec<i64>,
}

/// Where a message comes from, stored beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageMeta {
    pub customer_id: Option<i64>,
    /// Unique per (campaign, step, customer) or per manual send; None: a fresh manual key.
    pub send_key: Option<String>,
    pub template_key: Option<String>,
    pub campaign_id: Option<i64>,
    pub step_id: Option<i64>,
    pub invoice_ids: Vec<i64>,
}

/// How 4xx replies are retried.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// Messages handed to the server at the same time.
    pub concurrency: usize,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            first_backoff: Duration::from_secs(30),
            max_backoff: Duration::from_secs(10 * 60),
            concurrency: 4,
        }
    }
}

impl RetryPolicy {
    /// Wait after the `attempt`-th failed attempt: first, ×4 each time, capped.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 4u32.saturating_pow(attempt.saturating_sub(1));
        self.first_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }
}

/// What a delivery run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DeliveryReport {
    pub sent: Vec<i64>,
    pub failed: Vec<i64>,
    pub uncertain: Vec<i64>,
    /// Sending rows of a process that died, now `uncertain`.
    pub recovered: Vec<i64>,
    /// Attempts that got a 4xx and were tried again.
    pub retries: u32,
}

fn now_ts() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

fn ts_in(d: Duration) -> String {
    let later = chrono::Utc::now()
        + chrono::Duration::from_std(d).unwrap_or_else(|_| chrono::Duration::seconds(60));
    later.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Stores a prepared email as `queued`. See [`enqueue`].
pub fn enqueue_prepared(
    conn: &Connection,
    prepared: &PreparedEmail,
    send_key: Option<String>,
) -> Result<i64, OutboxError> {
    let meta = MessageMeta {
        customer_id: Some(prepared.preview.customer_id),
        send_key,
        template_key: Some(prepared.preview.template_key.clone()),
        campaign_id: None,
        step_id: None,
        invoice_ids: prepared.preview.invoice_ids.clone(),
    };
    enqueue(conn, &prepared.email, &meta)
}

/// Writes the message as `queued` with a new Message-ID and its exact MIME bytes, in one
/// transaction, before anything touches the network. A send key that exists already is refused
/// with [`OutboxError::AlreadyQueued`] and nothing changes, as are invoices of another customer.
pub fn enqueue(
    conn: &Connection,
    email: &OutgoingEmail,
    meta: &MessageMeta,
) -> Result<i64, OutboxError> {
    if email.to.is_empty() {
        return Err(OutboxError::Invalid("the message has no recipient".into()));
    }
    if let Some(customer_id) = meta.customer_id {
        crate::db::check_invoices_belong(conn, customer_id, &meta.invoice_ids)?;
    }
    let send_key = match &meta.send_key {
        Some(k) if k.trim().is_empty() => {
            return Err(OutboxError::Invalid("the send key is empty".into()))
        }
        Some(k) => k.trim().to_string(),
        None => format!(
            "manual:{}",
            new_message_id(&email.from).trim_matches(['<', '>'])
        ),
    };
    if let Some((id, state)) = find_by_key(conn, &send_key)? {
        return Err(OutboxError::AlreadyQueued { id, state });
    }
    let message_id = new_message_id(&email.from);
    let invalid = |e: super::compose::ComposeError| OutboxError::Invalid(e.to_string());
    let raw = build_mime(email, &message_id).map_err(invalid)?;
    let from = mailbox_text("From", &email.from).map_err(invalid)?;
    let reply_to = email
        .reply_to
        .as_ref()
        .map(|r| mailbox_text("Reply-To", r))
        .transpose()
        .map_err(invalid)?;
    let to = email
        .to
        .iter()
        .map(|t| mailbox_text("To", t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid)?;
    let to_json = serde_json::to_string(&to).unwrap_or_else(|_| "[]".into());
    let tx = conn.unchecked_transaction()?;
    // A failure recorded under this key before any message could be built gives way to it.
    tx.execute(
        &format!("DELETE FROM messages WHERE send_key = ?1 AND {UNPREPARED}"),
        [&send_key],
    )?;
    let inserted = tx.execute(
        "INSERT INTO messages (customer_id, direction, send_key, campaign_id, step_id, template_key,
                               rfc_message_id, from_addr, to_addrs, reply_to, subject, body_text,
                               body_html, raw_mime, state, attempts, created_at)
         VALUES (?1, 'out', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'queued', 0, ?14)",
        params![
            meta.customer_id,
            send_key,
            meta.campaign_id,
            meta.step_id,
            meta.template_key,
            message_id,
            from,
            to_json,
            reply_to,
            email.subject,
            email.text,
            email.html,
            raw,
            now_ts(),
        ],
    );
    if let Err(e) = inserted {
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
            drop(tx);
            if let Some((id, state)) = find_by_key(conn, &send_key)? {
                return Err(OutboxError::AlreadyQueued { id, state });
            }
        }
        return Err(e.into());
    }
    let id = tx.last_insert_rowid();
    for a in &email.attachments {
        tx.execute(
            "INSERT INTO message_attachments (message_id, file_name, content_type, size_bytes)
             VALUES (?1, ?2, ?3, ?4)",
            params![id, a.file_name, a.content_type, a.bytes.len() as i64],
        )?;
    }
    for invoice_id in &meta.invoice_ids {
        tx.execute(
            "INSERT OR IGNORE INTO message_invoices (message_id, invoice_id) VALUES (?1, ?2)",
            params![id, invoice_id],
        )?;
    }
    tx.commit()?;
    Ok(id)
}

/// The message queued under `key`, not counting a failure recorded before one could be built.
fn find_by_key(conn: &Connection, key: &str) -> Result<Option<(i64, MessageState)>, OutboxError> {
    Ok(conn
        .query_row(
            &format!("SELECT id, state FROM messages WHERE send_key = ?1 AND NOT {UNPREPARED}"),
            [key],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )
        .optional()?
        .map(|(id, s)| (id, MessageState::parse(&s).unwrap_or(MessageState::Failed))))
}

/// SQL condition of a message that was never built (see [`record_unprepared`]): failed, with
/// no bytes to send.
pub(crate) const UNPREPARED: &str = "(state = 'failed' AND raw_mime IS NULL)";

/// Records that the message under `meta.send_key` could not be prepared (a customer's data
/// no header can carry, a template error ...): a `failed` message with `reason` and no bytes,
/// so the outbox shows it like any other failure. A later [`enqueue`] under the same key
/// replaces it; recording again only updates the reason. Returns None when a real message is
/// queued under the key already.
pub fn record_unprepared(
    conn: &Connection,
    meta: &MessageMeta,
    reason: &str,
) -> Result<Option<i64>, OutboxError> {
    Ok(conn
        .query_row(
            &format!(
                "INSERT INTO messages (customer_id, direction, send_key, campaign_id, step_id,
                                       template_key, to_addrs, state, failure_reason, created_at)
                 VALUES (?1, 'out', ?2, ?3, ?4, ?5, '[]', 'failed', ?6, ?7)
                 ON CONFLICT (send_key) DO UPDATE SET failure_reason = excluded.failure_reason
                 WHERE {UNPREPARED}
                 RETURNING id"
            ),
            params![
                meta.customer_id,
                meta.send_key,
                meta.campaign_id,
                meta.step_id,
                meta.template_key,
                reason,
                now_ts()
            ],
            |r| r.get(0),
        )
        .optional()?)
}

const COLUMNS: &str =
    "id, customer_id, send_key, template_key, rfc_message_id, from_addr, to_addrs,
    reply_to, subject, state, failure_reason, server_reply, attempts, created_at, sent_at,
    last_attempt_at, next_attempt_at";

fn message_from_row(r: &rusqlite::Row) -> rusqlite::Result<OutboxMessage> {
    let to: Option<String> = r.get(6)?;
    let state: String = r.get(9)?;
    Ok(OutboxMessage {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        send_key: r.get(2)?,
        template_key: r.get(3)?,
        rfc_message_id: r.get(4)?,
        from_addr: r.get(5)?,
        to_addrs: to
            .map(|t| serde_json::from_str(&t).unwrap_or_else(|_| vec![t]))
            .unwrap_or_default(),
        reply_to: r.get(7)?,
        subject: r.get(8)?,
        state: MessageState::parse(&state).unwrap_or(MessageState::Failed),
        failure_reason: r.get(10)?,
        server_reply: r.get(11)?,
        attempts: r.get(12)?,
        created_at: r.get(13)?,
        sent_at: r.get(14)?,
        last_attempt_at: r.get(15)?,
        next_attempt_at: r.get(16)?,
        attachments: Vec::new(),
        invoice_ids: Vec::new(),
    })
}

fn with_details(conn: &Connection, mut m: OutboxMessage) -> Result<OutboxMessage, OutboxError> {
    let mut stmt = conn.prepare_cached(
        "SELECT file_name, content_type, size_bytes FROM message_attachments WHERE message_id = ?1 ORDER BY id",
    )?;
    m.attachments = stmt
        .query_map([m.id], |r| {
            Ok(AttachmentInfo {
                file_name: r.get(0)?,
                content_type: r.get(1)?,
                size_bytes: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT invoice_id FROM message_invoices WHERE message_id = ?1 ORDER BY invoice_id",
    )?;
    m.invoice_ids = stmt
        .query_map([m.id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(m)
}

pub fn get(conn: &Connection, id: i64) -> Result<OutboxMessage, OutboxError> {
    let m = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM messages WHERE id = ?1"),
            [id],
            message_from_row,
        )
        .optional()?
        .ok_or(OutboxError::NotFound(id))?;
    with_details(conn, m)
}

/// The customer's messages, newest first.
pub fn list_for_customer(
    conn: &Connection,
    customer_id: i64,
) -> Result<Vec<OutboxMessage>, OutboxError> {
    list_where(
        conn,
        "customer_id = ?1 ORDER BY created_at DESC, id DESC",
        customer_id.to_string(),
    )
}

/// Messages in one state (e.g. every `uncertain` one for the user to decide), oldest first.
pub fn list_by_state(
    conn: &Connection,
    state: MessageState,
) -> Result<Vec<OutboxMessage>, OutboxError> {
    list_where(
        conn,
        "state = ?1 ORDER BY created_at, id",
        state.as_str().to_string(),
    )
}

fn list_where(
    conn: &Connection,
    clause: &str,
    arg: String,
) -> Result<Vec<OutboxMessage>, OutboxError> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM messages WHERE {clause}"))?;
    let rows: Vec<OutboxMessage> = stmt
        .query_map([arg], message_from_row)?
        .collect::<Result<_, _>>()?;
    rows.into_iter().map(|m| with_details(conn, m)).collect()
}

/// How many outgoing messages are in any of `states` (e.g. queued, or needing a decision).
pub fn count_in_states(conn: &Connection, states: &[MessageState]) -> Result<i64, OutboxError> {
    let names: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
    Ok(conn.query_row(
        "SELECT count(*) FROM messages
         WHERE direction = 'out' AND state IN (SELECT value FROM json_each(?1))",
        [serde_json::to_string(&names).unwrap_or_default()],
        |r| r.get(0),
    )?)
}

/// The exact bytes that were (or will be) sent.
pub fn raw_mime(conn: &Connection, id: i64) -> Result<Vec<u8>, OutboxError> {
    conn.query_row("SELECT raw_mime FROM messages WHERE id = ?1", [id], |r| {
        r.get::<_, Option<Vec<u8>>>(0)
    })
    .optional()?
    .ok_or(OutboxError::NotFound(id))?
    .ok_or_else(|| OutboxError::Invalid(format!("message {id} has no stored content")))
}

fn transition(
    conn: &Connection,
    id: i64,
    from: &[MessageState],
    action: &'static str,
    allowed: &'static str,
    sql: &str,
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
    let changed = conn.execute(
        &format!("{sql} WHERE id = ?1 AND state IN (SELECT value FROM json_each(?2))"),
        params![
            id,
            serde_json::to_string(&states).unwrap_or_default(),
            now_ts()
        ],
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
    )
}

/// The user confirmed an uncertain message arrived.
pub fn mark_sent(conn: &Connection, id: i64) -> Result<OutboxMessage, OutboxError> {
    let m = transition(
        conn,
        id,
        &[MessageState::Uncertain],
        "marking as sent",
        "uncertain",
        "UPDATE messages SET state = 'sent', sent_at = ?3,
                             failure_reason = 'Marked as sent by the user'",
    )?;
    refresh_customer(conn, m.customer_id)?;
    Ok(m)
}

/// Takes a queued message out of the queue before it is sent.
pub fn cancel(conn: &Connection, id: i64) -> Result<OutboxMessage, OutboxError> {
    transition(
        conn,
        id,
        &[MessageState::Queued],
        "cancelling",
        "queued",
        "UPDATE messages SET state = 'failed', failure_reason = 'Cancelled before sending', next_attempt_at = NULL, last_attempt_at = coalesce(last_attempt_at, ?3)",
    )
}

/// A message's fate changes only the customer's last contact among the derived figures.
fn refresh_customer(conn: &Connection, customer_id: Option<i64>) -> Result<(), OutboxError> {
    if let Some(id) = customer_id {
        crate::derived::refresh_last_contact(conn, id)?;
    }
    Ok(())
}

// --- the lease: one sender at a time ------------------------------------------------------

/// Whether the process named in a lease holder ("pid:random") is gone. Known on Linux only;
/// elsewhere a dead sender's lease simply runs out after [`LEASE_TTL`].
fn holder_is_dead(holder: &str) -> bool {
    let Some(pid) = holder.split(':').next().and_then(|p| p.parse::<u32>().ok()) else {
        return false;
    };
    if pid == std::process::id() {
        return false;
    }
    if cfg!(target_os = "linux") {
        return !std::path::Path::new(&format!("/proc/{pid}")).exists();
    }
    false
}

/// Drops the lease of a sender whose process has ended.
fn clear_dead_lease(conn: &Connection) -> Result<(), OutboxError> {
    let holder: Option<String> = conn
        .query_row("SELECT holder FROM outbox_lease WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(holder) = holder.filter(|h| holder_is_dead(h)) {
        conn.execute(
            "DELETE FROM outbox_lease WHERE id = 1 AND holder = ?1",
            [holder],
        )?;
    }
    Ok(())
}

fn acquire_lease(conn: &Connection, holder: &str) -> Result<(), OutboxError> {
    clear_dead_lease(conn)?;
    let now = now_ts();
    let changed = conn.execute(
        "INSERT INTO outbox_lease (id, holder, expires_at) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE outbox_lease.expires_at <= ?3 OR outbox_lease.holder = excluded.holder",
        params![holder, ts_in(LEASE_TTL), now],
    )?;
    if changed == 0 {
        let until: String = conn
            .query_row(
                "SELECT expires_at FROM outbox_lease WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_default();
        return Err(OutboxError::Busy { until });
    }
    Ok(())
}

fn renew_lease(conn: &Connection, holder: &str) -> Result<(), OutboxError> {
    conn.execute(
        "UPDATE outbox_lease SET expires_at = ?2 WHERE id = 1 AND holder = ?1",
        params![holder, ts_in(LEASE_TTL)],
    )?;
    Ok(())
}

fn release_lease(conn: &Connection, holder: &str) -> Result<(), OutboxError> {
    conn.execute(
        "DELETE FROM outbox_lease WHERE id = 1 AND holder = ?1",
        [holder],
    )?;
    Ok(())
}

/// Marks `sending` messages of a sender that died as `uncertain`. Call at startup. Does nothing
/// while another live process holds the send lease (its messages really are being sent).
pub fn recover_interrupted(conn: &Connection) -> Result<Vec<i64>, OutboxError> {
    recover(conn, None)
}

fn recover(conn: &Connection, holder: Option<&str>) -> Result<Vec<i64>, OutboxError> {
    clear_dead_lease(conn)?;
    // IMMEDIATE: this reads then writes; a deferred transaction would fail at once with
    // "database is locked" when another runner writes in between, instead of waiting.
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    let lease: Option<(String, String)> = tx
        .query_row(
            "SELECT holder, expires_at FROM outbox_lease WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((who, until)) = lease {
        if until > now_ts() && Some(who.as_str()) != holder {
            return Ok(Vec::new());
        }
    }
    let ids: Vec<i64> = {
        let mut stmt = tx.prepare(
            "UPDATE messages SET state = 'uncertain', failure_reason = ?1
             WHERE state = 'sending' RETURNING id",
        )?;
        let rows = stmt.query_map([UNCERTAIN_INTERRUPTED], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    tx.commit()?;
    Ok(ids)
}

struct Claimed {
    id: i64,
    attempt: u32,
    envelope: Envelope,
    raw: Vec<u8>,
}

/// queued → sending (attempts + 1) for one message; None when it is not queued any more.
fn claim(conn: &Connection, id: i64) -> Result<Option<Result<Claimed, String>>, OutboxError> {
    let changed = conn.execute(
        "UPDATE messages SET state = 'sending', attempts = attempts + 1, last_attempt_at = ?2,
                             next_attempt_at = NULL
         WHERE id = ?1 AND state = 'queued' AND direction = 'out'",
        params![id, now_ts()],
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
    id: i64,
    attempt: u32,
    result: Result<String, SendError>,
    policy: &RetryPolicy,
    report: &mut DeliveryReport,
) -> Result<(), OutboxError> {
    match result {
        Ok(reply) => {
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
            report.sent.push(id);
        }
        Err(SendError::NotSent(e)) if e.is_transient() && attempt < policy.max_attempts => {
            let wait = policy.backoff(attempt);
            let next = ts_in(wait);
            conn.execute(
                "UPDATE messages SET state = 'queued', next_attempt_at = ?2, failure_reason = ?3
                 WHERE id = ?1",
                params![
                    id,
                    next,
                    format!(
                        "{e} (attempt {attempt} of {}; trying again at {next})",
                        policy.max_attempts
                    )
                ],
            )?;
            report.retries += 1;
        }
        Err(SendError::NotSent(e)) => {
            let reason = if e.is_transient() {
                format!("gave up after {attempt} attempts: {e}")
            } else {
                e.to_string()
            };
            conn.execute(
                "UPDATE messages SET state = 'failed', failure_reason = ?2 WHERE id = ?1",
                params![id, reason],
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

/// Sends queued messages — `only` these ids, or every queued one — retrying 4xx replies after
/// their backoff, until each is sent, failed or uncertain. Takes the send lease first (and
/// turns a dead sender's `sending` rows into `uncertain`); refuses with
/// [`OutboxError::Busy`] while another process sends.
///
/// The future is `Send`; it holds `conn` for its whole run, so give it its own connection
/// (open a second [`crate::db::Database`] on the same file: WAL lets the app keep reading).
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

async fn deliver_holding<M: Mailer>(
    conn: &mut Connection,
    mailer: &M,
    only: Option<&[i64]>,
    policy: &RetryPolicy,
    holder: &str,
) -> Result<DeliveryReport, OutboxError> {
    let mut report = DeliveryReport {
        recovered: recover(conn, Some(holder))?,
        ..DeliveryReport::default()
    };
    let filter = only.map(json_ids);
    let concurrency = policy.concurrency.max(1);
    loop {
        let (due, next_wait) = pick(conn, filter.as_deref(), concurrency)?;
        if due.is_empty() {
            match next_wait {
                Some(wait) => {
                    renew_lease(conn, holder)?;
                    tokio::time::sleep(wait.min(LEASE_RENEW_EVERY)).await;
                    continue;
                }
                None => break,
            }
        }
        let mut claimed = Vec::new();
        for id in due {
            match claim(conn, id)? {
                None => {}
                Some(Ok(c)) => claimed.push(c),
                Some(Err(reason)) => {
                    conn.execute(
                        "UPDATE messages SET state = 'failed', failure_reason = ?2 WHERE id = ?1",
                        params![id, reason],
                    )?;
                    report.failed.push(id);
                }
            }
        }
        renew_lease(conn, holder)?;
        let sends = futures_util::future::join_all(
            claimed.iter().map(|c| mailer.send(&c.envelope, &c.raw)),
        );
        tokio::pin!(sends);
        // Keep the lease fresh while messages are on the wire (a DATA phase can take minutes).
        let results = loop {
            tokio::select! {
                results = &mut sends => break results,
                _ = tokio::time::sleep(LEASE_RENEW_EVERY) => renew_lease(conn, holder)?,
            }
        };
        for (c, result) in claimed.iter().zip(results) {
            record(conn, c.id, c.attempt, result, policy, &mut report)?;
        }
    }
    Ok(report)
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
        "SELECT id FROM messages WHERE state = 'queued' AND direction = 'out'
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
                "SELECT MIN(next_attempt_at) FROM messages WHERE state = 'queued' AND direction = 'out'
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_support::temp_db;
    use crate::mail::smtp::MailError;
    use std::sync::Mutex;

    /// A mailer that answers from a script and records what it was given.
    struct Scripted {
        replies: Mutex<Vec<Result<String, SendError>>>,
        seen: Mutex<Vec<Vec<u8>>>,
    }

    impl Scripted {
        fn new(mut replies: Vec<Result<String, SendError>>) -> Scripted {
            replies.reverse();
            Scripted {
                replies: Mutex::new(replies),
                seen: Mutex::new(Vec::new()),
            }
        }
    }

    impl Mailer for Scripted {
        async fn send(&self, _: &Envelope, raw: &[u8]) -> Result<String, SendError> {
            self.seen.lock().unwrap().push(raw.to_vec());
            self.replies
                .lock()
                .unwrap()
                .pop()
                .unwrap_or(Ok("250 ok".into()))
        }
    }

    fn email() -> OutgoingEmail {
        OutgoingEmail {
            from: "Acme <ar@acme.example>".parse().unwrap(),
            reply_to: None,
            to: vec!["bo@client.example".parse().unwrap()],
            subject: "Hello".into(),
            text: "Hi".into(),
            html: "<p>Hi</p>".into(),
            attachments: vec![],
        }
    }

    fn quick() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            first_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(50),
            concurrency: 2,
        }
    }

    fn rejected(code: u16) -> Result<String, SendError> {
        Err(SendError::NotSent(MailError::Rejected {
            code,
            reply: "nope".into(),
            stage: super::super::smtp::Stage::AfterData,
        }))
    }

    #[test]
    fn a_send_key_is_queued_once() {
        let (_d, db) = temp_db();
        let meta = MessageMeta {
            send_key: Some("campaign:1:step:2:customer:3".into()),
            ..MessageMeta::default()
        };
        let id = enqueue(db.conn(), &email(), &meta).unwrap();
        let again = enqueue(db.conn(), &email(), &meta).unwrap_err();
        assert!(matches!(again, OutboxError::AlreadyQueued { id: i, .. } if i == id));
        let m = get(db.conn(), id).unwrap();
        assert_eq!(m.state, MessageState::Queued);
        assert!(m.rfc_message_id.unwrap().ends_with("@acme.example>"));
        let count: i64 = db
            .conn()
            .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 1);
    }

    #[tokio::test]
    async fn retries_4xx_then_sends_the_same_bytes_once() {
        let (_d, mut db) = temp_db();
        let id = enqueue(db.conn(), &email(), &MessageMeta::default()).unwrap();
        let mailer = Scripted::new(vec![rejected(451), Ok("250 queued".into())]);
        let report = deliver(db.conn_mut(), &mailer, None, &quick())
            .await
            .unwrap();
        assert_eq!(report.sent, vec![id]);
        assert_eq!(report.retries, 1);
        let m = get(db.conn(), id).unwrap();
        assert_eq!((m.state, m.attempts), (MessageState::Sent, 2));
        let seen = mailer.seen.lock().unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0], seen[1], "every attempt sends the same bytes");
    }

    #[tokio::test]
    async fn gives_up_after_max_attempts_and_fails_5xx_at_once() {
        let (_d, mut db) = temp_db();
        let a = enqueue(db.conn(), &email(), &MessageMeta::default()).unwrap();
        let mailer = Scripted::new(vec![rejected(451), rejected(451), rejected(451)]);
        deliver(db.conn_mut(), &mailer, Some(&[a]), &quick())
            .await
            .unwrap();
        let m = get(db.conn(), a).unwrap();
        assert_eq!((m.state, m.attempts), (MessageState::Failed, 3));
        assert!(m
            .failure_reason
            .unwrap()
            .contains("gave up after 3 attempts"));

        let b = enqueue(db.conn(), &email(), &MessageMeta::default()).unwrap();
        let mailer = Scripted::new(vec![rejected(550)]);
        deliver(db.conn_mut(), &mailer, Some(&[b]), &quick())
            .await
            .unwrap();
        let m = get(db.conn(), b).unwrap();
        assert_eq!((m.state, m.attempts), (MessageState::Failed, 1));
        assert!(m.failure_reason.unwrap().contains("550"));
    }

    #[tokio::test]
    async fn an_unknown_outcome_is_uncertain_and_never_resent_by_itself() {
        let (_d, mut db) = temp_db();
        let id = enqueue(db.conn(), &email(), &MessageMeta::default()).unwrap();
        let lost = Err(SendError::Unknown(MailError::Connection {
            stage: super::super::smtp::Stage::AfterData,
            detail: "reset".into(),
        }));
        let mailer = Scripted::new(vec![lost]);
        let report = deliver(db.conn_mut(), &mailer, None, &quick())
            .await
            .unwrap();
        assert_eq!(report.uncertain, vec![id]);
        let again = deliver(db.conn_mut(), &mailer, None, &quick())
            .await
            .unwrap();
        assert!(again.sent.is_empty());
        assert_eq!(mailer.seen.lock().unwrap().len(), 1);
        // The user decides.
        assert!(matches!(
            mark_sent(db.conn(), id).unwrap().state,
            MessageState::Sent
        ));
        assert!(matches!(
            resend(db.conn(), id),
            Err(OutboxError::WrongState { .. })
        ));
    }

    #[tokio::test]
    async fn a_dead_senders_row_becomes_uncertain_unless_its_lease_is_live() {
        let (_d, mut db) = temp_db();
        let id = enqueue(db.conn(), &email(), &MessageMeta::default()).unwrap();
        db.conn()
            .execute("UPDATE messages SET state = 'sending' WHERE id = ?1", [id])
            .unwrap();
        // Another process holds a live lease: its message really is being sent.
        acquire_lease(db.conn(), &format!("{}:other", std::process::id())).unwrap();
        assert!(recover_interrupted(db.conn()).unwrap().is_empty());
        let mailer = Scripted::new(vec![]);
        assert!(matches!(
            deliver(db.conn_mut(), &mailer, None, &quick()).await,
            Err(OutboxError::Busy { .. })
        ));
        // It died: the lease expires.
        db.conn()
            .execute(
                "UPDATE outbox_lease SET expires_at = '2000-01-01T00:00:00.000Z'",
                [],
            )
            .unwrap();
        let report = deliver(db.conn_mut(), &mailer, None, &quick())
            .await
            .unwrap();
        assert_eq!(report.recovered, vec![id]);
        assert!(report.sent.is_empty());
        assert_eq!(get(db.conn(), id).unwrap().state, MessageState::Uncertain);
        assert!(mailer.seen.lock().unwrap().is_empty());
        // Lease released at the end of the run.
        let leases: i64 = db
            .conn()
            .query_row("SELECT count(*) FROM outbox_lease", [], |r| r.get(0))
            .unwrap();
        assert_eq!(leases, 0);
    }

    #[test]
    fn the_delivery_future_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let (_d, mut db) = temp_db();
        let mailer = Scripted::new(vec![]);
        let policy = quick();
        let fut = deliver(db.conn_mut(), &mailer, None, &policy);
        assert_send(&fut);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1), Duration::from_secs(30));
        assert_eq!(p.backoff(2), Duration::from_secs(120));
        assert_eq!(p.backoff(3), Duration::from_secs(480));
        assert_eq!(p.backoff(9), Duration::from_secs(600));
    }
}
