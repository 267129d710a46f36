//! A payments file: one payment received per row, against an invoice named by its number, so
//! the KPIs know when each invoice was paid. Header names are matched as in the generic invoice
//! CSV (ignoring case, spaces and punctuation), with the same encodings, dates and amounts:
//!
//! | field          | required | header names                                           |
//! |----------------|----------|--------------------------------------------------------|
//! | invoice number | yes      | invoice_number, invoice, number, num, invoice no       |
//! | payment date   | yes      | payment_date, paid_on, date paid, paid date, date      |
//! | amount         | yes      | amount, amount paid, payment, paid, total              |
//! | reference      | no       | reference, ref, payment reference, memo                |
//! | currency       | no       | currency (empty: the invoice's; else it must match)    |
//! | customer name  | no       | customer_name, customer, client ... (when given, must  |
//! |                |          | be the invoice's customer)                             |
//!
//! A row is one payment recorded as a manual one is ([`payments::record_checked`]): it must not
//! exceed what is still due, nor land on a void or paid invoice. A payment already imported
//! (same invoice, date, amount and reference) is reported and not recorded again.

mod report;

pub use report::PaymentsReport;

use super::columns::{find, missing, Picker};
use super::report::RowIssue;
use super::row::{self, RowError};
use super::source::{cell, is_blank, opt_cell, DateReader, Source};
use super::{back_up_first, decode, detect, read, ImportError};
use crate::model::{Currency, Invoice, InvoiceKind, InvoiceStatus, Money};
use crate::store::payments::{self, Checked, NewPayment, PaymentSource};
use crate::store::{customers, derived, invoices, Database, DbError};
use chrono::NaiveDate;
use csv::StringRecord;
use rusqlite::{Connection, TransactionBehavior};
use std::collections::BTreeSet;
use std::path::Path;

/// Why a payment row was not recorded. The message follows "line N: ".
#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error(transparent)]
    Row(#[from] RowError),
    #[error(
        "no invoice number (customer {0:?}): a payment must name the invoice it pays; \
         payments by customer alone are not imported yet"
    )]
    CustomerOnly(String),
    #[error("no invoice numbered {0:?}")]
    UnknownInvoice(String),
    #[error("invoice {number} is not {customer:?}'s")]
    OtherCustomer { number: String, customer: String },
    #[error("invoice {0} is void")]
    Void(String),
    #[error("currency {row} is not the currency of invoice {number} ({invoice})")]
    OtherCurrency {
        row: String,
        number: String,
        invoice: Currency,
    },
    #[error("{0}")]
    Invalid(String),
}

/// Which cell of a row gives which field.
struct Columns {
    number: usize,
    date: usize,
    amount: usize,
    reference: Option<usize>,
    currency: Option<usize>,
    customer: Option<usize>,
    duplicates: Vec<super::columns::Duplicate>,
}

const DATE: &[&str] = &[
    "paymentdate",
    "paidon",
    "datepaid",
    "paiddate",
    "paymentdt",
    "date",
];
const AMOUNT: &[&str] = &[
    "amount",
    "amountpaid",
    "paymentamount",
    "payment",
    "paid",
    "total",
];
const REFERENCE: &[&str] = &["reference", "ref", "paymentreference", "memo"];
const CURRENCY: &[&str] = &["currency", "currencycode"];
const CUSTOMER: &[&str] = &[
    "customername",
    "customer",
    "name",
    "company",
    "client",
    "clientname",
];

fn columns(keys: &[String]) -> Result<Columns, Vec<&'static str>> {
    let mut picker = Picker::new(keys);
    let number = picker.pick("invoice number", super::generic::NUMBER);
    let date = picker.pick("payment date", DATE);
    let amount = picker.pick("amount", AMOUNT);
    let (Some(number), Some(date), Some(amount)) = (number, date, amount) else {
        return Err(missing(&[
            ("invoice_number", number),
            ("payment_date", date),
            ("amount", amount),
        ]));
    };
    Ok(Columns {
        number,
        date,
        amount,
        reference: picker.pick("reference", REFERENCE),
        currency: picker.pick("currency", CURRENCY),
        // A check on the invoice number, which is what a payment is matched by.
        customer: find(keys, CUSTOMER),
        duplicates: picker.into_duplicates(),
    })
}

