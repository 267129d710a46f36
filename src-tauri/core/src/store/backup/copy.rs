//! One backup: SQLite's online backup API copies every page inside one read transaction of its
//! own connection, so the copy is the database as of one moment even while the app, the CLI or
//! a timer commit (WAL readers do not block writers, nor writers them). The copy is written to
//! a hidden temporary name in the backup folder and renamed when whole: a sync client never
//! uploads half a backup, and a crash leaves no file that passes for one.

use super::name::{self, Reason};
use super::{folder::prepare, BackupError, BackupResult};
use chrono::{DateTime, Utc};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a backup waits for a lock another connection holds (a checkpoint, a WAL reset).
const BUSY_RETRIES: u32 = 200;
const BUSY_PAUSE: Duration = Duration::from_millis(25);

/// Backs up the database file `db` into `folder` as made at `at` for `reason`; returns the
/// backup's path. `db` must exist: a backup never creates the file it copies.
pub fn make(db: &Path, folder: &Path, reason: Reason, at: DateTime<Utc>) -> BackupResult<PathBuf> {
    prepare(folder)?;
    let target = free_name(db, folder, reason, at);
    let save_error = |source| BackupError::Save {
        path: target.clone(),
        source,
    };
    let temp = tempfile::Builder::new()
        .prefix(".duebook-backup.")
        .suffix(".part")
        .tempfile_in(folder)
        .map_err(save_error)?;
    let source = open_source(db)?;
    copy(&source, temp.path()).map_err(|source| BackupError::Write {
        path: target.clone(),
        source,
    })?;
    temp.as_file().sync_all().map_err(save_error)?;
    temp.persist(&target).map_err(|e| save_error(e.error))?;
    Ok(target)
}

/// A connection to an existing file, never creating one.
pub(super) fn open_source(db: &Path) -> BackupResult<Connection> {
    let read_error = |source| BackupError::Read {
        path: db.to_path_buf(),
        source,
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(db, flags).map_err(read_error)?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(read_error)?;
    Ok(conn)
}

/// Copies every page of `source` into the file `target` (created or overwritten) and leaves it in
/// rollback-journal mode, so reading a backup later creates no -wal or -shm beside it.
pub(super) fn copy(source: &Connection, target: &Path) -> rusqlite::Result<()> {
    let mut dest = Connection::open(target)?;
    copy_pages(source, &mut dest)?;
    dest.query_row("PRAGMA journal_mode = DELETE", [], |r| {
        r.get::<_, String>(0)
    })?;
    Ok(())
}

/// All pages in one step: one read transaction on the source, hence one moment of it.
pub(super) fn copy_pages(source: &Connection, dest: &mut Connection) -> rusqlite::Result<()> {
    let backup = Backup::new(source, dest)?;
    for _ in 0..BUSY_RETRIES {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            _ => std::thread::sleep(BUSY_PAUSE),
        }
    }
    Err(rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
        Some("the database stayed locked".into()),
    ))
}

/// The backup's path; a backup made in the same millisecond (a test, a double click) gets the
/// next free millisecond instead of replacing it.
fn free_name(db: &Path, folder: &Path, reason: Reason, at: DateTime<Utc>) -> PathBuf {
    let mut at = at;
    loop {
        let path = folder.join(name::file_name(db, at, reason));
        if !path.exists() {
            return path;
        }
        at += chrono::Duration::milliseconds(1);
    }
}
