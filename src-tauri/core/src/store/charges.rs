//! Late fees and interest recorded on invoices (`charges`), apart from the imported amounts.

use crate::model::text::clean_line;
use crate::store::{now_timestamp, DbResult};
use rusqlite::{params, Connection};
use serde::Serialize;
use ts_rs::TS;

/// One recorded charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct StoredCharge {
    pub id: i64,
    pub invoice_id: i64,
    /// "fee" or "interest".
    pub kind: String,
    pub amount_minor: i64,
    pub currency: String,
    pub as_of: String,
    pub waived_at: Option<String>,
    pub waived_reason: Option<String>,
}

/// Records a charge on an invoice, in the invoice's currency. A second fee on the same invoice,
/// or interest recorded twice on one day, is ignored: a rerun charges nothing twice.
pub fn record(
    conn: &Connection,
    invoice_id: i64,
    campaign_id: i64,
    (kind, amount_minor): (&str, i64),
    as_of: &str,
) -> DbResult<()> {
    conn.prepare_cached(
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
    Ok(())
}

/// An invoice's charges, oldest first.
pub fn of_invoice(conn: &Connection, invoice_id: i64) -> DbResult<Vec<StoredCharge>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, invoice_id, kind, amount_minor, currency, as_of, waived_at, waived_reason
         FROM charges WHERE invoice_id = ?1 ORDER BY as_of, id",
    )?;
    let rows = stmt.query_map([invoice_id], |r| {
        Ok(StoredCharge {
            id: r.get(0)?,
            invoice_id: r.get(1)?,
            kind: r.get(2)?,
            amount_minor: r.get(3)?,
            currency: r.get(4)?,
            as_of: r.get(5)?,
            waived_at: r.get(6)?,
            waived_reason: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
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

/// A customer's charges, by invoice then date.
pub fn of_customer(conn: &Connection, customer_id: i64) -> DbResult<Vec<StoredCharge>> {
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM invoices WHERE customer_id = ?1 ORDER BY id")?
        .query_map([customer_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut all = Vec::new();
    for id in ids {
        all.extend(of_invoice(conn, id)?);
    }
    Ok(all)
}
