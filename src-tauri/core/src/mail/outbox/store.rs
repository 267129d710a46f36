//! Writing messages into the outbox and reading them back.

use super::{now_ts, MessageMeta, MessageState, OutboxError, OutboxMessage};
use crate::mail::compose::{mailbox_text, AttachmentInfo, OutgoingEmail, PreparedEmail};
use crate::mail::mime::{build_mime, new_message_id};
use rusqlite::{params, Connection, OptionalExtension};

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
        crate::store::check_invoices_belong(conn, customer_id, &meta.invoice_ids)?;
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
    let invalid = |e: crate::mail::compose::ComposeError| OutboxError::Invalid(e.to_string());
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
    // Cached statements: a campaign run queues thousands of messages, and preparing each
    // statement again cost more than running it.
    tx.prepare_cached(&format!(
        "DELETE FROM messages WHERE send_key = ?1 AND {UNPREPARED}"
    ))?
    .execute([&send_key])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO messages (customer_id, direction, send_key, campaign_id, step_id, template_key,
                               rfc_message_id, from_addr, to_addrs, reply_to, subject, body_text,
                               body_html, raw_mime, state, attempts, created_at, in_reply_to,
                               references_ids)
         VALUES (?1, 'out', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'queued', 0, ?14,
                 ?15, ?16)",
    )?;
    let inserted = insert.execute(params![
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
        email.thread.as_ref().map(|t| &t.in_reply_to),
        email
            .thread
            .as_ref()
            .map(crate::mail::thread::ThreadHeaders::references_line),
    ]);
    drop(insert);
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
    let mut link = tx.prepare_cached(
        "INSERT OR IGNORE INTO message_invoices (message_id, invoice_id) VALUES (?1, ?2)",
    )?;
    for invoice_id in &meta.invoice_ids {
        link.execute(params![id, invoice_id])?;
    }
    drop(link);
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

/// Our outgoing message with this Message-ID (in angle brackets, as stored), as its id and its
/// customer's: how a reply or a bounce finds the reminder it answers.
pub fn find_by_rfc_id(
    conn: &Connection,
    rfc_message_id: &str,
) -> Result<Option<(i64, Option<i64>)>, OutboxError> {
    Ok(conn
        .prepare_cached(
            "SELECT id, customer_id FROM messages
             WHERE rfc_message_id = ?1 AND direction = 'out' LIMIT 1",
        )?
        .query_row([rfc_message_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
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
