//! What a payments import reports: exact counts, and the refused and repeated rows by line.

use crate::import::report::{RowIssue, MAX_LISTED};
use crate::model::text::for_terminal;

/// What a payments import did (or, in a dry run, would do). Counts are exact; the listed rows
/// are capped at [`MAX_LISTED`] each.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentsReport {
    pub file_name: String,
    pub encoding: String,
    pub dry_run: bool,
    pub rows_read: u64,
    pub payments_recorded: u64,
    /// Invoices the file's payments settled in full.
    pub invoices_paid: u64,
    pub already_imported: u64,
    /// Rows whose dated payment took the place of payments imports had dated their own day.
    pub inferred_replaced: u64,
    /// Rows that named a customer and no invoice, spread over its open invoices.
    pub by_customer: u64,
    pub rows_rejected: u64,
    /// "line N: reason" for every refused row.
    pub rejections: Vec<RowIssue>,
    /// The rows that were already imported, by line.
    pub repeats: Vec<RowIssue>,
    /// File-wide notes (two columns giving one field).
    pub warnings: Vec<RowIssue>,
}

impl PaymentsReport {
    pub(super) fn new(file_name: &str, encoding: &str, dry_run: bool) -> Self {
        PaymentsReport {
            file_name: file_name.to_string(),
            encoding: encoding.to_string(),
            dry_run,
            rows_read: 0,
            payments_recorded: 0,
            invoices_paid: 0,
            already_imported: 0,
            inferred_replaced: 0,
            by_customer: 0,
            rows_rejected: 0,
            rejections: Vec::new(),
            repeats: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub fn summary(&self) -> String {
        let verb = if self.dry_run {
            "Dry run of"
        } else {
            "Imported"
        };
        let mut summary = format!(
            "{verb} payments file {} ({})\n  rows: {} read, {} rejected, {} already imported; \
             payments recorded: {}, invoices paid in full: {}\n",
            for_terminal(&self.file_name),
            self.encoding,
            self.rows_read,
            self.rows_rejected,
            self.already_imported,
            self.payments_recorded,
            self.invoices_paid,
        );
        if self.inferred_replaced > 0 {
            summary.push_str(&format!(
                "  dated payments replacing ones an import had dated its own day: {}\n",
                self.inferred_replaced
            ));
        }
        if self.by_customer > 0 {
            summary.push_str(&format!(
                "  rows paying a customer's open invoices, oldest due first: {}\n",
                self.by_customer
            ));
        }
        summary
    }

    /// Every row was refused: the CLI then exits with an error.
    pub fn nothing_imported(&self) -> bool {
        self.rows_read > 0 && self.rows_rejected == self.rows_read
    }

    pub(super) fn list(list: &mut Vec<RowIssue>, line: u64, message: String) {
        if list.len() < MAX_LISTED {
            list.push(RowIssue {
                line: Some(line),
                message,
            });
        }
    }
}
