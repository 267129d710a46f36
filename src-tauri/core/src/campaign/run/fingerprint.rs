//! Whether `run-due` can skip planning: the common cron tick finds nothing changed since the
//! last run that left nothing to send.
//!
//! A plan depends on the date, on the build (the rules) and on the rows of the tables it reads;
//! migration 0007 keeps a change counter per such table (`plan_inputs`), bumped by triggers on
//! every update and delete, and an insert changes the table's row count. The fingerprint is
//! all of these together. (An insert with SQLite's REPLACE conflict resolution would slip by:
//! the row it replaces fires no delete trigger. The code uses upserts; a test keeps it so.)
//!
//! When a run leaves nothing to send, [`settle`] plans again and stores the fingerprint read in
//! the same snapshot as that plan; a later run whose fingerprint is equal would make the same
//! empty plan, so it may skip planning ([`unchanged_since`]). Anything written in between — a
//! payment, a note, an edited campaign, a queued message — or the next day changes the
//! fingerprint, so that run plans again.

use super::super::CampaignResult;
use super::{left_queued, left_sending, plan_all};
use crate::mail::outbox;
use crate::store::now_timestamp;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};

/// The inputs of a plan for `today`, as one comparable text: per table read, its update and
/// delete counter and its row count (which every insert without a delete beside it changes).
pub fn fingerprint(conn: &Connection, today: NaiveDate) -> CampaignResult<String> {
    let counters: Vec<(String, i64)> = conn
        .prepare_cached("SELECT table_name, changes FROM plan_inputs ORDER BY table_name")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut text = format!(
        "{today};build {};schema {}",
        env!("CARGO_PKG_VERSION"),
        crate::store::schema_version(conn)?
    );
    for (table, changes) in counters {
        // The names come from migration 0007's own rows, never from user input.
        let rows: i64 = conn
            .prepare_cached(&format!("SELECT count(*) FROM \"{table}\""))?
            .query_row([], |r| r.get(0))?;
        text.push_str(&format!(";{table} {changes}/{rows}"));
    }
    Ok(text)
}

/// When the last run that left nothing to send was recorded, if nothing changed since and no
/// campaign message waits in the outbox: then planning again would find nothing either.
pub fn unchanged_since(
    conn: &Connection,
    today: NaiveDate,
) -> CampaignResult<Option<DateTime<Utc>>> {
    recorded_unchanged(conn, &fingerprint(conn, today)?)
}

/// [`unchanged_since`] for a fingerprint already read.
pub fn recorded_unchanged(
    conn: &Connection,
    fingerprint: &str,
) -> CampaignResult<Option<DateTime<Utc>>> {
    let Some((stored, at)) = recorded(conn)? else {
        return Ok(None);
    };
    if stored != fingerprint || !outbox_idle(conn)? {
        return Ok(None);
    }
    // An unreadable time (hand-edited file) only costs the shortcut.
    Ok(DateTime::parse_from_rfc3339(&at)
        .ok()
        .map(|t| t.with_timezone(&Utc)))
}

/// The fingerprint recorded by the last run that left nothing to send, and when.
fn recorded(conn: &Connection) -> CampaignResult<Option<(String, String)>> {
    Ok(conn
        .query_row(
            "SELECT fingerprint, recorded_at FROM run_due_state WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// No campaign message is queued or being sent (else a run has delivery work to do).
pub fn outbox_idle(conn: &Connection) -> CampaignResult<bool> {
    Ok(left_queued(conn)?.is_empty() && left_sending(conn)?.is_empty())
}

/// Before a tick looks for a fast path: messages a runner that died left `sending` become
/// uncertain now (unless a live runner holds the send lease, whose messages really are on
/// their way), without keychain or network, so the tick reports them and may still end fast.
/// Returns their ids.
pub fn recover_crashed(conn: &Connection) -> CampaignResult<Vec<i64>> {
    if left_sending(conn)?.is_empty() {
        return Ok(Vec::new());
    }
    Ok(outbox::recover_interrupted(conn)?)
}

/// Stores `fingerprint` as the inputs of a run that left nothing to send.
pub fn record(conn: &Connection, fingerprint: &str) -> CampaignResult<()> {
    conn.execute(
        "INSERT INTO run_due_state (id, fingerprint, recorded_at) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint,
                                        recorded_at = excluded.recorded_at",
        params![fingerprint, now_timestamp()],
    )?;
    Ok(())
}

/// Reads the fingerprint and runs `plan` (given the fingerprint) in one read transaction, so
/// the fingerprint describes exactly the data planned from (a change made meanwhile makes the
/// two differ, never hides).
pub fn with_fingerprint<T>(
    conn: &Connection,
    today: NaiveDate,
    plan: impl FnOnce(&Connection, &str) -> CampaignResult<T>,
) -> CampaignResult<(T, String)> {
    let tx = conn.unchecked_transaction()?;
    let fingerprint = fingerprint(&tx, today)?;
    let planned = plan(&tx, &fingerprint)?;
    tx.commit()?;
    Ok((planned, fingerprint))
}

/// After a run: plans every active campaign again and, when nothing is left to send, records
/// the fingerprint so the next tick of the day can skip planning. Returns whether it recorded.
pub fn settle(conn: &Connection, today: NaiveDate) -> CampaignResult<bool> {
    let (settled, fingerprint) = with_fingerprint(conn, today, |conn, _| {
        let nothing_planned = plan_all(conn, today)?
            .iter()
            .all(|(_, plan)| plan.contacts.is_empty());
        Ok(nothing_planned && outbox_idle(conn)?)
    })?;
    if settled {
        record(conn, &fingerprint)?;
    }
    Ok(settled)
}
