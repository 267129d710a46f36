//! NetSuite's receivables exports, recognised by their documented column names.
//!
//! - The standard **A/R Aging Detail** report (Reports → Customers/Receivables), saved as CSV or
//!   Excel: company, title and "As of" lines, then a header with `Type`, `Date`,
//!   `Document Number`, `Name` (the customer), `Due Date`, `Age`, `Open Balance` and `Amount`,
//!   rows grouped under each customer with "Total - <customer>" lines and a closing "Total".
//!   It has the QuickBooks report's shape and is read by [`super::quickbooks`]: the type
//!   (Invoice, Credit Memo, Payment, Journal) decides what is a credit.
//! - An **Open Invoices** saved search (Transactions → Sales → Invoices, exported as CSV or
//!   Excel): one row per invoice with `Customer` (or `Name`), `Document Number`, `Date`,
//!   `Due Date` (or `Due Date/Receive By`), `Amount (Gross)` (or `Amount`),
//!   `Amount Remaining`, `Currency` and `Email`, read as the generic CSV is: a negative amount
//!   is a credit memo, an empty currency is the home currency.
//!
//! `Document Number` is what tells either from the generic and QuickBooks headers. A saved
//! search whose author renamed or dropped these columns falls back to the generic header
//! names (or to a column mapping).

use super::columns::{missing, Picker};
use super::mapping::Reading;
use super::source::opt_cell;
use super::{generic, quickbooks};
use csv::StringRecord;

const NUMBER: &[&str] = &["documentnumber"];

/// The A/R Aging Detail report.
pub(super) fn aging_columns(keys: &[String]) -> Result<quickbooks::Columns, Vec<&'static str>> {
    quickbooks::report_columns(keys, ("Document Number", NUMBER))
}

/// An Open Invoices saved search, and its Status column when it has one.
pub(super) fn search_columns(
    keys: &[String],
) -> Result<(generic::Columns, Option<usize>), Vec<&'static str>> {
    let mut picker = Picker::new(keys);
    let customer = picker.pick("customer name", &["customer", "name", "customername"]);
    let number = picker.pick("document number", NUMBER);
    let issue = picker.pick("date", &["date", "transactiondate", "invoicedate"]);
    let amount = picker.pick("amount", &["amountgross", "amount", "total"]);
    let open = picker.pick("amount remaining", &["amountremaining", "amountdue"]);
    // A search with only the remaining amount imports what is open as the whole amount.
    let (Some(customer), Some(number), Some(issue), Some(amount)) =
        (customer, number, issue, amount.or(open))
    else {
        return Err(missing(&[
            ("Customer", customer),
            ("Document Number", number),
            ("Date", issue),
            ("Amount (Gross)", amount.or(open)),
        ]));
    };
    let columns = generic::Columns {
        customer,
        number,
        issue,
        amount,
        due: picker.pick("due date", &["duedate", "duedatereceiveby"]),
        open,
        paid: picker.pick("amount paid", &["amountpaid"]),
        paid_date: None,
        currency: picker.pick("currency", &["currency"]),
        email: picker.pick("email", &["email", "customeremail"]),
        phone: picker.pick("phone", &["phone", "customerphone"]),
        credit_limit: None,
        custom: Vec::new(),
        // The sales rep is who looks after the customer: the account owner.
        owner: picker.pick("account owner", &["accountowner", "salesrep"]),
        duplicates: picker.into_duplicates(),
        reading: Reading::default(),
    };
    Ok((columns, super::columns::find(keys, &["status"])))
}

/// Why a search row is not an open receivable, by its Status: invoices never sent.
pub(super) fn skipped(record: &StringRecord, status: Option<usize>) -> Option<&'static str> {
    match opt_cell(record, status).to_ascii_lowercase().as_str() {
        "pending approval" => Some("is pending approval in NetSuite: not yet sent to the customer"),
        "rejected" => Some("was rejected in NetSuite: never sent to the customer"),
        "voided" | "void" => Some("is voided in NetSuite"),
        _ => None,
    }
}
