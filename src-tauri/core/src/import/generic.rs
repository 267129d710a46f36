//! Generic CSV: one row per invoice under a header row. Header names are matched ignoring
//! case, spaces and punctuation, with common synonyms:
//!
//! | field          | required | header names                                        |
//! |----------------|----------|-----------------------------------------------------|
//! | customer name  | yes      | customer_name, customer, name, company, client      |
//! | invoice number | yes      | invoice_number, invoice, number, num, invoice no    |
//! | issue date     | yes      | issue_date, date, invoice date                      |
//! | amount         | yes      | amount, total                                       |
//! | due date       | no       | due_date (empty: due on the issue date)             |
//! | amount due     | no       | amount_due, open balance, balance (empty: amount)   |
//! | paid date      | no       | paid_date, date paid, paid on, payment date         |
//! | amount paid    | no       | amount_paid, paid amount, total paid, paid to date  |
//! | currency       | no       | currency (empty: the home currency)                 |
//! | email, phone   | no       | email, phone (one address per cell)                 |
//! | credit limit   | no       | credit_limit, credit line (the customer's, in the   |
//! |                |          | row's currency; the last row of a customer wins)    |
//!
//! A paid date says the invoice was paid that day: in full without an amount paid or amount
//! due, else what is paid of it so far was paid that day and the rest stays open. The paid
//! amount is then a payment dated that day (it takes the place of one an earlier import dated
//! its own day), not the import day; a re-import records nothing new. The amount paid and the
//! amount due, when both are given, must add up to the amount.
//!
//! Negative amounts are credit notes. Two headers for one field (`amount,amount`, `customer`
//! beside `client`) must agree on every row ([`super::columns`]).

use super::columns::{missing, Duplicate, Picker};
use super::row::{self, InvoiceRow, RowError, RowState};
use super::source::{cell, is_blank, opt_cell, DateReader, Source, Tracker};
use super::writer::Writer;
use super::ImportError;
use csv::StringRecord;
use std::borrow::Cow;

pub(super) struct Columns {
    customer: usize,
    number: usize,
    issue: usize,
    amount: usize,
    due: Option<usize>,
    open: Option<usize>,
    paid: Option<usize>,
    paid_date: Option<usize>,
    currency: Option<usize>,
    email: Option<usize>,
    phone: Option<usize>,
    credit_limit: Option<usize>,
    pub duplicates: Vec<Duplicate>,
}

const CUSTOMER: &[&str] = &[
    "customername",
    "customer",
    "name",
    "company",
    "companyname",
    "client",
    "clientname",
];
/// Headers of an invoice number (the payments file names invoices the same way).
pub(super) const NUMBER: &[&str] = &[
    "invoicenumber",
    "invoiceno",
    "invoicenum",
    "invoice",
    "number",
    "num",
    "no",
];
const ISSUE: &[&str] = &["issuedate", "invoicedate", "date"];
const AMOUNT: &[&str] = &[
    "amount",
    "total",
    "invoiceamount",
    "totalamount",
    "invoicetotal",
];
const DUE: &[&str] = &["duedate"];
const OPEN: &[&str] = &[
    "amountdue",
    "openbalance",
    "balance",
    "balancedue",
    "outstanding",
];
/// Not a bare "paid": files use it for a yes/no flag as often as for an amount.
const PAID: &[&str] = &["amountpaid", "paidamount", "totalpaid", "paidtodate"];
const PAID_DATE: &[&str] = &[
    "paiddate",
    "datepaid",
    "paidon",
    "paymentdate",
    "fullypaidondate",
];
const CURRENCY: &[&str] = &["currency", "currencycode"];
const EMAIL: &[&str] = &["email", "emailaddress"];
const PHONE: &[&str] = &["phone", "phonenumber", "telephone"];
const CREDIT_LIMIT: &[&str] = &["creditlimit", "creditline"];

