//! Late fees and interest recorded on invoices (`charges`), apart from the imported amounts.

use crate::model::text::clean_line;
use crate::model::validation::required_text;
use crate::model::{format_minor, Currency};
use crate::store::{now_timestamp, DbError, DbResult};
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

/// One recorded charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct StoredCharge {
    pub id: i64,
    pub invoice_id: i64,
    pub invoice_number: String,
    /// "fee" or "interest".
    pub kind: String,
    pub amount_minor: i64,
    /// The amount as a decimal in the currency's precision ("40.00").
    pub amount: String,
    pub currency: String,
    pub as_of: String,
    pub waived_at: Option<String>,
    pub waived_reason: Option<String>,
    /// Whether the invoice is still open (reminders and statements show only open invoices').
    pub invoice_open: bool,
}

const SELECT: &str = "SELECT c.id, c.invoice_id, i.number, c.kind, c.amount_minor, c.currency,
                             c.as_of, c.waived_at, c.waived_reason, i.status = 'open'
                      FROM charges c JOIN invoices i ON i.id = c.invoice_id";

fn stored(r: &rusqlite::Row) -> rusqlite::Result<StoredCharge> {
    let (amount_minor, currency): (i64, String) = (r.get(4)?, r.get(5)?);
    let decimals = Currency::parse(&currency).map_or(2, |c| c.decimals());
    Ok(StoredCharge {
        id: r.get(0)?,
        invoice_id: r.get(1)?,
        invoice_number: r.get(2)?,
        kind: r.get(3)?,
        amount_minor,
        amount: format_minor(amount_minor, decimals),
        currency,
        as_of: r.get(6)?,
        waived_at: r.get(7)?,
        waived_reason: r.get(8)?,
        invoice_open: r.get(9)?,
    })
}

/// Records a charge on an invoice, in the invoice's currency: its id, or None when it was
/// ignored (a second fee on the same invoice, or interest recorded twice on one day: a rerun
/// charges nothing twice).
pub fn record(
    conn: &Connection,
    invoice_id: i64,
    campaign_id: i64,
    (kind, amount_minor): (&str, i64),
    as_of: &str,
) -> DbResult<Option<i64>> {
    let n = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO charges (invoice_id, campaign_id, kind, amount_minor, currency,
                                            as_of, created_at)
             SELECT id, ?2, ?3, ?4, currency, ?5, ?6 FROM invoices WHERE id = ?1",
        )?
        .execute(params![
            invoice_id,
            campaign_id,
            kind,
            amount_minor,
            as_of,
            now_timestamp()
        ])?;
    Ok((n == 1).then(|| conn.last_insert_rowid()))
}

/// Removes charges just recorded for a reminder that then could not be queued.
pub fn forget(conn: &Connection, ids: &[i64]) -> DbResult<()> {
    let mut stmt =
        conn.prepare_cached("DELETE FROM charges WHERE id = ?1 AND waived_at IS NULL")?;
    for id in ids {
        stmt.execute([id])?;
    }
    Ok(())
}

/// Ties charges just recorded to the reminder that carries them: should it fail for good or be
/// cancelled, it takes them back (migration 26's trigger).
pub fn set_message(conn: &Connection, ids: &[i64], message_id: i64) -> DbResult<()> {
    let mut stmt = conn.prepare_cached("UPDATE charges SET message_id = ?2 WHERE id = ?1")?;
    for id in ids {
        stmt.execute([id, &message_id])?;
    }
    Ok(())
}

/// An invoice's charges, oldest first.
pub fn of_invoice(conn: &Connection, invoice_id: i64) -> DbResult<Vec<StoredCharge>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE c.invoice_id = ?1 ORDER BY c.as_of, c.id"
    ))?;
    let rows = stmt.query_map([invoice_id], stored)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A customer's charges, by invoice then date.
pub fn of_customer(conn: &Connection, customer_id: i64) -> DbResult<Vec<StoredCharge>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE i.customer_id = ?1 ORDER BY c.invoice_id, c.as_of, c.id"
    ))?;
    let rows = stmt.query_map([customer_id], stored)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What a customer is charged on `day` (None: now), waived charges included: per invoice its fee
/// and its latest interest (interest is recorded as of each reminder's day, so the latest row is
/// the total; the earlier rows are its history).
pub fn current_of_customer(
    conn: &Connection,
    customer_id: i64,
    day: Option<NaiveDate>,
) -> DbResult<Vec<StoredCharge>> {
    let mut all = of_customer(conn, customer_id)?;
    if let Some(day) = day.map(|d| d.to_string()) {
        all.retain(|c| c.as_of <= day);
    }
    let latest_interest = |c: &StoredCharge| {
        !all.iter().any(|o| {
            o.invoice_id == c.invoice_id
                && o.kind == "interest"
                && (&o.as_of, o.id) > (&c.as_of, c.id)
        })
    };
    Ok(all
        .iter()
        .filter(|c| c.kind != "interest" || latest_interest(c))
        .cloned()
        .collect())
}

/// Whether interest on the invoice was waived: it then carries no more interest.
pub fn interest_waived(conn: &Connection, invoice_id: i64) -> DbResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM charges
             WHERE invoice_id = ?1 AND kind = 'interest' AND waived_at IS NOT NULL",
        )?
        .query_row([invoice_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Waives a charge with a reason, keeping the row: false when there is no such charge or it was
/// already waived (the first waiver stands).
pub fn waive(conn: &Connection, id: i64, by: &str, reason: &str) -> DbResult<bool> {
    let changed = conn.execute(
        "UPDATE charges SET waived_at = ?2, waived_by = ?3, waived_reason = ?4
         WHERE id = ?1 AND waived_at IS NULL",
        params![id, now_timestamp(), clean_line(by), clean_line(reason)],
    )?;
    Ok(changed == 1)
}

/// [`waive`] for the customer screen: a charge on another customer's invoice is refused with
/// [`DbError::OtherCustomer`], an empty reason with a field error, and nothing changes.
pub fn waive_for_customer(
    conn: &Connection,
    customer_id: i64,
    id: i64,
    reason: &str,
) -> DbResult<bool> {
    // Cleaned first: a reason of nothing but control characters is no reason.
    let reason = required_text("reason", "The reason", &clean_line(reason), 500)?;
    let owner: Option<i64> = conn
        .prepare_cached(
            "SELECT i.customer_id FROM charges c JOIN invoices i ON i.id = c.invoice_id
             WHERE c.id = ?1",
        )?
        .query_row([id], |r| r.get(0))
        .optional()?;
    match owner {
        None => Err(DbError::NotFound(format!("charge {id}"))),
        Some(owner) if owner != customer_id => Err(DbError::OtherCustomer {
            record: "charge",
            id,
        }),
        Some(_) => waive(conn, id, "the customer screen", &reason),
    }
}
