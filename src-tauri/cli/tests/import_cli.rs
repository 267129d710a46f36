//! `duebook import` as a user runs it: exit codes, the summary and `line N: reason` output.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::test_support::import::{count, fixture, write};
use std::path::Path;
use support::{duebook, stderr, stdout};

fn open(db: &Path) -> duebook_core::store::Database {
    duebook_core::store::Database::open(db).unwrap()
}

/// Asserts that `out` says each of `expected`, naming the one it misses.
fn assert_says(out: &str, expected: &[&str]) {
    for line in expected {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
}

#[test]
fn rejected_rows_are_listed_and_the_exit_status_is_still_zero() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let bad_rows = fixture("generic_bad_rows.csv");
    let output = duebook(&db, &["import", bad_rows.to_str().unwrap()]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    assert!(
        out.starts_with("Imported generic_bad_rows.csv (generic CSV, UTF-8)\n"),
        "{out}"
    );
    assert_says(
        &out,
        &[
            "  invoices: 3 created, 0 updated, 0 unchanged, 0 closed; rows: 17 read, 14 rejected, 0 skipped\n",
            "customers created: 3;",
            "Rejected rows:\n  line 4: missing invoice number\n",
            "  line 5: due date 2026-03-01 is before issue date 2026-03-10\n",
            "  line 11: email \"not an email\" is not an email address",
        ],
    );
    assert_eq!(count(&open(&db), "SELECT count(*) FROM invoices"), 3);
}

#[test]
fn a_dry_run_prints_the_same_summary_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let file = fixture("xero_invoices_uk.csv");
    let output = duebook(&db, &["import", "--dry-run", file.to_str().unwrap()]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        out.starts_with("Dry run of xero_invoices_uk.csv (Xero invoice export, UTF-8)\n"),
        "{out}"
    );
    assert_says(
        &out,
        &[
            "7 created",
            "  dry run: nothing was written\n",
            "Skipped rows:\n  line 10: INV-0105 is a draft",
        ],
    );
    assert_eq!(count(&open(&db), "SELECT count(*) FROM invoices"), 0);
}

#[test]
fn full_and_format_flags_reach_the_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let header = "customer,invoice,date,due_date,amount,currency\n";
    let both = write(
        dir.path(),
        "both.csv",
        &format!(
            "{header}Acme,1,2026-03-01,2026-03-31,5,USD\nAcme,2,2026-03-01,2026-03-31,7,USD\n"
        ),
    );
    let one = write(
        dir.path(),
        "one.csv",
        &format!("{header}Acme,1,2026-03-01,2026-03-31,5,USD\n"),
    );
    assert_eq!(
        duebook(
            &db,
            &["import", "--format", "generic", both.to_str().unwrap()]
        )
        .status
        .code(),
        Some(0)
    );

    let output = duebook(&db, &["import", "--full", one.to_str().unwrap()]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0));
    assert_says(
        &out,
        &[
            "0 created, 0 updated, 1 unchanged, 1 closed",
            "Changes:\n  closed 2 (Acme): not in the file: 7.00 recorded as paid\n",
        ],
    );

    let output = duebook(&db, &["import", "--format", "xero", one.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "error: cannot import one.csv as a Xero invoice export: no header row with the columns ContactName, InvoiceNumber, InvoiceDate, Total\n"
    );
    let output = duebook(&db, &["import", "--format", "sage", one.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "clap's usage error");
    assert!(
        stderr(&output).contains("unknown format \"sage\""),
        "{}",
        stderr(&output)
    );
}

#[test]
fn unreadable_or_unrecognised_files_exit_non_zero_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let missing = dir.path().join("missing.csv");
    let output = duebook(&db, &["import", missing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with("error: cannot read "),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).is_empty());

    let notes = write(dir.path(), "notes.csv", "when,what\n2026-03-01,called\n");
    let output = duebook(&db, &["import", notes.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("its layout is not one Duebook knows"),
        "{}",
        stderr(&output)
    );
    assert_eq!(count(&open(&db), "SELECT count(*) FROM imports"), 0);
}

#[test]
fn a_file_whose_every_row_is_rejected_lists_them_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let file = write(
        dir.path(),
        "bad.csv",
        "customer,invoice,date,amount,currency\nAcme,1,yesterday,5,USD\nAcme,2,2026-03-01,5,XYZ\n",
    );
    let output = duebook(&db, &["import", file.to_str().unwrap()]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("  line 2: issue date \"yesterday\" is not a date\n"),
        "{out}"
    );
    assert_eq!(
        stderr(&output),
        "error: every row of bad.csv was rejected; nothing was imported\n"
    );
    assert!(out.contains("  line 3: unknown currency \"XYZ\""), "{out}");
}
