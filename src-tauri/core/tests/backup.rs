//! Backups on real SQLite files: taken while another connection writes, restored over an open
//! database, rotated over a simulated year, and refused when damaged.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use duebook_core::store::backup::{self, BackupError, Reason, Retention};
use duebook_core::store::Database;
use duebook_core::test_support::{campaign::customer, count, temp_db};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
}

/// One customer with one invoice, in one transaction: every committed state has as many
/// invoices as customers.
fn add_customer(db: &Database, n: usize) {
    db.conn().execute_batch("BEGIN IMMEDIATE").unwrap();
    customer(db, &format!("Writer {n}"), None, &["2026-11-01"]);
    db.conn().execute_batch("COMMIT").unwrap();
}

fn counts(path: &Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(
        "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM invoices)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

#[test]
fn a_backup_taken_while_another_connection_writes_is_one_moment_of_it() {
    let (dir, db) = temp_db();
    for n in 0..200 {
        add_customer(&db, n);
    }
    let path = db.path().to_path_buf();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (path, stop) = (path.clone(), stop.clone());
        std::thread::spawn(move || {
            let db = Database::open(&path).unwrap();
            let mut n = 1000;
            while !stop.load(Ordering::Relaxed) {
                add_customer(&db, n);
                n += 1;
            }
            n - 1000
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(100));
    let folder = dir.path().join("backups");
    let before = count(&db, "SELECT count(*) FROM customers");
    let made: Vec<PathBuf> = (0..5)
        .map(|_| backup::make(&path, &folder, Reason::Manual, Utc::now()).unwrap())
        .collect();
    let after = count(&db, "SELECT count(*) FROM customers");
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(
        written > 10,
        "the writer kept writing ({written} customers)"
    );
    assert!(after > before, "writes landed during the backups");
    for file in &made {
        backup::check_file(file).unwrap();
        let (customers, invoices) = counts(file);
        assert_eq!(
            customers,
            invoices,
            "{}: one moment of the writer",
            file.display()
        );
        assert!(
            (before..=after).contains(&customers),
            "{customers} in {before}..={after}"
        );
    }
    let listed = backup::list(&path, &folder).unwrap();
    assert_eq!(listed.len(), 5);
    assert!(listed
        .iter()
        .all(|b| b.customers == b.invoices && b.customers.is_some()));
    assert!(
        listed.windows(2).all(|w| w[0].made_at > w[1].made_at),
        "newest first"
    );
}

#[test]
fn a_backup_is_private_and_leaves_nothing_half_written() {
    let (dir, db) = temp_db();
    let folder = dir.path().join("new/backups");
    let made = backup::make(db.path(), &folder, Reason::Manual, Utc::now()).unwrap();
    let names: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [made.file_name().unwrap().to_string_lossy()],
        "no -wal, -shm or .part"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&made), 0o600);
        assert_eq!(mode(&folder), 0o700);
    }
    let missing = dir.path().join("missing.sqlite");
    let err = backup::make(&missing, &folder, Reason::Manual, Utc::now()).unwrap_err();
    assert!(matches!(err, BackupError::Read { .. }), "{err}");
    assert!(
        !missing.exists(),
        "a backup never creates the file it copies"
    );
}

