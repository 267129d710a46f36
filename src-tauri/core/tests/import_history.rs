//! History from invoice files, imported into a real SQLite file: the generic CSV's paid_date and
//! amount_paid columns, Xero's FullyPaidOnDate, the payments they record dated the day they
//! were paid (in place of the ones an earlier import could only date its own day), bad cells
//! refused line by line, and re-imports that record nothing new.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::model::InvoiceStatus;
use duebook_core::test_support::import::*;

const PAID: &str = "customer,invoice,date,due_date,amount,amount_paid,date paid,balance,currency\n\
    Acme,H-1,2026-01-05,2026-02-04,100.00,,2026-02-10,,USD\n\
    Acme,H-2,2026-01-10,2026-02-09,200.00,50.00,2026-02-01,,USD\n\
    Acme,H-3,2026-02-01,2026-03-03,300.00,300.00,,,USD\n\
    Acme,H-4,2026-03-01,2026-03-31,80.00,,2026-04-02,,USD\n\
    Acme,H-5,2026-03-01,2026-03-31,80.00,,2026-02-01,,USD\n\
    Acme,H-6,2026-03-01,2026-03-31,80.00,0,2026-03-05,,USD\n\
    Acme,H-7,2026-03-01,2026-03-31,80.00,,soon,,USD\n\
    Acme,H-8,2026-03-01,2026-03-31,80.00,90.00,,,USD\n\
    Acme,H-9,2026-03-01,2026-03-31,100.00,30.00,2026-03-02,60.00,USD\n\
    Acme,H-10,2026-03-01,2026-03-31,100.00,lots,,,USD\n\
    Acme,H-11,2026-03-01,2026-03-31,100.00,40.00,2026-03-03,60.00,USD\n\
    Acme,CN-1,2026-03-01,2026-03-01,-25.00,,2026-03-04,,USD\n";

fn payment(amount: i64, day: &str) -> (i64, String, String) {
    (amount, "import".to_string(), day.to_string())
}

#[test]
fn a_paid_date_imports_the_invoice_as_history_with_its_payment_dated_that_day() {
    let (dir, mut db) = temp_db();
    let report = import_csv(&mut db, dir.path(), "paid.csv", PAID);
    assert_eq!(
        lines(&report.rejections),
        vec![
            "line 5: paid date 2026-04-02 is after the import day 2026-04-01",
            "line 6: paid date 2026-02-01 is before issue date 2026-03-01",
            "line 7: paid date 2026-03-05 is given but nothing of the invoice is paid",
            "line 8: paid date \"soon\" is not a date",
            "line 9: open balance -10.00 is larger than the total 80.00",
            "line 10: amount paid 30.00 and amount due 60.00 do not add up to the amount 100.00",
            "line 11: amount paid \"lots\" is not a valid amount: it is not a number",
        ]
    );
    // Paid in full on its paid date, though nothing is open: it is history.
    let h1 = invoice(&db, "H-1");
    assert_eq!((h1.status, h1.paid_minor), (InvoiceStatus::Paid, 10_000));
    assert_eq!(payments_of(&db, "H-1"), vec![payment(10_000, "2026-02-10")]);
    // amount_paid below the amount: what is paid was paid on the paid date, the rest is open.
    let h2 = invoice(&db, "H-2");
    assert_eq!((h2.status, h2.open_minor()), (InvoiceStatus::Open, 15_000));
    assert_eq!(payments_of(&db, "H-2"), vec![payment(5_000, "2026-02-01")]);
    // Paid without a date: the import day, as before.
    assert_eq!(payments_of(&db, "H-3"), vec![payment(30_000, "2026-04-01")]);
    assert_eq!(payments_of(&db, "H-11"), vec![payment(4_000, "2026-03-03")]);
    // A credit note used up on its paid date.
    assert_eq!(
        payments_of(&db, "CN-1"),
        vec![payment(-2_500, "2026-03-04")]
    );
    assert_eq!(report.payments_recorded, 5);

    let before = snapshot(&db);
    let again = import_csv(&mut db, dir.path(), "paid.csv", PAID);
    assert_eq!((again.payments_recorded, again.invoices_updated), (0, 0));
    assert_eq!(snapshot(&db)[..4], before[..4]);
    assert_eq!(snapshot(&db)[5..], before[5..]);
}

