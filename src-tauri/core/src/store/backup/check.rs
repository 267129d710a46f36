//! Is a file a whole Duebook database? SQLite's own checks, read-only: `integrity_check` before a
//! backup is restored (every index against its table), `quick_check` when a file is opened
//! (the pages and records, in a fraction of the time). A truncated file or a page of garbage
//! fails either; the file is never written.

use super::{BackupError, BackupResult};
use crate::store::LATEST_VERSION;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// How many problems a check lists before it stops: enough to say what is wrong.
const MAX_PROBLEMS: u32 = 10;

/// `integrity_check`: the file at `path` is an undamaged Duebook database this version can open.
pub fn check_file(path: &Path) -> BackupResult<()> {
    inspect(path, "integrity_check")
}

/// `quick_check`: the same refusals as [`check_file`], faster, for a file about to be opened.
pub fn quick_check(path: &Path) -> BackupResult<()> {
    inspect(path, "quick_check")
}

fn inspect(path: &Path, pragma: &str) -> BackupResult<()> {
    let not_duebook = |reason: String| BackupError::NotDuebook {
        path: path.to_path_buf(),
        reason,
    };
    let damaged = |problems: String| BackupError::Damaged {
        path: path.to_path_buf(),
        problems,
    };
    // A file that is not there must not be created by looking at it.
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| not_duebook(e.to_string()))?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| classify(e, not_duebook, damaged))?;
    if version > LATEST_VERSION {
        return Err(BackupError::Newer {
            path: path.to_path_buf(),
            found: version,
        });
    }
    let problems = problems(&conn, pragma).map_err(|e| classify(e, not_duebook, damaged))?;
    if !problems.is_empty() {
        return Err(damaged(problems.join("; ")));
    }
    let has_tables: bool = conn
        .query_row(
            "SELECT count(*) = 2 FROM sqlite_master
             WHERE type = 'table' AND name IN ('customers', 'invoices')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| classify(e, not_duebook, damaged))?;
    if version < 1 || !has_tables {
        return Err(not_duebook(
            "it holds no Duebook customers and invoices".into(),
        ));
    }
    Ok(())
}

/// What the check reports, without its "ok" line.
fn problems(conn: &Connection, pragma: &str) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare(&format!("PRAGMA {pragma}({MAX_PROBLEMS})"))?;
    let rows = statement.query_map([], |r| r.get::<_, String>(0))?;
    let lines = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(lines.into_iter().filter(|line| line != "ok").collect())
}

/// SQLite's "malformed" and "not a database" in the words of this module.
fn classify(
    error: rusqlite::Error,
    not_duebook: impl FnOnce(String) -> BackupError,
    damaged: impl FnOnce(String) -> BackupError,
) -> BackupError {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => {
            not_duebook("the file is not an SQLite database".into())
        }
        _ => damaged(error.to_string()),
    }
}
