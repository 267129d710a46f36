//! The backup settings as Settings → Backups shows them, and a change of folder that takes the
//! existing backups along: a person who points Duebook at a synced folder expects the backups they
//! had to be there, and Restore… lists one folder only.

use super::folder::{default_folder, folder, set_folder};
use super::list::named;
use super::retention::Retention;
use super::{BackupError, BackupResult};
use crate::store::Database;
use serde::Serialize;
use std::path::Path;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct BackupSettings {
    pub folder: String,
    /// The folder is `backups/` beside the database (none chosen).
    pub is_default: bool,
    pub retention: Retention,
}

pub fn settings_of(db: &Database) -> BackupResult<BackupSettings> {
    let current = folder(db.conn(), db.path())?;
    Ok(BackupSettings {
        is_default: current == default_folder(db.path()),
        folder: current.to_string_lossy().into_owned(),
        retention: Retention::of(db.conn())?,
    })
}

/// Chooses the backup folder (None: back to the default) and moves this database's backups from
/// the old folder into it; returns how many moved. A backup whose name is already taken in the
/// new folder stays where it was rather than overwrite anything.
pub fn change_folder(db: &Database, chosen: Option<&Path>) -> BackupResult<usize> {
    let old = folder(db.conn(), db.path())?;
    set_folder(db.conn(), chosen)?;
    let new = folder(db.conn(), db.path())?;
    if same_folder(&old, &new) {
        return Ok(0);
    }
    let mut moved = 0;
    for (path, _, _) in named(db.path(), &old)? {
        let Some(name) = path.file_name() else {
            continue;
        };
        let target = new.join(name);
        if target.exists() {
            continue;
        }
        move_file(&path, &target).map_err(|source| BackupError::Move {
            path: path.clone(),
            folder: new.clone(),
            source,
        })?;
        moved += 1;
    }
    Ok(moved)
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Renames, or copies then removes across file systems (a synced folder on another disk). The
/// copy goes to a hidden temporary name first, so a sync client never uploads half a backup.
fn move_file(from: &Path, to: &Path) -> std::io::Result<()> {
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    let folder = to.parent().unwrap_or(Path::new("."));
    let temp = tempfile::Builder::new()
        .prefix(".duebook-moving-")
        .tempfile_in(folder)?;
    let mut source = std::fs::File::open(from)?;
    std::io::copy(&mut source, &mut temp.as_file())?;
    temp.as_file().sync_all()?;
    temp.persist_noclobber(to).map_err(|e| e.error)?;
    std::fs::remove_file(from)
}
