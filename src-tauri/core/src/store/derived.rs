//! Per-customer figures kept beside the source rows so screens never aggregate a million
//! invoices: open balance per currency, the oldest open due date, the last contact, and the
//! customer's search document. Every write path calls [`refresh_customers`] for the customers
//! it touched, inside its own transaction; bulk loads call [`refresh_all`] once at the end.

use crate::store::DbResult;
use rusqlite::Connection;

/// Recomputes derived data for these customers.
pub fn refresh_customers(conn: &Connection, customer_ids: &[i64]) -> DbResult<()> {
    if customer_ids.is_empty() {
        return Ok(());
    }
    let ids = serde_json::to_string(customer_ids).unwrap_or_else(|_| "[]".into());
    run(conn, Some(&ids))
}

/// Recomputes only the customer's last contact: what a sent or received email changes.
pub fn refresh_last_contact(conn: &Connection, customer_id: i64) -> DbResult<()> {
    conn.prepare_cached(&format!(
        "UPDATE customers SET last_contact_at = {LAST_CONTACT} WHERE id = ?1"
    ))?
    .execute([customer_id])?;
    Ok(())
}

/// Recomputes derived data for every customer (after a bulk load), and merges the search
/// index into one segment, which keeps prefix queries fast.
pub fn refresh_all(conn: &Connection) -> DbResult<()> {
    run(conn, None)?;
    conn.execute(
        "INSERT INTO customer_search (customer_search) VALUES ('optimize')",
        [],
    )?;
    Ok(())
}

/// The latest note, sent email or completed task of `customers.id`.
const LAST_CONTACT: &str = "(SELECT MAX(t) FROM (
    SELECT MAX(created_at) AS t FROM notes WHERE customer_id = customers.id
    UNION ALL SELECT MAX(sent_at) FROM messages WHERE customer_id = customers.id
    UNION ALL SELECT MAX(done_at) FROM tasks WHERE customer_id = customers.id))";

/// `ids` is a JSON array bound as ?1, or None for everyone.
fn run(conn: &Connection, ids: Option<&str>) -> DbResult<()> {
    let only = |column: &str| match ids {
        Some(_) => format!("{column} IN (SELECT value FROM json_each(?1))"),
        None => "1".to_string(),
    };
    let (by_customer, by_id, by_rowid) = (only("customer_id"), only("id"), only("rowid"));
    let to_thousandths = thousandths_case();
    let statements = [
        format!("DELETE FROM customer_balances WHERE {by_customer}"),
        format!(
            "INSERT INTO customer_balances (customer_id, currency, open_minor, open_count, oldest_open_due)
             SELECT customer_id, currency, SUM(total_minor - paid_minor), COUNT(*),
                    MIN(CASE WHEN total_minor - paid_minor > 0 THEN due_date END)
             FROM invoices WHERE status = 'open' AND {by_customer}
             GROUP BY customer_id, currency"
        ),
        format!(
            "UPDATE customers SET
                oldest_open_due = (SELECT MIN(b.oldest_open_due) FROM customer_balances b
                                   WHERE b.customer_id = customers.id),
                open_sort_key = coalesce((SELECT SUM(b.open_minor * {to_thousandths})
                                          FROM customer_balances b
                                          WHERE b.customer_id = customers.id), 0),
                last_contact_at = {LAST_CONTACT},
                next_follow_up = (SELECT MIN(due_date) FROM tasks
                                  WHERE customer_id = customers.id AND done_at IS NULL),
                has_email = EXISTS (SELECT 1 FROM contacts k
                                    WHERE k.customer_id = customers.id
                                      AND k.email IS NOT NULL AND k.email_bad = 0)
             WHERE {by_id}"
        ),
        format!("DELETE FROM customer_search WHERE {by_rowid}"),
        format!(
            "INSERT INTO customer_search (rowid, name, contacts)
             SELECT c.id, c.name,
                    (SELECT group_concat(coalesce(k.name, '') || ' ' || coalesce(k.email, ''), ' ')
                       FROM contacts k WHERE k.customer_id = c.id)
             FROM customers c WHERE {by_id}"
        ),
    ];
    for sql in &statements {
        match ids {
            Some(ids) => conn.execute(sql, [ids])?,
            None => conn.execute(sql, [])?,
        };
    }
    Ok(())
}

/// `CASE b.currency WHEN 'JPY' THEN 1000 ... ELSE 10 END`: the factor from minor units to
/// thousandths of a major unit, so balances in different currencies compare at face value.
/// Only currencies without two decimals need a branch.
fn thousandths_case() -> &'static str {
    static CASE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CASE.get_or_init(|| {
        let mut case = String::from("CASE b.currency");
        use iso_currency::IntoEnumIterator;
        for currency in iso_currency::Currency::iter() {
            let decimals = currency.exponent().map_or(2, u32::from);
            if decimals != 2 {
                let factor = 10i64.pow(3u32.saturating_sub(decimals));
                case.push_str(&format!(" WHEN '{}' THEN {factor}", currency.code()));
            }
        }
        case.push_str(" ELSE 10 END");
        case
    })
}
