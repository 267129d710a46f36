//! Queries on the `notes` table.

use crate::db::DbResult;
use crate::model::Note;
use rusqlite::{params, Connection};

/// Adds a note; `created_at` is an RFC 3339 timestamp (demo data and imports set the past).
pub fn insert_at(
    conn: &Connection,
    customer_id: i64,
    body: &str,
    created_at: &str,
) -> DbResult<i64> {
    conn.prepare_cached(
        "INSERT INTO notes (customer_id, body, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
    )?
    .execute(params![customer_id, body, created_at])?;
    Ok(conn.last_insert_rowid())
}

/// Pinned notes first, then the newest `limit` others.
pub fn recent_for_customer(conn: &Connection, customer_id: i64, limit: u32) -> DbResult<Vec<Note>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, customer_id, body, pinned, created_at, updated_at FROM notes
         WHERE customer_id = ?1 ORDER BY pinned DESC, created_at DESC, id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![customer_id, limit], |r| {
        Ok(Note {
            id: r.get(0)?,
            customer_id: r.get(1)?,
            body: r.get(2)?,
            pinned: r.get(3)?,
            created_at: r.get(4)?,
            updated_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
