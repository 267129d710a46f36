//! QuickBooks Online's "Invoices and Received Payments" report saved as CSV, read as a payments
//! file. Like the Open Invoices report it is a report, not a table: title lines, a header whose
//! first column is unnamed, a group row naming each customer, then its transactions:
//!
//! ```text
//! ,Date,Transaction type,Memo/Description,Num,Amount
//! Amy's Bird Sanctuary
//! ,01/05/2026,Invoice,,1010,"1,234.50"
//! ,01/25/2026,Payment,,,"1,000.00"
//! ```
//!
//! (The shape as open-source readers of real exports found it, by code search: a Node script
//! reading "<Company>_Invoices and Received Payments.csv" takes Date, Transaction type,
//! Memo/Description, Num and Amount from the columns after the unnamed one, under customer
//! heading rows; a Swift test suite measured on such a file notes that rows are grouped by
//! client, a payment carries no transaction number, and the report has no TOTAL row. The
//! report's name is in QuickBooks Online's report list, Sales and customers.) So a Payment row pays its
//! customer's open invoices, oldest due first, as a payments row naming a customer alone does
//! ([`super::customer`]); Invoice rows are the invoice import's business and are passed over,
//! like subtotals and footers. Dates are MM/DD/YYYY unless the file proves day-first; a
//! payment shown as a negative amount is read as paid.

use super::Columns;
use crate::import::columns::{find, missing, Picker};
use crate::import::source::{cell, opt_cell};
use csv::StringRecord;

const KIND: &[&str] = &["transactiontype", "type"];

/// The report's columns; the unnamed first column holds the customer groups.
pub(super) fn columns(keys: &[String]) -> Result<Columns, Vec<&'static str>> {
    let mut picker = Picker::new(keys);
    let kind = picker.pick("transaction type", KIND);
    let date = picker.pick("date", &["date", "transactiondate"]);
    let amount = picker.pick("amount", &["amount"]);
    let grouped = keys.first().is_some_and(String::is_empty).then_some(0);
    // The Open Invoices report has an open balance: that one is an invoice file.
    let invoices = find(keys, &["openbalance"]).is_some();
    let (Some(kind), Some(date), Some(amount), Some(_), false) =
        (kind, date, amount, grouped, invoices)
    else {
        return Err(missing(&[
            ("Transaction type", kind),
            ("Date", date),
            ("Amount", amount),
        ]));
    };
    Ok(Columns {
        number: None,
        date,
        amount,
        reference: picker.pick("reference", &["num", "no"]),
        currency: None,
        customer: None,
        kind: Some(kind),
        duplicates: picker.into_duplicates(),
    })
}

/// What a report row is to a payments import.
pub(super) enum Line<'r> {
    /// A customer heading: the payments below are its.
    Group(&'r str),
    Payment,
    /// An invoice, a subtotal, a footer: not a payment.
    Other,
}

pub(super) fn line<'r>(record: &'r StringRecord, kind: usize, amount: usize) -> Line<'r> {
    match cell(record, kind).to_ascii_lowercase().as_str() {
        "payment" | "receive payment" => Line::Payment,
        "" if opt_cell(record, Some(amount)).is_empty() && !cell(record, 0).is_empty() => {
            Line::Group(cell(record, 0))
        }
        _ => Line::Other,
    }
}
