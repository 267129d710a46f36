//! Promises to pay. Whether one is kept or broken is worked out from the payments recorded
//! since it was made, so it never goes stale: kept once they cover the amount, broken when the
//! date passes first.

use crate::model::validation::FieldError;
use crate::model::{Currency, Money, Promise, PromiseStatus};
use crate::store::derived;
use crate::store::{self, now_timestamp, DbResult};
use chrono::NaiveDate;
use rusqlite::{params, Connection, Row};

pub struct NewPromise {
    pub customer_id: i64,
    /// The invoice promised, or None for "part of the balance".
    pub invoice_id: Option<i64>,
    pub amount: Money,
    pub promised_date: NaiveDate,
}

/// A promise as the user enters it: the amount is a decimal in `currency`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct PromiseInput {
    pub customer_id: i64,
    pub invoice_id: Option<i64>,
    pub amount: String,
    pub currency: String,
    pub promised_date: NaiveDate,
}

/// Parses and records what the user entered.
pub fn add_entered(conn: &Connection, input: &PromiseInput, today: NaiveDate) -> DbResult<i64> {
    let currency =
        Currency::parse(&input.currency).map_err(|e| FieldError::new("currency", e.to_string()))?;
    let amount = Money::parse_decimal(&input.amount, &currency)
        .map_err(|e| FieldError::new("amount", format!("Amount: {e}")))?;
    add(
        conn,
        &NewPromise {
            customer_id: input.customer_id,
            invoice_id: input.invoice_id,
            amount,
            promised_date: input.promised_date,
        },
        today,
    )
}

/// Records a promise; `today` rejects dates already past.
pub fn add(conn: &Connection, new: &NewPromise, today: NaiveDate) -> DbResult<i64> {
    if new.amount.minor <= 0 {
        return Err(FieldError::new("amount", "The promised amount must be more than zero").into());
    }
    if new.promised_date < today {
        return Err(FieldError::new(
            "promised_date",
            format!(
                "{} is in the past; a promise is for today or later",
                new.promised_date
            ),
        )
        .into());
    }
    if let Some(invoice_id) = new.invoice_id {
        store::check_invoices_belong(conn, new.customer_id, &[invoice_id])?;
    }
    conn.prepare_cached(
        "INSERT INTO promises (customer_id, invoice_id, amount_minor, currency, promised_date, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        new.customer_id,
        new.invoice_id,
        new.amount.minor,
        new.amount.currency.code(),
        new.promised_date.to_string(),
        now_timestamp()
    ])?;
    let id = conn.last_insert_rowid();
    derived::refresh_customers(conn, &[new.customer_id])?;
    Ok(id)
}

pub fn for_customer(
    conn: &Connection,
    customer_id: i64,
    as_of: NaiveDate,
) -> DbResult<Vec<Promise>> {
    select_where(
        conn,
        "p.customer_id = ?1 ORDER BY p.promised_date DESC, p.id DESC",
        customer_id,
        as_of,
    )
}

/// The promises `condition` picks; its ?1 is `first`, ?2 is `as_of`.
fn select_where(
    conn: &Connection,
    condition: &str,
    first: impl rusqlite::ToSql,
    as_of: NaiveDate,
) -> DbResult<Vec<Promise>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE {condition}"))?;
    let rows = stmt.query_map(params![first, as_of.to_string()], promise_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Payments on the promised invoice (or on any of the customer's invoices in the promised
/// currency) recorded after the promise was made and dated from its day on — a payment
/// entered earlier the same day does not keep a promise made later; ?2 is today. The currency
/// is looked up last, for payments that passed the other tests: the customer's invoices are
/// then found in an index alone (campaign plans read a promise per customer in thousands).
const SELECT: &str = "
    SELECT p.id, p.customer_id, p.invoice_id, i.number, p.amount_minor, p.currency,
           p.promised_date, p.created_at,
           (SELECT coalesce(SUM(pay.amount_minor), 0) FROM invoices pi
              JOIN payments pay ON pay.invoice_id = pi.id
             WHERE pi.customer_id = p.customer_id
               AND (p.invoice_id IS NULL OR pi.id = p.invoice_id)
               AND pay.created_at >= p.created_at
               AND pay.paid_on >= substr(p.created_at, 1, 10)
               AND (SELECT c.currency FROM invoices c WHERE c.id = pi.id) = p.currency) AS paid_since,
           ?2 AS today
    FROM promises p LEFT JOIN invoices i ON i.id = p.invoice_id";

fn promise_from_row(row: &Row) -> rusqlite::Result<Promise> {
    let currency: String = row.get(5)?;
    let currency = Currency::parse(&currency).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e))
    })?;
    let amount = Money::new(row.get(4)?, currency);
    let promised_date: NaiveDate = row.get(6)?;
    let paid_since: i64 = row.get(8)?;
    let today: NaiveDate = row.get(9)?;
    let status = if paid_since >= amount.minor {
        PromiseStatus::Kept
    } else if promised_date < today {
        PromiseStatus::Broken
    } else {
        PromiseStatus::Pending
    };
    Ok(Promise {
        id: row.get(0)?,
        customer_id: row.get(1)?,
        invoice_id: row.get(2)?,
        invoice_number: row.get(3)?,
        amount_decimal: amount.decimal_string(),
        amount,
        promised_date,
        status,
        created_at: row.get(7)?,
    })
}

/// Customers with a promise in `status` on `today` (for the list's filters).
pub fn customers_with(
    conn: &Connection,
    status: PromiseStatus,
    today: NaiveDate,
) -> DbResult<Vec<i64>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE p.kept IS NULL"))?;
    let rows = stmt.query_map(
        params![Option::<i64>::None, today.to_string()],
        promise_from_row,
    )?;
    let mut ids = Vec::new();
    for promise in rows {
        let promise = promise?;
        if promise.status == status {
            ids.push(promise.customer_id);
        }
    }
    Ok(ids)
}

/// Every promise of the customers in `customer_ids` (a JSON array of ids).
pub fn of_customers(
    conn: &Connection,
    customer_ids: &str,
    as_of: NaiveDate,
) -> DbResult<Vec<Promise>> {
    select_where(
        conn,
        "p.customer_id IN (SELECT value FROM json_each(?1))",
        customer_ids,
        as_of,
    )
}

/// The promises whose date falls in [`from`, `to`], with their status on `today` (for the
/// promises-kept report).
pub fn due_between(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> DbResult<Vec<Promise>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE p.promised_date >= ?1 AND p.promised_date <= ?3"
    ))?;
    let rows = stmt.query_map(
        params![from.to_string(), today.to_string(), to.to_string()],
        promise_from_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}
