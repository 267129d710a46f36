//! Settings → Backups and `duebook backup keep|folder`: the user's retention numbers are kept in
//! the file and followed by the automatic backups; a new folder takes the existing backups along.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::{Duration, TimeZone, Utc};
use duebook_core::store::backup::{self, BackupError, Reason, Retention};
use duebook_core::test_support::temp_db;

#[test]
fn the_automatic_backups_follow_the_numbers_the_user_chose() {
    let (dir, db) = temp_db();
    let mine = Retention {
        daily: 3,
        weekly: 0,
        monthly: 0,
        per_reason: 2,
    };
    mine.save(db.conn()).unwrap();
    assert_eq!(Retention::of(db.conn()).unwrap(), mine);
    let start = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap();
    for day in 0..20 {
        let morning = start + Duration::days(day);
        assert!(backup::daily_if_due(&db, morning).unwrap().is_some());
    }
    for _ in 0..4 {
        backup::before(&db, Reason::BeforeImport).unwrap();
    }
    let listed = backup::list(db.path(), &dir.path().join("backups")).unwrap();
    let dailies: Vec<_> = listed
        .iter()
        .filter(|b| b.reason == Reason::Daily)
        .map(|b| &b.made_at[..10])
        .collect();
    assert_eq!(dailies, ["2026-05-20", "2026-05-19", "2026-05-18"]);
    let imports = listed.iter().filter(|b| b.reason == Reason::BeforeImport);
    assert_eq!(imports.count(), 2);
}

#[test]
fn numbers_out_of_range_are_refused_by_name_and_change_nothing() {
    let (_dir, db) = temp_db();
    let cases = [
        (
            Retention {
                daily: 0,
                ..Retention::default()
            },
            "daily",
        ),
        (
            Retention {
                weekly: 521,
                ..Retention::default()
            },
            "weekly",
        ),
        (
            Retention {
                monthly: 121,
                ..Retention::default()
            },
            "monthly",
        ),
        (
            Retention {
                per_reason: 0,
                ..Retention::default()
            },
            "per_reason",
        ),
    ];
    for (rule, named) in cases {
        match rule.save(db.conn()) {
            Err(e @ BackupError::Retention { what, .. }) => {
                assert_eq!(what, named);
                assert!(e.to_string().contains("keep from"), "{e}");
            }
            other => panic!("{named}: expected a refusal, got {other:?}"),
        }
        assert_eq!(Retention::of(db.conn()).unwrap(), Retention::default());
    }
    // A rule written by hand that no longer reads leaves the default in force.
    duebook_core::store::settings::set(db.conn(), backup::BACKUP_RETENTION, "{\"daily\":").unwrap();
    assert_eq!(Retention::of(db.conn()).unwrap(), Retention::default());
}

#[test]
fn a_new_folder_takes_the_backups_along_and_back_again() {
    let (dir, db) = temp_db();
    let default = dir.path().join("backups");
    let first = backup::make(db.path(), &default, Reason::Manual, Utc::now()).unwrap();
    backup::make(db.path(), &default, Reason::BeforeSend, Utc::now()).unwrap();
    let settings = backup::settings_of(&db).unwrap();
    assert!(settings.is_default);
    assert_eq!(settings.folder, default.to_string_lossy());

    let synced = dir.path().join("Dropbox/Duebook backups");
    assert_eq!(backup::change_folder(&db, Some(&synced)).unwrap(), 2);
    let settings = backup::settings_of(&db).unwrap();
    assert!(!settings.is_default);
    assert_eq!(settings.folder, synced.to_string_lossy());
    assert!(!first.exists());
    assert_eq!(backup::list(db.path(), &synced).unwrap().len(), 2);
    assert!(backup::list(db.path(), &default).unwrap().is_empty());

    // A name already taken where they go back is left alone, never overwritten.
    let taken = default.join(first.file_name().unwrap());
    std::fs::write(&taken, b"the user's own file").unwrap();
    assert_eq!(backup::change_folder(&db, None).unwrap(), 1);
    assert_eq!(std::fs::read(&taken).unwrap(), b"the user's own file");
    assert_eq!(backup::list(db.path(), &synced).unwrap().len(), 1);
    assert!(backup::settings_of(&db).unwrap().is_default);
}

#[test]
fn a_folder_that_cannot_be_made_is_refused_and_the_old_one_kept() {
    let (dir, db) = temp_db();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"x").unwrap();
    let err = backup::change_folder(&db, Some(&file.join("backups"))).unwrap_err();
    assert!(matches!(err, BackupError::Folder { .. }), "{err:?}");
    assert!(backup::settings_of(&db).unwrap().is_default);
}
