//! Sage Intacct's receivables exports, recognised by their documented column names.
//!
//! - The **invoice list** (Accounts Receivable → Invoices, exported as CSV or Excel; the same
//!   fields as the ARINVOICE object): `Customer ID`, `Customer name`, `Invoice number` (or
//!   `Document number`, `Record ID`), `Date` (`Invoice date`), `Due date`, `Total amount`
//!   (`Total entered`), `Total paid`, `Total due`, `Currency`, and `Date paid` when it is
//!   fully paid.
//! - The **AR Aging** report with details, saved as CSV or Excel: title lines, then
//!   `Customer ID`, `Customer name`, `Invoice number`, `Invoice date`, `Due date`, the aging
//!   buckets and `Total due`, with "Total ..." lines after each customer (skipped). Without an
//!   invoice total the amount due is taken as the whole amount.
//!
//! Both are read as the generic CSV is: a negative amount is a credit memo, an empty currency
//! is the home currency. `Customer ID` with `Total due` (or `Total entered`) is what tells them
//! from a generic header; a list whose columns were changed falls back to the generic header
//! names (or to a column mapping).

use super::columns::{missing, Picker};
use super::generic;
use super::mapping::Reading;
use super::source::opt_cell;
use csv::StringRecord;

/// Intacct's own amount headers: a header with none of them is not one of its exports.
const TOTAL: &[&str] = &["totalentered", "trxtotalentered", "totalamount"];
const DUE: &[&str] = &["totaldue", "trxtotaldue"];

/// The columns, and the State column when the list has one.
pub(super) fn columns(
    keys: &[String],
) -> Result<(generic::Columns, Option<usize>), Vec<&'static str>> {
    let mut picker = Picker::new(keys);
    let id = picker.pick("customer ID", &["customerid"]);
    let customer = picker.pick("customer name", &["customername", "customer"]);
    let number = picker.pick(
        "invoice number",
        &[
            "invoicenumber",
            "invoiceno",
            "documentnumber",
            "docnumber",
            "recordid",
        ],
    );
    let issue = picker.pick("date", &["invoicedate", "date", "whencreated"]);
    let total = picker.pick("total amount", TOTAL);
    let due = picker.pick("total due", DUE);
    let (Some(_), Some(customer), Some(number), Some(issue), Some(amount)) =
        (id, customer, number, issue, total.or(due))
    else {
        return Err(missing(&[
            ("Customer ID", id),
            ("Customer name", customer),
            ("Invoice number", number),
            ("Date", issue),
            ("Total due", total.or(due)),
        ]));
    };
    let columns = generic::Columns {
        customer,
        number,
        issue,
        amount,
        due: picker.pick("due date", &["duedate", "whendue"]),
        // Without a total the amount due is the amount, and nothing more is open.
        open: total.and(due),
        paid: picker.pick("total paid", &["totalpaid", "trxtotalpaid"]),
        paid_date: picker.pick("date paid", &["datepaid", "whenpaid", "paiddate"]),
        currency: picker.pick(
            "currency",
            &["currency", "txncurrency", "transactioncurrency"],
        ),
        email: picker.pick("email", &["email", "contactemail", "emailaddress"]),
        phone: picker.pick("phone", &["phone", "phonenumber", "contactphone"]),
        credit_limit: None,
        custom: Vec::new(),
        // The sales rep is who looks after the customer: the account owner.
        owner: picker.pick("account owner", &["accountowner", "salesrep"]),
        duplicates: picker.into_duplicates(),
        reading: Reading::default(),
    };
    Ok((columns, super::columns::find(keys, &["state", "status"])))
}

/// Why a row is not an open receivable, by its State: drafts were never sent, reversed
/// invoices were cancelled.
pub(super) fn skipped(record: &StringRecord, state: Option<usize>) -> Option<&'static str> {
    match opt_cell(record, state).to_ascii_lowercase().as_str() {
        "draft" => Some("is a draft in Sage Intacct: not yet sent to the customer"),
        "reversed" | "reversal" | "voided" => Some("is reversed in Sage Intacct"),
        _ => None,
    }
}
