//! Queries on the `payments` table. Recording a payment also keeps the invoice's `paid_minor`,
//! `status` and `paid_in_full_on` true to the payments against it — the only place those
//! columns change.

use crate::model::validation::{optional_text, FieldError};
use crate::model::{Invoice, InvoiceStatus, Money};
use crate::store::{now_timestamp, DbResult};
use chrono::NaiveDate;
use rusqlite::{params, Connection};

/// Why a payment row exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentSource {
    /// Entered by the user.
    Manual,
    /// An import showed a lower amount due than before.
    Import,
    /// A full import no longer listed the invoice as open.
    Closed,
    /// Generated demo data.
    Demo,
}

impl PaymentSource {
    fn as_str(self) -> &'static str {
        match self {
            PaymentSource::Manual => "manual",
            PaymentSource::Import => "import",
            PaymentSource::Closed => "close",
            PaymentSource::Demo => "demo",
        }
    }
}

pub struct NewPayment<'a> {
    pub invoice_id: i64,
    pub amount_minor: i64,
    pub paid_on: NaiveDate,
    pub reference: Option<&'a str>,
    pub source: PaymentSource,
}

/// A payment the user enters on the customer screen; `amount` is a decimal in the invoice's
/// currency ("1250.50").
#[derive(Debug, Clone, PartialEq, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ManualPayment {
    pub invoice_id: i64,
    pub amount: String,
    pub paid_on: NaiveDate,
    pub reference: Option<String>,
}

/// Records a payment the user entered: validated against what is still due, dated no later
/// than `today`, and reflected in the customer's balances at once.
pub fn record_manual(
    conn: &Connection,
    payment: &ManualPayment,
    today: NaiveDate,
) -> DbResult<i64> {
    let invoice = crate::store::invoices::get(conn, payment.invoice_id)?;
    let amount = Money::parse_decimal(&payment.amount, &invoice.total.currency)
        .map_err(|e| FieldError::new("amount", format!("Amount: {e}")))?;
    let checked = Checked {
        amount: &amount,
        paid_on: payment.paid_on,
        reference: payment.reference.as_deref(),
        source: PaymentSource::Manual,
    };
    let id = record_checked(conn, &invoice, &checked, today)?;
    crate::store::derived::refresh_customers(conn, &[invoice.customer_id])?;
    Ok(id)
}

/// A payment to check against its invoice before it is recorded.
pub struct Checked<'a> {
    pub amount: &'a Money,
    pub paid_on: NaiveDate,
    pub reference: Option<&'a str>,
    pub source: PaymentSource,
}

/// Records a payment on `invoice` once it passes the checks every entered payment must: the
/// invoice still has something due, the amount is more than zero and no more than what is
/// due, the date is not after `today`, the reference fits. Failures are
/// [`crate::store::DbError::Invalid`]. Callers refresh the customer's derived figures.
pub fn record_checked(
    conn: &Connection,
    invoice: &Invoice,
    payment: &Checked,
    today: NaiveDate,
) -> DbResult<i64> {
    let reference = check(invoice, invoice.open_minor(), payment, today)?;
    record(conn, &payment.with(invoice.id, reference.as_deref()))
}

/// [`record_checked`] for a dated payment from an import, which first takes the place of the
/// payments imports inferred on or after its date ([`inferred_since`]): a lowered amount due
/// seen on import day is this payment seen late, and must not be counted twice. What it
/// replaces counts as still due when the amount is checked. Returns the amount replaced.
pub fn record_replacing(
    conn: &Connection,
    invoice: &Invoice,
    payment: &Checked,
    today: NaiveDate,
) -> DbResult<i64> {
    let replaceable = inferred_since(conn, invoice.id, payment.paid_on)?.min(payment.amount.minor);
    let due = invoice.open_minor() + replaceable.max(0);
    let reference = check(invoice, due, payment, today)?;
    record_dated(conn, &payment.with(invoice.id, reference.as_deref()))
}