#[test]
fn a_paid_date_given_later_dates_the_payment_an_import_inferred() {
    let (dir, mut db) = temp_db();
    let header = "customer,invoice,date,due_date,amount,amount_due,paid_on\n";
    let open = format!("{header}Acme,H-1,2026-01-05,2026-02-04,100.00,100.00,\n");
    import_csv(&mut db, dir.path(), "v1.csv", &open);
    // Half paid, seen on import day; then paid in full, seen on import day again.
    let half = format!("{header}Acme,H-1,2026-01-05,2026-02-04,100.00,50.00,\n");
    import_csv(&mut db, dir.path(), "v2.csv", &half);
    let paid = format!("{header}Acme,H-1,2026-01-05,2026-02-04,100.00,0,\n");
    import_csv(&mut db, dir.path(), "v3.csv", &paid);
    assert_eq!(
        payments_of(&db, "H-1"),
        vec![payment(5_000, "2026-04-01"), payment(5_000, "2026-04-01")]
    );
    // The file now says when: one payment on that day replaces both; the total stays 100.00.
    let dated = format!("{header}Acme,H-1,2026-01-05,2026-02-04,100.00,0,2026-02-20\n");
    let report = import_csv(&mut db, dir.path(), "v4.csv", &dated);
    assert_eq!(
        report.changes[0].details,
        vec!["payment of 100.00 on 2026-02-20 recorded, in place of 100.00 an import had dated its own day"]
    );
    assert_eq!(payments_of(&db, "H-1"), vec![payment(10_000, "2026-02-20")]);
    let h1 = invoice(&db, "H-1");
    assert_eq!((h1.status, h1.paid_minor), (InvoiceStatus::Paid, 10_000));
    let again = import_csv(&mut db, dir.path(), "v4.csv", &dated);
    assert_eq!((again.payments_recorded, again.invoices_unchanged), (0, 1));
    assert_eq!(payments_of(&db, "H-1"), vec![payment(10_000, "2026-02-20")]);
}

#[test]
fn a_paid_date_on_an_open_invoice_records_the_newly_paid_part_on_that_day() {
    let (dir, mut db) = temp_db();
    let header = "customer,invoice,date,due_date,amount,amount paid,payment date\n";
    import_csv(
        &mut db,
        dir.path(),
        "v1.csv",
        &format!("{header}Acme,H-1,2026-01-05,2026-02-04,100.00,,\n"),
    );
    let report = import_csv(
        &mut db,
        dir.path(),
        "v2.csv",
        &format!("{header}Acme,H-1,2026-01-05,2026-02-04,100.00,100.00,2026-03-01\n"),
    );
    assert_eq!(
        report.changes[0].details,
        vec!["payment of 100.00 on 2026-03-01 recorded"]
    );
    assert_eq!(payments_of(&db, "H-1"), vec![payment(10_000, "2026-03-01")]);
}

#[test]
fn xero_dates_a_paid_invoice_by_its_fully_paid_on_date() {
    let (_dir, db, report) = fixture_imported("GBP", "xero_invoices_paid_dates.csv");
    assert_eq!(
        lines(&report.rejections),
        vec!["line 5: paid date 2026-04-28 is after the import day 2026-04-01"]
    );
    assert_eq!(
        payments_of(&db, "INV-0201"),
        vec![payment(60_000, "2026-02-12")]
    );
    // Paid without a date, and partly paid: the import day, as before.
    assert_eq!(
        payments_of(&db, "INV-0202"),
        vec![payment(25_000, "2026-04-01")]
    );
    assert_eq!(
        payments_of(&db, "INV-0203"),
        vec![payment(15_000, "2026-04-01")]
    );
    assert_eq!(invoice(&db, "INV-0201").status, InvoiceStatus::Paid);
}

#[test]
fn a_bare_paid_column_is_not_taken_for_an_amount_paid() {
    let (dir, mut db) = temp_db();
    let file = "customer,invoice,date,amount,paid\nAcme,H-1,2026-01-05,100.00,Yes\n";
    let report = import_csv(&mut db, dir.path(), "flag.csv", file);
    assert_eq!(report.rows_rejected, 0, "{:?}", report.rejections);
    assert_eq!(invoice(&db, "H-1").open_minor(), 10_000);
}