#[test]
fn a_restore_brings_back_deleted_data_under_an_open_connection() {
    let (dir, db) = temp_db();
    for n in 0..20 {
        add_customer(&db, n);
    }
    let folder = dir.path().join("backups");
    let good = backup::make(db.path(), &folder, Reason::Manual, Utc::now()).unwrap();
    db.conn()
        .execute_batch("DELETE FROM invoices; DELETE FROM customers;")
        .unwrap();
    assert_eq!(count(&db, "SELECT count(*) FROM customers"), 0);

    let restored = backup::restore(db.path(), &good, &folder).unwrap();
    assert_eq!(
        count(&db, "SELECT count(*) FROM customers"),
        20,
        "the open connection sees it"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM invoices"), 20);
    let safety = PathBuf::from(restored.safety_backup.expect("the current file was kept"));
    assert_eq!(counts(&safety), (0, 0), "the file the restore replaced");
    let reasons: Vec<_> = backup::list(db.path(), &folder)
        .unwrap()
        .iter()
        .map(|b| b.reason)
        .collect();
    assert_eq!(reasons, [Reason::BeforeRestore, Reason::Manual]);
    drop(db);
    let reopened = Database::open(&dir.path().join("test.sqlite")).unwrap();
    assert_eq!(count(&reopened, "SELECT count(*) FROM customers"), 20);
}

/// A file whose pages are all in the main file (its connections closed), with some data.
fn closed_file(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let db = Database::open(&path).unwrap();
    for n in 0..300 {
        add_customer(&db, n);
    }
    drop(db);
    path
}

fn damage(path: &Path, how: &str) {
    let mut bytes = std::fs::read(path).unwrap();
    match how {
        "truncated" => bytes.truncate(bytes.len() / 2),
        _ => {
            let page = 4096 * 20;
            let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7 + 13) as u8).collect();
            bytes[page..page + 4096].copy_from_slice(&garbage);
        }
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn truncated_and_garbage_files_are_found_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("backups");
    let good = closed_file(dir.path(), "good.sqlite");
    backup::quick_check(&good).unwrap();
    for how in ["truncated", "garbage page"] {
        let bad = closed_file(dir.path(), &format!("{how}.sqlite"));
        damage(&bad, how);
        let bytes = std::fs::read(&bad).unwrap();
        let quick = backup::quick_check(&bad).unwrap_err();
        assert!(
            matches!(quick, BackupError::Damaged { .. }),
            "{how}: {quick}"
        );
        let full = backup::check_file(&bad).unwrap_err();
        assert!(matches!(full, BackupError::Damaged { .. }), "{how}: {full}");
        // A damaged file is refused as a backup, and the database is left alone.
        let target = closed_file(dir.path(), &format!("target-{how}.sqlite"));
        let target_bytes = std::fs::read(&target).unwrap();
        let refused = backup::restore(&target, &bad, &folder).unwrap_err();
        assert!(matches!(refused, BackupError::Damaged { .. }), "{refused}");
        assert!(
            refused
                .to_string()
                .contains("is damaged (SQLite's check says: "),
            "{refused}"
        );
        assert_eq!(std::fs::read(&target).unwrap(), target_bytes);
        assert_eq!(
            std::fs::read(&bad).unwrap(),
            bytes,
            "{how}: checking wrote nothing"
        );
    }
}

#[test]
fn a_damaged_database_is_kept_byte_for_byte_when_a_backup_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("backups");
    let path = closed_file(dir.path(), "books.sqlite");
    let good = backup::make(&path, &folder, Reason::Daily, Utc::now()).unwrap();
    damage(&path, "garbage page");
    let damaged = std::fs::read(&path).unwrap();
    let restored = backup::restore(&path, &good, &folder).unwrap();
    let kept = PathBuf::from(restored.safety_backup.unwrap());
    assert_eq!(
        std::fs::read(&kept).unwrap(),
        damaged,
        "the damaged file, as it was"
    );
    backup::check_file(&path).unwrap();
    let db = Database::open(&path).unwrap();
    assert_eq!(count(&db, "SELECT count(*) FROM customers"), 300);
}

#[test]
fn files_that_are_not_duebook_databases_are_refused_by_name() {
    let (dir, db) = temp_db();
    let folder = dir.path().join("backups");
    let text = dir.path().join("notes.sqlite");
    std::fs::write(&text, "not a database at all ".repeat(300)).unwrap();
    let foreign = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE x (y)")
        .unwrap();
    let newer = closed_file(dir.path(), "newer.sqlite");
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute_batch("PRAGMA user_version = 999")
        .unwrap();
    for (file, expected) in [
        (&text, "not an SQLite database"),
        (&foreign, "no Duebook customers"),
    ] {
        let err = backup::restore(db.path(), file, &folder).unwrap_err();
        assert!(matches!(err, BackupError::NotDuebook { .. }), "{err}");
        assert!(err.to_string().contains(expected), "{err}");
    }
    let err = backup::restore(db.path(), &newer, &folder).unwrap_err();
    assert!(
        matches!(err, BackupError::Newer { found: 999, .. }),
        "{err}"
    );
    assert!(
        !folder.exists(),
        "nothing was backed up for a refused restore"
    );
}

