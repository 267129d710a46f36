//! What an import did (or, in a dry run, would do): the types the CLI prints and the app's
//! preview shows. Counts are exact; the listed rows are capped so a million-row file with a bad
//! column does not produce a million-entry report.

use crate::model::text::for_terminal;
use crate::model::{Currency, InvoiceKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// The layout the user asks for; `Auto` recognises it from the header and title lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportFormat {
    #[default]
    Auto,
    Generic,
    /// QuickBooks Online: the Open Invoices / A/R Aging Detail report or the customer contact list.
    Quickbooks,
    Xero,
    /// NetSuite: the A/R Aging Detail report or an Open Invoices saved search.
    Netsuite,
    /// Sage Intacct: the invoice list or the AR Aging report.
    SageIntacct,
}

/// The layout a file turned out to have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DetectedFormat {
    Generic,
    /// "Open Invoices" or "A/R Aging Detail" report.
    QuickbooksReport,
    /// "Customer Contact List" report: emails and phones, no invoices.
    QuickbooksContacts,
    Xero,
    /// NetSuite's A/R Aging Detail report or an Open Invoices saved search.
    Netsuite,
    /// Sage Intacct's invoice list or AR Aging report.
    SageIntacct,
}

impl DetectedFormat {
    /// As stored in `imports.format` and `invoices.source` ("import:<this>").
    pub fn as_str(self) -> &'static str {
        match self {
            DetectedFormat::Generic => "generic",
            DetectedFormat::QuickbooksReport => "quickbooks",
            DetectedFormat::QuickbooksContacts => "quickbooks_contacts",
            DetectedFormat::Xero => "xero",
            DetectedFormat::Netsuite => "netsuite",
            DetectedFormat::SageIntacct => "sage_intacct",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            DetectedFormat::Generic => "generic CSV",
            DetectedFormat::QuickbooksReport => "QuickBooks Online open invoices report",
            DetectedFormat::QuickbooksContacts => "QuickBooks Online customer contact list",
            DetectedFormat::Xero => "Xero invoice export",
            DetectedFormat::Netsuite => "NetSuite A/R aging or open invoices export",
            DetectedFormat::SageIntacct => "Sage Intacct invoice list or AR aging report",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportOptions {
    pub format: ImportFormat,
    /// The file lists every open invoice: open invoices missing from it are closed as paid.
    pub full: bool,
    /// Do everything inside the transaction, report it, then roll back (the app's preview).
    pub dry_run: bool,
    /// Payments the import records are dated today (the user's today, from the clock).
    pub today: NaiveDate,
    /// The sheet of a workbook (.xlsx, .xls, .ods) to read; None reads the first one.
    pub sheet: Option<String>,
}

impl ImportOptions {
    pub fn new(today: NaiveDate) -> Self {
        ImportOptions {
            format: ImportFormat::Auto,
            full: false,
            dry_run: false,
            today,
            sheet: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportStage {
    Reading,
    Importing,
    /// Closing missing invoices (`full`), refreshing balances and the search index.
    Finishing,
}

/// Sent to the progress callback every few thousand rows, for the app's progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportProgress {
    pub stage: ImportStage,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub rows_done: u64,
}

/// A row that was rejected, skipped or imported with a warning. `line` is the physical line in
/// the file (title and header lines count), so a person can find it; None for the whole file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RowIssue {
    pub line: Option<u64>,
    pub message: String,
}

impl fmt::Display for RowIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChangeAction {
    Created,
    Updated,
    /// Missing from a full import: the rest was recorded as paid.
    Closed,
}

/// One invoice the import created, changed or closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InvoiceChange {
    pub action: ChangeAction,
    /// None for invoices closed because the file omitted them.
    pub line: Option<u64>,
    pub number: String,
    pub kind: InvoiceKind,
    pub customer: String,
    pub currency: Currency,
    /// Amount due before, as a decimal string; None for a new invoice.
    pub open_before: Option<String>,
    pub open_after: String,
    /// What changed, in words: "due date 2026-03-01 → 2026-03-15", "payment of 300.00 recorded".
    pub details: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportReport {
    pub file_name: String,
    pub format: DetectedFormat,
    /// "UTF-8", "UTF-8 with BOM", "Windows-1252" ..., or for a workbook its kind and the sheet
    /// read: "Excel workbook, sheet \"Invoices\"".
    pub encoding: String,
    pub dry_run: bool,
    pub full: bool,
    /// Data rows read (title, header, group and total rows not counted).
    pub rows_read: u64,
    pub invoices_created: u64,
    pub invoices_updated: u64,
    pub invoices_unchanged: u64,
    pub invoices_closed: u64,
    pub rows_rejected: u64,
    /// Rows that are valid but not receivables: bills, drafts, voided invoices never imported.
    pub rows_skipped: u64,
    pub customers_created: u64,
    pub contacts_added: u64,
    pub contacts_updated: u64,
    pub payments_recorded: u64,
    pub warning_count: u64,
    pub rejections: Vec<RowIssue>,
    pub skipped: Vec<RowIssue>,
    pub warnings: Vec<RowIssue>,
    /// Created invoices are listed only as a sample; updates and closings in full (up to a cap).
    pub changes: Vec<InvoiceChange>,
    /// Issues and changes counted above but left out of the lists.
    pub unlisted: u64,
    /// The `imports` row written; None in a dry run.
    pub import_id: Option<i64>,
    /// The saved profile the file was read with (recognised by its header, or asked for).
    pub profile: Option<String>,
    /// Read with a column mapping (given, or the profile's), not a built-in layout's names.
    pub mapped: bool,
}

/// At most this many rejections, skips, warnings, updates and closings are listed each.
pub const MAX_LISTED: usize = 10_000;
/// Created invoices listed as a sample for the preview.
pub const MAX_CREATED_LISTED: usize = 200;

impl ImportReport {
    pub(super) fn new(
        file_name: &str,
        format: DetectedFormat,
        encoding: &str,
        options: &ImportOptions,
    ) -> Self {
        ImportReport {
            file_name: file_name.to_string(),
            format,
            encoding: encoding.to_string(),
            dry_run: options.dry_run,
            full: options.full,
            rows_read: 0,
            invoices_created: 0,
            invoices_updated: 0,
            invoices_unchanged: 0,
            invoices_closed: 0,
            rows_rejected: 0,
            rows_skipped: 0,
            customers_created: 0,
            contacts_added: 0,
            contacts_updated: 0,
            payments_recorded: 0,
            warning_count: 0,
            rejections: Vec::new(),
            skipped: Vec::new(),
            warnings: Vec::new(),
            changes: Vec::new(),
            unlisted: 0,
            import_id: None,
            profile: None,
            mapped: false,
        }
    }

    /// True when the file had rows but every one of them was rejected.
    pub fn nothing_imported(&self) -> bool {
        self.rows_rejected > 0
            && self.invoices_created + self.invoices_updated + self.invoices_unchanged == 0
            && self.contacts_added + self.contacts_updated + self.customers_created == 0
            && self.rows_skipped == 0
    }

    /// The summary the CLI prints (rejections and warnings are printed separately).
    pub fn summary(&self) -> String {
        let mut out = format!(
            "{} {} ({}, {})\n",
            if self.dry_run {
                "Dry run of"
            } else {
                "Imported"
            },
            for_terminal(&self.file_name),
            self.format.describe(),
            self.encoding
        );
        if let Some(profile) = &self.profile {
            out.push_str(&format!(
                "  read with the import profile {}\n",
                for_terminal(profile)
            ));
        } else if self.mapped {
            out.push_str("  read with the column mapping given\n");
        }
        out.push_str(&format!(
            "  invoices: {} created, {} updated, {} unchanged, {} closed; rows: {} read, {} rejected, {} skipped\n",
            self.invoices_created,
            self.invoices_updated,
            self.invoices_unchanged,
            self.invoices_closed,
            self.rows_read,
            self.rows_rejected,
            self.rows_skipped
        ));
        out.push_str(&format!(
            "  customers created: {}; contacts added: {}, updated: {}; payments recorded: {}; warnings: {}\n",
            self.customers_created,
            self.contacts_added,
            self.contacts_updated,
            self.payments_recorded,
            self.warning_count
        ));
        if self.dry_run {
            out.push_str("  dry run: nothing was written\n");
        }
        out
    }

    pub(super) fn push_rejection(&mut self, issue: RowIssue) {
        self.rows_rejected += 1;
        push_capped(&mut self.rejections, issue, MAX_LISTED, &mut self.unlisted);
    }

    pub(super) fn push_skip(&mut self, issue: RowIssue) {
        self.rows_skipped += 1;
        push_capped(&mut self.skipped, issue, MAX_LISTED, &mut self.unlisted);
    }

    pub(super) fn push_warning(&mut self, issue: RowIssue) {
        self.warning_count += 1;
        push_capped(&mut self.warnings, issue, MAX_LISTED, &mut self.unlisted);
    }

    pub(super) fn push_change(&mut self, change: InvoiceChange) {
        let (count, cap) = match change.action {
            ChangeAction::Created => (self.invoices_created, MAX_CREATED_LISTED),
            ChangeAction::Updated => (self.invoices_updated, MAX_LISTED),
            ChangeAction::Closed => (self.invoices_closed, MAX_LISTED),
        };
        // Callers count first, so `count` includes this change.
        if count as usize <= cap {
            self.changes.push(change);
        } else {
            self.unlisted += 1;
        }
    }
}

fn push_capped<T>(list: &mut Vec<T>, item: T, cap: usize, unlisted: &mut u64) {
    if list.len() < cap {
        list.push(item);
    } else {
        *unlisted += 1;
    }
}
