//! What a payments import reports: exact counts, and the refused and repeated rows by line.

use crate::import::report::{RowIssue, MAX_LISTED};
use crate::model::text::for_terminal;

/// What a payments import did (or, in a dry run, would do). Counts are exact; the listed rows
/// are capped at [`MAX_LISTED`] each.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentsReport {
    pub file_name: String,
    pub encoding: &'static str,
    pub dry_run: bool,
    pub rows_read: u64,
    pub payments_recorded: u64,
    /// Invoices the file's payments settled in full.
    pub invoices_paid: u64,
    pub already_imported: u64,
    pub rows_rejected: u64,
    /// "line N: reason" for every refused row.
    pub rejections: Vec<RowIssue>,
    /// The rows that were already imported, by line.
    pub repeats: Vec<RowIssue>,
    /// File-wide notes (two columns giving one field).
    pub warnings: Vec<RowIssue>,
}

impl PaymentsReport {
    pub fn summary(&self) -> String {
        let verb = if self.dry_run {
            "Dry run of"
        } else {
            "Imported"
        };
        format!(
            "{verb} payments file {} ({})\n  rows: {} read, {} rejected, {} already imported; \
             payments recorded: {}, invoices paid in full: {}\n",
            for_terminal(&self.file_name),
            self.encoding,
            self.rows_read,
            self.rows_rejected,
            self.already_imported,
            self.payments_recorded,
            self.invoices_paid,
        )
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
