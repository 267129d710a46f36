//! A payments file imported into a real SQLite file: full and partial payments, refused rows
//! with their reasons, a re-import that adds nothing, and the KPIs' days to pay that follow.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::import::history;
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

/// A [`snapshot`] without the count of `imports` rows, which every committed import adds to.
fn without_imports(mut snapshot: Vec<i64>) -> Vec<i64> {
    snapshot.remove(4);
    snapshot
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
        (13, 5, 2)
    );
    assert_eq!((report.already_imported, report.rows_rejected), (1, 7));
    assert_eq!((report.by_customer, report.inferred_replaced), (1, 1));
    assert_eq!(
        lines(&report.rejections),
        vec![
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
    // NW-1002 was imported with 1,500.00 of its 2,000.00 paid, dated the import day: the
    // 100.00 paid on 2026-03-25 is part of that, so it replaces 100.00 of it.
    let nw2 = invoice(&db, "NW-1002");
    assert_eq!(nw2.open_minor(), 50_000);
    assert_eq!(
        payments_of(&db, "NW-1002"),
        vec![
            (140_000, "import".to_string(), "2026-04-01".to_string()),
            (10_000, "import".to_string(), "2026-03-25".to_string())
        ]
    );
    // Line 5 named Brightwater Dental alone: its one open GBP invoice took the payment.
    assert_eq!(invoice(&db, "BW-1").open_minor(), 93_040);
    assert_eq!(invoice(&db, "AC-1").status, InvoiceStatus::Paid);
    assert_eq!(
        payments_of(&db, "NW-1001"),
        vec![(125_000, "import".to_string(), "2026-02-20".to_string())]
    );
    // Derived balances follow: Northwind owes only NW-1002's 500.00 less its 300.00 credit.
    let balance = count(
        &db,
        "SELECT b.open_minor FROM customer_balances b JOIN customers c ON c.id = b.customer_id
          WHERE c.name = 'Northwind Traders' AND b.currency = 'USD'",
    );
    assert_eq!(balance, 20_000);
}

#[test]
fn a_re_import_adds_nothing_and_says_which_rows_it_already_has() {
    let (_dir, mut db) = ledger();
    import_payments(&mut db, false);
    let before = snapshot(&db);
    let again = import_payments(&mut db, false);
    assert_eq!((again.payments_recorded, again.already_imported), (0, 6));
    assert_eq!(
        lines(&again.repeats)
            .iter()
            .map(|l| l.split(':').next().unwrap().to_string())
            .collect::<Vec<_>>(),
        vec!["line 2", "line 3", "line 4", "line 5", "line 9", "line 12"]
    );
    assert_eq!(again.rows_rejected, 7);
    assert_eq!(without_imports(snapshot(&db)), without_imports(before));
}

#[test]
fn a_dry_run_reports_the_same_and_writes_nothing() {
    let (_dir, mut db) = ledger();
    let before = snapshot(&db);
    let report = import_payments(&mut db, true);
    assert!(report.dry_run);
    assert_eq!((report.payments_recorded, report.rows_rejected), (5, 7));
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

/// A file of payments written in `dir`, imported for real.
fn pay(db: &mut Database, dir: &std::path::Path, text: &str) -> PaymentsReport {
    let path = write(dir, "pay.csv", text);
    import_payments_file(db, &path, today(), false).unwrap()
}

const KIWI: &str = "customer,invoice,date,due_date,amount,currency\n\
                    Kiwi Ltd,K-1,2026-01-01,2026-03-01,100.00,USD\n\
                    Kiwi Ltd,K-2,2026-01-05,2026-02-01,50.00,USD\n\
                    Kiwi Ltd,K-3,2026-02-01,2026-03-20,200.00,USD\n\
                    Kiwi Ltd,K-4,2025-12-01,2026-01-01,30.00,EUR\n";

#[test]
fn a_payment_naming_only_a_customer_pays_its_oldest_due_invoices_first() {
    let (dir, mut db) = temp_db();
    import_csv(&mut db, dir.path(), "kiwi.csv", KIWI);
    let file = "customer,payment date,amount,currency,reference\n\
                Kiwi Ltd,2026-03-25,120.00,USD,BACS 9\n\
                Kiwi Ltd,2026-03-26,1000.00,USD,\n\
                Kiwi Ltd,2026-03-26,5.00,,\n\
                Nobody,2026-03-26,5.00,USD,\n\
                kiwi ltd,2026-03-27,30.00,EUR,\n\
                Kiwi Ltd,2026-03-27,0.00,USD,\n";
    let report = pay(&mut db, dir.path(), file);
    assert_eq!(
        lines(&report.rejections),
        vec![
            "line 3: 1000.00 USD is more than the 230.00 USD \"Kiwi Ltd\" owes on open invoices",
            "line 4: \"Kiwi Ltd\" is invoiced in EUR, USD: give the payment's currency",
            "line 5: no customer named \"Nobody\"",
            "line 7: The amount must be more than zero",
        ]
    );
    // 120.00: K-2 (due first) in full, then 70.00 of K-1; K-3 untouched. 30.00 EUR pays K-4.
    assert_eq!(
        (
            report.payments_recorded,
            report.invoices_paid,
            report.by_customer
        ),
        (3, 2, 2)
    );
    let open = |number| invoice(&db, number).open_minor();
    assert_eq!(
        [open("K-1"), open("K-2"), open("K-3"), open("K-4")],
        [3_000, 0, 20_000, 0]
    );
    assert_eq!(
        payments_of(&db, "K-1"),
        vec![(7_000, "import".to_string(), "2026-03-25".to_string())]
    );
    let reference: String = db
        .conn()
        .query_row(
            "SELECT reference FROM payments WHERE invoice_id = ?1",
            [invoice(&db, "K-2").id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(reference, "BACS 9 (payment of 120.00 USD by customer)");

    // Again: the rows are found, although the invoices they paid are no longer open.
    let before = without_imports(snapshot(&db));
    let again = pay(&mut db, dir.path(), file);
    assert_eq!((again.payments_recorded, again.already_imported), (0, 2));
    assert_eq!(
        lines(&again.repeats),
        vec![
            "line 2: already imported (a payment by Kiwi Ltd)",
            "line 6: already imported (a payment by kiwi ltd)",
        ]
    );
    assert_eq!(without_imports(snapshot(&db)), before);
}

#[test]
fn a_dated_payment_replaces_what_an_import_inferred_instead_of_adding_to_it() {
    let (dir, mut db) = ledger();
    // NW-1002: 2,000.00 imported with 500.00 open, so 1,500.00 was inferred paid on 04-01.
    let report = pay(
        &mut db,
        dir.path(),
        "invoice,date,amount\nNW-1002,2026-03-10,1500.00\nNW-1002,2026-03-11,500.01\n",
    );
    assert_eq!(
        lines(&report.rejections),
        vec!["line 3: 500.01 USD is more than the 500.00 USD still due on NW-1002"]
    );
    assert_eq!(report.inferred_replaced, 1);
    let nw = invoice(&db, "NW-1002");
    assert_eq!((nw.paid_minor, nw.status), (150_000, InvoiceStatus::Open));
    assert_eq!(
        payments_of(&db, "NW-1002"),
        vec![(150_000, "import".to_string(), "2026-03-10".to_string())]
    );
    // More than what remains open and inferred together is refused as before; the rest of
    // the ledger's 2,000.00 can still be paid, and then the invoice is paid.
    let rest = pay(
        &mut db,
        dir.path(),
        "invoice,date,amount\nNW-1002,2026-03-30,500.00\n",
    );
    assert_eq!((rest.payments_recorded, rest.invoices_paid), (1, 1));
    assert_eq!(invoice(&db, "NW-1002").status, InvoiceStatus::Paid);
}

#[test]
fn a_fully_paid_invoice_takes_its_dated_payments_in_place_of_the_inferred_one() {
    let (dir, mut db) = temp_db();
    let open = "customer,invoice,date,due_date,amount,amount_due,currency\n\
                Kiwi Ltd,K-1,2026-01-01,2026-03-01,100.00,100.00,USD\n";
    import_csv(&mut db, dir.path(), "v1.csv", open);
    // The invoice file says K-1 is paid: 100.00 inferred, dated the import day.
    import_csv(
        &mut db,
        dir.path(),
        "v2.csv",
        &open.replace(",100.00,USD", ",0,USD"),
    );
    assert_eq!(
        payments_of(&db, "K-1"),
        vec![(10_000, "import".to_string(), "2026-04-01".to_string())]
    );
    // The payments file says when: 60.00 and 40.00, which replace it, and no more fits.
    let file =
        "invoice,date,amount\nK-1,2026-03-02,60.00\nK-1,2026-03-09,40.00\nK-1,2026-03-10,0.01\n";
    let report = pay(&mut db, dir.path(), file);
    assert_eq!((report.payments_recorded, report.inferred_replaced), (2, 2));
    assert_eq!(
        lines(&report.rejections),
        vec!["line 4: Invoice K-1 has nothing left to pay"]
    );
    let k1 = invoice(&db, "K-1");
    assert_eq!((k1.paid_minor, k1.status), (10_000, InvoiceStatus::Paid));
    assert_eq!(
        payments_of(&db, "K-1"),
        vec![
            (6_000, "import".to_string(), "2026-03-02".to_string()),
            (4_000, "import".to_string(), "2026-03-09".to_string())
        ]
    );
    // Re-importing the invoice file that said it was paid finds it paid: nothing new.
    let again = import_csv(
        &mut db,
        dir.path(),
        "v2.csv",
        &open.replace(",100.00,USD", ",0,USD"),
    );
    assert_eq!((again.payments_recorded, again.invoices_unchanged), (0, 1));
}

#[test]
fn payments_from_the_file_first_leave_nothing_for_the_invoice_re_import_to_infer() {
    let (dir, mut db) = temp_db();
    let open = "customer,invoice,date,due_date,amount,amount_due,currency\n\
                Kiwi Ltd,K-1,2026-01-01,2026-03-01,100.00,100.00,USD\n";
    import_csv(&mut db, dir.path(), "v1.csv", open);
    pay(
        &mut db,
        dir.path(),
        "invoice,date,amount\nK-1,2026-03-02,60.00\n",
    );
    // The ledger now says 10.00 is due: 60.00 came from the file, 30.00 is news (inferred).
    let report = import_csv(
        &mut db,
        dir.path(),
        "v2.csv",
        &open.replace(",100.00,USD", ",10.00,USD"),
    );
    assert_eq!(report.payments_recorded, 1);
    assert_eq!(
        payments_of(&db, "K-1"),
        vec![
            (6_000, "import".to_string(), "2026-03-02".to_string()),
            (3_000, "import".to_string(), "2026-04-01".to_string())
        ]
    );
    assert_eq!(invoice(&db, "K-1").paid_minor, 9_000);
}

#[test]
fn a_payments_import_counts_as_the_last_import_but_a_dry_run_does_not() {
    let (dir, mut db) = temp_db();
    import_csv(&mut db, dir.path(), "kiwi.csv", KIWI);
    db.conn().execute("DELETE FROM imports", []).unwrap();
    let file = write(
        dir.path(),
        "pay.csv",
        "invoice,date,amount\nK-1,2026-03-02,60.00\nK-9,2026-03-02,1.00\n",
    );
    import_payments_file(&mut db, &file, today(), true).unwrap();
    assert_eq!(history::last_imported_at(db.conn()).unwrap(), None);
    import_payments_file(&mut db, &file, today(), false).unwrap();
    let run: (String, String, i64, i64, i64) = db
        .conn()
        .query_row(
            "SELECT file_name, format, full_sync, created, rejected FROM imports",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(run, ("pay.csv".into(), "payments".into(), 0, 1, 1));
    assert!(history::last_imported_at(db.conn()).unwrap().is_some());
}

#[test]
fn a_quickbooks_invoices_and_received_payments_report_pays_each_customers_invoices() {
    // The Open Invoices report first: 1021 (459.00) has 239.00 open, so 220.00 was inferred
    // paid on the import day; 1010 (1,234.50) is wholly open.
    let (_dir, mut db, _) = fixture_imported("USD", "qbo_open_invoices.csv");
    let path = fixture("qbo_invoices_and_payments.csv");
    let report = import_payments_file(&mut db, &path, today(), false).unwrap();
    assert_eq!(
        lines(&report.rejections),
        vec![
            "line 13: 900.00 USD is more than the 829.10 USD \"Geeta Kalapatapu\" owes on open \
             invoices",
            "line 14: amount \"next week\" is not a valid amount: it is not a number",
            "line 17: 2026-04-12 is in the future",
        ]
    );
    // Only Payment rows are read: the invoices are the invoice import's.
    assert_eq!((report.rows_read, report.by_customer), (5, 2));
    // 220.00 on 02/25 is the money the ledger already showed paid on 1021: it takes the
    // inferred payment's place. 34.50 on 03/20 (shown as a credit) pays 1010, due first.
    assert_eq!(report.inferred_replaced, 1);
    assert_eq!(
        payments_of(&db, "1021"),
        vec![(22_000, "import".to_string(), "2026-02-25".to_string())]
    );
    assert_eq!(
        payments_of(&db, "1010"),
        vec![(3_450, "import".to_string(), "2026-03-20".to_string())]
    );
    let again = import_payments_file(&mut db, &path, today(), false).unwrap();
    assert_eq!((again.payments_recorded, again.already_imported), (0, 2));
}

#[test]
fn a_dated_payment_replaces_the_one_a_full_import_closed_an_invoice_with() {
    let (dir, mut db) = temp_db();
    import_csv(&mut db, dir.path(), "kiwi.csv", KIWI);
    // A full import without K-1 closes it: 100.00 recorded as paid on the import day.
    let mut full = duebook_core::test_support::import::options();
    full.full = true;
    let without_k1: String = KIWI
        .lines()
        .filter(|l| !l.contains("K-1"))
        .map(|l| format!("{l}\n"))
        .collect();
    import_with(&mut db, &write(dir.path(), "v2.csv", &without_k1), &full);
    assert_eq!(
        payments_of(&db, "K-1"),
        vec![(10_000, "close".to_string(), "2026-04-01".to_string())]
    );
    let report = pay(
        &mut db,
        dir.path(),
        "invoice,date,amount\nK-1,2026-03-15,100.00\n",
    );
    assert_eq!((report.payments_recorded, report.inferred_replaced), (1, 1));
    assert_eq!(
        payments_of(&db, "K-1"),
        vec![(10_000, "import".to_string(), "2026-03-15".to_string())]
    );
    assert_eq!(invoice(&db, "K-1").status, InvoiceStatus::Paid);
}
