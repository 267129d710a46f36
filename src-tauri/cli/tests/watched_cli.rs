//! `duebook watched`: a folder a scheduled export lands in, imported by `watched run` and by
//! `run-due` before the reminders, each file filed away with its report.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use std::path::Path;
use support::{duebook, ok_text};

const EXPORT: &str = "customer,invoice,date,due_date,amount,currency\n\
                      Acme Ltd,A-1,2026-03-01,2026-03-31,120.00,USD\n\
                      Birch Co,B-1,2026-03-02,2026-04-01,80.00,USD\n";

fn invoices(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT count(*) FROM invoices", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_watched_folder_is_set_run_listed_and_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("books.sqlite");
    let folder = dir.path().join("exports");
    assert_eq!(
        ok_text(&duebook(&db, &["watched"])).trim(),
        "no watched folder"
    );
    let set = ok_text(&duebook(
        &db,
        &["watched", "set", folder.to_str().unwrap(), "--full"],
    ));
    assert!(
        set.starts_with(&format!("watching {}", folder.display())),
        "{set}"
    );
    assert!(set.contains("every open invoice"), "{set}");
    assert!(folder.join("imported").is_dir() && folder.join("rejected").is_dir());

    std::fs::write(folder.join("monday.csv"), EXPORT).unwrap();
    std::fs::write(folder.join("notes.csv"), "just some words\n").unwrap();
    let out = duebook(&db, &["watched", "run", "--settle", "0"]);
    assert!(!out.status.success(), "a rejected file fails the run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("watched folder: monday.csv: Imported monday.csv"),
        "{text}"
    );
    assert!(
        text.contains("watched folder: notes.csv rejected: cannot import notes.csv"),
        "{text}"
    );
    assert_eq!(invoices(&db), 2);

    let history = ok_text(&duebook(&db, &["watched", "history", "--json"]));
    let files: Vec<serde_json::Value> = serde_json::from_str(&history).unwrap();
    let mut names: Vec<_> = files
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap(),
                f["imported"].as_bool().unwrap(),
            )
        })
        .collect();
    names.sort();
    assert_eq!(names, [("monday.csv", true), ("notes.csv", false)]);

    assert_eq!(
        ok_text(&duebook(&db, &["watched", "off"])).trim(),
        "no watched folder"
    );
    assert!(
        folder.join("imported/monday.csv").is_file(),
        "turning it off leaves the files"
    );
}

#[test]
fn run_due_imports_the_newest_export_before_the_reminders() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("books.sqlite");
    let folder = dir.path().join("exports");
    ok_text(&duebook(&db, &["watched", "set", folder.to_str().unwrap()]));
    std::fs::write(folder.join("open.csv"), EXPORT).unwrap();
    let out = duebook(&db, &["run-due", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("watched folder: open.csv: Imported open.csv"),
        "{stderr}"
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(summary.is_object(), "standard output stays JSON");
    assert_eq!(invoices(&db), 2);
    assert!(folder.join("imported/open.csv.txt").is_file());
}
