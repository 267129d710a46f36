//! The watched folder (off by default): a folder where a scheduled export lands. Each new file
//! is imported as the Import dialog would (its layout or saved profile recognised), then moved
//! to `imported/` or `rejected/` with a `.txt` beside it saying what happened, so the folder
//! itself is the record of every file it took. A file still being written is left alone until
//! it has stopped changing ([`settle`]).
//!
//! - [`settle`]: when a file is whole.
//! - [`sweep`]: one pass: import the whole files, move them, write their reports.
//! - [`history`]: what the folder took, newest first, for the window and the CLI.

mod history;
mod settle;
mod sweep;

pub use history::{history, WatchedFile};
pub use settle::Settle;
pub use sweep::{sweep, sweep_once, Outcome};

use crate::store::{settings, DbError};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// The setting holding the [`WatchedFolder`] (JSON); none: off.
pub const WATCHED_FOLDER: &str = "watched_folder";
/// Where imported files go, inside the watched folder.
pub const IMPORTED: &str = "imported";
/// Where files that could not be imported go, inside the watched folder.
pub const REJECTED: &str = "rejected";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WatchedFolder {
    pub folder: String,
    /// Each file lists every open invoice: the open invoices it omits are closed as paid.
    pub full: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch {folder}: {source}")]
    Folder {
        folder: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot watch {0}: give the folder's full path")]
    Relative(PathBuf),
    #[error("cannot move {file} out of the watched folder: {source}")]
    Move {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("the watched folder's import stopped: {0}")]
    Import(Box<crate::import::ImportError>),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The watched folder of the database open on `conn`, or None when watching is off. A setting
/// that no longer reads (written by hand) is off rather than a guess.
pub fn watched(conn: &Connection) -> Result<Option<WatchedFolder>, WatchError> {
    let stored = settings::get(conn, WATCHED_FOLDER)?;
    Ok(stored.and_then(|text| serde_json::from_str(&text).ok()))
}

/// Turns watching on for `chosen` (its `imported/` and `rejected/` folders made now, so a
/// folder Duebook cannot write is refused when chosen), or off with None.
pub fn set_watched(conn: &Connection, chosen: Option<&WatchedFolder>) -> Result<(), WatchError> {
    let Some(chosen) = chosen else {
        conn.execute("DELETE FROM settings WHERE key = ?1", [WATCHED_FOLDER])
            .map_err(DbError::from)?;
        return Ok(());
    };
    let folder = Path::new(&chosen.folder);
    if !folder.is_absolute() {
        return Err(WatchError::Relative(folder.to_path_buf()));
    }
    for inner in [IMPORTED, REJECTED] {
        crate::private_fs::create_dir_all(&folder.join(inner)).map_err(|source| {
            WatchError::Folder {
                folder: folder.to_path_buf(),
                source,
            }
        })?;
    }
    let text = serde_json::json!({ "folder": chosen.folder, "full": chosen.full }).to_string();
    settings::set(conn, WATCHED_FOLDER, &text)?;
    Ok(())
}
