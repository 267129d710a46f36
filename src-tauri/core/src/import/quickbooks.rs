//! QuickBooks Online "Open Invoices" and "A/R Aging Detail" reports saved as CSV.
//!
//! These are reports, not tables:
//!
//! ```text
//! Craig's Design and Landscaping Services          <- company, title, date lines
//! Open Invoices
//! As of March 19, 2026
//!                                                  <- blank line
//! ,Date,Transaction type,Num,Term,Due date,Amount,Open balance   <- first column unnamed
//! Amy's Bird Sanctuary,,,,,,,                      <- customer group row
//! ,02/17/2026,Invoice,1021,Net 30,03/19/2026,459.00,239.00
//! Total for Amy's Bird Sanctuary,,,,,,$459.00,$239.00          <- subtotal row
//! TOTAL,,,,,,"$9,595.89","$5,281.52"               <- grand total, then a footer
//! ```
//!
//! A row with a transaction type is a transaction; a row with only a first cell starts a
//! group; a first cell with amounts is a subtotal ("Total for Total Fitness" for the customer
//! "Total Fitness", whose own group row has no amounts) and "TOTAL" ends the report. In the A/R
//! Aging Detail report the groups are aging buckets and the customer is a column. QuickBooks
//! Desktop's "Type" and "Total <customer>" spellings read the same way.
//!
//! Payment (unapplied) and Credit Memo rows are credits. Dates are MM/DD/YYYY in QuickBooks
//! Online US; a file whose dates prove day-first (UK) is read day-first. Reports carry no
//! currency: the home currency setting applies. NetSuite's A/R Aging Detail has the same shape
//! and is read here too ([`super::netsuite`]).

use super::columns::{missing, Duplicate, Picker};
use super::dates::DateOrder;
use super::row::{self, InvoiceRow, RowError, RowState};
use super::source::{cell, is_blank, opt_cell, DateReader, Source, Tracker};
use super::writer::Writer;
use super::ImportError;
use crate::model::{customer_name_key, format_minor, InvoiceKind};
use csv::StringRecord;
use std::borrow::Cow;

pub(super) struct Columns {
    date: usize,
    kind: usize,
    num: usize,
    open: usize,
    due: Option<usize>,
    amount: Option<usize>,
    customer: Option<usize>,
    pub duplicates: Vec<Duplicate>,
}

const DATE: &[&str] = &["date", "transactiondate"];
const KIND: &[&str] = &["transactiontype", "type"];
const NUM: &[&str] = &["num", "no"];
const OPEN: &[&str] = &["openbalance"];
const DUE: &[&str] = &["duedate"];
const AMOUNT: &[&str] = &["amount", "originalamount"];
const CUSTOMER: &[&str] = &["customer", "customerfullname", "customername", "name"];

pub(super) fn columns(keys: &[String]) -> Result<Columns, Vec<&'static str>> {
    report_columns(keys, ("Num", NUM))
}

/// The columns of a report shaped like this one whose document number has the header names
/// `number` (NetSuite's A/R Aging Detail says "Document Number").
pub(super) fn report_columns(
    keys: &[String],
    number: (&'static str, &[&str]),
) -> Result<Columns, Vec<&'static str>> {
    let mut picker = Picker::new(keys);
    let date = picker.pick("date", DATE);
    let kind = picker.pick("transaction type", KIND);
    let num = picker.pick("number", number.1);
    let open = picker.pick("open balance", OPEN);
    let (Some(date), Some(kind), Some(num), Some(open)) = (date, kind, num, open) else {
        return Err(missing(&[
            ("Date", date),
            ("Transaction type", kind),
            (number.0, num),
            ("Open balance", open),
        ]));
    };
    Ok(Columns {
        date,
        kind,
        num,
        open,
        due: picker.pick("due date", DUE),
        amount: picker.pick("amount", AMOUNT),
        customer: picker.pick("customer name", CUSTOMER),
        duplicates: picker.into_duplicates(),
    })
}

/// What a report row is.
enum Line<'r> {
    Blank,
    /// A customer (Open Invoices) or an aging bucket (A/R Aging Detail).
    Group(&'r str),
    Subtotal,
    GrandTotal,
    Transaction,
}

fn classify<'r>(record: &'r StringRecord, columns: &Columns) -> Line<'r> {
    if is_blank(record) {
        return Line::Blank;
    }
    // Where the type is the first column (NetSuite), group labels and totals share it: a
    // transaction there also has a date or a number.
    let dated = !cell(record, columns.date).is_empty() || !cell(record, columns.num).is_empty();
    if !cell(record, columns.kind).is_empty() && (columns.kind != 0 || dated) {
        return Line::Transaction;
    }
    let first = cell(record, 0);
    let has_amounts =
        !cell(record, columns.open).is_empty() || !opt_cell(record, columns.amount).is_empty();
    match (first, has_amounts) {
        ("TOTAL", true) => Line::GrandTotal,
        (_, true) => Line::Subtotal,
        ("", false) => Line::Blank,
        (name, false) => Line::Group(name),
    }
}

