//! `duebook backup`, `duebook backup list`, `duebook restore` and the automatic backups the
//! CLI makes (before an import, the daily one of `run-due`), on real files.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::test_support::import::fixture;
use std::path::{Path, PathBuf};
use support::{duebook, ok_text, refused_text};

fn customers(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
        .unwrap()
}

fn listed(db: &Path) -> Vec<serde_json::Value> {
    let out = ok_text(&duebook(db, &["backup", "list", "--json"]));
    serde_json::from_str(&out).unwrap()
}

/// A file with the three customers of the bad-rows fixture, imported by the CLI.
fn imported(dir: &Path) -> PathBuf {
    let db = dir.join("books.sqlite");
    let csv = fixture("generic_bad_rows.csv");
    ok_text(&duebook(&db, &["import", csv.to_str().unwrap()]));
    db
}

#[test]
fn an_import_is_backed_up_first_and_the_list_says_when_why_and_what() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path());
    let out = ok_text(&duebook(&db, &["backup"]));
    assert!(out.starts_with("backed up to "), "{out}");
    let backups = listed(&db);
    let reasons: Vec<_> = backups
        .iter()
        .map(|b| b["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["manual", "before-import"], "newest first");
    assert_eq!(backups[0]["customers"], 3);
    assert_eq!(
        backups[1]["customers"], 0,
        "the file as it was before the import"
    );
    for b in &backups {
        assert!(Path::new(b["path"].as_str().unwrap()).starts_with(dir.path().join("backups")));
    }
    let text = ok_text(&duebook(&db, &["backup", "list"]));
    let first = text.lines().next().unwrap();
    assert!(
        first.contains("manual") && first.contains("3 customers"),
        "{text}"
    );
}

#[test]
fn backup_to_a_folder_writes_there() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path());
    let elsewhere = dir.path().join("usb stick/duebook");
    ok_text(&duebook(
        &db,
        &["backup", "--to", elsewhere.to_str().unwrap()],
    ));
    let files: Vec<_> = std::fs::read_dir(&elsewhere).unwrap().collect();
    assert_eq!(files.len(), 1);
    let name = files[0].as_ref().unwrap().file_name();
    assert!(
        name.to_string_lossy().ends_with("-manual.sqlite"),
        "{name:?}"
    );
}

#[test]
fn restore_brings_back_deleted_customers_after_keeping_the_current_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path());
    ok_text(&duebook(&db, &["backup"]));
    let good = listed(&db)[0]["path"].as_str().unwrap().to_string();
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("DELETE FROM invoices; DELETE FROM customers;")
        .unwrap();

    let refused = refused_text(&duebook(&db, &["restore", &good]));
    assert!(refused.contains("add --yes"), "{refused}");
    assert_eq!(customers(&db), 0, "nothing restored without a yes");

    let out = ok_text(&duebook(&db, &["restore", &good, "--yes"]));
    assert!(
        out.contains("the file it replaced was backed up to"),
        "{out}"
    );
    assert_eq!(customers(&db), 3);
    let kept = &listed(&db)[0];
    assert_eq!(kept["reason"], "before-restore");
    assert_eq!(kept["customers"], 0, "the emptied file is kept too");
}

#[test]
fn restore_refuses_a_damaged_or_foreign_file_and_recovers_a_damaged_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path());
    ok_text(&duebook(&db, &["backup"]));
    let good = listed(&db)[0]["path"].as_str().unwrap().to_string();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "these are not the books ".repeat(200)).unwrap();
    let out = refused_text(&duebook(&db, &["restore", text.to_str().unwrap(), "--yes"]));
    assert!(out.contains("is not a Duebook database"), "{out}");

    // The database itself damaged: its first page is garbage, so it no longer opens.
    let mut bytes = std::fs::read(&db).unwrap();
    bytes[..100].fill(0x5a);
    std::fs::write(&db, &bytes).unwrap();
    let out = refused_text(&duebook(&db, &["aging"]));
    assert!(out.contains("not a Duebook database"), "{out}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        bytes,
        "a damaged file is not written"
    );
    ok_text(&duebook(&db, &["restore", &good, "--yes"]));
    assert_eq!(customers(&db), 3);
    let kept = listed(&db)[0]["path"].as_str().unwrap().to_string();
    assert_eq!(
        std::fs::read(kept).unwrap(),
        bytes,
        "the damaged file, kept as it was"
    );
}

#[test]
fn run_due_makes_the_daily_backup_once_a_day() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path());
    ok_text(&duebook(&db, &["run-due"]));
    ok_text(&duebook(&db, &["run-due"]));
    ok_text(&duebook(&db, &["run-due", "--dry-run"]));
    let reasons: Vec<_> = listed(&db)
        .iter()
        .map(|b| b["reason"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(reasons, ["daily", "before-import"]);
}

#[test]
fn the_backup_folder_can_be_chosen_and_reset_and_the_backups_move_along() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path());
    let default = dir.path().join("backups");
    let shown = ok_text(&duebook(&db, &["backup", "folder"]));
    assert_eq!(shown.trim(), default.to_str().unwrap());
    let synced = dir.path().join("Nextcloud/books");
    let chosen = ok_text(&duebook(
        &db,
        &["backup", "folder", synced.to_str().unwrap()],
    ));
    let lines: Vec<_> = chosen.lines().collect();
    assert_eq!(
        lines,
        [
            "moved 1 backup(s) into the new folder",
            synced.to_str().unwrap()
        ]
    );
    ok_text(&duebook(&db, &["backup"]));
    assert_eq!(std::fs::read_dir(&synced).unwrap().count(), 2);
    assert_eq!(listed(&db).len(), 2, "the list reads the chosen folder");
    let reset = ok_text(&duebook(&db, &["backup", "folder", "--default"]));
    assert!(reset.starts_with("moved 2 backup(s)"), "{reset}");
    assert_eq!(reset.lines().last().unwrap(), default.to_str().unwrap());
    assert_eq!(std::fs::read_dir(&synced).unwrap().count(), 0);
}

#[test]
fn how_many_backups_are_kept_is_shown_changed_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path());
    let shown = ok_text(&duebook(&db, &["backup", "keep"]));
    assert!(
        shown.starts_with("keeps 7 daily, 4 weekly and 12 monthly backups, the newest 10"),
        "{shown}"
    );
    let changed = ok_text(&duebook(
        &db,
        &["backup", "keep", "--daily", "14", "--monthly", "0"],
    ));
    assert!(
        changed.starts_with("keeps 14 daily, 4 weekly and 0 monthly backups"),
        "{changed}"
    );
    let refused = refused_text(&duebook(&db, &["backup", "keep", "--daily", "0"]));
    assert!(
        refused.contains("daily: keep from 1 to 3660, not 0"),
        "{refused}"
    );
    let kept = ok_text(&duebook(&db, &["backup", "keep"]));
    assert!(
        kept.starts_with("keeps 14 daily"),
        "unchanged by the refusal: {kept}"
    );
}
