//! Saved mappings: a profile is a mapping under a name, kept with the header row it was made
//! for. The next file with the same header (by [`fingerprint`]) is read with it unasked.

use super::fingerprint::fingerprint;
use super::{resolve, ColumnMapping, MappingError};
use crate::model::text::clean_line;
use crate::store::import_profiles::{self, StoredProfile};
use crate::store::DbError;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// At most this many characters in a profile's name.
pub const MAX_NAME_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Profile {
    pub id: i64,
    pub name: String,
    /// The header cells as written in the file the profile was made for.
    pub header: Vec<String>,
    pub mapping: ColumnMapping,
    pub fingerprint: String,
    pub created_at: String,
    /// The last import that used it; None before the first.
    pub used_at: Option<String>,
}

/// A profile checked for a file before its import ([`crate::import::new_profile_for`]), saved
/// with [`save`] after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProfile {
    pub name: String,
    pub header: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("no import profile named {0:?}")]
    NotFound(String),
    #[error("an import profile named {0:?} already exists: pick another name or delete it first")]
    NameTaken(String),
    #[error(
        "the import profile {0:?} is already saved for this header row: rename or delete it first"
    )]
    HeaderTaken(String),
    #[error("a profile name {0}")]
    BadName(&'static str),
    #[error("the mapping does not fit the header: {0}")]
    Mapping(#[from] MappingError),
    #[error("the saved import profile {name:?} cannot be read: {reason}")]
    Stored { name: String, reason: String },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for ProfileError {
    fn from(e: rusqlite::Error) -> Self {
        ProfileError::Db(e.into())
    }
}

/// A name as given, cleaned to one line; refused when empty or too long.
pub fn clean_name(raw: &str) -> Result<String, ProfileError> {
    let name = clean_line(raw).trim().to_string();
    if name.is_empty() {
        return Err(ProfileError::BadName("must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ProfileError::BadName("is at most 100 characters long"));
    }
    Ok(name)
}

fn read(stored: StoredProfile) -> Result<Profile, ProfileError> {
    let broken = |e: serde_json::Error| ProfileError::Stored {
        name: stored.name.clone(),
        reason: e.to_string(),
    };
    let header = serde_json::from_str(&stored.header).map_err(broken)?;
    let mapping = serde_json::from_str(&stored.mapping).map_err(broken)?;
    Ok(Profile {
        id: stored.id,
        name: stored.name,
        header,
        mapping,
        fingerprint: stored.fingerprint,
        created_at: stored.created_at,
        used_at: stored.used_at,
    })
}

pub fn list(conn: &Connection) -> Result<Vec<Profile>, ProfileError> {
    import_profiles::list(conn)?.into_iter().map(read).collect()
}

pub fn get(conn: &Connection, name: &str) -> Result<Profile, ProfileError> {
    let stored = import_profiles::by_name(conn, name.trim())?
        .ok_or_else(|| ProfileError::NotFound(clean_line(name)))?;
    read(stored)
}

/// The profile saved for one of these header rows (the first that has one).
pub fn recognise(
    conn: &Connection,
    candidates: &[(usize, Vec<String>)],
) -> Result<Option<Profile>, ProfileError> {
    for (_, header) in candidates {
        if let Some(stored) = import_profiles::by_fingerprint(conn, &fingerprint(header))? {
            return read(stored).map(Some);
        }
    }
    Ok(None)
}

/// Refuses a name or a header row another profile already has.
pub fn check_free(conn: &Connection, name: &str, header: &[String]) -> Result<(), ProfileError> {
    if import_profiles::by_name(conn, name)?.is_some() {
        return Err(ProfileError::NameTaken(name.to_string()));
    }
    if let Some(other) = import_profiles::by_fingerprint(conn, &fingerprint(header))? {
        return Err(ProfileError::HeaderTaken(other.name));
    }
    Ok(())
}

/// Saves `mapping` as the profile `name` for `header`, once it is known to read that header.
pub fn save(
    conn: &Connection,
    name: &str,
    mapping: &ColumnMapping,
    header: &[String],
) -> Result<Profile, ProfileError> {
    let name = clean_name(name)?;
    resolve(mapping, header)?;
    check_free(conn, &name, header)?;
    let to_json = |e: serde_json::Error| ProfileError::Stored {
        name: name.clone(),
        reason: e.to_string(),
    };
    // Shown and exported as one-line text; the fingerprint does not change (it reads only
    // letters and digits, which cleaning keeps).
    let shown: Vec<String> = header.iter().map(|cell| clean_line(cell)).collect();
    let header_json = serde_json::to_string(&shown).map_err(to_json)?;
    let mapping_json = serde_json::to_string(mapping).map_err(to_json)?;
    import_profiles::insert(
        conn,
        &name,
        &fingerprint(header),
        &header_json,
        &mapping_json,
    )?;
    get(conn, &name)
}

pub fn rename(conn: &Connection, name: &str, new_name: &str) -> Result<Profile, ProfileError> {
    let profile = get(conn, name)?;
    let new_name = clean_name(new_name)?;
    let taken = import_profiles::by_name(conn, &new_name)?;
    if taken.is_some_and(|other| other.id != profile.id) {
        return Err(ProfileError::NameTaken(new_name));
    }
    import_profiles::rename(conn, profile.id, &new_name)?;
    get(conn, &new_name)
}

pub fn delete(conn: &Connection, name: &str) -> Result<(), ProfileError> {
    let profile = get(conn, name)?;
    import_profiles::delete(conn, profile.id)?;
    Ok(())
}

/// Records that an import just used the profile.
pub fn touch(conn: &Connection, profile: &Profile) -> Result<(), ProfileError> {
    import_profiles::touch(conn, profile.id)?;
    Ok(())
}
