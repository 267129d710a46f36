//! Import of accounting exports (CSV, or a workbook's sheet read as CSV by `spreadsheet`):
//! open invoices, credits and customer contacts.
//!
//! [`import_file`] reads a file, recognises its layout ([`generic`], [`quickbooks`] report,
//! QuickBooks contact list, [`xero`], NetSuite and Sage Intacct exports) from its header and
//! title lines, and applies every row in
//! one transaction: customers are matched by trimmed, NFC, case-insensitive name; invoices are
//! created or updated by number (a lower amount due becomes a payment); with
//! [`ImportOptions::full`] the open invoices the file omits are closed as paid. Rows that cannot
//! be imported are rejected with their physical line number and a reason; the rest goes in.
//! Every cell is cleaned to a single line as it is read; a field given by two header columns
//! is refused when they disagree; an email cell holds at most one address.
//! A dry run does all of it and rolls back, which is how the app previews an import.

mod amount;
mod columns;
mod contact_list;
mod dates;
mod decode;
pub mod generic;
pub mod history;
pub mod inspect;
mod intacct;
mod layout;
pub mod mapping;
mod netsuite;
pub mod payments;
pub mod quickbooks;
mod report;
mod row;
mod sample;
mod source;
mod spreadsheet;
pub mod watched;
mod writer;
pub mod xero;

pub use inspect::{inspect, Inspection};
pub use layout::ColumnSource;
pub use report::{
    ChangeAction, DetectedFormat, ImportFormat, ImportOptions, ImportProgress, ImportReport,
    ImportStage, InvoiceChange, RowIssue, MAX_CREATED_LISTED, MAX_LISTED,
};
pub use sample::write_generic_sample;
pub use spreadsheet::SheetError;
pub use writer::REFRESH_ALL_ABOVE;

use crate::model::Currency;
use crate::store::settings;
use crate::store::{Database, DbError};
use decode::DecodeError;
use layout::{detect, Found, Layout, Matcher};
use mapping::profiles::{self, ProfileError};
use mapping::MappingError;
use rusqlite::TransactionBehavior;
use source::{Source, Tracker};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use writer::{Home, Writer};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot import {file}: {reason}")]
    NotCsv { file: String, reason: DecodeError },
    #[error("cannot import {file}: {reason}")]
    Sheet { file: String, reason: SheetError },
    #[error(
        "cannot import {file}: its layout is not one Duebook knows. Expected a generic CSV with \
         customer, invoice number, date and amount columns, a QuickBooks Online Open Invoices or \
         A/R Aging Detail report, a QuickBooks customer contact list, a Xero invoice export, a \
         NetSuite A/R Aging Detail report or Open Invoices search, or a Sage Intacct AR Aging \
         report or invoice list. \
         Its first line reads: {first_line}"
    )]
    UnknownFormat { file: String, first_line: String },
    #[error("cannot import {file} as a {format}: no header row with the columns {}", missing.join(", "))]
    MissingColumns {
        file: String,
        format: &'static str,
        missing: Vec<&'static str>,
    },
    #[error(
        "cannot import {file}: columns {first} and {second} both give the {field} and disagree \
         on line {line} ({values}): remove one of them"
    )]
    ConflictingColumns {
        file: String,
        first: String,
        second: String,
        field: &'static str,
        line: u64,
        values: String,
    },
    #[error("cannot import {file}: line {line} is not valid CSV: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
    #[error("cannot import {file} with this mapping: {source}")]
    Mapping { file: String, source: MappingError },
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error("nothing was imported: the database could not be backed up first: {0}")]
    Backup(#[from] crate::store::backup::BackupError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for ImportError {
    fn from(e: rusqlite::Error) -> Self {
        ImportError::Db(e.into())
    }
}

impl FromStr for ImportFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "auto" => Ok(ImportFormat::Auto),
            "generic" => Ok(ImportFormat::Generic),
            "quickbooks" | "qbo" => Ok(ImportFormat::Quickbooks),
            "xero" => Ok(ImportFormat::Xero),
            "netsuite" => Ok(ImportFormat::Netsuite),
            "intacct" | "sage-intacct" | "sage_intacct" => Ok(ImportFormat::SageIntacct),
            other => Err(format!(
                "unknown format {other:?} (expected auto, generic, quickbooks, xero, netsuite \
                 or intacct)"
            )),
        }
    }
}