/// The checks of [`record_checked`] against `due`; the validated reference.
fn check(
    invoice: &Invoice,
    due: i64,
    payment: &Checked,
    today: NaiveDate,
) -> DbResult<Option<String>> {
    let currency = &invoice.total.currency;
    let amount = payment.amount;
    if invoice.status == InvoiceStatus::Void || due <= 0 {
        return Err(FieldError::new(
            "amount",
            format!("Invoice {} has nothing left to pay", invoice.number),
        )
        .into());
    }
    if amount.minor <= 0 {
        return Err(FieldError::new("amount", "The amount must be more than zero").into());
    }
    if amount.minor > due {
        return Err(FieldError::new(
            "amount",
            format!(
                "{} is more than the {} still due on {}",
                amount,
                Money::new(due, currency.clone()),
                invoice.number
            ),
        )
        .into());
    }
    if payment.paid_on > today {
        return Err(
            FieldError::new("paid_on", format!("{} is in the future", payment.paid_on)).into(),
        );
    }
    Ok(optional_text(
        "reference",
        "The reference",
        payment.reference,
        200,
    )?)
}

impl Checked<'_> {
    fn with<'r>(&self, invoice_id: i64, reference: Option<&'r str>) -> NewPayment<'r> {
        NewPayment {
            invoice_id,
            amount_minor: self.amount.minor,
            paid_on: self.paid_on,
            reference,
            source: self.source,
        }
    }
}

/// Whether a payment with the same invoice, date, amount, reference (none and empty alike) and
/// source is already recorded: how an imported payments file is kept from counting twice.
pub fn is_recorded(conn: &Connection, payment: &NewPayment) -> DbResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM payments
              WHERE invoice_id = ?1 AND paid_on = ?2 AND amount_minor = ?3
                AND coalesce(reference, '') = ?4 AND source = ?5)",
        )?
        .query_row(
            params![
                payment.invoice_id,
                payment.paid_on.to_string(),
                payment.amount_minor,
                payment.reference.unwrap_or(""),
                payment.source.as_str(),
            ],
            |r| r.get(0),
        )?)
}

/// [`is_recorded`] for a payment spread over a customer's invoices: whether any of the
/// customer's invoices in `currency` has an imported payment of that date and reference.
pub fn is_recorded_for_customer(
    conn: &Connection,
    customer_id: i64,
    currency: &str,
    paid_on: NaiveDate,
    reference: &str,
) -> DbResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM payments p JOIN invoices i ON i.id = p.invoice_id
              WHERE i.customer_id = ?1 AND i.currency = ?2 AND p.paid_on = ?3
                AND p.reference = ?4 AND p.source = 'import')",
        )?
        .query_row(
            params![customer_id, currency, paid_on.to_string(), reference],
            |r| r.get(0),
        )?)
}

/// Records a payment and updates the invoice's paid amount and status. Callers refresh the
/// customer's derived figures ([`crate::store::derived`]) once per transaction.
pub fn record(conn: &Connection, payment: &NewPayment) -> DbResult<i64> {
    let id = insert_unsynced(conn, payment)?;
    sync_invoice(conn, payment.invoice_id)?;
    Ok(id)
}

/// [`record`] for bulk writers: adds the amount to the invoice's (already synced) paid amount
/// instead of re-summing its payments, in one UPDATE. Same result, a fraction of the cost.
pub fn record_applied(conn: &Connection, payment: &NewPayment) -> DbResult<i64> {
    let id = insert_unsynced(conn, payment)?;
    // A literal, not format!: this runs once per imported payment. 'paid'/'open' are
    // InvoiceStatus::{Paid, Open}.as_str().
    const APPLY: &str = "UPDATE invoices SET
            paid_minor = paid_minor + ?2,
            status = CASE
                WHEN status = 'void' THEN 'void'
                WHEN (total_minor >= 0 AND paid_minor + ?2 >= total_minor)
                  OR (total_minor < 0 AND paid_minor + ?2 <= total_minor) THEN 'paid'
                ELSE 'open' END,
            updated_at = ?3
         WHERE id = ?1";
    conn.prepare_cached(APPLY)?.execute(params![
        payment.invoice_id,
        payment.amount_minor,
        now_timestamp()
    ])?;
    set_paid_in_full_on(conn, "id = ?1", params![payment.invoice_id])?;
    Ok(id)
}