/// The column layout of a header row, or the names of the required columns it lacks.
pub(super) fn columns(keys: &[String]) -> Result<Columns, Vec<&'static str>> {
    let mut picker = Picker::new(keys);
    let customer = picker.pick("customer name", CUSTOMER);
    let number = picker.pick("invoice number", NUMBER);
    let issue = picker.pick("issue date", ISSUE);
    let amount = picker.pick("amount", AMOUNT);
    let (Some(customer), Some(number), Some(issue), Some(amount)) =
        (customer, number, issue, amount)
    else {
        return Err(missing(&[
            ("customer_name", customer),
            ("invoice_number", number),
            ("issue_date", issue),
            ("amount", amount),
        ]));
    };
    Ok(Columns {
        customer,
        number,
        issue,
        amount,
        due: picker.pick("due date", DUE),
        open: picker.pick("amount due", OPEN),
        paid: picker.pick("amount paid", PAID),
        paid_date: picker.pick("paid date", PAID_DATE),
        currency: picker.pick("currency", CURRENCY),
        email: picker.pick("email", EMAIL),
        phone: picker.pick("phone", PHONE),
        credit_limit: picker.pick("credit limit", CREDIT_LIMIT),
        duplicates: picker.into_duplicates(),
    })
}

pub(super) fn run(
    source: &Source,
    columns: &Columns,
    writer: &mut Writer,
    tracker: &mut Tracker,
) -> Result<(), ImportError> {
    let dates = DateReader::new(source, columns.issue, columns.due, None);
    if columns.due.is_none() {
        writer.warn(
            None,
            "the file has no due date column: every invoice is due on its issue date".into(),
        );
    }
    let mut rows = source.rows()?;
    while let Some((line, record)) = rows.next()? {
        if is_blank(record) {
            continue;
        }
        writer.report.rows_read += 1;
        let number = cell(record, columns.number);
        match parse(line, record, columns, &dates, source.decimal_comma, writer) {
            Ok((row, due_defaulted)) => {
                if writer.apply_invoice(&row)? && due_defaulted {
                    writer.warn(
                        Some(line),
                        format!("no due date: due on the issue date {}", row.issue_date),
                    );
                }
            }
            Err(error) => writer.reject(line, error, Some(number)),
        }
        tracker.row(record);
    }
    Ok(())
}

/// One record as an invoice; the flag says the due date was empty.
fn parse<'r>(
    line: u64,
    record: &'r StringRecord,
    columns: &Columns,
    dates: &DateReader,
    decimal_comma: bool,
    writer: &mut Writer,
) -> Result<(InvoiceRow<'r>, bool), RowError> {
    let number = row::invoice_number(cell(record, columns.number))?;
    let customer = row::customer_name(cell(record, columns.customer))?;
    let currency = row::currency(
        opt_cell(record, columns.currency),
        &writer.home.currency,
        &mut writer.used_home,
    )?;
    let total = row::amount(
        "amount",
        cell(record, columns.amount),
        &currency,
        decimal_comma,
    )?;
    let optional = |column, raw: &str| match raw {
        "" => Ok(None),
        raw => row::amount(column, raw, &currency, decimal_comma).map(Some),
    };
    let paid = optional("amount paid", opt_cell(record, columns.paid))?;
    let credit_limit = optional("credit limit", opt_cell(record, columns.credit_limit))?;
    if let Some(limit) = credit_limit.filter(|l| *l < 0) {
        let shown = crate::model::Money::new(limit, currency.clone()).decimal_string();
        return Err(RowError::NegativeCreditLimit(shown));
    }
    let due = optional("amount due", opt_cell(record, columns.open))?;
    let paid_on = match opt_cell(record, columns.paid_date).trim() {
        "" => None,
        text => Some(dates.date("paid date", text)?),
    };
    let open = row::open_amount(total, paid, due, paid_on.is_some(), &currency)?;
    let due_text = opt_cell(record, columns.due);
    let (issue_date, due_date) = dates.issue_and_due(
        "issue date",
        cell(record, columns.issue),
        "due date",
        due_text,
    )?;
    row::check_paid_on(paid_on, issue_date, writer.today(), total, open)?;
    let kind = row::kind_by_sign(total, open);
    let row = InvoiceRow {
        line,
        customer,
        email: row::email(opt_cell(record, columns.email))?,
        phone: opt_cell(record, columns.phone),
        contact_name: "",
        number: Cow::Borrowed(number),
        kind,
        issue_date,
        due_date,
        currency,
        total_minor: total,
        open_minor: open,
        state: RowState::by_open_amount(open),
        paid_on,
        credit_limit,
    };
    // The no-due-date-column case is said once for the file, not on every row.
    Ok((row, due_text.is_empty() && columns.due.is_some()))
}
