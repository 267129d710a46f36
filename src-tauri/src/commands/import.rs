//! Importing a CSV export from the window: pick the file (native dialog), preview what the import
//! would do (a dry run: everything inside the transaction, then rolled back), then import it for
//! real. Both runs report progress as `import-progress` events so a big file moves a progress bar.
//!
//! The work runs on a blocking thread with its own connection to the open database file: the
//! window's own connection stays free, so the list keeps answering (WAL readers see the data as
//! it was until the import commits).

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::test_hooks::{self, Dialog};
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::import::mapping::ColumnMapping;
use duebook_core::import::{
    self, ColumnSource, ImportFormat, ImportOptions, ImportProgress, ImportReport,
};
use duebook_core::store::Database;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager, Window};
use ts_rs::TS;

/// The event the progress bar listens to; its payload is [`ImportProgressEvent`].
pub const PROGRESS_EVENT: &str = "import-progress";
/// At most this often (plus every change of stage): the core reports every 5,000 rows.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(50);

/// The file picked for import.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportFile {
    /// Pass back unchanged in [`ImportRequest::path`].
    pub path: String,
    pub file_name: String,
    pub size_bytes: u64,
}

/// What the preview and the import are asked to do.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ImportRequest {
    /// [`ImportFile::path`] of the file picked with [`choose_import_file`].
    pub path: String,
    pub format: ImportFormat,
    /// The file lists every open invoice: open invoices it omits are closed as paid.
    pub full: bool,
    /// Echoed in the progress events of this run, so the window ignores a stale run's events.
    pub ticket: u32,
    /// The workbook's sheet to read; None reads the first (and is the only answer for CSV).
    #[serde(default)]
    pub sheet: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportProgressEvent {
    pub ticket: u32,
    pub dry_run: bool,
    pub progress: ImportProgress,
}

/// "Import…": asks which CSV file or spreadsheet (native open dialog; a workbook's first sheet
/// is read). `None` when the person cancelled.
#[tauri::command]
pub async fn choose_import_file(
    app: AppHandle,
    window: Window,
) -> CommandResult<Option<ImportFile>> {
    let state = app.state::<AppState>();
    let picked = if let Some(path) = test_hooks::chosen_path(Dialog::Import) {
        Some(path)
    } else {
        let mut dialog = rfd::AsyncFileDialog::new()
            .set_parent(&window)
            .set_title("Import a CSV export or spreadsheet")
            // GTK matches patterns case-sensitively.
            .add_filter(
                "CSV export or spreadsheet",
                &[
                    "csv", "CSV", "txt", "TXT", "xlsx", "XLSX", "xls", "XLS", "ods", "ODS",
                ],
            );
        if let Some(dir) = state.last_import_dir().filter(|d| d.is_dir()) {
            dialog = dialog.set_directory(dir);
        }
        dialog.pick_file().await.map(|f| f.path().to_path_buf())
    };
    let Some(path) = picked else {
        return Ok(None);
    };
    let file = describe(&path)?;
    state.choose_import(path);
    Ok(Some(file))
}

fn describe(path: &Path) -> CommandResult<ImportFile> {
    let metadata = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            CommandError::NotFound(format!("{} does not exist", path.display()))
        }
        _ => CommandError::Io(format!("cannot read {}: {e}", path.display())),
    })?;
    if !metadata.is_file() {
        return Err(CommandError::InvalidInput(format!(
            "{} is not a file",
            path.display()
        )));
    }
    Ok(ImportFile {
        path: path.to_string_lossy().into_owned(),
        file_name: path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        size_bytes: metadata.len(),
    })
}

/// What importing the file would do, without writing anything: counts of customers and invoices
/// to create, update and close, the rows that would be rejected (`line N: reason`), warnings and
/// the detected layout.
#[tauri::command]
pub async fn preview_import(
    app: AppHandle,
    window: Window,
    request: ImportRequest,
) -> CommandResult<ImportReport> {
    run(&app, window, request, None, true).await
}

/// Imports the file into the open database, in one transaction.
#[tauri::command]
pub async fn run_import(
    app: AppHandle,
    window: Window,
    request: ImportRequest,
) -> CommandResult<ImportReport> {
    run(&app, window, request, None, false).await
}

/// The file behind a path the window shows, if it was picked with "Import…".
pub(crate) fn chosen(app: &AppHandle, shown: &str) -> CommandResult<std::path::PathBuf> {
    app.state::<AppState>().chosen_import(shown).ok_or_else(|| {
        CommandError::InvalidInput(format!(
            "{shown} was not picked with \"Import…\"; pick the file again"
        ))
    })
}

/// Runs the import (or its dry run) on a blocking thread, with the file's columns recognised
/// or read through `mapping`.
pub(crate) async fn run(
    app: &AppHandle,
    window: Window,
    request: ImportRequest,
    mapping: Option<ColumnMapping>,
    dry_run: bool,
) -> CommandResult<ImportReport> {
    let state = app.state::<AppState>();
    let file = chosen(app, &request.path)?;
    let db_path = state.db_path()?;
    let options = ImportOptions {
        format: request.format,
        full: request.full,
        dry_run,
        sheet: request.sheet,
        ..ImportOptions::new(SystemClock.today())
    };
    let _one_at_a_time = state.import_lock.lock().await;
    let ticket = request.ticket;
    tauri::async_runtime::spawn_blocking(move || {
        let mut throttle = Throttle::default();
        let label = window.label().to_string();
        let mut emit = |progress: ImportProgress| {
            if throttle.due(&progress) {
                let event = ImportProgressEvent {
                    ticket,
                    dry_run,
                    progress,
                };
                // A window that is gone has nobody to show progress to.
                let _ = window.emit_to(label.as_str(), PROGRESS_EVENT, event);
            }
        };
        let columns = mapping
            .as_ref()
            .map_or(ColumnSource::Detect, ColumnSource::Mapping);
        import_blocking(&db_path, &file, &options, columns, &mut emit)
    })
    .await?
}

