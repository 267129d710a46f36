//! One pass over the watched folder: every whole file is imported in its own transaction (so
//! one bad file never stops the others, and none is half imported), then moved to `imported/`
//! or `rejected/` with `<name>.txt` beside it: the summary and every `line N: reason`, or why
//! the file was refused. A database failure is not the file's fault: the file stays for the
//! next pass and the pass stops.

use super::{Settle, WatchError, WatchedFolder, IMPORTED, REJECTED};
use crate::import::{self, ImportError, ImportFormat, ImportOptions, ImportReport};
use crate::store::Database;
use chrono::NaiveDate;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use ts_rs::TS;

/// What became of one file.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export, rename = "WatchedOutcome")]
pub enum Outcome {
    Imported {
        file: String,
        report: Box<ImportReport>,
    },
    Rejected {
        file: String,
        reason: String,
    },
}

/// Imports the whole files of `watched` (as [`Settle`] sees them at `now`), dating the
/// payments an import records `today`.
pub fn sweep(
    db: &mut Database,
    watched: &WatchedFolder,
    settle: &mut Settle,
    today: NaiveDate,
    now: Instant,
) -> Result<Vec<Outcome>, WatchError> {
    let folder = Path::new(&watched.folder);
    let whole = settle
        .whole_files(folder, now)
        .map_err(|source| WatchError::Folder {
            folder: folder.to_path_buf(),
            source,
        })?;
    let options = ImportOptions {
        format: ImportFormat::Auto,
        full: watched.full,
        dry_run: false,
        today,
        sheet: None,
    };
    let mut outcomes = Vec::new();
    for path in whole {
        let file = name_of(&path);
        let outcome = match import::import_file(db, &path, &options, &mut |_| {}) {
            Ok(report) if report.nothing_imported() => Outcome::Rejected {
                reason: format!(
                    "every row was rejected, nothing was imported\n{}",
                    issues(&report)
                ),
                file,
            },
            Ok(report) => Outcome::Imported {
                file,
                report: Box::new(report),
            },
            Err(e @ (ImportError::Db(_) | ImportError::Backup(_))) => {
                return Err(WatchError::Import(Box::new(e)));
            }
            Err(e) => Outcome::Rejected {
                file,
                reason: e.to_string(),
            },
        };
        file_away(folder, &path, &outcome)?;
        settle.forget(&path);
        log(&outcome);
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// A sweep for a command run once (`duebook run-due` from a timer): looks, waits the settle time
/// when there is anything to look at, and takes what stayed the same meanwhile.
pub fn sweep_once(
    db: &mut Database,
    watched: &WatchedFolder,
    wait: Duration,
    today: NaiveDate,
) -> Result<Vec<Outcome>, WatchError> {
    let mut settle = Settle::new(wait);
    let mut outcomes = sweep(db, watched, &mut settle, today, Instant::now())?;
    if settle.waiting() > 0 {
        std::thread::sleep(settle.wait());
        outcomes.extend(sweep(db, watched, &mut settle, today, Instant::now())?);
    }
    Ok(outcomes)
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// Every rejected row and warning, a line each.
fn issues(report: &ImportReport) -> String {
    let rows = report.rejections.iter().chain(&report.warnings);
    rows.map(|issue| format!("{issue}\n")).collect()
}

/// Moves the file into `imported/` or `rejected/` (under a free name) and writes its report.
fn file_away(folder: &Path, path: &Path, outcome: &Outcome) -> Result<(), WatchError> {
    let (inner, text) = match outcome {
        Outcome::Imported { report, .. } => (IMPORTED, report.summary() + &issues(report)),
        Outcome::Rejected { reason, .. } => (REJECTED, format!("not imported: {reason}\n")),
    };
    let moved = |source| WatchError::Move {
        file: path.to_path_buf(),
        source,
    };
    // Made again if someone removed it since watching was turned on.
    let dir = folder.join(inner);
    crate::private_fs::create_dir_all(&dir).map_err(moved)?;
    let target = free_name(&dir, path);
    std::fs::rename(path, &target).map_err(moved)?;
    let mut report_path = target.into_os_string();
    report_path.push(".txt");
    std::fs::write(report_path, text).map_err(moved)
}

/// `dir/<name>`, or `dir/<stem> (2).<ext>`... when a file of that name was taken before.
fn free_name(dir: &Path, path: &Path) -> PathBuf {
    let name = name_of(path);
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_string(), format!(".{ext}")),
        _ => (name.clone(), String::new()),
    };
    let mut candidate = dir.join(&name);
    let mut n = 2;
    while candidate.exists() {
        candidate = dir.join(format!("{stem} ({n}){ext}"));
        n += 1;
    }
    candidate
}

fn log(outcome: &Outcome) {
    match outcome {
        Outcome::Imported { file, report } => tracing::info!(
            file = %file,
            created = report.invoices_created,
            updated = report.invoices_updated,
            closed = report.invoices_closed,
            rejected = report.rows_rejected,
            "watched folder: imported"
        ),
        // The reason may quote the file's rows (customer data): it stays in the folder's report,
        // out of the log that diagnostics copy.
        Outcome::Rejected { file, .. } => tracing::warn!(
            file = %file,
            "watched folder: not imported; the reason is in {REJECTED}/{file}.txt"
        ),
    }
}
