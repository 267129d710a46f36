//! Embedded, append-only migrations tracked by `PRAGMA user_version`.
//!
//! Each migration runs in its own transaction. Before an existing file is upgraded it is backed
//! up (reason before-migration, in the backup folder), so a failed or regretted upgrade never
//! costs data.

use super::{DbError, DbResult};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// (version, SQL). Never edit or reorder a shipped entry; append a new one.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_initial.sql")),
    (2, include_str!("migrations/0002_outbox.sql")),
    (3, include_str!("migrations/0003_campaigns.sql")),
    (4, include_str!("migrations/0004_email_attachments.sql")),
    (5, include_str!("migrations/0005_campaign_ab_results.sql")),
    (6, include_str!("migrations/0006_call_list.sql")),
    (7, include_str!("migrations/0007_plan_inputs.sql")),
    (8, include_str!("migrations/0008_open_invoices_index.sql")),
    (9, include_str!("migrations/0009_clean_text.sql")),
    (10, include_str!("migrations/0010_escalation.sql")),
    (11, include_str!("migrations/0011_delivered_steps.sql")),
    (
        12,
        include_str!("migrations/0012_waiting_messages_index.sql"),
    ),
    (13, include_str!("migrations/0013_send_day.sql")),
    (
        14,
        include_str!("migrations/0014_campaign_confirmation.sql"),
    ),
    (15, include_str!("migrations/0015_inbound_lookups.sql")),
    (16, include_str!("migrations/0016_mailbox.sql")),
    (17, include_str!("migrations/0017_report_ledger.sql")),
    (18, include_str!("migrations/0018_import_profiles.sql")),
    (19, include_str!("migrations/0019_event_campaigns.sql")),
    (20, include_str!("migrations/0020_thanks_and_credit.sql")),
    (21, include_str!("migrations/0021_account_owners.sql")),
    (22, include_str!("migrations/0022_late_fees.sql")),
    (23, include_str!("migrations/0023_payment_plans.sql")),
    (24, include_str!("migrations/0024_owner_notices.sql")),
    (25, include_str!("migrations/0025_offers.sql")),
    (26, include_str!("migrations/0026_charge_messages.sql")),
];

/// Work a migration's SQL cannot do, run after it in the same transaction; returns what the
/// user should be told (None: nothing worth saying).
type DataStep = fn(&Connection) -> rusqlite::Result<Option<String>>;

/// (version, data step) for the migrations that have one.
const DATA_STEPS: &[(i64, DataStep)] = &[
    (9, super::clean_text::run),
    (17, super::payments::fill_paid_in_full),
];

pub const LATEST_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

pub fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Migrates the file; returns what the data steps say the user should know.
pub(super) fn run(conn: &mut Connection, path: &Path) -> DbResult<Vec<String>> {
    run_with(conn, path, MIGRATIONS)
}

/// Reads the schema version without writing anything and refuses what this build cannot open.
pub(super) fn check_version(conn: &Connection, path: &Path) -> DbResult<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let current = read_version(conn, path)?;
    if current > LATEST_VERSION {
        return Err(newer(path, current, LATEST_VERSION));
    }
    Ok(())
}

fn read_version(conn: &Connection, path: &Path) -> DbResult<i64> {
    schema_version(conn).map_err(|source| DbError::NotADatabase {
        path: path.to_path_buf(),
        reason: match source.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => "the file is not an SQLite database".into(),
            _ => source.to_string(),
        },
    })
}

fn newer(path: &Path, found: i64, supported: i64) -> DbError {
    DbError::NewerSchema {
        path: path.to_path_buf(),
        found,
        supported,
    }
}

fn run_with(
    conn: &mut Connection,
    path: &Path,
    migrations: &[(i64, &str)],
) -> DbResult<Vec<String>> {
    let latest = migrations.last().map_or(0, |m| m.0);
    let current = read_version(conn, path)?;
    if current > latest {
        return Err(newer(path, current, latest));
    }
    let pending: Vec<_> = migrations.iter().filter(|(v, _)| *v > current).collect();
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    if current > 0 || has_user_tables(conn)? {
        if current == 0 {
            return Err(DbError::NotADatabase {
                path: path.to_path_buf(),
                reason: "it already holds tables that Duebook did not create".into(),
            });
        }
        backup(conn, path)?;
    }
    let mut notices = Vec::new();
    for (version, sql) in pending {
        let notice = apply(conn, *version, sql).map_err(|source| DbError::Migration {
            version: *version,
            source,
        })?;
        notices.extend(notice);
    }
    Ok(notices)
}