/// The references of the payments an import infers instead of reading them (dated the import
/// day, since the day they were made is unknown): an open amount already lower when the invoice
/// was first imported, an amount due lowered by a later import, and (source `close`) an
/// invoice a full import no longer listed.
pub const PAID_BEFORE_IMPORT: &str = "paid before the import";
pub const LOWERED_BY_IMPORT: &str = "amount due lowered by an import";
pub const MISSING_FROM_FULL_IMPORT: &str = "missing from a full import";

/// Which payments are inferred ones, of the invoice `invoice` (an SQL expression), for `WHERE`
/// clauses binding ?2 the earliest date and ?3/?4 the import references.
fn inferred(invoice: &str) -> String {
    format!(
        "invoice_id = {invoice} AND paid_on >= ?2 AND amount_minor > 0
         AND ((source = 'import' AND reference IN (?3, ?4)) OR source = 'close')"
    )
}

/// What the payments imports inferred on the invoice, dated on or after `from`, add up to. A
/// payment made on `from` can only explain what was found missing on or after that day.
pub fn inferred_since(conn: &Connection, invoice_id: i64, from: NaiveDate) -> DbResult<i64> {
    let sql = format!(
        "SELECT coalesce(SUM(amount_minor), 0) FROM payments WHERE {}",
        inferred("?1")
    );
    Ok(conn.prepare_cached(&sql)?.query_row(
        params![
            invoice_id,
            from.to_string(),
            PAID_BEFORE_IMPORT,
            LOWERED_BY_IMPORT
        ],
        |r| r.get(0),
    )?)
}

