//! Keeping what a mailbox sync matched, and what it changes, in one transaction:
//! - every matched message is stored in `messages` beside ours (direction 'in', state
//!   'received'), with its kind, the rule that matched it, its own words, its HTML body
//!   sanitised and its bytes (for the attachments), so the customer screen shows the whole conversation;
//! - a person's reply adds a Today task "Reply from X — read and decide" with its first words
//!   (the campaign plan reads the reply itself and holds reminders back);
//! - a permanent bounce marks the address that failed as bad on every contact that has it, with
//!   the reason, and adds a call task instead; a temporary one is kept and changes nothing (the
//!   next step tries the address again).
//!
//! A message is kept once, whatever folder, UID or UIDVALIDITY it is found under
//! ([`mailbox_key`]): found again, it changes nothing — no second task. Unmatched messages are
//! never written.

use super::{CustomerMatch, Decision, Kind, MatchRule};
use crate::model::TaskKind;
use crate::store::{activity, derived, now_timestamp, tasks, DbError};
use chrono::{NaiveDate, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};

/// Messages larger than this are kept without their bytes: the conversation lists their
/// attachments, but they cannot be opened from Duebook (the mailbox still has them). Room for a
/// 25 MB attachment (the usual mailbox limit) once base64 has made it a third larger.
pub const MAX_KEPT_RAW: usize = 36 * 1024 * 1024;
/// Characters of the reply's words in a task title.
const TASK_SNIPPET: usize = 120;

/// What [`record`] did with one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Stored as message `id`, with its effects.
    Stored { id: i64 },
    /// Stored before as message `id`: nothing changed.
    AlreadyKept { id: i64 },
    /// No customer's message: nothing was written.
    Unmatched,
}

