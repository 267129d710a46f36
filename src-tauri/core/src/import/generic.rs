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
//! | account owner  | no       | account_owner (`Name <email>`, an email or a name)  |
//! | credit limit   | no       | credit_limit, credit line (the customer's, in the   |
//! |                |          | row's currency; the last row of a customer wins)    |
//!
//! A paid date says the invoice was paid that day: in full without an amount paid or amount
//! due, else what is paid of it so far was paid that day and the rest stays open. The paid
//! amount is then a payment dated that day (it takes the place of one an earlier import dated
//! its own day), not the import day; a re-import records nothing new. The amount paid and the
//! amount due, when both are given, must add up to the amount.
//!
//! A [`super::mapping::ColumnMapping`] names these fields' columns for any other header.
//!
//! Negative amounts are credit notes. Two headers for one field (`amount,amount`, `customer`
//! beside `client`) must agree on every row ([`super::columns`]).

use super::columns::Duplicate;
use super::mapping::{Field, Reading, Resolved};
use super::row::{self, InvoiceRow, RowError, RowState};
use super::source::{cell, is_blank, opt_cell, DateReader, Source, Tracker};
use super::writer::Writer;
use super::ImportError;
use csv::StringRecord;
use std::borrow::Cow;

/// Which column gives each field. Other one-row-per-invoice layouts (NetSuite's saved
/// searches, Sage Intacct's lists) fill it from their own header names and run as this one.
pub(super) struct Columns {
    pub customer: usize,
    pub number: usize,
    pub issue: usize,
    pub amount: usize,
    pub due: Option<usize>,
    pub open: Option<usize>,
    pub paid: Option<usize>,
    pub paid_date: Option<usize>,
    pub currency: Option<usize>,
    pub email: Option<usize>,
    pub phone: Option<usize>,
    pub credit_limit: Option<usize>,
    pub owner: Option<usize>,
    /// Custom field name → column, kept on the customer.
    pub custom: Vec<(String, usize)>,
    pub duplicates: Vec<Duplicate>,
    pub reading: Reading,
}

/// The column layout of a header row by the generic synonyms, or the names of the required
/// columns it lacks.
pub(super) fn columns(keys: &[String]) -> Result<Columns, Vec<&'static str>> {
    Columns::new(super::mapping::by_synonyms(keys))
}

impl Columns {
    /// The columns a mapping or the synonyms found, or the required fields without one.
    pub(super) fn new(resolved: Resolved) -> Result<Columns, Vec<&'static str>> {
        let at = |field| resolved.columns.get(&field).copied();
        let (Some(customer), Some(number), Some(issue), Some(amount)) = (
            at(Field::CustomerName),
            at(Field::InvoiceNumber),
            at(Field::IssueDate),
            at(Field::Amount),
        ) else {
            return Err(resolved.missing());
        };
        Ok(Columns {
            customer,
            number,
            issue,
            amount,
            due: at(Field::DueDate),
            open: at(Field::AmountDue),
            paid: at(Field::AmountPaid),
            paid_date: at(Field::PaidDate),
            currency: at(Field::Currency),
            email: at(Field::Email),
            phone: at(Field::Phone),
            credit_limit: at(Field::CreditLimit),
            owner: at(Field::AccountOwner),
            custom: resolved.custom,
            duplicates: resolved.duplicates,
            reading: resolved.reading,
        })
    }
}

pub(super) fn run(
    source: &Source,
    columns: &Columns,
    writer: &mut Writer,
    tracker: &mut Tracker,
) -> Result<(), ImportError> {
    run_skipping(source, columns, &|_| None, writer, tracker)
}

/// Why a layout skips a row (a status column saying "draft"), after "<number> ".
pub(super) type Skip<'s> = &'s dyn Fn(&StringRecord) -> Option<&'static str>;

/// [`run`], skipping with a reason the rows `skip` names.
pub(super) fn run_skipping(
    source: &Source,
    columns: &Columns,
    skip: Skip,
    writer: &mut Writer,
    tracker: &mut Tracker,
) -> Result<(), ImportError> {
    let dates = DateReader::new(source, columns.issue, columns.due, None)
        .with_order(columns.reading.date_order);
    let decimal_comma = columns.reading.decimal_comma(source.decimal_comma);
    if columns.due.is_none() {
        writer.warn(
            None,
            "the file has no due date column: every invoice is due on its issue date".into(),
        );
    }
    let mut rows = source.rows()?;
    while let Some((line, record)) = rows.next()? {
        if is_blank(record) || is_total(record, columns) {
            continue;
        }
        writer.report.rows_read += 1;
        let number = cell(record, columns.number);
        if let Some(reason) = skip(record) {
            let what = if number.is_empty() { "the row" } else { number };
            writer.skip(line, format!("{what} {reason}"), Some(number));
            continue;
        }
        match parse(line, record, columns, &dates, decimal_comma, writer) {
            Ok((row, due_defaulted)) => {
                let applied = writer.apply_invoice(&row)?;
                if applied && due_defaulted {
                    writer.warn(
                        Some(line),
                        format!("no due date: due on the issue date {}", row.issue_date),
                    );
                }
                if applied {
                    writer.apply_owner(line, row.customer, opt_cell(record, columns.owner))?;
                    if !columns.custom.is_empty() {
                        let fields: Vec<(&str, &str)> = columns
                            .custom
                            .iter()
                            .map(|(name, at)| (name.as_str(), cell(record, *at)))
                            .collect();
                        writer.apply_custom_fields(line, row.customer, &fields)?;
                    }
                }
            }
            Err(error) => writer.reject(line, error, Some(number)),
        }
        tracker.row(record);
    }
    Ok(())
}

/// A report's total line ("Total for Acme", "Total"): no number, no date, and its first
/// filled cell says it is a total. Aging reports end customer groups with them.
fn is_total(record: &StringRecord, columns: &Columns) -> bool {
    let first = record.iter().map(str::trim).find(|c| !c.is_empty());
    cell(record, columns.number).is_empty()
        && cell(record, columns.issue).is_empty()
        && first.is_some_and(|c| c.get(..5).is_some_and(|w| w.eq_ignore_ascii_case("total")))
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
    let currency = match (
        &columns.reading.currency,
        opt_cell(record, columns.currency),
    ) {
        (Some(chosen), "") => chosen.clone(),
        (_, raw) => row::currency(raw, &writer.home.currency, &mut writer.used_home)?,
    };
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
