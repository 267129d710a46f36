//! Statement-of-account and invoice-copy PDFs.
//!
//! - [`render_statement`]: one customer's statement for a period — branding from the company
//!   profile, the customer and billing contact, opening balance, invoices, credit notes and
//!   payments with a running balance, closing balance, aging (current, 1–30, 31–60, 61–90, 90+),
//!   open items, remittance details and the payment link; one section per currency.
//! - [`render_invoice_copy`]: one invoice as recorded: number, dates, total, payments, amount
//!   due, how to pay.
//! - [`write_all`]: statements for many customers into a folder on every core, with progress
//!   and cancel, listing the customers that have no email address to send theirs to.
//!
//! Emailing a statement (the cover template, the outbox) is the mail layer's job:
//! `mail::statements`.
//!
//! PDFs are written with krilla; text is shaped with rustybuzz in the fonts under `fonts/`
//! (DejaVu Sans, Noto Sans CJK), which are compiled in and subsetted into each file, so a
//! statement looks the same on every machine. Output is deterministic: the same data gives the
//! same bytes.

mod bulk;
mod canvas;
mod data;
mod doc;
mod report;
mod text;

pub use bulk::{
    benchmark, plan, write_all, write_file, BenchFigures, BulkOptions, BulkProgress, BulkSummary,
    FailedStatement, PlannedStatement, Selection, WrittenStatement,
};
pub use data::{CurrencySection, Entry, EntryKind, OpenItem, StatementData};
pub use report::report_pdf;
pub use text::FontError;

use crate::company::fields::ContextInput;
use crate::company::CompanyProfile;
use crate::model::{Contact, Invoice, InvoiceStatus};
use crate::store::DbError;
use crate::{store::customers, store::invoices};
use chrono::{Datelike, Months, NaiveDate};
use rusqlite::Connection;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("the statement period cannot start on {start}, after the statement date {as_of}")]
    Period { start: NaiveDate, as_of: NaiveDate },
    #[error("the company profile cannot be used: {0}")]
    Company(String),
    #[error(transparent)]
    Font(#[from] FontError),
    #[error("the table {name:?} cannot be exported: {reason}")]
    Table {
        name: String,
        reason: crate::views::report::shown::ShownTableError,
    },
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    #[error("could not write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl From<rusqlite::Error> for StatementError {
    fn from(e: rusqlite::Error) -> Self {
        StatementError::Db(e.into())
    }
}

/// The statement date and the first day of the period it lists activity for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementOptions {
    pub as_of: NaiveDate,
    /// None: the first day of the month before the statement date's month (a statement dated
    /// 24 Nov covers 1 Oct – 24 Nov; one dated 1 Dec covers 1 Nov – 1 Dec).
    pub period_start: Option<NaiveDate>,
}

impl StatementOptions {
    pub fn new(as_of: NaiveDate) -> Self {
        StatementOptions {
            as_of,
            period_start: None,
        }
    }

    pub fn period_start(&self) -> NaiveDate {
        self.period_start
            .unwrap_or_else(|| default_period_start(self.as_of))
    }
}

/// The first day of the previous month.
pub fn default_period_start(as_of: NaiveDate) -> NaiveDate {
    let first = as_of.with_day(1).unwrap_or(as_of);
    first.checked_sub_months(Months::new(1)).unwrap_or(first)
}

/// What a statement shows, without drawing it (for previews and tests).
pub fn statement_data(
    conn: &Connection,
    customer_id: i64,
    options: &StatementOptions,
) -> Result<StatementData, StatementError> {
    let company = data::load_company(conn)?;
    data::load(
        conn,
        customer_id,
        options.as_of,
        options.period_start(),
        &company,
    )
}

/// The statement of account of one customer as a PDF.
pub fn render_statement(
    conn: &Connection,
    customer_id: i64,
    options: &StatementOptions,
) -> Result<Vec<u8>, StatementError> {
    text::ensure_fonts()?;
    let data = statement_data(conn, customer_id, options)?;
    statement_pdf(&data)
}

/// Draws a statement already read.
pub fn statement_pdf(data: &StatementData) -> Result<Vec<u8>, StatementError> {
    Ok(statement_document(data)?.bytes)
}

/// A finished PDF and how many pages it has.
#[derive(Debug, Clone)]
pub struct RenderedPdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

/// [`statement_pdf`] with the page count (for the preview).
pub fn statement_document(data: &StatementData) -> Result<RenderedPdf, StatementError> {
    text::ensure_fonts()?;
    let title = format!(
        "Statement of account — {} — {}",
        data.customer_name, data.as_of
    );
    let canvas = doc::statement(data).map_err(StatementError::Company)?;
    let pages = canvas.page_count();
    let bytes = canvas.finish(&title).map_err(StatementError::Pdf)?;
    Ok(RenderedPdf { bytes, pages })
}

/// A payment recorded against an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoicePayment {
    pub paid_on: NaiveDate,
    pub amount: i64,
    pub reference: Option<String>,
}

