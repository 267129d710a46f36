//! Helpers for the ledger tests (customers, invoices, payments, the customer list): the rows
//! every such test starts from, written through the store as the app writes them.

use crate::model::{InvoiceKind, Money, NewInvoice};
use crate::store::payments::{self, NewPayment, PaymentSource};
use crate::store::{invoices, Database};
use chrono::NaiveDate;

/// An invoice of `total` for `customer_id` (a credit note when `total` is negative); returns
/// its id.
pub fn add_invoice(
    db: &Database,
    customer_id: i64,
    number: &str,
    issue_date: NaiveDate,
    due_date: NaiveDate,
    total: Money,
) -> i64 {
    let kind = if total.minor < 0 {
        InvoiceKind::CreditNote
    } else {
        InvoiceKind::Invoice
    };
    invoices::insert(
        db.conn(),
        &NewInvoice {
            customer_id,
            kind,
            number: number.into(),
            issue_date,
            due_date,
            total,
            source: "test".into(),
        },
    )
    .expect("invoice")
}

/// Records a manual payment of `amount_minor` against `invoice_id`.
pub fn record_payment(
    db: &Database,
    invoice_id: i64,
    amount_minor: i64,
    paid_on: NaiveDate,
    reference: Option<&str>,
) {
    payments::record(
        db.conn(),
        &NewPayment {
            invoice_id,
            amount_minor,
            paid_on,
            reference,
            source: PaymentSource::Manual,
        },
    )
    .expect("payment");
}

/// One invoice of a generated history (a credit note when `total` is negative).
pub struct HistoryInvoice<'a> {
    pub customer_id: i64,
    pub currency: &'a str,
    pub issue: NaiveDate,
    pub due: NaiveDate,
    pub total: i64,
    pub void: bool,
}

/// Writes a generated history through the store in one transaction, as imports and the app
/// do: the invoices (numbered `G-n`), then the `payments` as (index into `invoices`, amount,
/// day), then the voids, so a void invoice's payments are written before it is voided.
pub fn write_history(
    db: &Database,
    invoices: &[HistoryInvoice],
    payments: impl IntoIterator<Item = (usize, i64, NaiveDate)>,
) {
    db.conn().execute_batch("BEGIN").expect("begin");
    let ids: Vec<i64> = (invoices.iter().enumerate())
        .map(|(n, inv)| {
            let currency = crate::model::Currency::parse(inv.currency).expect("currency");
            let total = Money::new(inv.total, currency);
            add_invoice(
                db,
                inv.customer_id,
                &format!("G-{n}"),
                inv.issue,
                inv.due,
                total,
            )
        })
        .collect();
    for (n, amount, on) in payments {
        record_payment(db, ids[n], amount, on, None);
    }
    for (n, _) in invoices.iter().enumerate().filter(|(_, i)| i.void) {
        crate::store::invoices::set_status(db.conn(), ids[n], crate::model::InvoiceStatus::Void)
            .expect("void");
    }
    db.conn().execute_batch("COMMIT").expect("commit");
}