#[derive(Debug, thiserror::Error)]
#[error("could not keep a message read from the mailbox: {0}")]
pub struct RecordError(#[from] DbError);

impl From<rusqlite::Error> for RecordError {
    fn from(e: rusqlite::Error) -> Self {
        RecordError(e.into())
    }
}

/// Stores `decision` (read from `raw`) and applies what it changes; `today` dates the tasks.
pub fn record(
    conn: &Connection,
    decision: &Decision,
    raw: &[u8],
    today: NaiveDate,
) -> Result<Recorded, RecordError> {
    let Some(matched) = &decision.customer else {
        return Ok(Recorded::Unmatched);
    };
    let key = mailbox_key(decision, raw);
    if let Some(id) = kept_as(conn, &key)? {
        return Ok(Recorded::AlreadyKept { id });
    }
    let tx = conn.unchecked_transaction()?;
    let Some(id) = insert(&tx, decision, matched, raw, &key)? else {
        // Another sync (cron beside the app) kept it a moment ago: its effects are done.
        drop(tx);
        let id = kept_as(conn, &key)?.unwrap_or_default();
        return Ok(Recorded::AlreadyKept { id });
    };
    let customer_id = matched.customer_id;
    match &decision.classification.kind {
        Kind::HumanReply => reply_task(&tx, customer_id, decision, today)?,
        Kind::Bounce {
            hard: true,
            status,
            diagnostic,
            ..
        } => {
            if let Some(address) = bounced_address(&tx, decision)? {
                let reason = bounce_reason(status.as_deref(), diagnostic.as_deref());
                mark_bad(&tx, customer_id, &address, &reason, today)?;
            }
        }
        Kind::AutoReply { .. } | Kind::Bounce { .. } => {}
    }
    derived::refresh_customers(&tx, &[customer_id])?;
    tx.commit()?;
    Ok(Recorded::Stored { id })
}

/// The message's name in the mailbox: its Message-ID, or (none given) a digest of what it says,
/// so the same message found twice is the same key.
pub fn mailbox_key(decision: &Decision, raw: &[u8]) -> String {
    match &decision.message.message_id {
        Some(id) => id.clone(),
        None => format!("fnv:{:016x}:{}", fnv1a(raw), raw.len()),
    }
}

/// The message already kept under `key`, if any.
pub fn kept_as(conn: &Connection, key: &str) -> Result<Option<i64>, RecordError> {
    Ok(conn
        .prepare_cached("SELECT id FROM messages WHERE mailbox_key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// FNV-1a, 64 bits: stable across builds and platforms, unlike std's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Stores the message and its attachments' names; None when another sync stored it between our
/// look and this insert (the unique key decides, SQLite serialising the two).
fn insert(
    conn: &Connection,
    d: &Decision,
    matched: &CustomerMatch,
    raw: &[u8],
    key: &str,
) -> Result<Option<i64>, RecordError> {
    let m = &d.message;
    let c = &d.classification;
    let (return_date, hard, status, bounced) = match &c.kind {
        Kind::AutoReply { return_date } => (return_date.map(|d| d.to_string()), None, None, None),
        Kind::Bounce {
            hard,
            status,
            failed_recipient,
            ..
        } => (None, Some(*hard), status.clone(), failed_recipient.clone()),
        Kind::HumanReply => (None, None, None, None),
    };
    let written_at = m
        .date
        .map(|d| {
            d.with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Millis, true)
        })
        .unwrap_or_else(now_timestamp);
    let to: Vec<&str> = m.to.iter().map(|a| a.email.as_str()).collect();
    let inserted = conn
        .prepare_cached(
            "INSERT INTO messages (customer_id, direction, rfc_message_id, in_reply_to, from_addr,
             to_addrs, subject, body_text, state, created_at, sent_at, raw_mime, inbound_kind,
             match_rule, snippet, paid_hint, return_date, bounce_hard, bounce_status,
             bounced_address, answers_id, references_ids, mailbox_key, body_html)
         VALUES (?1, 'in', ?2, ?3, ?4, ?5, ?6, ?7, 'received', ?8, ?8, ?9, ?10, ?11, ?12, ?13,
                 ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
         ON CONFLICT (mailbox_key) WHERE mailbox_key IS NOT NULL DO NOTHING",
        )?
        .execute(params![
            matched.customer_id,
            m.message_id,
            m.in_reply_to.first(),
            m.from.as_ref().map(from_text),
            serde_json::to_string(&to).unwrap_or_default(),
            m.subject,
            m.text,
            written_at,
            (raw.len() <= MAX_KEPT_RAW).then_some(raw),
            kind_name(&c.kind),
            rule_name(matched.rule),
            c.snippet,
            c.paid_hint,
            return_date,
            hard,
            status,
            bounced,
            matched.outbox_message_id,
            (!m.references.is_empty()).then(|| m.references.join(" ")),
            key,
            // Only ever stored sanitised: the screen shows this, never the sender's own HTML.
            m.html.as_deref().map(super::html::sanitise),
        ])?;
    if inserted == 0 {
        return Ok(None);
    }
    let id = conn.last_insert_rowid();
    for a in &m.attachments {
        conn.prepare_cached(
            "INSERT INTO message_attachments (message_id, file_name, content_type, size_bytes)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            id,
            a.name.as_deref().unwrap_or(unnamed_part(&a.content_type)),
            a.content_type,
            i64::try_from(a.size).unwrap_or(i64::MAX)
        ])?;
    }
    Ok(Some(id))
}

/// What to call a part its sender gave no name: a bounce's report and returned message say what
/// they are, anything else stays "(unnamed)".
fn unnamed_part(content_type: &str) -> &'static str {
    match content_type {
        "message/delivery-status" | "message/global-delivery-status" => "delivery report.txt",
        "message/rfc822" | "message/global" => "returned message.eml",
        "text/rfc822-headers" => "returned message headers.txt",
        _ => "(unnamed)",
    }
}

fn from_text(a: &super::parse::Address) -> String {
    match &a.name {
        Some(name) => format!("{name} <{}>", a.email),
        None => a.email.clone(),
    }
}

/// The name stored in `messages.inbound_kind`.
pub fn kind_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::HumanReply => "reply",
        Kind::AutoReply { .. } => "auto_reply",
        Kind::Bounce { .. } => "bounce",
    }
}

