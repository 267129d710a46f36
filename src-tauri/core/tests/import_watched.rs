//! The watched folder: files a scheduled export drops are imported once whole, each in its own
//! transaction, and filed away in `imported/` or `rejected/` with their report; a file still
//! being written is not read half.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::import::watched::{self, Outcome, Settle, WatchedFolder};
use duebook_core::store::Database;
use duebook_core::test_support::import::{today, write};
use duebook_core::test_support::{count, temp_db};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

const HEADER: &str = "customer,invoice,date,due_date,amount,currency\n";

fn row(n: usize) -> String {
    format!("Customer {n},W-{n:04},2026-03-01,2026-03-31,{n}.50,USD\n")
}

fn watching(dir: &Path, full: bool) -> (WatchedFolder, std::path::PathBuf) {
    let folder = dir.join("exports");
    std::fs::create_dir_all(&folder).unwrap();
    let chosen = WatchedFolder {
        folder: folder.to_string_lossy().into_owned(),
        full,
    };
    (chosen, folder)
}

/// Sweeps until the folder has given `n` outcomes (or a minute passed).
fn sweep_until(
    db: &mut Database,
    chosen: &WatchedFolder,
    settle: &mut Settle,
    n: usize,
) -> Vec<Outcome> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut outcomes = Vec::new();
    while outcomes.len() < n && Instant::now() < deadline {
        outcomes.extend(watched::sweep(db, chosen, settle, today(), Instant::now()).unwrap());
        std::thread::sleep(Duration::from_millis(40));
    }
    outcomes
}

#[test]
fn a_file_written_slowly_is_imported_whole_once_it_stops_changing() {
    let (dir, mut db) = temp_db();
    let (chosen, folder) = watching(dir.path(), false);
    let path = folder.join("open invoices.csv");
    let writer = std::thread::spawn(move || {
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(HEADER.as_bytes()).unwrap();
        for n in 1..=25 {
            file.write_all(row(n).as_bytes()).unwrap();
            file.flush().unwrap();
            std::thread::sleep(Duration::from_millis(60));
        }
    });
    let mut settle = Settle::new(Duration::from_millis(400));
    let outcomes = sweep_until(&mut db, &chosen, &mut settle, 1);
    writer.join().unwrap();
    match &outcomes[..] {
        [Outcome::Imported { file, report }] => {
            assert_eq!(file, "open invoices.csv");
            assert_eq!((report.rows_read, report.invoices_created), (25, 25));
        }
        other => panic!("expected one import, got {other:?}"),
    }
    assert_eq!(count(&db, "SELECT count(*) FROM invoices"), 25);
    let report = std::fs::read_to_string(folder.join("imported/open invoices.csv.txt")).unwrap();
    assert!(report.contains("25 created"), "{report}");
    assert!(!folder.join("open invoices.csv").exists());
}

#[test]
fn each_file_stands_alone_and_every_refusal_keeps_its_reason() {
    let (dir, mut db) = temp_db();
    let (chosen, folder) = watching(dir.path(), false);
    write(
        &folder,
        "a-good.csv",
        &format!("{HEADER}{}{}", row(1), row(2)),
    );
    write(
        &folder,
        "b-one-bad.csv",
        &format!(
            "{HEADER}{}Bad Co,W-9,2026-03-01,2026-03-31,lots,USD\n",
            row(3)
        ),
    );
    write(
        &folder,
        "c-all-bad.csv",
        &format!("{HEADER}Bad Co,W-8,yesterday,2026-03-31,1,USD\n"),
    );
    write(&folder, "d-photo.csv", "\u{1}\u{2} not a ledger at all\n");
    write(
        &folder,
        "e-partial.csv.part",
        &format!("{HEADER}{}", row(7)),
    );
    let mut settle = Settle::new(Duration::from_millis(100));
    let outcomes = sweep_until(&mut db, &chosen, &mut settle, 4);
    let kinds: Vec<_> = outcomes
        .iter()
        .map(|o| match o {
            Outcome::Imported { file, .. } => format!("imported {file}"),
            Outcome::Rejected { file, .. } => format!("rejected {file}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "imported a-good.csv",
            "imported b-one-bad.csv",
            "rejected c-all-bad.csv",
            "rejected d-photo.csv"
        ]
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM invoices"),
        3,
        "only the good rows went in"
    );
    let one_bad = std::fs::read_to_string(folder.join("imported/b-one-bad.csv.txt")).unwrap();
    assert!(one_bad.contains("line 3:"), "{one_bad}");
    let all_bad = std::fs::read_to_string(folder.join("rejected/c-all-bad.csv.txt")).unwrap();
    assert!(
        all_bad.contains("every row was rejected") && all_bad.contains("line 2:"),
        "{all_bad}"
    );
    let photo = std::fs::read_to_string(folder.join("rejected/d-photo.csv.txt")).unwrap();
    assert!(
        photo.starts_with("not imported: cannot import d-photo.csv"),
        "{photo}"
    );
    assert!(
        folder.join("e-partial.csv.part").exists(),
        "a file being downloaded is left alone"
    );

    // The same name again is kept beside the first, and the history lists the newest first.
    std::thread::sleep(Duration::from_millis(20));
    write(&folder, "a-good.csv", &format!("{HEADER}{}", row(4)));
    sweep_until(&mut db, &chosen, &mut settle, 1);
    assert!(folder.join("imported/a-good (2).csv").is_file());
    let history = watched::history(&folder, 10).unwrap();
    assert_eq!(history.len(), 5);
    assert_eq!(
        (history[0].file.as_str(), history[0].imported),
        ("a-good (2).csv", true)
    );
    assert_eq!(watched::history(&folder, 2).unwrap().len(), 2);
}

#[test]
fn a_full_export_closes_what_it_no_longer_lists() {
    let (dir, mut db) = temp_db();
    let (chosen, folder) = watching(dir.path(), true);
    let mut settle = Settle::new(Duration::from_millis(50));
    write(
        &folder,
        "monday.csv",
        &format!("{HEADER}{}{}", row(1), row(2)),
    );
    sweep_until(&mut db, &chosen, &mut settle, 1);
    write(&folder, "tuesday.csv", &format!("{HEADER}{}", row(2)));
    match &sweep_until(&mut db, &chosen, &mut settle, 1)[..] {
        [Outcome::Imported { report, .. }] => assert_eq!(report.invoices_closed, 1),
        other => panic!("expected one import, got {other:?}"),
    }
}

#[test]
fn watching_is_off_by_default_and_needs_a_full_path() {
    let (dir, db) = temp_db();
    assert_eq!(watched::watched(db.conn()).unwrap(), None);
    let relative = WatchedFolder {
        folder: "exports".into(),
        full: false,
    };
    let err = watched::set_watched(db.conn(), Some(&relative)).unwrap_err();
    assert!(err.to_string().contains("full path"), "{err}");
    assert_eq!(watched::watched(db.conn()).unwrap(), None);
    let (chosen, folder) = watching(dir.path(), true);
    watched::set_watched(db.conn(), Some(&chosen)).unwrap();
    assert!(folder.join("imported").is_dir() && folder.join("rejected").is_dir());
    assert_eq!(watched::watched(db.conn()).unwrap(), Some(chosen));
    watched::set_watched(db.conn(), None).unwrap();
    assert_eq!(watched::watched(db.conn()).unwrap(), None);
}
