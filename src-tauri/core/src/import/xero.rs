//! Xero's invoice export (Business → Invoices → Export): one row per invoice *line*, with the
//! invoice's own fields (ContactName, EmailAddress, InvoiceNumber, InvoiceDate, DueDate, Total,
//! InvoiceAmountPaid, InvoiceAmountDue, Currency, Type, Status) repeated on every line. Rows
//! are grouped by Type and InvoiceNumber; lines that disagree on the invoice's fields reject it.
//!
//! Type: "Sales invoice"/ACCREC is a receivable, "Sales credit note"/ACCRECCREDIT a credit note;
//! bills (ACCPAY) are money owed *to* suppliers and are skipped. Status: only "Awaiting Payment"
//! (AUTHORISED) is open; "Paid" is kept as history; drafts and invoices awaiting approval are
//! skipped; "Voided"/"Deleted" void an invoice imported before. A paid invoice's payment is
//! dated by a `FullyPaidOnDate` column when the file has one, else the import day. The
//! standard export (Business → Invoices → Export) gives InvoiceAmountPaid and InvoiceAmountDue
//! but no paid date; FullyPaidOnDate is the Invoice field of Xero's accounting API ("Fully
//! paid on date", as integrations built on the API show it, e.g. IFTTT's Xero "invoice paid"
//! trigger), which exports made through the API carry. Dates are DD/MM/YYYY in UK, AU
//! and NZ files and MM/DD/YYYY in US ones: the file's own dates decide.

use super::columns::{missing, Duplicate, Picker};
use super::row::{self, InvoiceRow, RowError, RowState};
use super::source::{cell, is_blank, opt_cell, DateReader, Source, Tracker};
use super::writer::Writer;
use super::ImportError;
use crate::model::InvoiceKind;
use std::borrow::Cow;
use std::collections::HashMap;

pub(super) struct Columns {
    contact: usize,
    number: usize,
    date: usize,
    total: usize,
    email: Option<usize>,
    due: Option<usize>,
    paid: Option<usize>,
    open: Option<usize>,
    currency: Option<usize>,
    kind: Option<usize>,
    status: Option<usize>,
    paid_on: Option<usize>,
    pub duplicates: Vec<Duplicate>,
}

pub(super) fn columns(keys: &[String]) -> Result<Columns, Vec<&'static str>> {
    let mut picker = Picker::new(keys);
    let contact = picker.pick("contact name", &["contactname"]);
    let number = picker.pick("invoice number", &["invoicenumber"]);
    let date = picker.pick("invoice date", &["invoicedate"]);
    let total = picker.pick("total", &["total"]);
    let (Some(contact), Some(number), Some(date), Some(total)) = (contact, number, date, total)
    else {
        return Err(missing(&[
            ("ContactName", contact),
            ("InvoiceNumber", number),
            ("InvoiceDate", date),
            ("Total", total),
        ]));
    };
    Ok(Columns {
        contact,
        number,
        date,
        total,
        email: picker.pick("email", &["emailaddress", "email"]),
        due: picker.pick("due date", &["duedate"]),
        paid: picker.pick("amount paid", &["invoiceamountpaid"]),
        open: picker.pick("amount due", &["invoiceamountdue"]),
        currency: picker.pick("currency", &["currency", "currencycode"]),
        kind: picker.pick("type", &["type"]),
        status: picker.pick("status", &["status"]),
        paid_on: picker.pick("fully paid on date", &["fullypaidondate", "paiddate"]),
        duplicates: picker.into_duplicates(),
    })
}

/// The invoice-level fields, in the order compared across an invoice's lines.
const FIELDS: [&str; 10] = [
    "ContactName",
    "InvoiceDate",
    "DueDate",
    "Total",
    "InvoiceAmountPaid",
    "InvoiceAmountDue",
    "Currency",
    "Status",
    "FullyPaidOnDate",
    "EmailAddress",
];