/// The name stored in `messages.match_rule`.
pub fn rule_name(rule: MatchRule) -> &'static str {
    match rule {
        MatchRule::ReplyHeaders => "reply_headers",
        MatchRule::BouncedMessage => "bounced_message",
        MatchRule::BouncedRecipient => "bounced_recipient",
        MatchRule::SenderAddress => "sender_address",
        MatchRule::SenderDomain => "sender_domain",
        MatchRule::InvoiceNumber => "invoice_number",
    }
}

fn reply_task(
    conn: &Connection,
    customer_id: i64,
    d: &Decision,
    today: NaiveDate,
) -> Result<(), RecordError> {
    let who = d
        .message
        .from
        .as_ref()
        .map(|a| a.name.clone().unwrap_or_else(|| a.email.clone()))
        .unwrap_or_else(|| "the customer".into());
    let mut title = format!("Reply from {who} — read and decide");
    let words: String = d
        .classification
        .snippet
        .chars()
        .take(TASK_SNIPPET)
        .collect();
    if !words.is_empty() {
        title.push_str(&format!(": “{words}”"));
    }
    let title: String = title.chars().take(200).collect();
    tasks::add(
        conn,
        &tasks::NewTask {
            customer_id,
            kind: TaskKind::Email,
            title: &title,
            due_date: today,
        },
    )?;
    Ok(())
}

/// The address a bounce says failed: the report's failed recipient, else the one our returned
/// message was sent to (when it went to one only).
fn bounced_address(conn: &Connection, d: &Decision) -> Result<Option<String>, RecordError> {
    if let Kind::Bounce {
        failed_recipient: Some(address),
        ..
    } = &d.classification.kind
    {
        return Ok(Some(address.clone()));
    }
    let Some(ours) = d.customer.as_ref().and_then(|m| m.outbox_message_id) else {
        return Ok(None);
    };
    let to: Option<String> = conn
        .prepare_cached("SELECT to_addrs FROM messages WHERE id = ?1")?
        .query_row([ours], |r| r.get(0))
        .optional()?
        .flatten();
    let to: Vec<String> = to
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    Ok(match to.as_slice() {
        [one] => Some(address_of(one)),
        _ => None,
    })
}

/// The address in a stored recipient, "Name <a@b.example>" or "a@b.example".
fn address_of(mailbox: &str) -> String {
    match (mailbox.rfind('<'), mailbox.rfind('>')) {
        (Some(open), Some(close)) if open < close => mailbox[open + 1..close].trim().to_string(),
        _ => mailbox.trim().to_string(),
    }
}

fn bounce_reason(status: Option<&str>, diagnostic: Option<&str>) -> String {
    match (status, diagnostic) {
        (Some(s), Some(d)) => format!("bounced ({s}): {d}"),
        (Some(s), None) => format!("bounced ({s})"),
        (None, Some(d)) => format!("bounced: {d}"),
        (None, None) => "bounced".into(),
    }
}

/// Marks `address` bad on the customer's contacts, with why, and asks for a call instead.
fn mark_bad(
    conn: &Connection,
    customer_id: i64,
    address: &str,
    reason: &str,
    today: NaiveDate,
) -> Result<(), RecordError> {
    let reason: String = reason.chars().take(500).collect();
    let marked = conn
        .prepare_cached(
            "UPDATE contacts SET email_bad = 1, email_bad_reason = ?3, email_bad_at = ?4
             WHERE customer_id = ?1 AND lower(email) = lower(?2) AND email_bad = 0",
        )?
        .execute(params![customer_id, address, reason, now_timestamp()])?;
    if marked == 0 {
        return Ok(());
    }
    activity::record(
        conn,
        customer_id,
        None,
        "email_bounced",
        &format!("{address} {reason}; reminders skip it"),
    )?;
    let title: String = format!("Call: email to {address} bounced — find a new address")
        .chars()
        .take(200)
        .collect();
    tasks::add(
        conn,
        &tasks::NewTask {
            customer_id,
            kind: TaskKind::Call,
            title: &title,
            due_date: today,
        },
    )?;
    Ok(())
}
