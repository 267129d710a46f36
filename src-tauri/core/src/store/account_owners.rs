//! Account owners across customers: who owns how many customers and how much they owe, and the
//! customers a bulk assignment reaches, and the owner's hold on a customer's reminders. One
//! customer's owner is set in [`super::customers`].

use crate::model::text::clean_line;
use crate::model::validation::required_text;
use crate::model::Owner;
use crate::store::{activity, customers, now_timestamp, DbResult};
use rusqlite::{params, Connection, OptionalExtension};

/// One owner (as stored: the same name and email) with their customers' count and open
/// balances, one per currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerSummary {
    pub owner: Owner,
    pub customers: u32,
    /// (currency, open amount in minor units), by currency; currencies with nothing open left out.
    pub open: Vec<(String, i64)>,
}

/// Every owner, by name then email, with what their customers owe.
pub fn summaries(conn: &Connection) -> DbResult<Vec<OwnerSummary>> {
    let mut owners = conn.prepare_cached(
        "SELECT owner_name, owner_email, count(*) FROM customers
         WHERE owner_name IS NOT NULL OR owner_email IS NOT NULL
         GROUP BY owner_name, owner_email
         ORDER BY owner_name IS NULL, owner_name, owner_email",
    )?;
    let mut balances = conn.prepare_cached(
        "SELECT b.currency, sum(b.open_minor) FROM customer_balances b
         JOIN customers c ON c.id = b.customer_id
         WHERE c.owner_name IS ?1 AND c.owner_email IS ?2 AND b.open_minor != 0
         GROUP BY b.currency ORDER BY b.currency",
    )?;
    let mut rows = owners.query([])?;
    let mut all = Vec::new();
    while let Some(row) = rows.next()? {
        let (name, email): (Option<String>, Option<String>) = (row.get(0)?, row.get(1)?);
        let open = balances
            .query_map((name.as_deref(), email.as_deref()), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<Result<_, _>>()?;
        if let Some(owner) = Owner::from_columns(name, email) {
            all.push(OwnerSummary {
                owner,
                customers: row.get(2)?,
                open,
            });
        }
    }
    Ok(all)
}

/// The customers in `segment` (as stored, case-insensitively), by id.
pub fn ids_in_segment(conn: &Connection, segment: &str) -> DbResult<Vec<i64>> {
    let mut stmt = conn
        .prepare_cached("SELECT id FROM customers WHERE segment = ?1 COLLATE NOCASE ORDER BY id")?;
    let rows = stmt.query_map([segment.trim()], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every owner in use, by name then email, for the list's filter menu.
pub fn all(conn: &Connection) -> DbResult<Vec<Owner>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT owner_name, owner_email FROM customers
         WHERE owner_name IS NOT NULL OR owner_email IS NOT NULL
         ORDER BY owner_name IS NULL, owner_name, owner_email",
    )?;
    let rows = stmt.query_map([], |r| Ok(Owner::from_columns(r.get(0)?, r.get(1)?)))?;
    Ok(rows
        .filter_map(Result::transpose)
        .collect::<Result<_, _>>()?)
}

/// The customers of the owner `text` names (as [`Owner::parse`] reads it), by id; text that
/// names no owner matches nobody.
pub fn ids_of(conn: &Connection, text: &str) -> DbResult<Vec<i64>> {
    let Ok(Some(owner)) = Owner::parse("owner", text) else {
        return Ok(Vec::new());
    };
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM customers WHERE owner_name IS ?1 AND owner_email IS ?2 ORDER BY id",
    )?;
    let rows = stmt.query_map((owner.name, owner.email), |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The owner holds the customer's reminders for `reason` (required, one line): campaigns leave
/// the customer out, saying "held by the owner: <reason>", until [`release`].
pub fn hold(conn: &Connection, customer_id: i64, reason: &str) -> DbResult<()> {
    let reason = required_text("reason", "The reason", &clean_line(reason), 200)?;
    customers::get(conn, customer_id)?;
    conn.prepare_cached("UPDATE customers SET owner_hold = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![customer_id, reason, now_timestamp()])?;
    let summary = format!("Held by the owner: {reason}");
    activity::record(conn, customer_id, None, "owner_hold", &summary)?;
    Ok(())
}

/// Ends the owner's hold; reminders may go out again. Releasing a customer not held does nothing.
pub fn release(conn: &Connection, customer_id: i64) -> DbResult<()> {
    if held(conn, customer_id)?.is_none() {
        return Ok(());
    }
    conn.prepare_cached("UPDATE customers SET owner_hold = NULL, updated_at = ?2 WHERE id = ?1")?
        .execute(params![customer_id, now_timestamp()])?;
    activity::record(
        conn,
        customer_id,
        None,
        "owner_hold",
        "Owner's hold released",
    )?;
    Ok(())
}

/// Why the owner holds the customer, if they do. Refuses an unknown customer.
pub fn held(conn: &Connection, customer_id: i64) -> DbResult<Option<String>> {
    customers::get(conn, customer_id)?;
    Ok(conn
        .prepare_cached("SELECT owner_hold FROM customers WHERE id = ?1")?
        .query_row([customer_id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}