/// Every day of 2026 at 09:00 and 17:00 UTC: one daily backup a day, rotated each time.
#[test]
fn a_year_of_daily_backups_keeps_7_daily_4_weekly_and_12_monthly() {
    let (dir, db) = temp_db();
    let folder = dir.path().join("backups");
    let mut day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut made = 0;
    while day.year() == 2026 {
        let morning = day.and_hms_opt(9, 0, 0).unwrap().and_utc();
        made += usize::from(backup::daily_if_due(&db, morning).unwrap().is_some());
        assert_eq!(
            backup::daily_if_due(&db, morning + Duration::hours(8)).unwrap(),
            None
        );
        day = day.succ_opt().unwrap();
    }
    assert_eq!(made, 365);
    let kept: Vec<String> = backup::list(db.path(), &folder)
        .unwrap()
        .iter()
        .map(|b| b.made_at[..10].to_string())
        .collect();
    // The last 7 days; the newest of the ISO weeks ending Dec 27, 20 and 13 (Dec 31 is in
    // the week that holds the dailies); the last day of every month.
    let mut expected: Vec<String> = (25..=31)
        .rev()
        .map(|d| format!("2026-12-{d}"))
        .chain(["2026-12-20".into(), "2026-12-13".into()])
        .chain(
            [
                "11-30", "10-31", "09-30", "08-31", "07-31", "06-30", "05-31", "04-30", "03-31",
                "02-28", "01-31",
            ]
            .map(|d| format!("2026-{d}")),
        )
        .collect();
    expected.sort();
    expected.reverse();
    assert_eq!(kept, expected);
}

#[test]
fn backups_made_for_a_reason_are_kept_by_count_and_manual_ones_always() {
    let (dir, db) = temp_db();
    let folder = dir.path().join("backups");
    let start = at(2026, 3, 1);
    for n in 0..15 {
        let when = start + Duration::minutes(n);
        backup::make(db.path(), &folder, Reason::BeforeImport, when).unwrap();
        backup::make(db.path(), &folder, Reason::Manual, when).unwrap();
    }
    let removed = backup::rotate(db.path(), &folder, &Retention::default()).unwrap();
    assert_eq!(removed.len(), 5);
    let listed = backup::list(db.path(), &folder).unwrap();
    let of = |reason| listed.iter().filter(|b| b.reason == reason).count();
    assert_eq!((of(Reason::BeforeImport), of(Reason::Manual)), (10, 15));
    let oldest_import = listed
        .iter()
        .rev()
        .find(|b| b.reason == Reason::BeforeImport)
        .unwrap();
    assert!(
        oldest_import.made_at.starts_with("2026-03-01T09:05"),
        "{}",
        oldest_import.made_at
    );
}

#[test]
fn automatic_backups_skip_demo_files_and_use_the_chosen_folder() {
    let (dir, db) = temp_db();
    let chosen = dir.path().join("Dropbox/duebook");
    backup::set_folder(db.conn(), Some(&chosen)).unwrap();
    let made = backup::before(&db, Reason::BeforeSend).unwrap().unwrap();
    assert_eq!(made.parent(), Some(chosen.as_path()));
    duebook_core::store::settings::set(db.conn(), "is_demo", "1").unwrap();
    assert_eq!(backup::before(&db, Reason::BeforeImport).unwrap(), None);
    assert_eq!(backup::daily_if_due(&db, Utc::now()).unwrap(), None);
}

#[test]
fn a_campaign_run_is_backed_up_first_and_a_dry_run_is_not() {
    let (dir, db) = temp_db();
    let folder = dir.path().join("backups");
    let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    duebook_core::campaign::run::enqueue_due(&db, today, true).unwrap();
    assert!(backup::list(db.path(), &folder).unwrap().is_empty());
    duebook_core::campaign::run::enqueue_due(&db, today, false).unwrap();
    let reasons: Vec<_> = backup::list(db.path(), &folder)
        .unwrap()
        .iter()
        .map(|b| b.reason)
        .collect();
    assert_eq!(reasons, [Reason::BeforeSend]);
}
