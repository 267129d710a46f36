//! Queries on the `notes` table.

use crate::db::DbResult;
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
