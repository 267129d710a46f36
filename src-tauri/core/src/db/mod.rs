//! Opening the SQLite file: pragmas, migrations, and the error type every query module uses.

mod clean_text;
mod migrate;

use rusqlite::Connection;
use std::path::{Path, PathBuf};

pub use migrate::{schema_version, LATEST_VERSION};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{path} was written by a newer Duebook (schema version {found}; this version understands up to {supported}). Update Duebook to open it.")]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{path} is not a Duebook database: {reason}")]
    NotADatabase { path: PathBuf, reason: String },
    #[error("could not write the backup {backup} before upgrading the database: {source}")]
    Backup {
        backup: PathBuf,
        source: rusqlite::Error,
    },
    #[error("migration {version} failed: {source}")]
    Migration {
        version: i64,
        source: rusqlite::Error,
    },
    #[error("{0} not found")]
    NotFound(String),
    #[error(transparent)]
    Invalid(#[from] crate::model::validation::FieldError),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

pub type DbResult<T> = Result<T, DbError>;

/// An open, migrated Duebook database.
pub struct Database {
    conn: Connection,
    path: PathBuf,
    notices: Vec<String>,
}

impl Database {
    /// Opens (creating if needed) and migrates the file at `path`.
    pub fn open(path: &Path) -> DbResult<Database> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            // A missing parent is reported by SQLite below with the path in the message.
            let _ = std::fs::create_dir_all(parent);
        }
        let open_error = |source| DbError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open(path).map_err(open_error)?;
        // Refuse a file we cannot own before any pragma writes to it (WAL rewrites the header).
        migrate::check_version(&conn, path)?;
        configure(&conn).map_err(|source| classify_open_error(path, source))?;
        let notices = migrate::run(&mut conn, path)?;
        Ok(Database {
            conn,
            path: path.to_path_buf(),
            notices,
        })
    }

    /// What opening this file changed in the user's data (an upgrade that cleaned stored text
    /// says how many records): the CLI prints it on stderr, the app logs it. Empty on most opens.
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Runs one user action in an IMMEDIATE transaction: the change and the derived figures it
    /// refreshes are saved together or not at all.
    pub fn write<T>(&mut self, action: impl FnOnce(&Connection) -> DbResult<T>) -> DbResult<T> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let value = action(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Changes whenever another connection (the CLI, a second app process) commits to the
    /// file; the app polls it to refresh what it shows. Our own commits do not change it.
    pub fn data_version(&self) -> DbResult<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }
}

/// Ids as a JSON array, for a query's `IN (SELECT value FROM json_each(?1))`: one statement
/// for any number of ids, each found through the table's index.
pub(crate) fn json_ids(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Hot paths (a reminder, a customer's detail) run 10-20 distinct cached statements; with
    // rusqlite's default of 16 they evicted each other and were compiled again on every call.
    conn.set_prepared_statement_cache_capacity(128);
    // Plans must not depend on bound values: otherwise SQLite recompiles a cached statement each
    // time a parameter compared with a partial index (or, with STAT4 data, any index) gets a new
    // value — for a reminder that was a quarter of the time spent reading its data.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    // SQLite's default 2 MB of page cache per connection: the app holds several (window, outbox
    // delivery, scheduler) and the OS caches the file anyway; on 100,000 customers lists,
    // filters and the detail measured no slower than with 16 MB, and the app process holds
    // ~27 MB less (issue 4's memory goal).
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -2048;",
    )
}

/// "file is not a database" deserves a sentence a person understands.
fn classify_open_error(path: &Path, source: rusqlite::Error) -> DbError {
    match source.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => DbError::NotADatabase {
            path: path.to_path_buf(),
            reason: "the file is not an SQLite database".into(),
        },
        _ => DbError::Open {
            path: path.to_path_buf(),
            source,
        },
    }
}

/// Today's timestamp for `created_at`/`updated_at` columns.
pub fn now_timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_version_moves_when_another_connection_commits() {
        let (_dir, db) = test_support::temp_db();
        let before = db.data_version().unwrap();
        db.conn()
            .execute("INSERT INTO settings VALUES ('mine', '1')", [])
            .unwrap();
        assert_eq!(
            db.data_version().unwrap(),
            before,
            "own writes do not count"
        );
        let other = Database::open(db.path()).unwrap();
        other
            .conn()
            .execute("INSERT INTO settings VALUES ('theirs', '1')", [])
            .unwrap();
        assert_ne!(db.data_version().unwrap(), before);
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::Database;

    /// A real database file in a temp dir that lives as long as the returned guard.
    pub fn temp_db() -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::open(&dir.path().join("test.sqlite")).expect("open db");
        (dir, db)
    }
}