/// Imports the file at `path`. Errors mean nothing was written: the file could not be read or
/// recognised, or the database failed (the transaction is then rolled back).
pub fn import_file(
    db: &mut Database,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportReport, ImportError> {
    import_file_with(db, path, options, ColumnSource::Detect, progress)
}

/// [`import_file`] with the columns found as `columns` says: recognised, a mapping, or a
/// saved profile.
pub fn import_file_with(
    db: &mut Database,
    path: &Path,
    options: &ImportOptions,
    columns: ColumnSource,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportReport, ImportError> {
    let (name, bytes) = read(path)?;
    import_bytes_with(db, &name, &bytes, options, columns, progress)
}

/// The profile `name` about to be saved for the file at `path` (a workbook's sheet `sheet`):
/// refused before anything is imported when the mapping does not read the file or the name or
/// its header has a profile.
pub fn new_profile_for(
    db: &Database,
    name: &str,
    mapping: &mapping::ColumnMapping,
    path: &Path,
    sheet: Option<&str>,
) -> Result<profiles::NewProfile, ImportError> {
    let name = profiles::clean_name(name)?;
    let (file_name, bytes) = read(path)?;
    let read = spreadsheet::file_text(&file_name, &bytes, sheet)?;
    let how = ColumnSource::Mapping(mapping);
    let found = layout::find(
        db,
        &read.text,
        read.delimiter,
        ImportFormat::Auto,
        how,
        &file_name,
    )?;
    profiles::check_free(db.conn(), &name, &found.header)?;
    Ok(profiles::NewProfile {
        name,
        header: found.header,
    })
}

/// The file's name (as messages give it) and its bytes.
pub(crate) fn read(path: &Path) -> Result<(String, Vec<u8>), ImportError> {
    let bytes = std::fs::read(path).map_err(|source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok((name, bytes))
}

/// [`import_file`] for bytes already in memory; `file_name` names them in messages.
pub fn import_bytes(
    db: &mut Database,
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportReport, ImportError> {
    import_bytes_with(
        db,
        file_name,
        bytes,
        options,
        ColumnSource::Detect,
        progress,
    )
}

/// [`import_file_with`] for bytes already in memory.
pub fn import_bytes_with(
    db: &mut Database,
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
    columns: ColumnSource,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportReport, ImportError> {
    let mut tracker = Tracker::new(progress, bytes.len() as u64);
    tracker.stage(ImportStage::Reading);
    let read = spreadsheet::file_text(file_name, bytes, options.sheet.as_deref())?;
    let (text, delimiter): (&str, u8) = (&read.text, read.delimiter);
    let found = layout::find(db, text, delimiter, options.format, columns, file_name)?;
    let source = Source {
        text,
        file_name,
        delimiter,
        decimal_comma: delimiter == b';',
        header_index: found.header_index,
        epoch: read.epoch,
    };
    let home = home_currency(db)?;
    let format = found.layout.format();
    let mut report = ImportReport::new(file_name, format, &read.read_as, options);
    report.profile = found.profile.as_ref().map(|p| p.name.clone());
    report.mapped = found.mapping.is_some();
    back_up_first(db, options.dry_run)?;
    let report = apply(db, &source, &found, options, home, report, &mut tracker)?;
    if let (Some(profile), false) = (&found.profile, options.dry_run) {
        profiles::touch(db.conn(), profile)?;
    }
    if !options.dry_run && report.invoices_created > 10_000 {
        // Bulk loads change the statistics the planner relies on (RECIPES.md); a sampled
        // analysis keeps that from costing seconds on a million rows.
        db.conn().execute_batch(
            "PRAGMA analysis_limit = 1000; PRAGMA optimize; PRAGMA analysis_limit = 0;",
        )?;
    }
    Ok(report)
}

/// A backup right before an import writes (none for a dry run, which writes nothing).
fn back_up_first(db: &Database, dry_run: bool) -> Result<(), ImportError> {
    if !dry_run {
        crate::store::backup::before(db, crate::store::backup::Reason::BeforeImport)?;
    }
    Ok(())
}

/// Runs the format over the file in one transaction: committed, or rolled back for a dry run
/// and on any error (dropping the transaction rolls it back).
fn apply(
    db: &mut Database,
    source: &Source,
    detected: &Found,
    options: &ImportOptions,
    home: Home,
    report: ImportReport,
    tracker: &mut Tracker,
) -> Result<ImportReport, ImportError> {
    // Immediate: take the write lock now rather than fail half-way when the app writes too.
    let tx = db
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut writer = Writer::new(&tx, options, home, report);
    let duplicates = detected.layout.duplicates();
    let mut warn = |message| writer.warn(None, message);
    columns::check_duplicates(source, &detected.header, duplicates, &mut warn)?;
    match &detected.layout {
        Layout::Generic(columns) => generic::run(source, columns, &mut writer, tracker)?,
        Layout::QuickbooksReport(columns) => {
            quickbooks::run(source, columns, &mut writer, tracker)?;
        }
        Layout::QuickbooksContacts(columns) => {
            contact_list::run(source, columns, &mut writer, tracker)?;
        }
        Layout::Xero(columns) => xero::run(source, columns, &mut writer, tracker)?,
        Layout::NetsuiteReport(columns) => quickbooks::run(source, columns, &mut writer, tracker)?,
        Layout::NetsuiteSearch(columns, status) => {
            let skip = |record: &_| netsuite::skipped(record, *status);
            generic::run_skipping(source, columns, &skip, &mut writer, tracker)?;
        }
        Layout::Intacct(columns, state) => {
            let skip = |record: &_| intacct::skipped(record, *state);
            generic::run_skipping(source, columns, &skip, &mut writer, tracker)?;
        }
    }
    tracker.stage(ImportStage::Finishing);
    let report = writer.finish(!options.dry_run)?;
    if options.dry_run {
        tx.rollback()?;
    } else {
        tx.commit()?;
    }
    Ok(report)
}

/// The `home_currency` setting, else USD (the report then says no home currency is set).
fn home_currency(db: &Database) -> Result<Home, ImportError> {
    let stored = settings::get(db.conn(), settings::HOME_CURRENCY)?;
    let parsed = stored
        .as_deref()
        .and_then(|code| Currency::parse(code).ok());
    Ok(match parsed {
        Some(currency) => Home {
            currency,
            from_settings: true,
        },
        None => Home {
            currency: Currency::parse("USD").map_err(|e| DbError::NotFound(e.to_string()))?,
            from_settings: false,
        },
    })
}
