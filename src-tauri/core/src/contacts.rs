//! Queries on the `contacts` table.

use crate::db::{now_timestamp, DbResult};
use crate::model::{Contact, NewContact};
use rusqlite::{params, Connection};

pub fn insert(conn: &Connection, customer_id: i64, new: &NewContact) -> DbResult<i64> {
    conn.prepare_cached(
        "INSERT INTO contacts (customer_id, name, email, phone, role, is_billing, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![
        customer_id,
        new.name,
        new.email,
        new.phone,
        new.role,
        new.is_billing,
        now_timestamp()
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn for_customer(conn: &Connection, customer_id: i64) -> DbResult<Vec<Contact>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, customer_id, name, email, phone, role, is_billing FROM contacts
         WHERE customer_id = ?1 ORDER BY is_billing DESC, id",
    )?;
    let rows = stmt.query_map([customer_id], |r| {
        Ok(Contact {
            id: r.get(0)?,
            customer_id: r.get(1)?,
            name: r.get(2)?,
            email: r.get(3)?,
            phone: r.get(4)?,
            role: r.get(5)?,
            is_billing: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether the customer already has a contact with this email (case-insensitive).
pub fn has_email(conn: &Connection, customer_id: i64, email: &str) -> DbResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM contacts WHERE customer_id = ?1 AND lower(email) = lower(?2))",
        )?
        .query_row(params![customer_id, email], |r| r.get(0))?)
}