/// One invoice gathered from its lines.
struct Gathered {
    line: u64,
    kind: String,
    number: String,
    fields: [String; 10],
    /// The first field another line disagreed on, and that line.
    disagreement: Option<(&'static str, u64)>,
}

impl Gathered {
    fn field(&self, name: &str) -> &str {
        FIELDS
            .iter()
            .position(|f| *f == name)
            .map_or("", |i| self.fields[i].as_str())
    }
}

pub(super) fn run(
    source: &Source,
    columns: &Columns,
    writer: &mut Writer,
    tracker: &mut Tracker,
) -> Result<(), ImportError> {
    if columns.status.is_none() {
        writer.warn(
            None,
            "the file has no Status column: every invoice is taken as awaiting payment".into(),
        );
    }
    if columns.due.is_none() {
        writer.warn(
            None,
            "the file has no DueDate column: every invoice is due on its issue date".into(),
        );
    }
    let invoices = gather(source, columns, writer, tracker)?;
    let dates = DateReader::new(source, columns.date, columns.due, None);
    for invoice in &invoices {
        if let Some((field, other_line)) = invoice.disagreement {
            let error = RowError::LinesDisagree {
                number: invoice.number.clone(),
                field,
                other_line,
            };
            writer.reject(invoice.line, error, Some(&invoice.number));
            continue;
        }
        match classify(invoice) {
            Ok(Verdict::Import(kind, state)) => {
                match parse(invoice, kind, state, &dates, source.decimal_comma, writer) {
                    Ok(row) => {
                        let due_defaulted =
                            columns.due.is_some() && invoice.field("DueDate").is_empty();
                        if writer.apply_invoice(&row)? && due_defaulted {
                            let message =
                                format!("no due date: due on the issue date {}", row.issue_date);
                            writer.warn(Some(invoice.line), message);
                        }
                    }
                    Err(error) => writer.reject(invoice.line, error, Some(&invoice.number)),
                }
            }
            Ok(Verdict::Skip(reason)) => writer.skip(invoice.line, reason, Some(&invoice.number)),
            Err(error) => writer.reject(invoice.line, error, Some(&invoice.number)),
        }
    }
    Ok(())
}

/// Groups the lines by (Type, InvoiceNumber) in order of first appearance.
fn gather(
    source: &Source,
    columns: &Columns,
    writer: &mut Writer,
    tracker: &mut Tracker,
) -> Result<Vec<Gathered>, ImportError> {
    let mut invoices: Vec<Gathered> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    let mut rows = source.rows()?;
    while let Some((line, record)) = rows.next()? {
        if is_blank(record) {
            continue;
        }
        writer.report.rows_read += 1;
        tracker.row(record);
        let number = cell(record, columns.number);
        if number.is_empty() {
            writer.reject(line, RowError::MissingNumber, None);
            continue;
        }
        let fields = [
            Some(columns.contact),
            Some(columns.date),
            columns.due,
            Some(columns.total),
            columns.paid,
            columns.open,
            columns.currency,
            columns.status,
            columns.paid_on,
            columns.email,
        ]
        .map(|column| opt_cell(record, column).to_string());
        let key = (
            opt_cell(record, columns.kind).to_ascii_lowercase(),
            number.to_string(),
        );
        if let Some(&i) = index.get(&key) {
            let invoice = &mut invoices[i];
            // Only the invoice's own fields must agree; emails may be listed on one line.
            let differs = FIELDS[..9]
                .iter()
                .zip(invoice.fields.iter().zip(&fields))
                .find(|(_, (a, b))| a != b);
            if let (Some((field, _)), None) = (differs, invoice.disagreement) {
                invoice.disagreement = Some((field, line));
            }
        } else {
            index.insert(key.clone(), invoices.len());
            invoices.push(Gathered {
                line,
                kind: opt_cell(record, columns.kind).to_string(),
                number: key.1,
                fields,
                disagreement: None,
            });
        }
    }
    Ok(invoices)
}

enum Verdict {
    /// Import with this kind (None: the sign decides) and state.
    Import(Option<InvoiceKind>, RowState),
    /// Valid, but not a receivable to import; the reason is reported.
    Skip(String),
}

/// What the Type and Status make of an invoice. Unknown spellings are rejected, not guessed.
fn classify(invoice: &Gathered) -> Result<Verdict, RowError> {
    let kind = match invoice.kind.to_ascii_lowercase().as_str() {
        "" => None,
        "sales invoice" | "accrec" | "invoice" => Some(InvoiceKind::Invoice),
        "sales credit note" | "accreccredit" | "credit note" => Some(InvoiceKind::CreditNote),
        "bill" | "accpay" | "bill credit note" | "accpaycredit" | "purchase bill" => {
            return Ok(Verdict::Skip(format!(
                "{} is a bill ({}): money owed to a supplier, not a receivable",
                invoice.number, invoice.kind
            )));
        }
        text if text.contains("overpayment") || text.contains("prepayment") => {
            return Ok(Verdict::Skip(format!(
                "{} is a {} (a payment, not an invoice)",
                invoice.number, invoice.kind
            )));
        }
        _ => return Err(RowError::UnknownInvoiceType(invoice.kind.clone())),
    };
    let status = invoice.field("Status");
    let state = match status.to_ascii_lowercase().as_str() {
        "" | "awaiting payment" | "authorised" | "authorized" => RowState::Open,
        "paid" => RowState::Paid,
        "voided" | "void" | "deleted" => RowState::Void,
        "draft" => {
            return Ok(Verdict::Skip(format!(
                "{} is a draft: not yet sent to the customer",
                invoice.number
            )));
        }
        "awaiting approval" | "submitted" => {
            return Ok(Verdict::Skip(format!(
                "{} is awaiting approval: not yet sent to the customer",
                invoice.number
            )));
        }
        _ => return Err(RowError::UnknownStatus(status.to_string())),
    };
    Ok(Verdict::Import(kind, state))
}

fn parse<'g>(
    invoice: &'g Gathered,
    kind: Option<InvoiceKind>,
    state: RowState,
    dates: &DateReader,
    decimal_comma: bool,
    writer: &mut Writer,
) -> Result<InvoiceRow<'g>, RowError> {
    let number = row::invoice_number(&invoice.number)?;
    let customer = row::customer_name(invoice.field("ContactName"))?;
    let currency = row::currency(
        invoice.field("Currency"),
        &writer.home.currency,
        &mut writer.used_home,
    )?;
    let amount = |column, text: &str| row::amount(column, text, &currency, decimal_comma);
    let total = amount("Total", invoice.field("Total"))?;
    let open = match (
        invoice.field("InvoiceAmountDue"),
        invoice.field("InvoiceAmountPaid"),
    ) {
        ("", "") => total,
        ("", paid) => total - amount("InvoiceAmountPaid", paid)?,
        (due, _) => amount("InvoiceAmountDue", due)?,
    };
    let open = if state == RowState::Paid { 0 } else { open };
    // Xero shows credit notes with positive amounts; the type says they are credits.
    let kind = kind.unwrap_or(if total < 0 {
        InvoiceKind::CreditNote
    } else {
        InvoiceKind::Invoice
    });
    let (total, open) = row::signed_for(kind, total, open);
    row::check_open(total, open, &currency)?;
    let (issue_date, due_date) = dates.issue_and_due(
        "InvoiceDate",
        invoice.field("InvoiceDate"),
        "DueDate",
        invoice.field("DueDate"),
    )?;
    let paid_on = match (state, invoice.field("FullyPaidOnDate").trim()) {
        (RowState::Paid, text) if !text.is_empty() => Some(dates.date("FullyPaidOnDate", text)?),
        _ => None,
    };
    row::check_paid_on(paid_on, issue_date, writer.today(), total, open)?;
    Ok(InvoiceRow {
        line: invoice.line,
        customer,
        email: row::email(invoice.field("EmailAddress"))?,
        phone: "",
        contact_name: "",
        number: Cow::Borrowed(number),
        kind,
        issue_date,
        due_date,
        currency,
        total_minor: total,
        open_minor: open,
        state,
        paid_on,
        credit_limit: None,
    })
}
