//! `duebook import FILE --sheet NAME`: a workbook's sheet by name, and a missing one named with
//! the sheets the workbook has.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::test_support::import::{count, fixture};
use support::{duebook, stderr, stdout};

#[test]
fn a_sheet_is_chosen_by_name_and_a_missing_one_lists_the_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let ods = fixture("invoices.ods");
    let ods = ods.to_str().unwrap();

    let missing = duebook(&db, &["import", ods, "--sheet", "Q1"]);
    assert_eq!(missing.status.code(), Some(1), "{}", stdout(&missing));
    assert!(
        stderr(&missing).contains(
            "cannot import invoices.ods: it has no sheet named \"Q1\"; its sheets are \"Invoices\""
        ),
        "{}",
        stderr(&missing)
    );

    let output = duebook(&db, &["import", ods, "--sheet", "Invoices"]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    assert!(
        out.starts_with(
            "Imported invoices.ods (generic CSV, OpenDocument spreadsheet, sheet \"Invoices\")\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("Rejected rows:\n  line 6: issue date \"someday\" is not a date\n"),
        "{out}"
    );
    let db = duebook_core::store::Database::open(&db).unwrap();
    assert_eq!(count(&db, "SELECT count(*) FROM invoices"), 2);
}
