//! Ownership: a record made for one customer may only point at that customer's records.
//!
//! The window only offers a customer's own invoices, but a crafted call (or a bug) can name any
//! id, so the core checks, whoever calls it. Invoices are the only records other records point
//! at beside their customer (promises, disputes, invoice copies and linked files, the invoices
//! a message is about); notes, tasks, payments and contacts take their customer from the
//! record itself.

use super::{json_ids, DbError, DbResult};
use rusqlite::Connection;

/// Refuses unless every invoice in `invoice_ids` exists and belongs to `customer_id`: a missing
/// one is [`DbError::NotFound`], another customer's is [`DbError::OtherCustomer`].
pub fn check_invoices_belong(
    conn: &Connection,
    customer_id: i64,
    invoice_ids: &[i64],
) -> DbResult<()> {
    if invoice_ids.is_empty() {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT ids.value, (SELECT i.customer_id FROM invoices i WHERE i.id = ids.value)
         FROM json_each(?1) ids",
    )?;
    let mut owners = stmt.query([json_ids(invoice_ids)])?;
    while let Some(row) = owners.next()? {
        let id: i64 = row.get(0)?;
        match row.get::<_, Option<i64>>(1)? {
            Some(owner) if owner == customer_id => {}
            Some(_) => {
                return Err(DbError::OtherCustomer {
                    record: "invoice",
                    id,
                })
            }
            None => return Err(DbError::NotFound(format!("invoice {id}"))),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_db;

    #[test]
    fn only_the_customers_own_existing_invoices_pass() {
        let (_dir, db) = temp_db();
        let conn = db.conn();
        conn.execute_batch(
            "INSERT INTO customers (id, name, name_key, created_at, updated_at)
                 VALUES (1, 'A', 'a', '2026-01-01', '2026-01-01'),
                        (2, 'B', 'b', '2026-01-01', '2026-01-01');
             INSERT INTO invoices (id, customer_id, number, issue_date, due_date, currency,
                                   total_minor, created_at, updated_at)
                 VALUES (10, 1, 'A-1', '2026-01-01', '2026-02-01', 'EUR', 100, '2026-01-01', '2026-01-01'),
                        (20, 2, 'B-1', '2026-01-01', '2026-02-01', 'EUR', 100, '2026-01-01', '2026-01-01');",
        )
        .unwrap();
        check_invoices_belong(conn, 1, &[]).unwrap();
        check_invoices_belong(conn, 1, &[10, 10]).unwrap();
        let err = check_invoices_belong(conn, 1, &[10, 20]).unwrap_err();
        assert!(
            matches!(
                err,
                DbError::OtherCustomer {
                    record: "invoice",
                    id: 20
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "invoice 20 belongs to another customer");
        let err = check_invoices_belong(conn, 2, &[99]).unwrap_err();
        assert!(matches!(err, DbError::NotFound(ref what) if what == "invoice 99"));
    }
}
