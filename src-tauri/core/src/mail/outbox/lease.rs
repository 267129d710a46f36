//! The lease: one sender at a time, and what a dead sender left `sending`.

use super::{now_ts, ts_in, OutboxError};
use rusqlite::{params, Connection, OptionalExtension};
use std::time::Duration;

/// How long a sender's lease lasts without renewal; a live sender renews it every
/// [`LEASE_RENEW_EVERY`], also while a message is on the wire.
pub const LEASE_TTL: Duration = Duration::from_secs(90);
pub const LEASE_RENEW_EVERY: Duration = Duration::from_secs(20);

const UNCERTAIN_INTERRUPTED: &str = "Duebook stopped while sending this message, so it may or may not have been delivered. Check your Sent folder or ask the customer, then choose Resend or Mark as sent.";

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

pub(super) fn acquire_lease(conn: &Connection, holder: &str) -> Result<(), OutboxError> {
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

pub(super) fn renew_lease(conn: &Connection, holder: &str) -> Result<(), OutboxError> {
    conn.execute(
        "UPDATE outbox_lease SET expires_at = ?2 WHERE id = 1 AND holder = ?1",
        params![holder, ts_in(LEASE_TTL)],
    )?;
    Ok(())
}

pub(super) fn release_lease(conn: &Connection, holder: &str) -> Result<(), OutboxError> {
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

pub(super) fn recover(conn: &Connection, holder: Option<&str>) -> Result<Vec<i64>, OutboxError> {
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
