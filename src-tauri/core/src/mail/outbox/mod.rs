//! The durable outbox: never email twice, never lose one.
//!
//! ```text
//!  enqueue ──▶ queued ──claim──▶ sending ──250──────────────▶ sent
//!                ▲                  │ ──4xx / out of reach before DATA ──▶ queued (retry after backoff)
//!                │                  │ ──login refused ──▶ queued; sending stops, account needs attention
//!                │                  │ ──"slow down" / quota reply ──▶ queued; sending paused
//!                │                  │ ──5xx, TLS errors ──▶ failed (reason)
//!                │                  │ ──no verdict after DATA ──────▶ uncertain
//!                │                  └─ process died ─(next start)──▶ uncertain
//!   resend ──────┴── failed / uncertain            mark_sent: uncertain ──▶ sent
//! ```
//!
//! A message is written with its unique `send_key`, our own Message-ID and its exact MIME bytes
//! before any network I/O; each attempt re-sends the same bytes. Only one process sends at a time
//! (a lease row); a `sending` row found while nobody holds the lease belongs to a process that
//! died mid-send and becomes `uncertain` — shown to the user, never resent on its own.

mod deliver;
mod hold;
mod lease;
mod pause;
mod retry;
mod store;
#[cfg(test)]
mod tests;
mod transitions;

/// SQL condition of a queued message, written with the condition of the partial index on
/// `state` (migration 0001) first: SQLite uses a partial index only for a query that repeats
/// its condition, and without it every pick of the delivery loop read every message ever sent.
pub(crate) const QUEUED: &str = "state IN ('queued', 'sending', 'uncertain') AND state = 'queued'";

pub use deliver::deliver;
pub use lease::{recover_interrupted, LEASE_RENEW_EVERY, LEASE_TTL};
pub use pause::{pause_end, pause_sending, sending_paused, SendingPause};
pub use retry::RetryPolicy;
pub use store::{
    count_in_states, enqueue, enqueue_prepared, find_by_rfc_id, get, list_by_state,
    list_for_customer, raw_mime, record_unprepared,
};
pub use transitions::{cancel, mark_sent, mark_sent_because, resend, CANCELLED_REASON};

use super::compose::AttachmentInfo;
use crate::store::DbError;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use ts_rs::TS;

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

/// What a delivery run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DeliveryReport {
    pub sent: Vec<i64>,
    pub failed: Vec<i64>,
    pub uncertain: Vec<i64>,
    /// Sending rows of a process that died, now `uncertain`.
    pub recovered: Vec<i64>,
    /// Attempts that failed for a passing reason (the server out of reach, a 4xx reply): the
    /// message stays queued and is tried again.
    pub retries: u32,
    /// How many messages are left queued for a later retry, and when the first is due.
    pub waiting: u32,
    pub next_retry_at: Option<String>,
    /// The server refused the login: sending stopped, every message stays queued, and the
    /// account is marked as needing attention (see [`super::attention::account_attention`]).
    pub login_refused: Option<String>,
    /// The server said "slow down" or "quota used up": sending is paused for the account
    /// ("sending paused until TIME: <server's words>"), every message stays queued.
    pub paused: Option<String>,
    /// The account's daily limit was reached: the rest waits for the next working morning
    /// ("deferred: daily limit of N reached").
    pub daily_limit: Option<String>,
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
