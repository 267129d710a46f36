//! What the email composer offers to attach beside any file the user picks: a file linked to an
//! invoice once ("this PDF is INV-1042"), offered afterwards as that invoice's copy; and the
//! per-template option to attach copies of the customer's overdue invoices.

use super::compose::{self, Attachment, ComposeError, PreparedEmail};
use crate::model::{InvoiceKind, InvoiceStatus};
use crate::store::invoices;
use crate::store::{self, now_timestamp, DbError};
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// An invoice of the customer and the copy the composer can attach for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InvoiceCopyChoice {
    pub invoice_id: i64,
    pub number: String,
    pub is_overdue: bool,
    /// The name of the file linked to this invoice; without one a PDF copy is generated.
    pub linked_file: Option<String>,
}

/// Options stored with a template.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateOptions {
    /// Attach the copy of each overdue invoice that has one.
    pub attach_overdue_copies: bool,
}

/// Links `path` to the invoice of `customer_id` as its copy, replacing an earlier link. Another
/// customer's invoice is refused before the file is read.
pub fn link_invoice_file(
    conn: &Connection,
    customer_id: i64,
    invoice_id: i64,
    path: &Path,
) -> Result<(), ComposeError> {
    store::check_invoices_belong(conn, customer_id, &[invoice_id])?;
    // Read once now, so a file that cannot be attached is refused before it is linked.
    let attachment = Attachment::from_file(path)?;
    conn.execute(
        "INSERT INTO invoice_files (invoice_id, path, file_name, linked_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (invoice_id) DO UPDATE SET path = excluded.path,
             file_name = excluded.file_name, linked_at = excluded.linked_at",
        params![
            invoice_id,
            path.to_string_lossy(),
            attachment.file_name,
            now_timestamp()
        ],
    )?;
    Ok(())
}

fn linked_path(conn: &Connection, invoice_id: i64) -> Result<Option<PathBuf>, ComposeError> {
    Ok(conn
        .query_row(
            "SELECT path FROM invoice_files WHERE invoice_id = ?1",
            [invoice_id],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .map(PathBuf::from))
}

/// Attaches the copies of `invoice_ids` to the message, within its size limit. Each must be an
/// invoice of the customer the message is for: another customer's is refused before any copy
/// is read or drawn, and nothing is attached.
pub fn attach_invoice_copies(
    conn: &Connection,
    prepared: &mut PreparedEmail,
    invoice_ids: &[i64],
    as_of: NaiveDate,
) -> Result<(), ComposeError> {
    store::check_invoices_belong(conn, prepared.preview.customer_id, invoice_ids)?;
    let copies = invoice_ids
        .iter()
        .map(|id| invoice_copy(conn, *id, as_of))
        .collect::<Result<Vec<_>, _>>()?;
    compose::attach(prepared, copies)
}

/// The copy of an invoice: its linked file, read now, or else a PDF generated from the ledger.
fn invoice_copy(
    conn: &Connection,
    invoice_id: i64,
    as_of: NaiveDate,
) -> Result<Attachment, ComposeError> {
    if let Some(path) = linked_path(conn, invoice_id)? {
        return Attachment::from_file(&path);
    }
    let invoice = invoices::get(conn, invoice_id)?;
    let bytes = crate::statement::render_invoice_copy(conn, invoice_id, as_of).map_err(|e| {
        ComposeError::Invalid(format!(
            "the copy of invoice {} cannot be made: {e}",
            invoice.number
        ))
    })?;
    Ok(Attachment {
        file_name: format!("{}.pdf", file_safe(&invoice.number)),
        content_type: "application/pdf".into(),
        bytes,
    })
}

/// An invoice number as a file name: path separators and control characters become '-'.
fn file_safe(number: &str) -> String {
    number
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '-'
            } else {
                c
            }
        })
        .collect()
}

/// The customer's open invoices, oldest due first, with the copy each can have.
pub fn invoice_copy_choices(
    conn: &Connection,
    customer_id: i64,
    as_of: NaiveDate,
) -> Result<Vec<InvoiceCopyChoice>, ComposeError> {
    // Open invoices come first, oldest due first.
    let open = invoices::for_customer(conn, customer_id, as_of)?
        .into_iter()
        .take_while(|row| row.invoice.status == InvoiceStatus::Open);
    let mut stmt =
        conn.prepare_cached("SELECT file_name FROM invoice_files WHERE invoice_id = ?1")?;
    open.map(|row| {
        let linked_file = stmt.query_row([row.invoice.id], |r| r.get(0)).optional()?;
        Ok(InvoiceCopyChoice {
            is_overdue: row.days_overdue > 0 && row.invoice.kind == InvoiceKind::Invoice,
            invoice_id: row.invoice.id,
            number: row.invoice.number,
            linked_file,
        })
    })
    .collect()
}

