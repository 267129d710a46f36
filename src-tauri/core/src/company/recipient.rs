//! Who a customer's documents go to.

use crate::store::DbResult;
use rusqlite::{Connection, OptionalExtension};

/// The billing contact (or first contact with a usable email) as (name, email).
pub fn recipient(
    conn: &Connection,
    customer_id: i64,
) -> DbResult<Option<(Option<String>, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT name, email FROM contacts
             WHERE customer_id = ?1 AND email IS NOT NULL AND trim(email) != '' AND email_bad = 0
             ORDER BY is_billing DESC, id LIMIT 1",
        )?
        .query_row([customer_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}