/// The import on its own connection to `db_path` (blocking).
pub fn import_blocking(
    db_path: &Path,
    file: &Path,
    options: &ImportOptions,
    columns: ColumnSource,
    progress: &mut dyn FnMut(ImportProgress),
) -> CommandResult<ImportReport> {
    let mut db = Database::open(db_path)?;
    Ok(import::import_file_with(
        &mut db, file, options, columns, progress,
    )?)
}

/// Lets a progress report through when the stage changed or enough time passed.
#[derive(Default)]
struct Throttle {
    last: Option<(Instant, import::ImportStage)>,
}

impl Throttle {
    fn due(&mut self, progress: &ImportProgress) -> bool {
        let now = Instant::now();
        let due = match self.last {
            None => true,
            Some((at, stage)) => {
                stage != progress.stage || now.duration_since(at) >= PROGRESS_INTERVAL
            }
        };
        if due {
            self.last = Some((now, progress.stage));
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use duebook_core::import::{DetectedFormat, ImportStage};
    use duebook_core::store::customers;
    use std::path::PathBuf;

    /// The end-to-end tests import this file through the window.
    fn fixture() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/fixtures/import-generic.csv")
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("duebook-app-import-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn the_preview_writes_nothing_and_the_import_matches_it() {
        let dir = scratch("preview");
        let db_path = dir.join("books.sqlite");
        let options = ImportOptions {
            dry_run: true,
            ..ImportOptions::new(SystemClock.today())
        };
        let mut events = Vec::new();
        let preview = import_blocking(
            &db_path,
            &fixture(),
            &options,
            ColumnSource::Detect,
            &mut |p| events.push(p),
        )
        .unwrap();
        assert!(preview.dry_run);
        assert_eq!(preview.format, DetectedFormat::Generic);
        assert_eq!(preview.customers_created, 2);
        assert_eq!(preview.invoices_created, 3);
        assert_eq!(preview.rows_rejected, 1);
        assert_eq!(preview.rejections[0].line, Some(4));
        assert!(preview.warning_count >= 1, "the missing due date warns");
        assert_eq!(events.first().map(|p| p.stage), Some(ImportStage::Reading));
        let db = Database::open(&db_path).unwrap();
        assert_eq!(customers::count(db.conn()).unwrap(), 0, "a preview wrote");

        let options = ImportOptions {
            dry_run: false,
            ..options
        };
        let report = import_blocking(
            &db_path,
            &fixture(),
            &options,
            ColumnSource::Detect,
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(report.customers_created, preview.customers_created);
        assert_eq!(report.invoices_created, preview.invoices_created);
        assert_eq!(report.rejections, preview.rejections);
        assert_eq!(customers::count(db.conn()).unwrap(), 2);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_file_that_is_not_an_export_is_import_failed() {
        let dir = scratch("unknown");
        let file = dir.join("notes.csv");
        std::fs::write(&file, "just,some\ntext,here\n").unwrap();
        let options = ImportOptions::new(SystemClock.today());
        let error = import_blocking(
            &dir.join("books.sqlite"),
            &file,
            &options,
            ColumnSource::Detect,
            &mut |_| {},
        )
        .unwrap_err();
        assert!(matches!(error, CommandError::ImportFailed(ref m) if m.contains("notes.csv")));
        let error = describe(&dir.join("missing.csv")).unwrap_err();
        assert!(matches!(error, CommandError::NotFound(_)));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_mapped_preview_reads_a_file_no_layout_knows() {
        let dir = scratch("mapped");
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("core/tests/fixtures/import/german_offene_posten.csv");
        let mapping = ColumnMapping {
            date_order: duebook_core::import::mapping::DateOrder::Dmy,
            ..ColumnMapping::from_pairs(
                "customer_name=Kunde,invoice_number=Rechnungs-Nr.,issue_date=Rechnungsdatum,amount=Betrag",
            )
            .unwrap()
        };
        let options = ImportOptions {
            dry_run: true,
            ..ImportOptions::new(SystemClock.today())
        };
        let db_path = dir.join("books.sqlite");
        let columns = ColumnSource::Mapping(&mapping);
        let preview = import_blocking(&db_path, &file, &options, columns, &mut |_| {}).unwrap();
        assert!(preview.mapped);
        assert_eq!(preview.invoices_created, 3);
        assert_eq!(preview.rejections[0].line, Some(5));
        let error = import_blocking(&db_path, &file, &options, ColumnSource::Detect, &mut |_| {})
            .unwrap_err();
        assert!(matches!(error, CommandError::ImportFailed(_)));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn progress_is_throttled_but_every_stage_gets_through() {
        let at = |stage, rows_done| ImportProgress {
            stage,
            bytes_done: 0,
            bytes_total: 100,
            rows_done,
        };
        let mut throttle = Throttle::default();
        assert!(throttle.due(&at(ImportStage::Reading, 0)));
        assert!(throttle.due(&at(ImportStage::Importing, 5_000)));
        assert!(!throttle.due(&at(ImportStage::Importing, 10_000)));
        assert!(throttle.due(&at(ImportStage::Finishing, 15_000)));
    }
}
