//! NetSuite (A/R Aging Detail report, Open Invoices saved search) and Sage Intacct (invoice
//! list, AR Aging report) exports, written here from their documented column names.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::import::{DetectedFormat, ImportFormat, ImportOptions};
use duebook_core::model::InvoiceKind;
use duebook_core::test_support::import::*;

/// NetSuite's report: title lines, the type in the first column, customer group rows,
/// "Total - <customer>" lines and a grand total.
const NETSUITE_AGING: &str = "\
Acme Corp
A/R Aging Detail
As of Mar 31, 2026

Type,Date,Document Number,Name,Due Date,Age,Open Balance,Amount
Harbour Cafe,,,,,,,
Invoice,02/15/2026,INV1001,Harbour Cafe,03/17/2026,14,\"1,200.00\",\"1,500.00\"
Credit Memo,03/01/2026,CM-7,Harbour Cafe,,30,-50.00,-50.00
Total - Harbour Cafe,,,,,,\"1,150.00\",\"1,450.00\"
Brightwater Dental,,,,,,,
Invoice,01/10/2026,INV1002,Brightwater Dental,02/09/2026,50,980.00,980.00
Journal,01/20/2026,JE-3,Brightwater Dental,01/20/2026,70,-25.00,-25.00
Customer Deposit,03/10/2026,DEP-1,Brightwater Dental,,21,-100.00,-100.00
Total - Brightwater Dental,,,,,,855.00,855.00
Total,,,,,,\"2,005.00\",\"2,305.00\"
";

#[test]
fn netsuite_aging_detail_reads_types_groups_and_totals() {
    let (dir, mut db) = temp_db();
    with_home_currency(&db, "USD");
    let report = import_csv(&mut db, dir.path(), "aging.csv", NETSUITE_AGING);

    assert_eq!(report.format, DetectedFormat::Netsuite);
    assert_eq!(report.invoices_created, 4, "{:?}", report.rejections);
    assert_eq!(
        lines(&report.rejections),
        vec!["line 13: transaction type \"Customer Deposit\" is not an invoice, credit memo, payment or journal entry"]
    );
    let invoice_1001 = invoice(&db, "INV1001");
    assert_eq!(invoice_1001.due_date, date("2026-03-17"));
    assert_eq!(
        (invoice_1001.total.minor, invoice_1001.open_minor()),
        (150_000, 120_000)
    );
    let credit = invoice(&db, "CM-7");
    assert_eq!(credit.kind, InvoiceKind::CreditNote);
    assert_eq!(credit.open_minor(), -5_000);
    assert_eq!(invoice(&db, "JE-3").kind, InvoiceKind::CreditNote);
    assert_eq!(
        customer_names(&db),
        vec!["Harbour Cafe", "Brightwater Dental"]
    );
}

#[test]
fn netsuite_open_invoices_search_reads_remaining_amounts_currencies_and_emails() {
    let (dir, mut db) = temp_db();
    with_home_currency(&db, "USD");
    let text = "\
Internal ID,Customer,Document Number,Date,Due Date/Receive By,Amount (Gross),Amount Remaining,Currency,Email,Status
101,Harbour Cafe,INV2001,3/2/2026,4/1/2026,\"2,500.00\",\"1,000.00\",USD,ap@harbour.example,Open
102,Café Ölmann GmbH,INV2002,3/5/2026,4/4/2026,800.00,800.00,EUR,,Open
103,Harbour Cafe,INV2003,3/16/2026,4/15/2026,90.00,,USD,ap@harbour.example,Open
104,Harbour Cafe,INV2004,3/17/2026,4/16/2026,45.00,45.00,USD,,Pending Approval
";
    let report = import_csv(&mut db, dir.path(), "search.csv", text);

    assert_eq!(report.format, DetectedFormat::Netsuite);
    assert_eq!(report.invoices_created, 3, "{:?}", report.rejections);
    assert_eq!(
        lines(&report.skipped),
        vec!["line 5: INV2004 is pending approval in NetSuite: not yet sent to the customer"]
    );
    let first = invoice(&db, "INV2001");
    assert_eq!(
        (first.issue_date, first.due_date),
        (date("2026-03-02"), date("2026-04-01"))
    );
    assert_eq!((first.total.minor, first.open_minor()), (250_000, 100_000));
    assert_eq!(invoice(&db, "INV2002").total.currency.code(), "EUR");
    // An empty remaining amount is the whole amount, as in the generic CSV.
    assert_eq!(invoice(&db, "INV2003").open_minor(), 9_000);
}

#[test]
fn sage_intacct_invoice_list_reads_totals_paid_and_due() {
    let (dir, mut db) = temp_db();
    with_home_currency(&db, "GBP");
    let text = "\
Customer ID,Customer name,Invoice number,Date,Due date,Total entered,Total paid,Total due,Currency,State
CUST-00105,Premiere Event Services,INV-000643,05/03/2026,20/03/2026,1912.00,0.00,1912.00,GBP,Posted
CUST-00107,Northwind Traders,INV-000644,06/03/2026,05/04/2026,500.00,200.00,300.00,EUR,Partially paid
CUST-00107,Northwind Traders,INV-000645,07/03/2026,06/04/2026,100.00,50.00,60.00,EUR,Partially paid
CUST-00107,Northwind Traders,INV-000646,08/03/2026,07/04/2026,70.00,0.00,70.00,EUR,Draft
";
    let report = import_csv(&mut db, dir.path(), "intacct.csv", text);

    assert_eq!(report.format, DetectedFormat::SageIntacct);
    assert_eq!(report.invoices_created, 2);
    assert_eq!(
        report.rows_rejected, 1,
        "paid and due must add up to the total"
    );
    assert_eq!(report.rejections[0].line, Some(4));
    assert_eq!(
        lines(&report.skipped),
        vec!["line 5: INV-000646 is a draft in Sage Intacct: not yet sent to the customer"]
    );
    let first = invoice(&db, "INV-000643");
    assert_eq!(
        (first.issue_date, first.due_date),
        (date("2026-03-05"), date("2026-03-20"))
    );
    assert_eq!(first.open_minor(), 191_200);
    let partly = invoice(&db, "INV-000644");
    assert_eq!((partly.total.minor, partly.open_minor()), (50_000, 30_000));
    assert_eq!(partly.total.currency.code(), "EUR");
}

