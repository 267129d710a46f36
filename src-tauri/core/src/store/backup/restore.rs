//! Restoring a backup into the database path. The backup must pass `integrity_check` and be a
//! Duebook database this version can open; the current file is backed up first (reason
//! before-restore), so a restore never loses it.
//!
//! A sound current file is overwritten through SQLite's backup API on a connection of its own:
//! the app's other connections (delivery, scheduler, the window) see the restored pages as
//! another commit, and nothing is renamed under them. A damaged current file cannot be written
//! through SQLite; its bytes (and its -wal) are copied aside as they are and the file is replaced.

use super::copy::{copy_pages, make, open_source};
use super::name::{self, Reason};
use super::{check_file, folder::prepare, quick_check, BackupError, BackupResult};
use chrono::Utc;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Restored {
    pub database: String,
    pub restored_from: String,
    /// Where the file that was replaced went (None: there was no file).
    pub safety_backup: Option<String>,
}

/// Restores `backup` into the database file `db`, after backing the current one up into `folder`.
pub fn restore(db: &Path, backup: &Path, folder: &Path) -> BackupResult<Restored> {
    check_file(backup)?;
    let sound = db.exists() && quick_check(db).is_ok();
    let safety = match (db.exists(), sound) {
        (false, _) => None,
        (true, true) => Some(make(db, folder, Reason::BeforeRestore, Utc::now())?),
        (true, false) => Some(copy_damaged(db, folder)?),
    };
    if sound {
        overwrite(db, backup)?;
    } else {
        replace(db, backup)?;
    }
    Ok(Restored {
        database: db.to_string_lossy().into_owned(),
        restored_from: backup.to_string_lossy().into_owned(),
        safety_backup: safety.map(|p| p.to_string_lossy().into_owned()),
    })
}

fn overwrite(db: &Path, backup: &Path) -> BackupResult<()> {
    let restore_error = |source| BackupError::Restore {
        path: db.to_path_buf(),
        source,
    };
    let source = Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(restore_error)?;
    let mut dest = open_source(db)?;
    copy_pages(&source, &mut dest).map_err(restore_error)
}

/// The damaged file and its -wal, byte for byte, under a before-restore backup's name.
fn copy_damaged(db: &Path, folder: &Path) -> BackupResult<PathBuf> {
    prepare(folder)?;
    let target = folder.join(name::file_name(db, Utc::now(), Reason::BeforeRestore));
    for (from, to) in [(db.to_path_buf(), target.clone()), (wal(db), wal(&target))] {
        if from.exists() {
            copy_file(&from, &to).map_err(|source| BackupError::Save {
                path: to.clone(),
                source,
            })?;
        }
    }
    Ok(target)
}

/// The damaged file's -wal and -shm belong to it, not to the backup: they go, then the backup's
/// copy is renamed over the file.
fn replace(db: &Path, backup: &Path) -> BackupResult<()> {
    let replace_error = |source| BackupError::Replace {
        path: db.to_path_buf(),
        source,
    };
    for companion in [wal(db), with_suffix(db, "-shm")] {
        match std::fs::remove_file(&companion) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(replace_error(e)),
            _ => {}
        }
    }
    let beside = with_suffix(db, ".restoring");
    copy_file(backup, &beside).map_err(replace_error)?;
    std::fs::rename(&beside, db).map_err(replace_error)
}

/// Copies `from` to a new private file `to`, synced before it is used.
fn copy_file(from: &Path, to: &Path) -> std::io::Result<()> {
    let _ = std::fs::remove_file(to);
    let mut out = crate::private_fs::create_new_file(to)?;
    std::io::copy(&mut std::fs::File::open(from)?, &mut out)?;
    out.sync_all()
}

pub(super) fn wal(path: &Path) -> PathBuf {
    with_suffix(path, "-wal")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
