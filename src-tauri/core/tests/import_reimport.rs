//! Re-imports, full imports, dry runs, failures and the bookkeeping around an import.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::import::history;
use duebook_core::import::{self, ChangeAction, ImportError, ImportProgress, ImportStage};
use duebook_core::model::InvoiceStatus;
use duebook_core::test_support::import::*;

const HEADER: &str = "customer,email,invoice,date,due_date,amount,amount_due,currency\n";

fn first_export() -> String {
    format!(
        "{HEADER}Acme Ltd,ap@acme.example,A-1,2026-02-01,2026-03-03,1000.00,1000.00,USD\n\
         Acme Ltd,ap@acme.example,A-2,2026-03-01,2026-03-31,500.00,500.00,USD\n\
         Beta GmbH,,B-1,2026-01-10,2026-02-09,800.00,800.00,EUR\n\
         Beta GmbH,,B-CN,2026-03-05,2026-03-05,-100.00,-100.00,EUR\n"
    )
}

#[test]
fn reimporting_updates_by_number_records_payments_and_reports_changes() {
    let (dir, mut db) = temp_db();
    import_csv(&mut db, dir.path(), "v1.csv", &first_export());
    let later = format!(
        "{HEADER}Acme Ltd,ap@acme.example,A-1,2026-02-01,2026-03-03,1000.00,400.00,USD\n\
         Acme Ltd,ap@acme.example,A-2,2026-03-01,2026-04-15,500.00,500.00,USD\n\
         Beta GmbH,,B-1,2026-01-10,2026-02-09,800.00,800.00,EUR\n\
         Beta GmbH,,B-CN,2026-03-05,2026-03-05,-100.00,-40.00,EUR\n"
    );
    let report = import_csv(&mut db, dir.path(), "v2.csv", &later);

    assert_eq!(
        (
            report.invoices_created,
            report.invoices_updated,
            report.invoices_unchanged,
            report.invoices_closed
        ),
        (0, 3, 1, 0)
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM invoices"),
        4,
        "updated, not duplicated"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM customers"), 2);
    assert_eq!(
        payments_of(&db, "A-1"),
        vec![(60000, "import".into(), "2026-04-01".into())]
    );
    assert_eq!(
        payments_of(&db, "B-CN"),
        vec![(-6000, "import".into(), "2026-04-01".into())]
    );
    assert!(payments_of(&db, "A-2").is_empty());
    assert_eq!(invoice(&db, "A-2").due_date, date("2026-04-15"));

    let details: Vec<(String, Option<String>, String, Vec<String>)> = report
        .changes
        .iter()
        .map(|c| {
            (
                c.number.clone(),
                c.open_before.clone(),
                c.open_after.clone(),
                c.details.clone(),
            )
        })
        .collect();
    assert_eq!(
        details,
        vec![
            (
                "A-1".into(),
                Some("1000.00".into()),
                "400.00".into(),
                vec!["amount due 1000.00 → 400.00: payment of 600.00 recorded".into()]
            ),
            (
                "A-2".into(),
                Some("500.00".into()),
                "500.00".into(),
                vec!["due date 2026-03-31 → 2026-04-15".into()]
            ),
            (
                "B-CN".into(),
                Some("-100.00".into()),
                "-40.00".into(),
                vec!["amount due -100.00 → -40.00: payment of -60.00 recorded".into()]
            ),
        ]
    );
    assert_eq!(
        aging(&db),
        expected(&[
            ("EUR", [0, -4000, 80000, 0, 0]),
            ("USD", [50000, 40000, 0, 0, 0])
        ])
    );
}

#[test]
fn a_higher_amount_due_is_a_reversed_payment_with_a_warning() {
    let (dir, mut db) = temp_db();
    let v1 = format!("{HEADER}Acme Ltd,,A-1,2026-02-01,2026-03-03,1000.00,400.00,USD\n");
    import_csv(&mut db, dir.path(), "v1.csv", &v1);
    let v2 = format!("{HEADER}Acme Ltd,,A-1,2026-02-01,2026-03-03,1000.00,700.00,USD\n");
    let report = import_csv(&mut db, dir.path(), "v2.csv", &v2);
    assert_eq!(
        lines(&report.warnings),
        vec!["line 2: the amount due on invoice A-1 went up from 400.00 to 700.00"]
    );
    assert_eq!(
        payments_of(&db, "A-1"),
        vec![
            (60000, "import".into(), "2026-04-01".into()),
            (-30000, "import".into(), "2026-04-01".into())
        ]
    );
    assert_eq!(invoice(&db, "A-1").paid_minor, 30000);
}

#[test]
fn a_paid_invoice_listed_as_open_again_is_reopened_and_a_new_total_is_taken() {
    let (dir, mut db) = temp_db();
    let v1 = format!("{HEADER}Acme Ltd,,A-1,2026-02-01,2026-03-03,1000.00,0.00,USD\n");
    import_csv(&mut db, dir.path(), "v1.csv", &v1);
    assert_eq!(invoice(&db, "A-1").status, InvoiceStatus::Paid);
    let v2 = format!("{HEADER}Acme Ltd,,A-1,2026-02-01,2026-03-03,1200.00,200.00,USD\n");
    let report = import_csv(&mut db, dir.path(), "v2.csv", &v2);
    let a1 = invoice(&db, "A-1");
    assert_eq!(
        (a1.status, a1.total.minor, a1.paid_minor),
        (InvoiceStatus::Open, 120000, 100000)
    );
    assert_eq!(
        report.changes[0].details,
        vec!["total 1000.00 USD → 1200.00 USD"]
    );
}

#[test]
fn full_closes_open_invoices_missing_from_the_file_and_nothing_else_does() {
    let (dir, mut db) = temp_db();
    import_csv(&mut db, dir.path(), "v1.csv", &first_export());
    let partial = format!(
        "{HEADER}Acme Ltd,,A-1,2026-02-01,2026-03-03,1000.00,1000.00,USD\n\
         Beta GmbH,,B-CN,2026-03-05,2026-03-05,-100.00,-100.00,EUR\n"
    );
    let file = write(dir.path(), "open-now.csv", &partial);

    // Without --full, a shorter file closes nothing.
    let report = import_with(&mut db, &file, &options());
    assert_eq!(report.invoices_closed, 0);
    assert_eq!(
        count(&db, "SELECT count(*) FROM invoices WHERE status = 'open'"),
        4
    );

    let mut full = options();
    full.full = true;
    let report = import_with(&mut db, &file, &full);
    assert_eq!(report.invoices_closed, 2);
    assert_eq!(
        payments_of(&db, "A-2"),
        vec![(50000, "close".into(), "2026-04-01".into())]
    );
    assert_eq!(
        payments_of(&db, "B-1"),
        vec![(80000, "close".into(), "2026-04-01".into())]
    );
    assert_eq!(invoice(&db, "A-2").status, InvoiceStatus::Paid);
    let closed: Vec<String> = report
        .changes
        .iter()
        .filter(|c| c.action == ChangeAction::Closed)
        .map(|c| {
            format!(
                "{:?} {} ({}): {}",
                c.line,
                c.number,
                c.customer,
                c.details.join("; ")
            )
        })
        .collect();
    assert_eq!(
        closed,
        vec![
            "None A-2 (Acme Ltd): not in the file: 500.00 recorded as paid",
            "None B-1 (Beta GmbH): not in the file: 800.00 recorded as paid",
        ]
    );
    assert_eq!(
        aging(&db),
        expected(&[("EUR", [0, -10000, 0, 0, 0]), ("USD", [0, 100000, 0, 0, 0])])
    );
}

#[test]
fn full_keeps_rejected_rows_invoices_and_kinds_the_file_does_not_list() {
    let (dir, mut db) = temp_db();
    import_csv(&mut db, dir.path(), "v1.csv", &first_export());
    // A-2's row is broken (bad date) and the file has no credit notes at all.
    let file = write(
        dir.path(),
        "v2.csv",
        &format!(
            "{HEADER}Acme Ltd,,A-1,2026-02-01,2026-03-03,1000.00,1000.00,USD\n\
             Acme Ltd,,A-2,2026-02-31,2026-03-31,500.00,500.00,USD\n"
        ),
    );
    let mut full = options();
    full.full = true;
    let report = import_with(&mut db, &file, &full);
    assert_eq!(report.invoices_closed, 1, "only B-1");
    assert_eq!(invoice(&db, "A-2").status, InvoiceStatus::Open);
    assert_eq!(invoice(&db, "B-CN").status, InvoiceStatus::Open);
    assert_eq!(
        lines(&report.warnings),
        vec!["the file lists no credit notes, so 1 open credit notes were left open"]
    );

    // A file whose every row is rejected closes nothing at all.
    let broken = write(
        dir.path(),
        "broken.csv",
        &format!("{HEADER}Acme Ltd,,A-1,nope,2026-03-03,1.00,1.00,USD\n"),
    );
    let report = import_with(&mut db, &broken, &full);
    assert_eq!(report.invoices_closed, 0);
    assert!(report.nothing_imported());
    assert_eq!(
        lines(&report.warnings),
        vec!["--full was ignored: no invoice from the file was imported, so none was closed"]
    );
}

#[test]
fn a_dry_run_reports_the_same_and_changes_nothing() {
    let (dir, mut db) = temp_db();
    import_csv(&mut db, dir.path(), "v1.csv", &first_export());
    let before = (snapshot(&db), aging(&db));

    let later = write(
        dir.path(),
        "v2.csv",
        &format!(
            "{HEADER}Acme Ltd,,A-1,2026-02-01,2026-03-03,1000.00,100.00,USD\n\
             Gamma SA,gamma@example.com,G-1,2026-03-01,2026-03-31,70.00,70.00,EUR\n"
        ),
    );
    let mut dry = options();
    dry.full = true;
    dry.dry_run = true;
    let preview = import_with(&mut db, &later, &dry);
    assert_eq!(
        (snapshot(&db), aging(&db)),
        before,
        "a dry run writes nothing"
    );
    assert!(preview.dry_run);
    assert_eq!(preview.import_id, None);

    let mut real = dry.clone();
    real.dry_run = false;
    let done = import_with(&mut db, &later, &real);
    let counts = |r: &import::ImportReport| {
        (
            r.invoices_created,
            r.invoices_updated,
            r.invoices_closed,
            r.customers_created,
            r.contacts_added,
            r.payments_recorded,
        )
    };
    assert_eq!(counts(&preview), counts(&done));
    // G-1 created, A-1 paid down, A-2 and B-1 closed (B-CN kept: the file has no credits).
    assert_eq!(counts(&done), (1, 1, 2, 1, 1, 3));
    assert_eq!(preview.changes, done.changes);
    assert!(done.import_id.is_some());
}

#[test]
fn unreadable_and_unrecognised_files_fail_clearly_and_change_nothing() {
    let (dir, mut db) = temp_db();
    import_csv(&mut db, dir.path(), "v1.csv", &first_export());
    let before = snapshot(&db);

    let missing = dir.path().join("no-such-file.csv");
    let err = try_import(&mut db, &missing, &options()).unwrap_err();
    assert!(matches!(err, ImportError::Read { .. }));
    assert!(
        err.to_string().starts_with("cannot read ") && err.to_string().contains("no-such-file.csv"),
        "{err}"
    );

    let workbook = dir.path().join("export.xlsx");
    std::fs::write(&workbook, b"PK\x03\x04\x14\x00\x06\x00rest-of-a-zip").unwrap();
    let err = try_import(&mut db, &workbook, &options()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot import export.xlsx: it looks like an Excel workbook (.xlsx), but it cannot be \
         read (damaged or incomplete?): Zip error: invalid Zip archive: Could not find EOCD"
    );

    let empty = write(dir.path(), "empty.csv", "");
    assert_eq!(
        try_import(&mut db, &empty, &options())
            .unwrap_err()
            .to_string(),
        "cannot import empty.csv: the file is empty"
    );

    let unknown = write(
        dir.path(),
        "bank.csv",
        "Booking date,Text,Debit,Credit\n2026-03-01,Coffee,3.50,\n",
    );
    let err = try_import(&mut db, &unknown, &options()).unwrap_err();
    assert!(
        err.to_string()
            .contains("its layout is not one Duebook knows"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("\"Booking date,Text,Debit,Credit\""),
        "{err}"
    );

    assert_eq!(snapshot(&db), before);
}

#[test]
fn a_database_error_half_way_rolls_back_every_row() {
    let (dir, mut db) = temp_db();
    // A trigger that fails on the third invoice stands in for a disk or constraint failure.
    db.conn()
        .execute_batch(
            "CREATE TRIGGER boom BEFORE INSERT ON invoices WHEN NEW.number = 'B-1'
             BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;",
        )
        .unwrap();
    let before = snapshot(&db);
    let err = try_import(
        &mut db,
        &write(dir.path(), "v1.csv", &first_export()),
        &options(),
    )
    .unwrap_err();
    assert!(matches!(err, ImportError::Db(_)), "{err}");
    assert!(err.to_string().contains("disk on fire"), "{err}");
    assert_eq!(
        snapshot(&db),
        before,
        "A-1, A-2 and Acme Ltd were rolled back"
    );
}

#[test]
fn customers_match_by_nfc_case_insensitive_name_across_imports() {
    let (dir, mut db) = temp_db();
    let composed = format!("{HEADER}Café Ölmann,,C-1,2026-03-01,2026-03-31,1.00,1.00,EUR\n");
    import_csv(&mut db, dir.path(), "a.csv", &composed);
    let decomposed =
        format!("{HEADER}  CAFE\u{301} O\u{308}LMANN ,,C-2,2026-03-01,2026-03-31,1.00,1.00,EUR\n");
    let report = import_csv(&mut db, dir.path(), "b.csv", &decomposed);
    assert_eq!(report.customers_created, 0);
    assert_eq!(customer_names(&db), vec!["Café Ölmann"]);
    assert_eq!(
        invoice(&db, "C-1").customer_id,
        invoice(&db, "C-2").customer_id
    );
}

#[test]
fn balances_search_and_the_imports_table_are_kept_up_to_date() {
    let (dir, mut db) = temp_db();
    let report = import_csv(&mut db, dir.path(), "v1.csv", &first_export());

    // The customer list reads these instead of aggregating invoices.
    let beta = invoice(&db, "B-1").customer_id;
    let balance: (String, i64, i64) = db
        .conn()
        .query_row(
            "SELECT currency, open_minor, open_count FROM customer_balances WHERE customer_id = ?1",
            [beta],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(balance, ("EUR".into(), 70000, 2));
    let search = |text: &str| -> i64 {
        db.conn()
            .query_row(
                "SELECT rowid FROM customer_search WHERE customer_search MATCH ?1",
                [duebook_core::views::search::fts_query(text).unwrap()],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(search("beta"), beta);
    // The contact the import added is searchable too.
    assert_eq!(search("ap@acme.example"), invoice(&db, "A-1").customer_id);

    let run: (String, String, i64, i64, i64) = db
        .conn()
        .query_row(
            "SELECT file_name, format, full_sync, created, rejected FROM imports WHERE id = ?1",
            [report.import_id.unwrap()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(run, ("v1.csv".into(), "generic".into(), 0, 4, 0));
    assert!(history::last_imported_at(db.conn()).unwrap().is_some());
}

#[test]
fn progress_is_reported_through_every_stage() {
    let (dir, mut db) = temp_db();
    let path = dir.path().join("big.csv");
    let mut bytes = Vec::new();
    import::write_generic_sample(&mut bytes, 12_000, 500, 1, today()).unwrap();
    std::fs::write(&path, &bytes).unwrap();
    let mut seen: Vec<ImportProgress> = Vec::new();
    import::import_file(&mut db, &path, &options(), &mut |p| seen.push(p)).unwrap();

    let stages: Vec<ImportStage> = seen.iter().map(|p| p.stage).collect();
    assert_eq!(stages.first(), Some(&ImportStage::Reading));
    assert_eq!(stages.last(), Some(&ImportStage::Finishing));
    let importing: Vec<&ImportProgress> = seen
        .iter()
        .filter(|p| p.stage == ImportStage::Importing)
        .collect();
    assert_eq!(importing.len(), 2, "every 5,000 rows");
    assert!(importing
        .windows(2)
        .all(|w| w[0].bytes_done < w[1].bytes_done));
    assert!(importing
        .iter()
        .all(|p| p.bytes_total == bytes.len() as u64 && p.bytes_done < p.bytes_total));
}