/// [`inferred_since`] for each of a customer's invoices in `currency` that has some, as
/// (invoice id, amount), oldest due first: what a payment naming only the customer replaces.
pub fn inferred_for_customer(
    conn: &Connection,
    customer_id: i64,
    currency: &str,
    from: NaiveDate,
) -> DbResult<Vec<(i64, i64)>> {
    let sql = format!(
        "SELECT i.id, (SELECT coalesce(SUM(amount_minor), 0) FROM payments WHERE {})
           FROM invoices i
          WHERE i.customer_id = ?1 AND i.currency = ?5 AND i.kind = 'invoice'
            AND i.status != 'void'
          ORDER BY i.due_date, i.issue_date, i.id",
        inferred("i.id")
    );
    let rows: Vec<(i64, i64)> = conn
        .prepare_cached(&sql)?
        .query_map(
            params![
                customer_id,
                from.to_string(),
                PAID_BEFORE_IMPORT,
                LOWERED_BY_IMPORT,
                currency
            ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .collect::<Result<_, _>>()?;
    Ok(rows.into_iter().filter(|(_, amount)| *amount > 0).collect())
}

/// Records a dated payment in place of the inferred ones it explains: up to its amount is
/// taken off them (oldest first, a used-up one deleted), so the total paid only grows by what
/// they did not cover. Returns the amount replaced. Callers check the amount beforehand.
pub fn record_dated(conn: &Connection, payment: &NewPayment) -> DbResult<i64> {
    let (id, from) = (payment.invoice_id, payment.paid_on.to_string());
    let sql = format!(
        "SELECT id, amount_minor FROM payments WHERE {} ORDER BY paid_on, id",
        inferred("?1")
    );
    let inferred: Vec<(i64, i64)> = conn
        .prepare_cached(&sql)?
        .query_map(
            params![id, from, PAID_BEFORE_IMPORT, LOWERED_BY_IMPORT],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .collect::<Result<_, _>>()?;
    let mut left = payment.amount_minor.max(0);
    for (payment_id, amount) in inferred {
        let taken = amount.min(left);
        if taken == 0 {
            break;
        }
        if taken == amount {
            conn.prepare_cached("DELETE FROM payments WHERE id = ?1")?
                .execute(params![payment_id])?;
        } else {
            conn.prepare_cached(
                "UPDATE payments SET amount_minor = amount_minor - ?2 WHERE id = ?1",
            )?
            .execute(params![payment_id, taken])?;
        }
        left -= taken;
    }
    insert_unsynced(conn, payment)?;
    sync_invoice(conn, id)?;
    Ok(payment.amount_minor.max(0) - left)
}

/// Inserts without touching the invoice: bulk loads insert many, then call [`sync_all`] once.
pub fn insert_unsynced(conn: &Connection, payment: &NewPayment) -> DbResult<i64> {
    conn.prepare_cached(
        "INSERT INTO payments (invoice_id, amount_minor, paid_on, reference, source, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        payment.invoice_id,
        payment.amount_minor,
        payment.paid_on.to_string(),
        payment.reference,
        payment.source.as_str(),
        now_timestamp(),
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Sets `paid_minor` from the payments and `status` from what remains: an invoice is paid when
/// nothing is due, a credit note when it has been used up. Void invoices stay void.
pub fn sync_invoice(conn: &Connection, invoice_id: i64) -> DbResult<()> {
    sync(conn, "id = ?1", params![invoice_id])
}

/// [`sync_invoice`] for every invoice, after a bulk load.
pub fn sync_all(conn: &Connection) -> DbResult<()> {
    sync(
        conn,
        "id IN (SELECT DISTINCT invoice_id FROM payments)",
        params![],
    )
}

fn sync(conn: &Connection, which: &str, params: &[&dyn rusqlite::ToSql]) -> DbResult<()> {
    let paid = format!(
        "UPDATE invoices SET
            paid_minor = (SELECT coalesce(SUM(p.amount_minor), 0) FROM payments p
                          WHERE p.invoice_id = invoices.id),
            updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         WHERE {which}"
    );
    let status = format!(
        "UPDATE invoices SET status = CASE
            WHEN status = 'void' THEN 'void'
            WHEN (total_minor >= 0 AND paid_minor >= total_minor)
              OR (total_minor < 0 AND paid_minor <= total_minor) THEN '{paid}'
            ELSE '{open}' END
         WHERE {which}",
        paid = InvoiceStatus::Paid.as_str(),
        open = InvoiceStatus::Open.as_str(),
    );
    conn.prepare_cached(&paid)?.execute(params)?;
    conn.prepare_cached(&status)?.execute(params)?;
    Ok(set_paid_in_full_on(conn, which, params)?)
}

/// Sets `paid_in_full_on` for the invoices `which` selects: the first day their payments reached
/// the amount of an invoice (not a credit note), or NULL while anything is due. Reports count an
/// invoice paid in full from then (the later of it and the issue day, see migration 17).
fn set_paid_in_full_on(
    conn: &Connection,
    which: &str,
    params: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<()> {
    let sql = format!(
        "UPDATE invoices SET paid_in_full_on = CASE
            WHEN kind = 'invoice' AND total_minor > 0 AND paid_minor >= total_minor THEN
                (SELECT MIN(p.paid_on) FROM payments p
                 WHERE p.invoice_id = invoices.id
                   AND (SELECT SUM(q.amount_minor) FROM payments q
                        WHERE q.invoice_id = invoices.id AND q.paid_on <= p.paid_on)
                       >= invoices.total_minor)
            END
         WHERE {which}"
    );
    conn.prepare_cached(&sql)?.execute(params)?;
    Ok(())
}

/// Migration 17's data step: the paid-in-full day of every invoice already in the file.
pub(super) fn fill_paid_in_full(conn: &Connection) -> rusqlite::Result<Option<String>> {
    set_paid_in_full_on(conn, "paid_minor <> 0", params![])?;
    Ok(None)
}
