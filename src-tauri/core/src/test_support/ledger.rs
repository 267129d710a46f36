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