/// What an invoice copy shows.
#[derive(Debug, Clone)]
pub struct InvoiceCopyData {
    pub company: CompanyProfile,
    pub invoice: Invoice,
    pub customer_name: String,
    pub contact: Option<Contact>,
    pub as_of: NaiveDate,
    /// Payments dated up to `as_of`, oldest first.
    pub payments: Vec<InvoicePayment>,
    pub paid: i64,
    /// What is still due on `as_of` (0 for a void invoice).
    pub due: i64,
    pub days_overdue: i64,
    pub payment_link: Option<String>,
    pub reference: String,
}

pub fn invoice_copy_data(
    conn: &Connection,
    invoice_id: i64,
    as_of: NaiveDate,
) -> Result<InvoiceCopyData, StatementError> {
    let company = data::load_company(conn)?;
    let invoice = invoices::get(conn, invoice_id)?;
    let customer = customers::get(conn, invoice.customer_id)?;
    let mut stmt = conn.prepare_cached(
        "SELECT paid_on, amount_minor, reference FROM payments
         WHERE invoice_id = ?1 AND paid_on <= ?2 ORDER BY paid_on, id",
    )?;
    let payments = stmt
        .query_map(rusqlite::params![invoice_id, as_of.to_string()], |r| {
            Ok(InvoicePayment {
                paid_on: r.get(0)?,
                amount: r.get(1)?,
                reference: r.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let paid: i64 = payments.iter().map(|p| p.amount).sum();
    let due = if invoice.status == InvoiceStatus::Void {
        0
    } else {
        invoice.total.minor - paid
    };
    // The link and reference a reminder would give for this invoice.
    let (mut payment_link, mut reference) = (None, invoice.number.clone());
    if (due > 0 && !company.payment_link_pattern.is_empty())
        || !company.remittance.reference_format.is_empty()
    {
        let ctx = crate::company::fields::build(
            conn,
            &ContextInput {
                customer_id: invoice.customer_id,
                as_of,
                company: &company,
                sender_name: "",
                sender_email: "",
            },
        )?;
        if let Some(fields) = ctx.invoices.iter().find(|f| f.id == invoice.id) {
            payment_link = fields.payment_link.clone().filter(|_| due > 0);
            reference = fields.reference.clone();
        }
    }
    Ok(InvoiceCopyData {
        contact: data::billing_contact(conn, invoice.customer_id)?,
        days_overdue: invoice.days_overdue(as_of),
        customer_name: customer.name,
        company,
        invoice,
        as_of,
        payments,
        paid,
        due,
        payment_link,
        reference,
    })
}

/// A copy of one invoice as a PDF, with what was paid and is due on `as_of`.
pub fn render_invoice_copy(
    conn: &Connection,
    invoice_id: i64,
    as_of: NaiveDate,
) -> Result<Vec<u8>, StatementError> {
    text::ensure_fonts()?;
    let data = invoice_copy_data(conn, invoice_id, as_of)?;
    let kind = match data.invoice.kind {
        crate::model::InvoiceKind::Invoice => "Invoice",
        crate::model::InvoiceKind::CreditNote => "Credit note",
    };
    let title = format!("{kind} {} — copy", data.invoice.number);
    doc::invoice_copy(&data)
        .map_err(StatementError::Company)?
        .finish(&title)
        .map_err(StatementError::Pdf)
}

/// "statement-42-cafe-olmann-gmbh-2026-11-24.pdf": safe on every OS, sorted by customer.
pub fn statement_file_name(customer_id: i64, customer_name: &str, as_of: NaiveDate) -> String {
    let slug = slug(customer_name);
    if slug.is_empty() {
        format!("statement-{customer_id}-{as_of}.pdf")
    } else {
        format!("statement-{customer_id}-{slug}-{as_of}.pdf")
    }
}

/// "invoice-INV-000123.pdf".
pub fn invoice_copy_file_name(number: &str) -> String {
    let slug = slug_keep_case(number);
    if slug.is_empty() {
        "invoice.pdf".to_string()
    } else {
        format!("invoice-{slug}.pdf")
    }
}

fn slug(name: &str) -> String {
    slug_keep_case(name).to_lowercase()
}

/// Letters and digits (any script) kept, runs of anything else become one '-', at most 40
/// characters.
fn slug_keep_case(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.chars().count() >= 40 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_period_is_the_previous_month_to_date() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(default_period_start(d(2026, 11, 24)), d(2026, 10, 1));
        assert_eq!(default_period_start(d(2026, 1, 1)), d(2025, 12, 1));
        assert_eq!(default_period_start(d(2024, 3, 31)), d(2024, 2, 1));
    }

    #[test]
    fn file_names_are_safe() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        for (id, name, file) in [
            (
                2,
                "Café Ölmann GmbH",
                "statement-2-café-ölmann-gmbh-2026-11-24.pdf",
            ),
            (
                5,
                "Brightwater Dental <Group>",
                "statement-5-brightwater-dental-group-2026-11-24.pdf",
            ),
            (
                3,
                "山田商事株式会社",
                "statement-3-山田商事株式会社-2026-11-24.pdf",
            ),
            (9, "../..", "statement-9-2026-11-24.pdf"),
        ] {
            assert_eq!(statement_file_name(id, name, d), file);
        }
        assert_eq!(
            invoice_copy_file_name("INV/2024/001"),
            "invoice-INV-2024-001.pdf"
        );
    }
}
