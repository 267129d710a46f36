//! `duebook import --payments` as a user runs it: the summary, the refused and already
//! imported rows as `line N: reason`, and the exit status.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::test_support::import::{count, fixture, write};
use support::{duebook, stderr, stdout};

const PAYMENTS: &str = "invoice,payment date,amount,reference\n\
                        NW-1001,2026-02-20,\"1,250.00\",CHK 1001\n\
                        AC-1,2026-03-20,40.00,\n\
                        XX-404,2026-03-01,10.00,\n";

#[test]
fn payments_are_imported_once_and_every_row_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let invoices = fixture("generic_basic.csv");
    assert_eq!(
        duebook(&db, &["import", invoices.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let file = write(dir.path(), "pay.csv", PAYMENTS);
    let args = ["import", "--payments", file.to_str().unwrap()];

    let output = duebook(&db, &args);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    assert_eq!(
        out,
        "Imported payments file pay.csv (UTF-8)\n  \
         rows: 3 read, 1 rejected, 0 already imported; payments recorded: 2, invoices paid in full: 1\n\
         Rejected rows:\n  line 4: no invoice numbered \"XX-404\"\n"
    );
    let payments = |db| {
        let db = duebook_core::store::Database::open(db).unwrap();
        count(&db, "SELECT count(*) FROM payments")
    };
    let recorded = payments(&db);

    let again = duebook(&db, &args);
    let out = stdout(&again);
    assert_eq!(again.status.code(), Some(0), "{out}{}", stderr(&again));
    assert!(
        out.contains(
            "rows: 3 read, 1 rejected, 2 already imported; payments recorded: 0, \
             invoices paid in full: 0\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "Already imported:\n  line 2: already imported (a payment on NW-1001)\n  \
             line 3: already imported (a payment on AC-1)\n"
        ),
        "{out}"
    );
    assert_eq!(payments(&db), recorded);
}

#[test]
fn a_file_whose_every_row_is_refused_fails() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let file = write(
        dir.path(),
        "pay.csv",
        "invoice,date,amount\nNOPE,2026-03-01,1.00\n",
    );
    let output = duebook(&db, &["import", "--payments", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("line 2: no invoice numbered \"NOPE\""),
        "{}",
        stdout(&output)
    );
    assert!(
        stderr(&output).contains("every row of pay.csv was rejected; nothing was imported"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_payment_by_customer_and_one_replacing_an_inferred_payment_are_summed_up() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    // generic_basic.csv: NW-1002 (2,000.00) has 500.00 open, so 1,500.00 was inferred paid.
    let invoices = fixture("generic_basic.csv");
    duebook(&db, &["import", invoices.to_str().unwrap()]);
    let file = write(
        dir.path(),
        "pay.csv",
        "invoice,customer,payment date,amount\n\
         NW-1002,,2026-03-10,1500.00\n\
         ,Brightwater Dental,2026-03-01,80.40\n\
         ,Brightwater Dental,2026-03-02,1000.00\n",
    );
    let output = duebook(&db, &["import", "--payments", file.to_str().unwrap()]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    assert_eq!(
        out,
        "Imported payments file pay.csv (UTF-8)\n  \
         rows: 3 read, 1 rejected, 0 already imported; payments recorded: 2, invoices paid in full: 0\n  \
         dated payments replacing ones an import had dated its own day: 1\n  \
         rows paying a customer's open invoices, oldest due first: 1\n\
         Rejected rows:\n  line 4: 1000.00 GBP is more than the 900.00 GBP \"Brightwater Dental\" \
         owes on open invoices\n"
    );
    let db = duebook_core::store::Database::open(&db).unwrap();
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM imports WHERE format = 'payments'"
        ),
        1
    );
}
