//! Disputes: an invoice the customer contests. An open dispute stops reminders for it.

use crate::model::validation::{optional_text, required_text};
use crate::model::Dispute;
use crate::store::{self, now_timestamp, DbResult};
use crate::{store::derived, store::invoices};
use rusqlite::{params, Connection, OptionalExtension, Row};

const MAX_TEXT: usize = 2_000;

/// Marks an invoice disputed. A second open dispute on the same invoice is refused.
pub fn open(conn: &Connection, invoice_id: i64, reason: &str) -> DbResult<i64> {
    let reason = required_text("reason", "The reason", reason, MAX_TEXT)?;
    let invoice = invoices::get(conn, invoice_id)?;
    if open_for_invoice(conn, invoice_id)?.is_some() {
        return Err(crate::model::validation::FieldError::new(
            "reason",
            format!("Invoice {} is already disputed", invoice.number),
        )
        .into());
    }
    conn.prepare_cached(
        "INSERT INTO disputes (customer_id, invoice_id, reason, opened_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        invoice.customer_id,
        invoice_id,
        reason,
        now_timestamp()
    ])?;
    let id = conn.last_insert_rowid();
    derived::refresh_customers(conn, &[invoice.customer_id])?;
    Ok(id)
}

/// Closes a dispute with what was agreed.
pub fn resolve(conn: &Connection, dispute_id: i64, resolution: &str) -> DbResult<()> {
    let resolution = optional_text("resolution", "The resolution", Some(resolution), MAX_TEXT)?;
    let dispute = get(conn, dispute_id)?;
    if dispute.resolved_at.is_some() {
        return Err(crate::model::validation::FieldError::new(
            "resolution",
            "This dispute is already resolved",
        )
        .into());
    }
    conn.prepare_cached("UPDATE disputes SET resolved_at = ?2, resolution = ?3 WHERE id = ?1")?
        .execute(params![dispute_id, now_timestamp(), resolution])?;
    derived::refresh_customers(conn, &[dispute.customer_id])?;
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> DbResult<Dispute> {
    store::get_by_id(
        conn,
        &format!("{SELECT} WHERE d.id = ?1"),
        id,
        "dispute",
        dispute_from_row,
    )
}

pub fn open_for_invoice(conn: &Connection, invoice_id: i64) -> DbResult<Option<Dispute>> {
    Ok(conn
        .prepare_cached(&format!(
            "{SELECT} WHERE d.invoice_id = ?1 AND d.resolved_at IS NULL"
        ))?
        .query_row([invoice_id], dispute_from_row)
        .optional()?)
}

pub fn for_customer(conn: &Connection, customer_id: i64) -> DbResult<Vec<Dispute>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE d.customer_id = ?1 ORDER BY d.resolved_at IS NOT NULL, d.opened_at DESC"
    ))?;
    let rows = stmt.query_map([customer_id], dispute_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Customers with at least one open dispute.
pub fn disputed_customers(conn: &Connection) -> DbResult<Vec<i64>> {
    let mut stmt =
        conn.prepare_cached("SELECT DISTINCT customer_id FROM disputes WHERE resolved_at IS NULL")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

const SELECT: &str = "SELECT d.id, d.customer_id, d.invoice_id, i.number, d.reason, d.opened_at,
                             d.resolved_at, d.resolution
                      FROM disputes d LEFT JOIN invoices i ON i.id = d.invoice_id";

fn dispute_from_row(row: &Row) -> rusqlite::Result<Dispute> {
    Ok(Dispute {
        id: row.get(0)?,
        customer_id: row.get(1)?,
        invoice_id: row.get(2)?,
        invoice_number: row.get(3)?,
        reason: row.get(4)?,
        opened_at: row.get(5)?,
        resolved_at: row.get(6)?,
        resolution: row.get(7)?,
    })
}