/// The copies a template attaches on its own: those of the overdue invoices.
pub fn default_copies(
    conn: &Connection,
    template_key: &str,
    customer_id: i64,
    as_of: NaiveDate,
) -> Result<Vec<i64>, ComposeError> {
    if !template_options(conn, template_key)?.attach_overdue_copies {
        return Ok(Vec::new());
    }
    Ok(invoice_copy_choices(conn, customer_id, as_of)?
        .into_iter()
        .filter(|c| c.is_overdue)
        .map(|c| c.invoice_id)
        .collect())
}

pub fn template_options(conn: &Connection, template_key: &str) -> Result<TemplateOptions, DbError> {
    let attach = conn
        .query_row(
            "SELECT attach_overdue_copies FROM template_options WHERE template_key = ?1",
            [template_key],
            |r| r.get::<_, bool>(0),
        )
        .optional()?;
    Ok(TemplateOptions {
        attach_overdue_copies: attach.unwrap_or(false),
    })
}

pub fn set_template_options(
    conn: &Connection,
    template_key: &str,
    options: TemplateOptions,
) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO template_options (template_key, attach_overdue_copies) VALUES (?1, ?2)
         ON CONFLICT (template_key) DO UPDATE SET attach_overdue_copies = excluded.attach_overdue_copies",
        params![template_key, options.attach_overdue_copies],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_db;

    fn customer_with_invoices(conn: &Connection) -> (i64, i64, i64) {
        conn.execute_batch(
            "INSERT INTO customers (id, name, name_key, created_at, updated_at)
                 VALUES (1, 'Brightwater', 'brightwater', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
             INSERT INTO invoices (id, customer_id, number, issue_date, due_date, currency,
                                   total_minor, created_at, updated_at)
                 VALUES (10, 1, 'INV-10', '2026-01-01', '2026-02-01', 'EUR', 5000, '2026-01-01', '2026-01-01'),
                        (11, 1, 'INV-11', '2026-03-01', '2026-05-01', 'EUR', 7000, '2026-01-01', '2026-01-01');",
        )
        .unwrap();
        (1, 10, 11)
    }

    #[test]
    fn an_invoice_copy_is_its_linked_file_or_a_generated_pdf() {
        let (dir, db) = temp_db();
        let conn = db.conn();
        let (customer, overdue, not_due) = customer_with_invoices(conn);
        let as_of = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
        let generated = invoice_copy(conn, not_due, as_of).unwrap();
        assert_eq!(generated.file_name, "INV-11.pdf");
        assert!(generated.bytes.starts_with(b"%PDF"), "a generated PDF");
        let pdf = dir.path().join("INV-10.pdf");
        std::fs::write(&pdf, b"%PDF-1.4 copy").unwrap();

        link_invoice_file(conn, customer, overdue, &pdf).unwrap();
        let copy = invoice_copy(conn, overdue, as_of).unwrap();
        assert_eq!(copy.file_name, "INV-10.pdf");
        assert_eq!(copy.bytes, b"%PDF-1.4 copy");

        let choices = invoice_copy_choices(conn, customer, as_of).unwrap();
        assert_eq!(choices.len(), 2);
        assert_eq!(choices[0].linked_file.as_deref(), Some("INV-10.pdf"));
        assert!(choices[0].is_overdue && !choices[1].is_overdue);
        assert_eq!(choices[1].invoice_id, not_due);

        assert!(default_copies(conn, "overdue-1", customer, as_of)
            .unwrap()
            .is_empty());
        let on = TemplateOptions {
            attach_overdue_copies: true,
        };
        set_template_options(conn, "overdue-1", on).unwrap();
        assert_eq!(template_options(conn, "overdue-1").unwrap(), on);
        assert_eq!(
            default_copies(conn, "overdue-1", customer, as_of).unwrap(),
            vec![overdue]
        );
    }

    #[test]
    fn a_missing_file_or_invoice_is_refused_and_nothing_is_linked() {
        let (dir, db) = temp_db();
        let conn = db.conn();
        let (customer, overdue, _) = customer_with_invoices(conn);
        let missing = dir.path().join("nope.pdf");
        let err = link_invoice_file(conn, customer, overdue, &missing).unwrap_err();
        assert!(err.to_string().contains("nope.pdf"), "{err}");
        assert!(link_invoice_file(conn, customer, 999, &missing).is_err());
        let as_of = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
        let choices = invoice_copy_choices(conn, customer, as_of).unwrap();
        assert!(choices.iter().all(|c| c.linked_file.is_none()));
    }
}