/// Imports the payments file at `path` in one transaction (rolled back for a dry run and on
/// any error); payments may not be dated after `today`.
pub fn import_payments_file(
    db: &mut Database,
    path: &Path,
    today: NaiveDate,
    dry_run: bool,
) -> Result<PaymentsReport, ImportError> {
    let (file_name, bytes) = read(path)?;
    import_payments_bytes(db, &file_name, &bytes, today, dry_run)
}

/// [`import_payments_file`] for bytes already in memory; `file_name` names them in messages.
pub fn import_payments_bytes(
    db: &mut Database,
    file_name: &str,
    bytes: &[u8],
    today: NaiveDate,
    dry_run: bool,
) -> Result<PaymentsReport, ImportError> {
    let decoded = decode::decode(bytes).map_err(|reason| ImportError::NotCsv {
        file: file_name.to_string(),
        reason,
    })?;
    let delimiter = decode::sniff_delimiter(&decoded.text);
    let matchers: [super::Matcher<Columns>; 1] = [("payments file", columns)];
    let (header_index, header, columns) =
        detect(&decoded.text, delimiter, &matchers, true, file_name)?;
    let source = Source {
        text: &decoded.text,
        file_name,
        delimiter,
        decimal_comma: delimiter == b';',
        header_index,
    };
    let mut report = PaymentsReport {
        file_name: file_name.to_string(),
        encoding: decoded.encoding,
        dry_run,
        rows_read: 0,
        payments_recorded: 0,
        invoices_paid: 0,
        already_imported: 0,
        rows_rejected: 0,
        rejections: Vec::new(),
        repeats: Vec::new(),
        warnings: Vec::new(),
    };
    let mut warn = |message| {
        report.warnings.push(RowIssue {
            line: None,
            message,
        });
    };
    super::columns::check_duplicates(&source, &header, &columns.duplicates, &mut warn)?;
    back_up_first(db, dry_run)?;
    let tx = db
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let touched = run(&tx, &source, &columns, today, &mut report)?;
    derived::refresh_customers(&tx, &touched.into_iter().collect::<Vec<_>>())?;
    if dry_run {
        tx.rollback()?;
    } else {
        tx.commit()?;
    }
    Ok(report)
}

/// Records every row it can; returns the customers whose invoices were paid.
fn run(
    conn: &Connection,
    source: &Source,
    columns: &Columns,
    today: NaiveDate,
    report: &mut PaymentsReport,
) -> Result<BTreeSet<i64>, ImportError> {
    let dates = DateReader::new(source, columns.date, None, None);
    let mut touched = BTreeSet::new();
    let mut rows = source.rows()?;
    while let Some((line, record)) = rows.next()? {
        if is_blank(record) {
            continue;
        }
        report.rows_read += 1;
        let row = Row {
            record,
            columns,
            dates: &dates,
            decimal_comma: source.decimal_comma,
        };
        match row.apply(conn, today) {
            Ok(Applied::Recorded(invoice)) => {
                report.payments_recorded += 1;
                touched.insert(invoice.customer_id);
                let after = invoices::get(conn, invoice.id)?;
                if after.status == InvoiceStatus::Paid {
                    report.invoices_paid += 1;
                }
            }
            Ok(Applied::Repeat(number)) => {
                report.already_imported += 1;
                let message = format!("already imported (a payment on {number})");
                PaymentsReport::list(&mut report.repeats, line, message);
            }
            Err(ApplyError::Refused(refusal)) => {
                report.rows_rejected += 1;
                PaymentsReport::list(&mut report.rejections, line, refusal.to_string());
            }
            Err(ApplyError::Db(error)) => return Err(error.into()),
        }
    }
    Ok(touched)
}

