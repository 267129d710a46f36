//! Backups of the database file: taken with SQLite's online backup API (a consistent copy while
//! the app, the CLI and a timer keep writing), named so they sort by time and say why they were
//! made, kept by a retention rule, listed with what they hold, and restored after the current
//! file has itself been backed up.
//!
//! - [`name`]: `duebook-2026-12-07T161304.123Z-daily.sqlite` (UTC, the database's own stem first,
//!   so two databases can share a folder).
//! - [`folder`]: where they go (the `backup_folder` setting, else `backups/` beside the file).
//! - [`copy`]: one backup, written to a temporary name and renamed (safe in a cloud-synced folder).
//! - [`check`]: is a file a whole, undamaged Duebook database (`integrity_check`/`quick_check`).
//! - [`list`]: the backups of one database with their date, reason and counts.
//! - [`retention`]: which ones to keep (7 daily + 4 weekly + 12 monthly; the others by count).
//! - [`restore`]: a backup back into the database path, never losing the current file.
//! - [`setup`]: the settings as the window shows them; a change of folder that moves the backups.
//! - [`auto`]: the daily backup and the backups made before imports, sends and migrations.

mod auto;
mod check;
mod copy;
mod folder;
mod list;
mod name;
mod restore;
mod retention;
mod setup;

pub use auto::{before, daily_if_due};
pub use check::{check_file, quick_check};
pub use copy::make;
pub use folder::{default_folder, folder, folder_of, set_folder, BACKUP_FOLDER};
pub use list::{list, BackupInfo};
pub use name::Reason;
pub use restore::{restore, Restored};
pub use retention::{rotate, Retention, BACKUP_RETENTION};
pub use setup::{change_folder, settings_of, BackupSettings};

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("cannot use the backup folder {folder}: {source}")]
    Folder {
        folder: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path} to back it up: {source}")]
    Read {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot write the backup {path}: {source}")]
    Write {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot save the backup {path}: {source}")]
    Save {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is damaged (SQLite's check says: {problems})")]
    Damaged { path: PathBuf, problems: String },
    #[error("{path} is not a Duebook database: {reason}")]
    NotDuebook { path: PathBuf, reason: String },
    #[error("{path} was written by a newer Duebook (schema version {found}); update Duebook to restore it")]
    Newer { path: PathBuf, found: i64 },
    #[error("could not restore into {path}: {source}")]
    Restore {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("could not replace {path} with the backup: {source}")]
    Replace {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot keep backups that way: {what}: {reason}")]
    Retention { what: &'static str, reason: String },
    #[error("cannot move the backup {path} into {folder}: {source}")]
    Move {
        path: PathBuf,
        folder: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] super::DbError),
}

pub type BackupResult<T> = Result<T, BackupError>;
