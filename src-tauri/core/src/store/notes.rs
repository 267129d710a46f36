//! Queries on the `notes` table: what the collector wrote down about a customer.

use crate::model::validation::required_text;
use crate::model::Note;
use crate::store::derived;
use crate::store::{self, now_timestamp, DbError, DbResult};
use rusqlite::{params, Connection, Row};

/// Long enough for a pasted email thread, short enough to stay a note.
pub const MAX_NOTE_CHARS: usize = 20_000;

/// Adds a note written now.
pub fn add(conn: &Connection, customer_id: i64, body: &str) -> DbResult<i64> {
    let body = required_text("body", "The note", body, MAX_NOTE_CHARS)?;
    let id = insert_at(conn, customer_id, &body, &now_timestamp())?;
    derived::refresh_customers(conn, &[customer_id])?;
    Ok(id)
}

/// Adds a note with a given RFC 3339 `created_at` (demo data and imports set the past).
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

pub fn edit(conn: &Connection, id: i64, body: &str) -> DbResult<Note> {
    let body = required_text("body", "The note", body, MAX_NOTE_CHARS)?;
    let changed = conn
        .prepare_cached("UPDATE notes SET body = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, body, now_timestamp()])?;
    if changed == 0 {
        return Err(DbError::NotFound(format!("note {id}")));
    }
    get(conn, id)
}

pub fn set_pinned(conn: &Connection, id: i64, pinned: bool) -> DbResult<Note> {
    let changed = conn
        .prepare_cached("UPDATE notes SET pinned = ?2 WHERE id = ?1")?
        .execute(params![id, pinned])?;
    if changed == 0 {
        return Err(DbError::NotFound(format!("note {id}")));
    }
    get(conn, id)
}

pub fn delete(conn: &Connection, id: i64) -> DbResult<()> {
    let note = get(conn, id)?;
    conn.prepare_cached("DELETE FROM notes WHERE id = ?1")?
        .execute([id])?;
    derived::refresh_customers(conn, &[note.customer_id])?;
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> DbResult<Note> {
    store::get_by_id(
        conn,
        &format!("{SELECT} WHERE id = ?1"),
        id,
        "note",
        note_from_row,
    )
}

/// Pinned notes first, then the newest `limit` others.
pub fn recent_for_customer(conn: &Connection, customer_id: i64, limit: u32) -> DbResult<Vec<Note>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE customer_id = ?1 ORDER BY pinned DESC, created_at DESC, id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![customer_id, limit], note_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

const SELECT: &str = "SELECT id, customer_id, body, pinned, created_at, updated_at FROM notes";

fn note_from_row(r: &Row) -> rusqlite::Result<Note> {
    Ok(Note {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        body: r.get(2)?,
        pinned: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}
