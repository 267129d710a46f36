//! QuickBooks Online reports: Open Invoices, A/R Aging Detail and the customer contact list.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::import::{DetectedFormat, ImportFormat};
use duebook_core::model::InvoiceKind;
use duebook_core::store::contacts;
use duebook_core::test_support::import::*;

#[test]
fn the_open_invoices_report_skips_titles_groups_subtotals_total_and_footer() {
    let (_dir, db, report) = fixture_imported("USD", "qbo_open_invoices.csv");

    assert_eq!(report.format, DetectedFormat::QuickbooksReport);
    assert_eq!(report.rows_read, 8);
    assert_eq!(report.invoices_created, 8);
    assert_eq!(report.rows_rejected, 0, "{:?}", report.rejections);
    // "Total Fitness" is a customer; "Total for ...", "TOTAL" and the footer are not.
    assert_eq!(
        customer_names(&db),
        vec![
            "Amy's Bird Sanctuary",
            "Bill's Windsurf Shop",
            "Total Fitness",
            "Geeta Kalapatapu"
        ]
    );
    assert_eq!(
        lines(&report.warnings),
        vec![
            "line 20: no due date: due on the issue date 2025-11-28",
            "rows without a currency were imported in USD, the home currency",
        ]
    );
    // The buckets add up to the report's own TOTAL open balance, $12,498.49.
    let usd = [
        75000,
        23900 - 10000 - 5000,
        0,
        123450 + 959589,
        62910 + 20000,
    ];
    assert_eq!(usd.iter().sum::<i64>(), 1249849);
    assert_eq!(aging(&db), expected(&[("USD", usd)]));
}

#[test]
fn payment_and_credit_memo_rows_are_credits_of_their_customer() {
    let (_dir, mut db) = temp_db();
    import_fixture(&mut db, "qbo_open_invoices.csv");

    let memo = invoice(&db, "1036");
    assert_eq!(
        (memo.kind, memo.total.minor),
        (InvoiceKind::CreditNote, -5000)
    );
    assert_eq!(memo.customer_id, invoice(&db, "1035").customer_id);
    assert_eq!(memo.due_date, date("2026-03-12"));

    let payment: (String, i64, i64) = db
        .conn()
        .query_row(
            "SELECT number, total_minor, customer_id FROM invoices WHERE kind = 'credit_note' AND number LIKE 'PMT-%'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(
        payment.0.starts_with("PMT-2026-03-05-100.00-"),
        "{}",
        payment.0
    );
    assert_eq!(payment.1, -10000);
    assert_eq!(payment.2, invoice(&db, "1002").customer_id);

    // Partly paid invoice 1021: 459.00 with 239.00 open.
    let partly = invoice(&db, "1021");
    assert_eq!((partly.total.minor, partly.paid_minor), (45900, 22000));
}

#[test]
fn reimporting_the_same_report_changes_nothing() {
    let (_dir, mut db) = temp_db();
    import_fixture(&mut db, "qbo_open_invoices.csv");
    let before = snapshot(&db);
    let report = import_fixture(&mut db, "qbo_open_invoices.csv");
    assert_eq!(
        (
            report.invoices_created,
            report.invoices_updated,
            report.invoices_unchanged
        ),
        (0, 0, 8)
    );
    let mut after = snapshot(&db);
    // Only the imports table grew.
    assert_eq!(after[4], before[4] + 1);
    after[4] = before[4];
    assert_eq!(after, before);
}

#[test]
fn the_ar_aging_detail_report_takes_customers_from_its_column_not_the_bucket_groups() {
    let (_dir, db, report) = fixture_imported("USD", "qbo_ar_aging_detail.csv");

    assert_eq!(report.format, DetectedFormat::QuickbooksReport);
    assert_eq!(report.invoices_created, 4, "{:?}", report.rejections);
    assert_eq!(
        customer_names(&db),
        vec!["Sushi by Katsuyuki", "Kookies by Kathy"]
    );
    assert_eq!(invoice(&db, "2033").kind, InvoiceKind::CreditNote);
    assert_eq!(
        aging(&db),
        expected(&[("USD", [100000, 25000 - 7500, 0, 0, 240000])])
    );
}

#[test]
fn the_report_is_in_the_home_currency() {
    let (_dir, db, report) = fixture_imported("GBP", "qbo_ar_aging_detail.csv");
    assert_eq!(
        lines(&report.warnings),
        vec!["rows without a currency were imported in GBP, the home currency"]
    );
    assert_eq!(
        aging(&db),
        expected(&[("GBP", [100000, 17500, 0, 0, 240000])])
    );
}

