//! A profile as a small JSON file, to move a set-up import to another computer or colleague.
//! A file read back is checked whole (its format, name, header and mapping) before anything
//! is saved, so a bad file changes nothing.

use super::profiles::{self, Profile, ProfileError};
use super::ColumnMapping;
use crate::private_fs::write_atomically;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The format's version, the file's first key.
const VERSION: u32 = 1;
/// Far more than any header and mapping; a bigger file is not a profile.
const MAX_BYTES: u64 = 256 * 1024;
/// More header cells than any export has.
const MAX_COLUMNS: usize = 1_000;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    duebook_import_profile: u32,
    name: String,
    header: Vec<String>,
    mapping: ColumnMapping,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileFileError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a Duebook import profile: {reason}; nothing was saved", path.display())]
    BadFile { path: PathBuf, reason: String },
    #[error("{} was not imported: {source}", path.display())]
    Refused { path: PathBuf, source: ProfileError },
    #[error(transparent)]
    Profile(#[from] ProfileError),
}

/// Writes the profile `name` to `path` (whole or not at all).
pub fn export(conn: &Connection, name: &str, path: &Path) -> Result<Profile, ProfileFileError> {
    let profile = profiles::get(conn, name)?;
    let file = ProfileFile {
        duebook_import_profile: VERSION,
        name: profile.name.clone(),
        header: profile.header.clone(),
        mapping: profile.mapping.clone(),
    };
    write_atomically(path, |out| {
        serde_json::to_writer_pretty(&mut *out, &file).map_err(std::io::Error::from)?;
        out.write_all(b"\n")
    })
    .map_err(|source| ProfileFileError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(profile)
}

/// Saves the profile in the file at `path`, once the file is known to be a whole, valid one
/// whose name and header no saved profile has.
pub fn import(conn: &Connection, path: &Path) -> Result<Profile, ProfileFileError> {
    let text = read_bounded(path)?;
    let bad = |reason: String| ProfileFileError::BadFile {
        path: path.to_path_buf(),
        reason,
    };
    let file: ProfileFile = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if file.duebook_import_profile != VERSION {
        return Err(bad(format!(
            "its version is {}, this Duebook reads version {VERSION}",
            file.duebook_import_profile
        )));
    }
    if file.header.is_empty() || file.header.len() > MAX_COLUMNS {
        return Err(bad(format!(
            "its header has {} columns (expected 1 to {MAX_COLUMNS})",
            file.header.len()
        )));
    }
    let refused = |source| ProfileFileError::Refused {
        path: path.to_path_buf(),
        source,
    };
    profiles::save(conn, &file.name, &file.mapping, &file.header).map_err(refused)
}

fn read_bounded(path: &Path) -> Result<String, ProfileFileError> {
    let failed = |source| ProfileFileError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_BYTES + 1).read_to_end(&mut bytes))
        .map_err(failed)?;
    let bad = |reason: &str| ProfileFileError::BadFile {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    if bytes.len() as u64 > MAX_BYTES {
        return Err(bad("it is larger than 256 KiB"));
    }
    String::from_utf8(bytes).map_err(|_| bad("it is not UTF-8 text"))
}
