//! The account "needs attention": the server refused the login (or the OAuth2 sign-in is gone). Sending stops at once (every
//! message stays queued), the state is kept in the settings table so the CLI, the app and the
//! next run all see it with the server's words and the fix; the next successful send or a
//! newly saved password clears it.

use crate::store::{now_timestamp, settings, DbError};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

const KEY: &str = "mail.account_attention";

/// Why the account cannot send, for the person to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AccountAttention {
    /// When the server refused the login.
    pub since: String,
    /// What went wrong, with the server's reply.
    pub problem: String,
    /// What to do about it.
    pub fix: String,
}

/// Remembers that the server refused the login with `refusal` (the mail error, as said), and
/// what to do about it.
pub fn mark_needs_attention(
    conn: &Connection,
    refusal: &impl std::fmt::Display,
    fix: &str,
) -> Result<(), DbError> {
    let state = AccountAttention {
        since: now_timestamp(),
        problem: refusal.to_string(),
        fix: fix.to_string(),
    };
    let json = serde_json::to_string(&state)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    settings::set(conn, KEY, &json)
}

/// The account's problem, if it has one.
pub fn account_attention(conn: &Connection) -> Result<Option<AccountAttention>, DbError> {
    // An unreadable entry is stale (an older format): treated as none rather than blocking.
    Ok(settings::get(conn, KEY)?.and_then(|json| serde_json::from_str(&json).ok()))
}

/// The login works again (or a new password was saved).
pub fn clear_attention(conn: &Connection) -> Result<(), DbError> {
    conn.execute("DELETE FROM settings WHERE key = ?1", [KEY])?;
    Ok(())
}
