//! The `activity` table: status changes that belong in a customer's timeline (do-not-contact
//! switched, a dispute resolved, an invoice closed by an import ...).

use crate::store::{now_timestamp, DbResult};
use rusqlite::{params, Connection};

pub fn record(
    conn: &Connection,
    customer_id: i64,
    invoice_id: Option<i64>,
    kind: &str,
    summary: &str,
) -> DbResult<i64> {
    conn.prepare_cached(
        "INSERT INTO activity (customer_id, invoice_id, kind, summary, at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![customer_id, invoice_id, kind, summary, now_timestamp()])?;
    Ok(conn.last_insert_rowid())
}
