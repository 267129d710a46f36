//! A payments file: one payment received per row, against an invoice named by its number (or,
//! without one, a customer's open invoices: [`customer`]), so the KPIs know when each invoice
//! was paid. Header names are matched as in the generic invoice
//! CSV (ignoring case, spaces and punctuation), with the same encodings, dates and amounts:
//!
//! | field          | required | header names                                           |
//! |----------------|----------|--------------------------------------------------------|
//! | invoice number | yes (1)  | invoice_number, invoice, number, num, invoice no       |
//! | payment date   | yes      | payment_date, paid_on, date paid, paid date, date      |
//! | amount         | yes      | amount, amount paid, payment, paid, total              |
//! | reference      | no       | reference, ref, payment reference, memo                |
//! | currency       | no       | currency (empty: the invoice's; else it must match)    |
//! | customer name  | no (1)   | customer_name, customer, client ... (when given, must  |
//! |                |          | be the invoice's customer)                             |
//!
//! (1) A file needs one of the two. A row with a customer and no invoice number pays that
//! customer's invoices in its currency (empty: the one it is invoiced in), oldest due first
//! ([`customer`]); a row paying more than they owe is refused whole. QuickBooks Online's
//! "Invoices and Received Payments" report is read the same way, a customer per heading
//! ([`quickbooks`]).
//!
//! A row is one payment recorded as a manual one is ([`payments::record_replacing`]): it must not
//! exceed what is still due, nor land on a void or paid invoice. A payment already imported
//! (same invoice, date, amount and reference) is reported and not recorded again. A dated
//! payment takes the place of what imports inferred on the invoice on or after its date (a
//! lower amount due, dated the import day): the total paid stays what the ledger said.

mod customer;
mod outcome;
mod quickbooks;
mod report;

use outcome::{Applied, ApplyError, Refusal};
pub use report::PaymentsReport;

use super::columns::{find, missing, Picker};
use super::dates::DateOrder;
use super::report::RowIssue;
use super::row;
use super::source::{cell, is_blank, opt_cell, DateReader, Source};
use super::{back_up_first, detect, read, ImportError};
use crate::model::{Invoice, InvoiceKind, InvoiceStatus, Money};
use crate::store::payments::{self, Checked, NewPayment, PaymentSource};
use crate::store::{customers, derived, invoices, Database, DbError};
use chrono::NaiveDate;
use csv::StringRecord;
use rusqlite::{Connection, TransactionBehavior};
use std::collections::BTreeSet;
use std::path::Path;

