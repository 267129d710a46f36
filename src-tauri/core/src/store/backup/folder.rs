//! Where a database's backups go: the folder the user chose (the `backup_folder` setting, kept in
//! the file itself so it travels with it), else `backups/` beside the database. Beside the file
//! rather than in the data directory: a database kept in a synced or shared folder has its
//! backups synced with it, and two databases in one folder still tell theirs apart by name.

use super::{BackupError, BackupResult};
use crate::store::settings;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// The setting naming the backup folder (an absolute path, or one relative to the database's folder).
pub const BACKUP_FOLDER: &str = "backup_folder";

/// `backups/` beside `db`.
pub fn default_folder(db: &Path) -> PathBuf {
    db.parent().unwrap_or(Path::new(".")).join("backups")
}

/// The backup folder of the database `db` open on `conn`.
pub fn folder(conn: &Connection, db: &Path) -> BackupResult<PathBuf> {
    Ok(match settings::get(conn, BACKUP_FOLDER)? {
        Some(chosen) if !chosen.trim().is_empty() => {
            db.parent().unwrap_or(Path::new(".")).join(chosen.trim())
        }
        _ => default_folder(db),
    })
}

/// The backup folder of the file `db` without opening it for writing: for a file that may be
/// damaged (a restore over it, the screen offering one); the default when the setting cannot be read.
pub fn folder_of(db: &Path) -> PathBuf {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    Connection::open_with_flags(db, flags)
        .ok()
        .and_then(|conn| folder(&conn, db).ok())
        .unwrap_or_else(|| default_folder(db))
}

/// Chooses the backup folder (None: back to the default). The folder is made now, so a path
/// Duebook cannot write is refused when it is chosen rather than at the next backup.
pub fn set_folder(conn: &Connection, chosen: Option<&Path>) -> BackupResult<()> {
    match chosen {
        Some(dir) => {
            prepare(dir)?;
            settings::set(conn, BACKUP_FOLDER, &dir.to_string_lossy())?;
        }
        None => {
            conn.execute("DELETE FROM settings WHERE key = ?1", [BACKUP_FOLDER])
                .map_err(crate::store::DbError::from)?;
        }
    }
    Ok(())
}

/// Makes `dir` (0700 when Duebook creates it; a folder the user made keeps its permissions).
pub(super) fn prepare(dir: &Path) -> BackupResult<()> {
    crate::private_fs::create_dir_all(dir).map_err(|source| BackupError::Folder {
        folder: dir.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_beside_the_file_and_a_choice_is_kept_in_it() {
        let (dir, db) = crate::test_support::temp_db();
        let path = db.path().to_path_buf();
        assert_eq!(
            folder(db.conn(), &path).unwrap(),
            dir.path().join("backups")
        );
        let chosen = dir.path().join("synced/duebook backups");
        set_folder(db.conn(), Some(&chosen)).unwrap();
        assert!(chosen.is_dir());
        assert_eq!(folder(db.conn(), &path).unwrap(), chosen);
        set_folder(db.conn(), None).unwrap();
        assert_eq!(
            folder(db.conn(), &path).unwrap(),
            dir.path().join("backups")
        );
    }
}