#[test]
fn sage_intacct_aging_report_takes_the_amount_due_and_skips_totals() {
    let (dir, mut db) = temp_db();
    with_home_currency(&db, "USD");
    let text = "\
Acme Corp
AR Aging
As of 03/31/2026

Customer ID,Customer name,Invoice number,Invoice date,Due date,Current,1-30 days,31-60 days,Total due
C-1,Harbour Cafe,INV-1,03/02/2026,04/01/2026,400.00,,,400.00
C-1,Harbour Cafe,INV-2,02/01/2026,03/03/2026,,250.00,,250.00
Total for C-1 Harbour Cafe,,,,,400.00,250.00,,650.00
C-2,Brightwater Dental,INV-9,01/05/2026,01/20/2026,,,75.50,75.50
Total,,,,,400.00,250.00,75.50,725.50
";
    let report = import_csv(&mut db, dir.path(), "aging.csv", text);

    assert_eq!(report.format, DetectedFormat::SageIntacct);
    assert_eq!(report.invoices_created, 3, "{:?}", report.rejections);
    assert_eq!(report.rows_rejected, 0);
    assert_eq!(report.rows_read, 3);
    assert_eq!(invoice(&db, "INV-9").open_minor(), 7_550);
    assert_eq!(invoice(&db, "INV-2").due_date, date("2026-03-03"));
}

#[test]
fn a_changed_saved_search_falls_back_to_the_generic_columns() {
    let (dir, mut db) = temp_db();
    let text = "Customer,Invoice Number,Date,Amount,Amount Due\nHarbour Cafe,INV-1,2026-03-02,10.00,10.00\n";
    let report = import_csv(&mut db, dir.path(), "renamed.csv", text);
    assert_eq!(report.format, DetectedFormat::Generic);
    assert_eq!(report.invoices_created, 1);
}

#[test]
fn asking_for_a_layout_names_the_columns_it_lacks() {
    let (dir, mut db) = temp_db();
    let path = write(
        dir.path(),
        "plain.csv",
        "Customer,Invoice Number,Date,Amount\nA,1,2026-03-02,1\n",
    );
    for (format, expected) in [
        (ImportFormat::Netsuite, "Document Number"),
        (ImportFormat::SageIntacct, "Customer ID"),
    ] {
        let options = ImportOptions {
            format,
            ..options()
        };
        let error = try_import(&mut db, &path, &options)
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{error}");
    }
    assert_eq!(
        "intacct".parse::<ImportFormat>(),
        Ok(ImportFormat::SageIntacct)
    );
    assert_eq!(
        "NetSuite".parse::<ImportFormat>(),
        Ok(ImportFormat::Netsuite)
    );
}

/// A CSV cell holding any text: quoted, with its quotes doubled.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Arbitrary Unicode and control characters in every cell of each layout: nothing panics or
/// fails the database, and every rejected or skipped row names its line.
#[test]
fn hostile_cells_in_the_netsuite_and_intacct_layouts_never_panic() {
    use proptest::prelude::*;
    let (_dir, db) = temp_db();
    let db = std::cell::RefCell::new(db);
    let cell = prop::collection::vec(any::<char>(), 0..10).prop_map(String::from_iter);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(48));
    let outcome = runner.run(&prop::array::uniform5(cell), |cells| {
        let [name, number, date, amount, status] = cells.map(|c| quoted(&c));
        let files = [
            format!(
                "A/R Aging Detail\n\nType,Date,Document Number,Name,Due Date,Open Balance,Amount\n\
                 {name},,,,,,\n{status},{date},{number},{name},{date},{amount},{amount}\n\
                 Invoice,03/01/2026,N-1,{name},,5.00,5.00\n"
            ),
            format!(
                "Customer,Document Number,Date,Amount (Gross),Amount Remaining,Status\n\
                 {name},{number},{date},{amount},{amount},{status}\n"
            ),
            format!(
                "Customer ID,Customer name,Invoice number,Date,Total due,State\n\
                 {status},{name},{number},{date},{amount},{status}\n"
            ),
        ];
        let mut db = db.borrow_mut();
        for text in files {
            let result = duebook_core::import::import_bytes(
                &mut db,
                "fuzz.csv",
                text.as_bytes(),
                &options(),
                &mut |_| {},
            );
            match result {
                Ok(report) => {
                    for issue in report.rejections.iter().chain(&report.skipped) {
                        prop_assert!(issue.line.is_some(), "{issue}");
                    }
                }
                Err(error) => prop_assert!(
                    !matches!(error, duebook_core::import::ImportError::Db(_)),
                    "{error}"
                ),
            }
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}