/// Which cell of a row gives which field.
struct Columns {
    number: Option<usize>,
    date: usize,
    amount: usize,
    reference: Option<usize>,
    currency: Option<usize>,
    customer: Option<usize>,
    /// A QuickBooks report's transaction type ([`quickbooks`]): only Payment rows are payments,
    /// and the customer is the group heading above them.
    kind: Option<usize>,
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
    let number = picker.pick("invoice number", super::mapping::NUMBER);
    let date = picker.pick("payment date", DATE);
    let amount = picker.pick("amount", AMOUNT);
    let customer = find(keys, CUSTOMER);
    let (true, Some(date), Some(amount)) = (number.or(customer).is_some(), date, amount) else {
        return Err(missing(&[
            ("invoice_number", number.or(customer)),
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
        // A check on the invoice number, which is what a payment is matched by; or, without
        // one, whose invoices the payment is for.
        customer,
        kind: None,
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
    let decoded = super::spreadsheet::file_text(file_name, bytes, None)?;
    let delimiter = decoded.delimiter;
    // The QuickBooks report first: its header (Date, Num, Amount) would pass as a plain one.
    let matchers: [super::Matcher<Columns>; 2] = [
        (
            "QuickBooks Online invoices and received payments report",
            quickbooks::columns,
        ),
        ("payments file", columns),
    ];
    let (header_index, header, columns) =
        detect(&decoded.text, delimiter, &matchers, true, file_name)?;
    let source = Source {
        text: &decoded.text,
        file_name,
        delimiter,
        decimal_comma: delimiter == b';',
        header_index,
        epoch: decoded.epoch,
    };
    let mut report = PaymentsReport::new(file_name, &decoded.read_as, dry_run);
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
    if !dry_run {
        // Campaigns warn on stale data by the last import: a payments file is one.
        let run = super::history::PaymentsRun {
            file_name,
            recorded: report.payments_recorded,
            already_imported: report.already_imported,
            rejected: report.rows_rejected,
        };
        super::history::record_payments(&tx, &run)?;
    }
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
    let month_first = columns.kind.map(|_| DateOrder::MonthFirst);
    let dates = DateReader::new(source, columns.date, None, month_first);
    let mut touched = BTreeSet::new();
    let mut group = None;
    let mut rows = source.rows()?;
    while let Some((line, record)) = rows.next()? {
        if is_blank(record) {
            continue;
        }
        if let Some(kind) = columns.kind {
            match quickbooks::line(record, kind, columns.amount) {
                quickbooks::Line::Group(name) => {
                    group = Some(name.to_string());
                    continue;
                }
                quickbooks::Line::Payment => {}
                quickbooks::Line::Other => continue,
            }
        }
        report.rows_read += 1;
        let row = Row {
            record,
            columns,
            dates: &dates,
            decimal_comma: source.decimal_comma,
            group: group.as_deref(),
        };
        match row.apply(conn, today) {
            Ok(Applied::Recorded {
                invoices,
                replaced,
                by_customer,
            }) => {
                report.inferred_replaced += u64::from(replaced);
                report.by_customer += u64::from(by_customer);
                for invoice in invoices {
                    report.payments_recorded += 1;
                    touched.insert(invoice.customer_id);
                    if invoices::get(conn, invoice.id)?.status == InvoiceStatus::Paid {
                        report.invoices_paid += 1;
                    }
                }
            }
            Ok(Applied::Repeat(what)) => {
                report.already_imported += 1;
                let message = format!("already imported ({what})");
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

/// A data row and how to read it.
struct Row<'r> {
    record: &'r StringRecord,
    columns: &'r Columns,
    dates: &'r DateReader<'r, 'r>,
    decimal_comma: bool,
    /// The customer heading above the row, in a QuickBooks report.
    group: Option<&'r str>,
}

impl Row<'_> {
    /// The customer the row names, or the heading it sits under.
    fn customer(&self) -> &str {
        self.group
            .unwrap_or_else(|| opt_cell(self.record, self.columns.customer))
            .trim()
    }

    fn apply(&self, conn: &Connection, today: NaiveDate) -> Result<Applied, ApplyError> {
        let (record, columns) = (self.record, self.columns);
        let number_cell = opt_cell(record, columns.number);
        if number_cell.trim().is_empty() {
            let customer = self.customer();
            if !customer.is_empty() {
                return self.apply_to_customer(conn, customer, today);
            }
            if columns.kind.is_some() {
                return Err(Refusal::NoGroup.into());
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
            return Ok(Applied::Repeat(format!("a payment on {}", invoice.number)));
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
        match payments::record_replacing(conn, &invoice, &checked, today) {
            Ok(replaced) => Ok(Applied::Recorded {
                invoices: vec![invoice],
                replaced: replaced > 0,
                by_customer: false,
            }),
            Err(DbError::Invalid(error)) => Err(Refusal::Invalid(error.message).into()),
            Err(error) => Err(ApplyError::Db(error)),
        }
    }

    /// A customer name, when the row gives one, must be the invoice's customer: a mistyped
    /// invoice number must not pay someone else's invoice.
    fn check_customer(&self, conn: &Connection, invoice: &Invoice) -> Result<(), ApplyError> {
        let customer = self.customer();
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