#[test]
fn the_contact_list_adds_emails_and_phones_to_existing_and_new_customers() {
    let (_dir, mut db) = temp_db();
    import_fixture(&mut db, "qbo_open_invoices.csv");
    let report = import_fixture(&mut db, "qbo_customer_contact_list.csv");

    assert_eq!(report.format, DetectedFormat::QuickbooksContacts);
    assert_eq!(report.customers_created, 1, "only Diego Rodriguez is new");
    assert_eq!(report.contacts_added, 3);
    // An Email cell holds one address: two, or a typo, reject the row and add nothing from it.
    assert_eq!(
        lines(&report.rejections),
        vec![
            "line 8: email \"info@totalfitness.example; billing@totalfitness.example\" is not an email address: it holds 2 addresses (one per cell)",
            "line 10: email \"not-an-email\" is not an email address (expected name@example.com)",
        ]
    );
    assert_eq!(lines(&report.warnings), Vec::<String>::new());
    let names = customer_names(&db);
    assert!(names.contains(&"Diego Rodriguez".to_string()));
    assert!(!names
        .iter()
        .any(|n| n.starts_with("Jeff") || n.contains("2026")));

    let amy = invoice(&db, "1021").customer_id;
    let amy_contacts = contacts::for_customer(db.conn(), amy).unwrap();
    assert_eq!(amy_contacts.len(), 1);
    let contact = &amy_contacts[0];
    assert_eq!(contact.email.as_deref(), Some("Birds@Intuit.com"));
    assert_eq!(contact.phone.as_deref(), Some("(650) 555-3311"));
    assert_eq!(contact.name.as_deref(), Some("Amy Lauterbach"));
    assert!(contact.is_billing);

    let fitness = contacts::for_customer(db.conn(), invoice(&db, "1035").customer_id).unwrap();
    assert!(fitness.is_empty(), "{fitness:?}");

    // Importing it again adds nothing.
    let again = import_fixture(&mut db, "qbo_customer_contact_list.csv");
    assert_eq!(
        (
            again.customers_created,
            again.contacts_added,
            again.contacts_updated
        ),
        (0, 0, 0)
    );
}

#[test]
fn forcing_quickbooks_reads_both_report_kinds() {
    let (_dir, mut db) = temp_db();
    let mut forced = options();
    forced.format = ImportFormat::Quickbooks;
    let report = import_with(&mut db, &fixture("qbo_open_invoices.csv"), &forced);
    assert_eq!(report.format, DetectedFormat::QuickbooksReport);
    let report = import_with(&mut db, &fixture("qbo_customer_contact_list.csv"), &forced);
    assert_eq!(report.format, DetectedFormat::QuickbooksContacts);
}

#[test]
fn bad_report_rows_are_rejected_with_their_line() {
    let (dir, mut db) = temp_db();
    let open = "My Company\nOpen Invoices\nAs of March 31, 2026\n\n\
                ,Date,Transaction type,Num,Term,Due date,Amount,Open balance\n\
                Acme,,,,,,,\n\
                ,03/01/2026,Estimate,E-1,,03/31/2026,10.00,10.00\n\
                ,03/01/2026,Invoice,,Net 30,03/31/2026,10.00,10.00\n\
                ,03/01/2026,Invoice,7,Net 30,02/28/2026,10.00,10.00\n\
                ,03/01/2026,Invoice,8,Net 30,03/31/2026,10.00,12.00\n\
                ,03/01/2026,Invoice,9,Net 30,03/31/2026,abc,10.00\n\
                ,03/01/2026,Invoice,10,Net 30,03/31/2026,10.00,10.00\n\
                Total for Acme,,,,,,$10.00,$10.00\n\
                TOTAL,,,,,,$10.00,$10.00\n";
    let report = import_csv(&mut db, dir.path(), "open.csv", open);
    assert_eq!(
        lines(&report.rejections),
        vec![
            "line 7: transaction type \"Estimate\" is not an invoice, credit memo, payment or journal entry",
            "line 8: missing invoice number",
            "line 9: due date 2026-02-28 is before issue date 2026-03-01",
            "line 10: open balance 12.00 is larger than the total 10.00",
            "line 11: amount \"abc\" is not a valid amount: it is not a number",
        ]
    );
    assert_eq!(report.invoices_created, 1);
}

#[test]
fn a_uk_report_whose_dates_prove_day_first_is_read_day_first() {
    let (dir, mut db) = temp_db();
    with_home_currency(&db, "GBP");
    let uk = "Brit Co Ltd\nOpen Invoices\nAs of 31 March 2026\n\n\
              ,Date,Transaction type,Num,Term,Due date,Amount,Open balance\n\
              Crumpet Bakery,,,,,,,\n\
              ,03/02/2026,Invoice,501,Net 30,05/03/2026,100.00,100.00\n\
              ,20/02/2026,Invoice,502,Net 30,22/03/2026,50.00,50.00\n\
              Total for Crumpet Bakery,,,,,,£150.00,£150.00\n\
              TOTAL,,,,,,£150.00,£150.00\n";
    let report = import_csv(&mut db, dir.path(), "uk.csv", uk);
    assert_eq!(report.invoices_created, 2, "{:?}", report.rejections);
    let first = invoice(&db, "501");
    assert_eq!(
        (first.issue_date, first.due_date),
        (date("2026-02-03"), date("2026-03-05"))
    );
}

#[test]
fn a_contact_list_with_two_customer_columns_that_disagree_is_refused() {
    let (dir, mut db) = temp_db();
    let list = write(
        dir.path(),
        "contacts_twice.csv",
        "Customer full name,Phone numbers,Email,Customer\n\
         Amy's Bird Sanctuary,,birds@intuit.example,Amy's Bird Sanctuary\n\
         Bill's Windsurf Shop,,surf@intuit.example,Total Fitness\n",
    );
    let err = try_import(&mut db, &list, &options()).unwrap_err();
    assert!(
        err.to_string().contains(
            "columns \"Customer full name\" (column 1) and \"Customer\" (column 4) both give the \
             customer name and disagree on line 3"
        ),
        "{err}"
    );
    assert_eq!(customer_names(&db), Vec::<String>::new());
}