pub(super) fn run(
    source: &Source,
    columns: &Columns,
    writer: &mut Writer,
    tracker: &mut Tracker,
) -> Result<(), ImportError> {
    let dates = DateReader::new(
        source,
        columns.date,
        columns.due,
        Some(DateOrder::MonthFirst),
    );
    let mut group = String::new();
    let mut rows = source.rows()?;
    while let Some((line, record)) = rows.next()? {
        match classify(record, columns) {
            Line::Blank | Line::Subtotal => continue,
            // Whatever follows the grand total is the report's footer.
            Line::GrandTotal => break,
            Line::Group(name) => {
                group.clear();
                group.push_str(name);
                continue;
            }
            Line::Transaction => {}
        }
        writer.report.rows_read += 1;
        let customer = match columns.customer {
            Some(column) => cell(record, column),
            None => group.as_str(),
        };
        match parse(
            line,
            record,
            customer,
            columns,
            &dates,
            source.decimal_comma,
            writer,
        ) {
            Ok((row, due_defaulted)) => {
                if writer.apply_invoice(&row)? && due_defaulted {
                    writer.warn(
                        Some(line),
                        format!("no due date: due on the issue date {}", row.issue_date),
                    );
                }
            }
            Err(error) => writer.reject(line, error, Some(cell(record, columns.num))),
        }
        tracker.row(record);
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Transaction {
    Invoice,
    CreditMemo,
    /// Unapplied payment: a credit on the customer's account.
    Payment,
    /// Either way, by its sign.
    JournalEntry,
}

fn transaction(text: &str) -> Result<Transaction, RowError> {
    match text.to_ascii_lowercase().as_str() {
        "invoice" => Ok(Transaction::Invoice),
        "credit memo" | "credit note" => Ok(Transaction::CreditMemo),
        "payment" | "receive payment" => Ok(Transaction::Payment),
        "journal entry" | "general journal" | "journal" => Ok(Transaction::JournalEntry),
        _ => Err(RowError::UnknownTransactionType(text.to_string())),
    }
}

fn parse<'r>(
    line: u64,
    record: &'r StringRecord,
    customer: &'r str,
    columns: &Columns,
    dates: &DateReader,
    decimal_comma: bool,
    writer: &mut Writer,
) -> Result<(InvoiceRow<'r>, bool), RowError> {
    let transaction = transaction(cell(record, columns.kind))?;
    let customer = row::customer_name(customer)?;
    writer.used_home = true;
    let currency = writer.home.currency.clone();
    let open = row::amount(
        "open balance",
        cell(record, columns.open),
        &currency,
        decimal_comma,
    )?;
    let total = row::amount_or(
        "amount",
        opt_cell(record, columns.amount),
        open,
        &currency,
        decimal_comma,
    )?;
    let kind = match transaction {
        Transaction::Invoice => InvoiceKind::Invoice,
        Transaction::CreditMemo | Transaction::Payment => InvoiceKind::CreditNote,
        Transaction::JournalEntry => row::kind_by_sign(total, open),
    };
    let credit = kind == InvoiceKind::CreditNote;
    // Reports show credits negative, but not every layout does: the type decides the sign.
    let (total, open) = row::signed_for(kind, total, open);
    row::check_open(total, open, &currency)?;
    let due_text = opt_cell(record, columns.due);
    let (issue_date, due_date) =
        dates.issue_and_due("date", cell(record, columns.date), "due date", due_text)?;
    let num = cell(record, columns.num);
    let number = match transaction {
        Transaction::Payment => Cow::Owned(payment_number(
            num,
            customer,
            issue_date,
            total,
            currency.decimals(),
        )),
        _ => Cow::Borrowed(row::invoice_number(num)?),
    };
    let row = InvoiceRow {
        line,
        customer,
        email: None,
        phone: "",
        contact_name: "",
        number,
        kind,
        issue_date,
        due_date,
        currency,
        total_minor: total,
        open_minor: open,
        state: RowState::by_open_amount(open),
        paid_on: None,
        credit_limit: None,
    };
    // Credits have no due date in these reports; only an invoice without one is worth a word.
    Ok((row, due_text.is_empty() && !credit))
}

/// Payments are credits without an invoice number of their own (Num is a check number when
/// present). The key must be the same on every re-import, so it is built from what does not
/// change: the reference or date, the original amount and the customer.
fn payment_number(
    num: &str,
    customer: &str,
    date: chrono::NaiveDate,
    total: i64,
    decimals: u32,
) -> String {
    if !num.is_empty() {
        return format!("PMT-{num}-{:08x}", fnv1a(&customer_name_key(customer)));
    }
    format!(
        "PMT-{date}-{}-{:08x}",
        format_minor(total.abs(), decimals),
        fnv1a(&customer_name_key(customer))
    )
}

/// 32-bit FNV-1a: short, stable across versions and platforms (unlike std's hasher).
fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn payment_numbers_are_stable_and_per_customer() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        let a = payment_number("", "Amy's Bird Sanctuary", date, -10000, 2);
        assert_eq!(
            a,
            payment_number("", " amy's bird sanctuary ", date, -10000, 2)
        );
        assert_ne!(
            a,
            payment_number("", "Bill's Windsurf Shop", date, -10000, 2)
        );
        assert!(a.starts_with("PMT-2026-03-05-100.00-"), "{a}");
        assert!(payment_number("4521", "Amy", date, -1, 2).starts_with("PMT-4521-"));
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
    }
}
