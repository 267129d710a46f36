//! The backups of one database, newest first, each with what it holds: the counts are read from
//! the file itself (read-only), so a backup that cannot be read shows none instead of numbers
//! it does not have.

use super::name::{self, Reason};
use super::{BackupError, BackupResult};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// One backup as the Restore dialog and `duebook backup list` show it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct BackupInfo {
    pub path: String,
    pub file_name: String,
    /// RFC 3339, UTC (from the file name).
    pub made_at: String,
    pub reason: Reason,
    pub size_bytes: u64,
    /// None: the file could not be read as a Duebook database.
    pub customers: Option<i64>,
    pub invoices: Option<i64>,
}

/// The backups of `db` in `folder`, newest first. A missing folder has none.
pub fn list(db: &Path, folder: &Path) -> BackupResult<Vec<BackupInfo>> {
    Ok(named(db, folder)?
        .into_iter()
        .map(|(path, at, reason)| describe(path, at, reason))
        .collect())
}

/// The backups of `db` in `folder` by name alone (no file opened), newest first.
pub(super) fn named(
    db: &Path,
    folder: &Path,
) -> BackupResult<Vec<(PathBuf, DateTime<Utc>, Reason)>> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(BackupError::Folder {
                folder: folder.to_path_buf(),
                source,
            })
        }
    };
    let mut found: Vec<_> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let file_name = entry.file_name();
            let (at, reason) = name::parse(db, &file_name.to_string_lossy())?;
            Some((entry.path(), at, reason))
        })
        .collect();
    found.sort_by_key(|b| std::cmp::Reverse(b.1));
    Ok(found)
}

fn describe(path: PathBuf, at: DateTime<Utc>, reason: Reason) -> BackupInfo {
    let counts = counts(&path).ok();
    BackupInfo {
        file_name: path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        size_bytes: std::fs::metadata(&path).map_or(0, |m| m.len()),
        path: path.to_string_lossy().into_owned(),
        made_at: at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        reason,
        customers: counts.map(|c| c.0),
        invoices: counts.map(|c| c.1),
    }
}

fn counts(path: &Path) -> rusqlite::Result<(i64, i64)> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.query_row(
        "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM invoices)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}
