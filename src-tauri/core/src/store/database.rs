//! Opening the SQLite file: pragmas, migrations, and the error type every query module uses.

use super::migrate::{self, LATEST_VERSION};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

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
    #[error("could not back up the database before upgrading it: {0}")]
    Backup(Box<super::backup::BackupError>),
    #[error("migration {version} failed: {source}")]
    Migration {
        version: i64,
        source: rusqlite::Error,
    },
    #[error("{0} not found")]
    NotFound(String),
    /// A request for one customer named a record of another (see [`check_invoices_belong`]).
    #[error("{record} {id} belongs to another customer")]
    OtherCustomer { record: &'static str, id: i64 },
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
        // A folder that cannot be made is reported by SQLite below with the path in the message.
        let _ = crate::paths::prepare_db_folder(path);
        keep_private(path);
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

/// The database and the files beside it are the user's alone: a new database file is created
/// 0600 before SQLite opens it (SQLite gives the -wal and -shm files it creates the database
/// file's mode), and an existing one, its -wal, -shm and journal files and its migration backups
/// are tightened. Best effort: a file Duebook may not change (another owner, a read-only
/// disk) is opened as it is.
fn keep_private(path: &Path) {
    let _ = crate::private_fs::create_new_file(path);
    let beside = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let companions = ["-wal", "-shm", "-journal"].map(beside);
    let backups = (1..LATEST_VERSION).map(|v| migrate::backup_path(path, v));
    for file in [path.to_path_buf()]
        .into_iter()
        .chain(companions)
        .chain(backups)
    {
        let _ = crate::private_fs::restrict(&file);
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
        let (_dir, db) = crate::test_support::temp_db();
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

#[cfg(all(test, unix))]
mod permission_tests {
    use super::Database;
    use crate::private_fs::test_modes::{mode, set_mode};
    use std::path::Path;

    fn beside(path: &Path, suffix: &str) -> std::path::PathBuf {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        name.into()
    }

    #[test]
    fn a_new_database_its_folders_wal_and_shm_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/books/duebook.sqlite");
        let db = Database::open(&path).unwrap();
        db.conn()
            .execute("INSERT INTO settings VALUES ('k', 'v')", [])
            .unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(
            mode(&beside(&path, "-wal")),
            0o600,
            "SQLite copies the mode"
        );
        assert_eq!(mode(&beside(&path, "-shm")), 0o600);
        assert_eq!(mode(&dir.path().join("new")), 0o700);
        assert_eq!(mode(&dir.path().join("new/books")), 0o700);
    }

    #[test]
    fn files_others_could_read_are_tightened_on_open_and_the_users_folder_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        set_mode(dir.path(), 0o755);
        let path = dir.path().join("books.sqlite");
        drop(Database::open(&path).unwrap());
        // Another process (the CLI) holds the file open, so its -wal and -shm stay.
        let other = Database::open(&path).unwrap();
        other
            .conn()
            .execute("INSERT INTO settings VALUES ('k', 'v')", [])
            .unwrap();
        let backup = crate::store::migrate::backup_path(&path, 1);
        std::fs::write(&backup, "").unwrap();
        let files = [
            path.clone(),
            beside(&path, "-wal"),
            beside(&path, "-shm"),
            backup,
        ];
        for file in &files {
            set_mode(file, 0o644);
        }
        drop(Database::open(&path).unwrap());
        for file in &files {
            assert_eq!(mode(file), 0o600, "{}", file.display());
        }
        assert_eq!(mode(dir.path()), 0o755, "a folder the user chose is theirs");
    }
}
