//! Queries on the `import_profiles` table: saved column mappings, found by name or by the
//! fingerprint of a file's header row. The mapping and the header are kept as the JSON the
//! importer wrote ([`crate::import::mapping`] reads and checks them); this module only stores.

use crate::store::{now_timestamp, DbError, DbResult};
use rusqlite::{params, Connection, OptionalExtension, Row};

/// One saved profile as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProfile {
    pub id: i64,
    pub name: String,
    pub fingerprint: String,
    /// JSON array of the header cells as written.
    pub header: String,
    /// JSON of the mapping.
    pub mapping: String,
    pub created_at: String,
    pub used_at: Option<String>,
}

const COLUMNS: &str = "id, name, fingerprint, header, mapping, created_at, used_at";

fn from_row(row: &Row) -> rusqlite::Result<StoredProfile> {
    Ok(StoredProfile {
        id: row.get(0)?,
        name: row.get(1)?,
        fingerprint: row.get(2)?,
        header: row.get(3)?,
        mapping: row.get(4)?,
        created_at: row.get(5)?,
        used_at: row.get(6)?,
    })
}

/// Every profile, by name.
pub fn list(conn: &Connection) -> DbResult<Vec<StoredProfile>> {
    let sql = format!("SELECT {COLUMNS} FROM import_profiles ORDER BY name COLLATE NOCASE");
    let rows = conn
        .prepare_cached(&sql)?
        .query_map([], from_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The profile named `name` (ignoring ASCII case), if any.
pub fn by_name(conn: &Connection, name: &str) -> DbResult<Option<StoredProfile>> {
    let sql = format!("SELECT {COLUMNS} FROM import_profiles WHERE name = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([name], from_row)
        .optional()?)
}

/// The profile saved for the header with this fingerprint, if any.
pub fn by_fingerprint(conn: &Connection, fingerprint: &str) -> DbResult<Option<StoredProfile>> {
    let sql = format!("SELECT {COLUMNS} FROM import_profiles WHERE fingerprint = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([fingerprint], from_row)
        .optional()?)
}

/// Saves a new profile; the caller has checked that its name and fingerprint are free.
pub fn insert(
    conn: &Connection,
    name: &str,
    fingerprint: &str,
    header: &str,
    mapping: &str,
) -> DbResult<i64> {
    conn.prepare_cached(
        "INSERT INTO import_profiles (name, fingerprint, header, mapping, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![name, fingerprint, header, mapping, now_timestamp()])?;
    Ok(conn.last_insert_rowid())
}

pub fn rename(conn: &Connection, id: i64, new_name: &str) -> DbResult<()> {
    let changed = conn
        .prepare_cached("UPDATE import_profiles SET name = ?2 WHERE id = ?1")?
        .execute(params![id, new_name])?;
    if changed == 0 {
        return Err(DbError::NotFound(format!("import profile {id}")));
    }
    Ok(())
}

pub fn delete(conn: &Connection, id: i64) -> DbResult<()> {
    let changed = conn
        .prepare_cached("DELETE FROM import_profiles WHERE id = ?1")?
        .execute([id])?;
    if changed == 0 {
        return Err(DbError::NotFound(format!("import profile {id}")));
    }
    Ok(())
}

/// Records that an import used the profile now.
pub fn touch(conn: &Connection, id: i64) -> DbResult<()> {
    conn.prepare_cached("UPDATE import_profiles SET used_at = ?2 WHERE id = ?1")?
        .execute(params![id, now_timestamp()])?;
    Ok(())
}
