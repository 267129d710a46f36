//! A payments file imported into a real SQLite file: full and partial payments, refused rows
//! with their reasons, a re-import that adds nothing, and the KPIs' days to pay that follow.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::import::payments::{import_payments_file, PaymentsReport};
use duebook_core::model::InvoiceStatus;
use duebook_core::store::{invoices, Database};
use duebook_core::test_support::import::*;
use duebook_core::views::report::kpis::{kpis, DEFAULT_DAYS};

/// The invoices of `generic_basic.csv` (home USD), with YM-1 void.
fn ledger() -> (tempfile::TempDir, Database) {
    let (dir, db, _) = fixture_imported("USD", "generic_basic.csv");
    invoices::set_status(db.conn(), invoice(&db, "YM-1").id, InvoiceStatus::Void).unwrap();
    (dir, db)
}

fn import_payments(db: &mut Database, dry_run: bool) -> PaymentsReport {
    import_payments_file(db, &fixture("payments_basic.csv"), today(), dry_run).unwrap()
}

fn usd_days_to_pay(db: &Database) -> Option<f64> {
    kpis(db.conn(), today(), DEFAULT_DAYS).unwrap().currencies["USD"].average_days_to_pay
}

#[test]
fn full_and_partial_payments_are_recorded_and_bad_rows_listed_with_their_reason() {
    let (_dir, mut db) = ledger();
    let report = import_payments(&mut db, false);
    assert_eq!(
        (
            report.rows_read,
            report.payments_recorded,
            report.invoices_paid
        ),
        (13, 4, 2)
    );
    assert_eq!((report.already_imported, report.rows_rejected), (1, 8));
    assert_eq!(
        lines(&report.rejections),
        vec![
            "line 5: no invoice number (customer \"Brightwater Dental\"): a payment must name \
             the invoice it pays; payments by customer alone are not imported yet",
            "line 6: currency USD is not the currency of invoice BW-1 (GBP)",
            "line 7: 150.00 USD is more than the 100.00 USD still due on AC-1",
            "line 8: no invoice numbered \"XX-404\"",
            "line 10: payment date \"next tuesday\" is not a date",
            "line 11: 2026-05-01 is in the future",
            "line 13: invoice YM-1 is void",
            "line 14: invoice NW-1002 is not \"Acme\"'s",
        ]
    );
    assert_eq!(
        lines(&report.repeats),
        vec!["line 9: already imported (a payment on NW-1001)"]
    );

    let nw = invoice(&db, "NW-1001");
    assert_eq!((nw.status, nw.paid_minor), (InvoiceStatus::Paid, 125_000));
    let sl = invoice(&db, "SL-77");
    assert_eq!((sl.status, sl.open_minor()), (InvoiceStatus::Open, 250_000));
    assert_eq!(invoice(&db, "NW-1002").open_minor(), 40_000);
    assert_eq!(invoice(&db, "AC-1").status, InvoiceStatus::Paid);
    assert_eq!(
        payments_of(&db, "NW-1001"),
        vec![(125_000, "import".to_string(), "2026-02-20".to_string())]
    );
    // Derived balances follow: Northwind owes only NW-1002's 400.00 less its 300.00 credit.
    let balance = count(
        &db,
        "SELECT b.open_minor FROM customer_balances b JOIN customers c ON c.id = b.customer_id
          WHERE c.name = 'Northwind Traders' AND b.currency = 'USD'",
    );
    assert_eq!(balance, 10_000);
}

#[test]
fn a_re_import_adds_nothing_and_says_which_rows_it_already_has() {
    let (_dir, mut db) = ledger();
    import_payments(&mut db, false);
    let before = snapshot(&db);
    let again = import_payments(&mut db, false);
    assert_eq!((again.payments_recorded, again.already_imported), (0, 5));
    assert_eq!(
        lines(&again.repeats)
            .iter()
            .map(|l| l.split(':').next().unwrap().to_string())
            .collect::<Vec<_>>(),
        vec!["line 2", "line 3", "line 4", "line 9", "line 12"]
    );
    assert_eq!(again.rows_rejected, 8);
    assert_eq!(snapshot(&db), before);
}

#[test]
fn a_dry_run_reports_the_same_and_writes_nothing() {
    let (_dir, mut db) = ledger();
    let before = snapshot(&db);
    let report = import_payments(&mut db, true);
    assert!(report.dry_run);
    assert_eq!((report.payments_recorded, report.rows_rejected), (4, 8));
    assert_eq!(snapshot(&db), before);
}

#[test]
fn the_average_days_to_pay_counts_the_imported_payment_dates() {
    let (_dir, mut db) = ledger();
    // Before: no USD invoice is paid in full, so there is no average.
    assert_eq!(usd_days_to_pay(&db), None);
    import_payments(&mut db, false);
    // NW-1001: 1,250.00 issued 2026-01-15, paid 2026-02-20 (36 days);
    // AC-1: 100.00 issued 2026-03-15, paid 2026-03-20 (5 days); weighted by amount, the KPIs
    // give one decimal: (1250 × 36 + 100 × 5) / 1350 = 33.70.
    assert_eq!(usd_days_to_pay(&db), Some(33.7));
}

#[test]
fn a_file_without_the_payment_columns_is_refused_naming_them() {
    let (dir, mut db) = ledger();
    let path = write(dir.path(), "wrong.csv", "invoice,amount\nNW-1001,10.00\n");
    let error = import_payments_file(&mut db, &path, today(), false).unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot import wrong.csv as a payments file: no header row with the columns payment_date"
    );
}