fn has_user_tables(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%')",
        [],
        |row| row.get(0),
    )
}

fn apply(conn: &mut Connection, version: i64, sql: &str) -> rusqlite::Result<Option<String>> {
    let tx = conn.transaction()?;
    tx.execute_batch(sql)?;
    let notice = match DATA_STEPS.iter().find(|(v, _)| *v == version) {
        Some((_, step)) => step(&tx)?,
        None => None,
    };
    tx.pragma_update(None, "user_version", version)?;
    tx.commit()?;
    Ok(notice)
}

/// The file as it was, as a before-migration backup in the backup folder (see
/// [`super::backup`]), through the same online backup as every other.
fn backup(conn: &Connection, path: &Path) -> DbResult<PathBuf> {
    let made = super::backup::folder(conn, path).and_then(|folder| {
        super::backup::make(
            path,
            &folder,
            super::backup::Reason::BeforeMigration,
            chrono::Utc::now(),
        )
    });
    made.map_err(|e| DbError::Backup(Box::new(e)))
}

/// Where versions before backups had their folder put the copy they made before upgrading
/// (`duebook.sqlite.v3-backup`): such files are still made private on open.
pub(super) fn backup_path(path: &Path, version: i64) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".v{version}-backup"));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Database;

    #[test]
    fn a_new_file_is_migrated_to_the_latest_version() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("new.sqlite")).unwrap();
        assert_eq!(schema_version(db.conn()).unwrap(), LATEST_VERSION);
        let journal: String = db
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(journal, "wal");
        let fk: i64 = db
            .conn()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn reopening_does_not_migrate_or_back_up_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        drop(Database::open(&path).unwrap());
        drop(Database::open(&path).unwrap());
        let backups = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains("backup")
            })
            .count();
        assert_eq!(backups, 0);
    }

    #[test]
    fn a_file_from_a_newer_version_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("future.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE x (y); PRAGMA user_version = 999;")
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Database::open(&path).err().expect("must refuse");
        assert!(matches!(err, DbError::NewerSchema { found: 999, .. }));
        assert!(err.to_string().contains("newer Duebook"));
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "not one byte changed"
        );
    }

    #[test]
    fn an_older_file_is_backed_up_then_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        let mut conn = Connection::open(&path).unwrap();
        run_with(&mut conn, &path, &MIGRATIONS[..1]).unwrap();
        conn.execute_batch("INSERT INTO settings VALUES ('marker', 'kept')")
            .unwrap();
        let next = [MIGRATIONS[0], (2, "CREATE TABLE extra (x);")];
        run_with(&mut conn, &path, &next).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 2);
        let folder = dir.path().join("backups");
        let listed = crate::store::backup::list(&path, &folder).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            listed[0].reason,
            crate::store::backup::Reason::BeforeMigration
        );
        let copy = Connection::open(&listed[0].path).unwrap();
        assert_eq!(schema_version(&copy).unwrap(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let backup = std::fs::metadata(&listed[0].path).unwrap();
            assert_eq!(backup.permissions().mode() & 0o777, 0o600, "private");
        }
        let marker: String = copy
            .query_row("SELECT value FROM settings WHERE key = 'marker'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(marker, "kept");
    }

    #[test]
    fn a_failing_migration_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let mut conn = Connection::open(&path).unwrap();
        run_with(&mut conn, &path, &MIGRATIONS[..1]).unwrap();
        let broken = [
            MIGRATIONS[0],
            (2, "CREATE TABLE half (x); THIS IS NOT SQL;"),
        ];
        let err = run_with(&mut conn, &path, &broken).unwrap_err();
        assert!(matches!(err, DbError::Migration { version: 2, .. }));
        assert_eq!(schema_version(&conn).unwrap(), 1);
        let half: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'half')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            !half,
            "the failed migration's first statement must be rolled back"
        );
    }

    #[test]
    fn a_foreign_sqlite_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.sqlite");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE someone_elses (x)")
            .unwrap();
        let err = Database::open(&path).err().expect("must refuse");
        assert!(matches!(err, DbError::NotADatabase { .. }), "{err}");
    }

    #[test]
    fn a_text_file_is_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(
            &path,
            "this is not sqlite at all, just some text".repeat(200),
        )
        .unwrap();
        let err = Database::open(&path).err().expect("must refuse");
        assert!(err.to_string().contains("not a Duebook database"), "{err}");
    }
}