enum Applied {
    Recorded(Invoice),
    /// Already recorded by an earlier import (or an earlier row of this file); its invoice number.
    Repeat(String),
}

enum ApplyError {
    Refused(Refusal),
    Db(DbError),
}

impl From<Refusal> for ApplyError {
    fn from(refusal: Refusal) -> Self {
        ApplyError::Refused(refusal)
    }
}

impl From<RowError> for ApplyError {
    fn from(error: RowError) -> Self {
        ApplyError::Refused(error.into())
    }
}

/// A data row and how to read it.
struct Row<'r> {
    record: &'r StringRecord,
    columns: &'r Columns,
    dates: &'r DateReader<'r, 'r>,
    decimal_comma: bool,
}

impl Row<'_> {
    fn apply(&self, conn: &Connection, today: NaiveDate) -> Result<Applied, ApplyError> {
        let (record, columns) = (self.record, self.columns);
        let number_cell = cell(record, columns.number);
        if number_cell.trim().is_empty() {
            let customer = opt_cell(record, columns.customer).trim();
            if !customer.is_empty() {
                return Err(Refusal::CustomerOnly(customer.to_string()).into());
            }
        }
        let number = row::invoice_number(number_cell)?;
        let paid_on = self
            .dates
            .date("payment date", cell(record, columns.date))?;
        let invoice = invoices::find_by_number(conn, InvoiceKind::Invoice, number)
            .map_err(ApplyError::Db)?
            .ok_or_else(|| Refusal::UnknownInvoice(number.to_string()))?;
        self.check_customer(conn, &invoice)?;
        let currency = invoice.total.currency.clone();
        let code = opt_cell(record, columns.currency).trim();
        if !code.is_empty() && !code.eq_ignore_ascii_case(currency.code()) {
            return Err(Refusal::OtherCurrency {
                row: code.to_string(),
                number: invoice.number.clone(),
                invoice: currency,
            }
            .into());
        }
        let raw_amount = cell(record, columns.amount);
        let minor = row::amount("amount", raw_amount, &currency, self.decimal_comma)?;
        let reference = Some(opt_cell(record, columns.reference).trim()).filter(|r| !r.is_empty());
        let identity = NewPayment {
            invoice_id: invoice.id,
            amount_minor: minor,
            paid_on,
            reference,
            source: PaymentSource::Import,
        };
        if payments::is_recorded(conn, &identity).map_err(ApplyError::Db)? {
            return Ok(Applied::Repeat(invoice.number));
        }
        if invoice.status == InvoiceStatus::Void {
            return Err(Refusal::Void(invoice.number).into());
        }
        let amount = Money::new(minor, currency);
        let checked = Checked {
            amount: &amount,
            paid_on,
            reference,
            source: PaymentSource::Import,
        };
        match payments::record_checked(conn, &invoice, &checked, today) {
            Ok(_) => Ok(Applied::Recorded(invoice)),
            Err(DbError::Invalid(error)) => Err(Refusal::Invalid(error.message).into()),
            Err(error) => Err(ApplyError::Db(error)),
        }
    }

    /// A customer name, when the row gives one, must be the invoice's customer: a mistyped
    /// invoice number must not pay someone else's invoice.
    fn check_customer(&self, conn: &Connection, invoice: &Invoice) -> Result<(), ApplyError> {
        let customer = opt_cell(self.record, self.columns.customer).trim();
        if customer.is_empty() {
            return Ok(());
        }
        let found = customers::find_id_by_name(conn, customer).map_err(ApplyError::Db)?;
        if found == Some(invoice.customer_id) {
            return Ok(());
        }
        Err(Refusal::OtherCustomer {
            number: invoice.number.clone(),
            customer: customer.to_string(),
        }
        .into())
    }
}
