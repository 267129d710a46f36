//! One customer's emails in both directions, as conversations: what Duebook sent and what came
//! back (replies, automatic replies, bounces, kept by a mailbox sync in `messages`), grouped
//! into threads, newest thread first, each message oldest first.
//!
//! Two messages are in one thread when one names the other: a kept reply's `answers_id` (our
//! message it answers or returns), its In-Reply-To or a References id equal to another
//! message's Message-ID. A message that names none starts a thread of its own. Only the newest
//! [`LIMIT`] messages are read, so a long history stays quick.

use crate::store::DbResult;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;

/// Messages read for one customer (the newest).
pub const LIMIT: u32 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MessageDirection {
    /// Duebook sent it.
    Out,
    /// Read from the mailbox.
    In,
}

/// Where a message stands, in the words the screen uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConversationState {
    Queued,
    Sending,
    Sent,
    /// Sent, and seen in the mailbox's own Sent folder: the provider filed it.
    FiledInSent,
    Failed,
    Uncertain,
    Reply,
    AutoReply,
    Bounced,
    /// Kept from the mailbox with no kind (not written by today's sync).
    Received,
}

/// A delivery failure report's facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BounceFacts {
    /// Permanent (5.x.x): the address is marked bad. Temporary (4.x.x): tried again.
    pub hard: bool,
    pub status: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ConversationAttachment {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// The message's bytes are kept, so the file can be opened from Duebook.
    pub openable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ConversationMessage {
    pub id: i64,
    pub direction: MessageDirection,
    /// When it was sent (ours) or written (theirs), RFC 3339.
    pub at: String,
    pub from: Option<String>,
    pub to: Vec<String>,
    pub subject: String,
    pub state: ConversationState,
    /// "Sent", "Automatic reply, back 2026-01-20", "Bounced (5.1.1, permanent)" ...
    pub state_words: String,
    /// Why ours is not sent (failed, uncertain, waiting for a retry).
    pub failure_reason: Option<String>,
    /// Their own words, one short paragraph.
    pub snippet: Option<String>,
    /// Words such as "paid" or a remittance attached: a suggestion, never a payment.
    pub paid_hint: bool,
    /// An automatic reply's stated return day (YYYY-MM-DD).
    pub return_date: Option<String>,
    pub bounce: Option<BounceFacts>,
    pub attachments: Vec<ConversationAttachment>,
    /// A person's or an automatic reply (not a bounce) with a Message-ID to answer.
    pub can_reply: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ConversationThread {
    /// The first message's subject.
    pub subject: String,
    /// The newest message's time.
    pub last_at: String,
    /// Oldest first.
    pub messages: Vec<ConversationMessage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Conversation {
    /// Newest thread first.
    pub threads: Vec<ConversationThread>,
    /// More than [`LIMIT`] messages exist: the oldest are not shown.
    pub truncated: bool,
}

/// A message with the ids that tie it to others.
struct Row {
    message: ConversationMessage,
    rfc_id: Option<String>,
    names: Vec<String>,
    answers_id: Option<i64>,
    /// Its bytes are kept: its attachments can be opened.
    raw_kept: bool,
}

/// The customer's conversation (at most [`LIMIT`] newest messages).
pub fn for_customer(conn: &Connection, customer_id: i64) -> DbResult<Conversation> {
    let mut rows = read_rows(conn, customer_id)?;
    let truncated = rows.len() > LIMIT as usize;
    rows.truncate(LIMIT as usize);
    attach_files(conn, &mut rows)?;
    Ok(Conversation {
        threads: group(rows),
        truncated,
    })
}

const SQL: &str = "
SELECT id, direction, coalesce(sent_at, created_at), from_addr, to_addrs, subject, state,
       filed_in_sent_at, failure_reason, inbound_kind, snippet, paid_hint, return_date,
       bounce_hard, bounce_status, bounced_address, rfc_message_id, in_reply_to,
       references_ids, answers_id, raw_mime IS NOT NULL
  FROM messages WHERE customer_id = ?1
 ORDER BY coalesce(sent_at, created_at) DESC, id DESC
 LIMIT ?2";

fn read_rows(conn: &Connection, customer_id: i64) -> DbResult<Vec<Row>> {
    let mut stmt = conn.prepare_cached(SQL)?;
    let rows = stmt.query_map(params![customer_id, LIMIT + 1], row_of)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn row_of(r: &rusqlite::Row) -> rusqlite::Result<Row> {
    let direction = if r.get::<_, String>(1)? == "in" {
        MessageDirection::In
    } else {
        MessageDirection::Out
    };
    let to: Option<String> = r.get(4)?;
    let bounce = match r.get::<_, Option<bool>>(13)? {
        Some(hard) => Some(BounceFacts {
            hard,
            status: r.get(14)?,
            address: r.get(15)?,
        }),
        None => None,
    };
    let mut m = ConversationMessage {
        id: r.get(0)?,
        direction,
        at: r.get(2)?,
        from: r.get(3)?,
        to: to
            .map(|t| serde_json::from_str(&t).unwrap_or_else(|_| vec![t]))
            .unwrap_or_default(),
        subject: r.get(5)?,
        state: ConversationState::Received,
        state_words: String::new(),
        failure_reason: r.get(8)?,
        snippet: r.get(10)?,
        paid_hint: r.get(11)?,
        return_date: r.get(12)?,
        bounce,
        attachments: Vec::new(),
        can_reply: false,
    };
    let state: String = r.get(6)?;
    let filed: Option<String> = r.get(7)?;
    let kind: Option<String> = r.get(9)?;
    m.state = state_of(&state, filed.is_some(), kind.as_deref());
    m.state_words = words(&m);
    let rfc_id: Option<String> = r.get(16)?;
    m.can_reply = rfc_id.is_some()
        && matches!(
            m.state,
            ConversationState::Reply | ConversationState::AutoReply | ConversationState::Received
        );
    let in_reply_to: Option<String> = r.get(17)?;
    let references: Option<String> = r.get(18)?;
    let names = in_reply_to
        .into_iter()
        .chain(
            references
                .iter()
                .flat_map(|r| r.split_whitespace().map(String::from)),
        )
        .collect();
    Ok(Row {
        message: m,
        rfc_id,
        names,
        answers_id: r.get(19)?,
        raw_kept: r.get(20)?,
    })
}

fn state_of(state: &str, filed_in_sent: bool, kind: Option<&str>) -> ConversationState {
    match (state, kind) {
        ("received", Some("reply")) => ConversationState::Reply,
        ("received", Some("auto_reply")) => ConversationState::AutoReply,
        ("received", Some("bounce")) => ConversationState::Bounced,
        ("received", _) => ConversationState::Received,
        ("sent", _) if filed_in_sent => ConversationState::FiledInSent,
        ("sent", _) => ConversationState::Sent,
        ("queued", _) => ConversationState::Queued,
        ("sending", _) => ConversationState::Sending,
        ("uncertain", _) => ConversationState::Uncertain,
        _ => ConversationState::Failed,
    }
}

/// The state as the screen says it.
fn words(m: &ConversationMessage) -> String {
    match m.state {
        ConversationState::Queued => "Queued".into(),
        ConversationState::Sending => "Sending".into(),
        ConversationState::Sent => "Sent".into(),
        ConversationState::FiledInSent => "Sent (in your Sent folder)".into(),
        ConversationState::Failed => "Failed".into(),
        ConversationState::Uncertain => "Uncertain".into(),
        ConversationState::Reply => "Reply".into(),
        ConversationState::AutoReply => match &m.return_date {
            Some(day) => format!("Automatic reply, back {day}"),
            None => "Automatic reply".into(),
        },
        ConversationState::Bounced => bounce_words(m.bounce.as_ref()),
        ConversationState::Received => "Received".into(),
    }
}

fn bounce_words(bounce: Option<&BounceFacts>) -> String {
    let Some(b) = bounce else {
        return "Bounced".into();
    };
    let lasting = if b.hard { "permanent" } else { "temporary" };
    let mut text = match &b.status {
        Some(status) => format!("Bounced ({status}, {lasting})"),
        None => format!("Bounced ({lasting})"),
    };
    if let Some(address) = &b.address {
        text.push_str(&format!(": {address}"));
    }
    text
}

/// Fills each message's attachments (openable when its bytes are kept).
fn attach_files(conn: &Connection, rows: &mut [Row]) -> DbResult<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, file_name, content_type, size_bytes FROM message_attachments
         WHERE message_id = ?1 ORDER BY id",
    )?;
    for row in rows {
        let openable = row.raw_kept;
        row.message.attachments = stmt
            .query_map([row.message.id], |r| {
                Ok(ConversationAttachment {
                    id: r.get(0)?,
                    file_name: r.get(1)?,
                    content_type: r.get(2)?,
                    size_bytes: r.get(3)?,
                    openable,
                })
            })?
            .collect::<Result<_, _>>()?;
    }
    Ok(())
}

/// Threads from rows (newest first): every row joined with the rows it names.
fn group(rows: Vec<Row>) -> Vec<ConversationThread> {
    let by_rfc: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.rfc_id.as_deref().map(|id| (id, i)))
        .collect();
    let by_id: HashMap<i64, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.message.id, i))
        .collect();
    let mut parent: Vec<usize> = (0..rows.len()).collect();
    for (i, row) in rows.iter().enumerate() {
        let named = row.names.iter().filter_map(|n| by_rfc.get(n.as_str()));
        let answered = row.answers_id.and_then(|id| by_id.get(&id));
        for &other in named.chain(answered) {
            let (a, b) = (root(&mut parent, i), root(&mut parent, other));
            parent[a.max(b)] = a.min(b);
        }
    }
    // Rows are newest first, so each thread's root is its newest message and threads come out
    // newest first in the order their roots are met.
    let mut order: Vec<usize> = Vec::new();
    let mut threads: HashMap<usize, Vec<ConversationMessage>> = HashMap::new();
    for (i, row) in rows.into_iter().enumerate() {
        let r = root(&mut parent, i);
        if !threads.contains_key(&r) {
            order.push(r);
        }
        threads.entry(r).or_default().push(row.message);
    }
    order
        .into_iter()
        .filter_map(|r| threads.remove(&r))
        .map(|mut messages| {
            messages.reverse();
            ConversationThread {
                subject: messages
                    .first()
                    .map(|m| m.subject.clone())
                    .unwrap_or_default(),
                last_at: messages.last().map(|m| m.at.clone()).unwrap_or_default(),
                messages,
            }
        })
        .collect()
}

fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// One message's bodies, for reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBodies {
    pub text: String,
    /// The HTML body: ours as sent, theirs sanitised when it was kept (no scripts, no remote
    /// content). Show it only in a sandboxed frame.
    pub html: Option<String>,
}

/// The bodies of message `message_id`, if it is one of `customer_id`'s messages.
pub fn bodies(
    conn: &Connection,
    customer_id: i64,
    message_id: i64,
) -> DbResult<Option<MessageBodies>> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(body_text, ''), body_html FROM messages
             WHERE id = ?1 AND customer_id = ?2",
        )?
        .query_row(params![message_id, customer_id], |r| {
            Ok(MessageBodies {
                text: r.get(0)?,
                html: r
                    .get::<_, Option<String>>(1)?
                    .filter(|h| !h.trim().is_empty()),
            })
        })
        .optional()?)
}
