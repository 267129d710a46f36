//! Queries on the `invoices` table. Amount paid and status are kept by [`crate::store::payments`].

use crate::model::{Currency, Invoice, InvoiceKind, InvoiceRow, InvoiceStatus, Money, NewInvoice};
use crate::store::{self, now_timestamp, DbResult};
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row, ToSql};

const COLUMNS: &str =
    "id, customer_id, kind, number, issue_date, due_date, currency, total_minor, paid_minor, status";

pub fn insert(conn: &Connection, new: &NewInvoice) -> DbResult<i64> {
    execute_insert(
        conn,
        "INSERT INTO invoices (customer_id, kind, number, issue_date, due_date, currency,
                               total_minor, source, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        new,
        &[&new.source, &now_timestamp()],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Runs one of the INSERTs above: its parameters ?1 to ?7 are the invoice's own columns, in
/// [`NewInvoice`]'s order, and `more` binds from ?8 on.
fn execute_insert(
    conn: &Connection,
    sql: &str,
    new: &NewInvoice,
    more: &[&dyn ToSql],
) -> DbResult<usize> {
    let (kind, currency) = (new.kind.as_str(), new.total.currency.code());
    let (issue_date, due_date) = (new.issue_date.to_string(), new.due_date.to_string());
    let mut values: Vec<&dyn ToSql> = vec![
        &new.customer_id,
        &kind,
        &new.number,
        &issue_date,
        &due_date,
        &currency,
        &new.total.minor,
    ];
    values.extend_from_slice(more);
    Ok(conn.prepare_cached(sql)?.execute(values.as_slice())?)
}

/// Inserts the invoice unless one of the same kind and number exists; returns the new id, or
/// None when it exists (imports then update it): one statement instead of a lookup and an insert.
///
/// `paid_minor` is what was paid before the invoice reached Duebook; the caller records it as a
/// payment ([`crate::store::payments::insert_unsynced`]) in the same transaction, so paid_minor stays
/// the sum of the invoice's payments. The status follows from it as [`crate::store::payments`] sets it.
///
/// `created_at` is the RFC 3339 time of the import that writes it (one per import run).
pub fn insert_new(
    conn: &Connection,
    new: &NewInvoice,
    paid_minor: i64,
    created_at: &str,
) -> DbResult<Option<i64>> {
    // No RETURNING: it makes SQLite keep a statement journal for every row.
    let inserted = execute_insert(
        conn,
        "INSERT INTO invoices (customer_id, kind, number, issue_date, due_date, currency,
                                   total_minor, paid_minor, status, source, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                     CASE WHEN (?7 >= 0 AND ?8 >= ?7) OR (?7 < 0 AND ?8 <= ?7) THEN 'paid' ELSE 'open' END,
                     ?9, ?10, ?10)
             ON CONFLICT (kind, number) DO NOTHING",
        new,
        &[&paid_minor, &new.source, &created_at],
    )?;
    Ok((inserted == 1).then(|| conn.last_insert_rowid()))
}

pub fn get(conn: &Connection, id: i64) -> DbResult<Invoice> {
    store::get_by_id(
        conn,
        &format!("SELECT {COLUMNS} FROM invoices WHERE id = ?1"),
        id,
        "invoice",
        invoice_from_row,
    )
}

pub fn find_by_number(
    conn: &Connection,
    kind: InvoiceKind,
    number: &str,
) -> DbResult<Option<Invoice>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM invoices WHERE kind = ?1 AND number = ?2"
        ))?
        .query_row(params![kind.as_str(), number], invoice_from_row)
        .optional()?)
}

/// The customers with an open invoice or credit note numbered `number` (case-insensitive, as
/// the index invoices_number compares), at most two: enough to tell one from several.
pub fn customers_with_open_number(conn: &Connection, number: &str) -> DbResult<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT customer_id FROM invoices
         WHERE number = ?1 COLLATE NOCASE AND status = 'open' LIMIT 2",
    )?;
    let ids = stmt.query_map([number], |r| r.get(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
}

/// Changes the facts an accounting export may correct: customer, dates and total.
pub fn update_terms(conn: &Connection, id: i64, new: &NewInvoice) -> DbResult<()> {
    conn.prepare_cached(
        "UPDATE invoices SET customer_id = ?2, issue_date = ?3, due_date = ?4, currency = ?5,
                             total_minor = ?6, updated_at = ?7
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        new.customer_id,
        new.issue_date.to_string(),
        new.due_date.to_string(),
        new.total.currency.code(),
        new.total.minor,
        now_timestamp(),
    ])?;
    Ok(())
}

pub fn set_status(conn: &Connection, id: i64, status: InvoiceStatus) -> DbResult<()> {
    conn.prepare_cached("UPDATE invoices SET status = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, status.as_str(), now_timestamp()])?;
    Ok(())
}

/// Every invoice of a customer: open ones first (oldest due first), then the rest, newest first.
pub fn for_customer(
    conn: &Connection,
    customer_id: i64,
    as_of: NaiveDate,
) -> DbResult<Vec<InvoiceRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM invoices WHERE customer_id = ?1
         ORDER BY status != 'open', CASE WHEN status = 'open' THEN due_date END,
                  issue_date DESC, id DESC"
    ))?;
    let rows = stmt.query_map([customer_id], invoice_from_row)?;
    rows.map(|invoice| Ok(invoice_row(invoice?, as_of)))
        .collect()
}

/// A customer's open invoices (not credit notes), oldest due first: the order a payment that
/// names no invoice pays them in.
pub fn open_for_customer(conn: &Connection, customer_id: i64) -> DbResult<Vec<Invoice>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM invoices
          WHERE customer_id = ?1 AND status = 'open' AND kind = 'invoice'
          ORDER BY due_date, issue_date, id"
    ))?;
    let rows = stmt.query_map([customer_id], invoice_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The currencies a customer has ever been invoiced in, alphabetically.
pub fn customer_currencies(conn: &Connection, customer_id: i64) -> DbResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT currency FROM invoices WHERE customer_id = ?1 ORDER BY currency",
    )?;
    let rows = stmt.query_map([customer_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every open invoice as (id, number, kind): a full import closes the ones its file omits.
pub fn open_ids(conn: &Connection) -> DbResult<Vec<(i64, String, InvoiceKind)>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, number, kind FROM invoices WHERE status = 'open'")?;
    let rows = stmt.query_map([], |r| {
        let kind: String = r.get(2)?;
        Ok((r.get(0)?, r.get(1)?, InvoiceKind::from_db(&kind)))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn invoice_row(invoice: Invoice, as_of: NaiveDate) -> InvoiceRow {
    let currency = invoice.total.currency.clone();
    let open = Money::new(invoice.open_minor(), currency.clone());
    InvoiceRow {
        total_decimal: invoice.total.decimal_string(),
        paid_decimal: Money::new(invoice.paid_minor, currency).decimal_string(),
        open_decimal: open.decimal_string(),
        days_overdue: invoice.days_overdue(as_of),
        open,
        invoice,
    }
}

fn invoice_from_row(row: &Row) -> rusqlite::Result<Invoice> {
    let kind: String = row.get(2)?;
    let currency: String = row.get(6)?;
    let status: String = row.get(9)?;
    let currency = Currency::parse(&currency).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Invoice {
        id: row.get(0)?,
        customer_id: row.get(1)?,
        kind: InvoiceKind::from_db(&kind),
        number: row.get(3)?,
        issue_date: row.get(4)?,
        due_date: row.get(5)?,
        total: Money::new(row.get(7)?, currency),
        paid_minor: row.get(8)?,
        status: InvoiceStatus::from_db(&status),
    })
}
