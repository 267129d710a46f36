//! Xero invoice export: line items grouped per invoice, statuses, types, DD/MM dates,
//! currencies, one email per cell, duplicate columns, and re-importing a later export.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::import::DetectedFormat;
use duebook_core::model::{InvoiceKind, InvoiceStatus};
use duebook_core::store::contacts;
use duebook_core::test_support::import::*;

fn gbp_eur_nzd_jpy_after_first_export() -> std::collections::BTreeMap<String, [i64; 5]> {
    expected(&[
        ("EUR", [0, 138000, 0, 0, 0]),
        ("GBP", [9999, -12000, 120000, 0, 0]),
        ("JPY", [0, 0, 0, 100000, 0]),
        ("NZD", [86250, 0, 0, 0, 0]),
    ])
}

#[test]
fn line_items_become_one_invoice_each_and_only_receivables_are_imported() {
    let (_dir, mut db) = temp_db();
    let report = import_fixture(&mut db, "xero_invoices_uk.csv");

    assert_eq!(report.format, DetectedFormat::Xero);
    assert_eq!(report.rows_read, 15);
    assert_eq!(report.invoices_created, 7, "{:?}", report.rejections);
    assert_eq!(report.rows_rejected, 0);
    assert_eq!(
        lines(&report.skipped),
        vec![
            "line 10: INV-0105 is a draft: not yet sent to the customer",
            "line 11: INV-0106 is awaiting approval: not yet sent to the customer",
            "line 12: invoice INV-0107 is voided or deleted and was never imported",
            "line 14: BILL-77 is a bill (Bill): money owed to a supplier, not a receivable",
            "line 17: invoice INV-0110 is voided or deleted and was never imported",
        ]
    );
    assert_eq!(lines(&report.warnings), Vec::<String>::new());
    assert_eq!(
        customer_names(&db),
        vec![
            "Brightwater Dental Group",
            "Café Ölmann GmbH",
            "Harbour Cafe",
            "Sakura Trading 株式会社",
            "Emoji Coffee ☕ Ltd",
        ]
    );
    assert_eq!(aging(&db), gbp_eur_nzd_jpy_after_first_export());
}

#[test]
fn invoice_fields_come_from_the_lines_with_day_first_dates() {
    let (_dir, mut db) = temp_db();
    import_fixture(&mut db, "xero_invoices_uk.csv");

    let first = invoice(&db, "INV-0101");
    assert_eq!(
        (first.issue_date, first.due_date),
        (date("2026-01-13"), date("2026-02-12"))
    );
    assert_eq!(
        first.total.minor, 120000,
        "the invoice Total, not a line amount"
    );
    let euro = invoice(&db, "INV-0102");
    assert_eq!((euro.total.minor, euro.paid_minor), (238000, 100000));
    assert_eq!(euro.total.currency.code(), "EUR");
    assert_eq!(
        invoice(&db, "INV-0108").total.minor,
        150000,
        "JPY has no minor unit"
    );

    let credit = invoice(&db, "CN-0007");
    assert_eq!(
        (credit.kind, credit.total.minor),
        (InvoiceKind::CreditNote, -12000)
    );
    assert_eq!(credit.customer_id, first.customer_id);

    let history = invoice(&db, "INV-0104");
    assert_eq!(
        (history.status, history.paid_minor),
        (InvoiceStatus::Paid, 45000)
    );

    // Each address the customer's invoices give is a contact; the first is the billing one.
    let people = contacts::for_customer(db.conn(), first.customer_id).unwrap();
    let emails: Vec<_> = people
        .iter()
        .map(|c| (c.email.clone().unwrap(), c.is_billing))
        .collect();
    assert_eq!(
        emails,
        vec![
            ("accounts@brightwater.example".to_string(), true),
            ("dr.lee@brightwater.example".to_string(), false),
        ]
    );
}

#[test]
fn a_later_export_pays_voids_and_adds_without_duplicating() {
    let (_dir, mut db) = temp_db();
    import_fixture(&mut db, "xero_invoices_uk.csv");
    let invoices_before = count(&db, "SELECT count(*) FROM invoices");
    let report = import_fixture(&mut db, "xero_invoices_uk_later.csv");

    assert_eq!(report.invoices_created, 1, "INV-0111");
    assert_eq!(report.invoices_updated, 4, "{:?}", report.changes);
    assert_eq!(report.invoices_unchanged, 2);
    assert_eq!(
        report.customers_created, 1,
        "Kea Cafe Group, first seen with an approved invoice"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM invoices"),
        invoices_before + 1
    );

    assert_eq!(
        payments_of(&db, "INV-0101"),
        vec![(120000, "import".into(), "2026-04-01".into())]
    );
    assert_eq!(invoice(&db, "INV-0101").status, InvoiceStatus::Paid);
    assert_eq!(
        payments_of(&db, "INV-0102"),
        vec![
            (100000, "import".into(), "2026-04-01".into()),
            (100000, "import".into(), "2026-04-01".into())
        ]
    );
    assert_eq!(invoice(&db, "INV-0103").status, InvoiceStatus::Void);
    assert_eq!(invoice(&db, "CN-0007").status, InvoiceStatus::Paid);
    assert_eq!(
        payments_of(&db, "CN-0007"),
        vec![(-12000, "import".into(), "2026-04-01".into())]
    );

    let changed: Vec<(String, Vec<String>)> = report
        .changes
        .iter()
        .filter(|c| c.action == duebook_core::import::ChangeAction::Updated)
        .map(|c| (c.number.clone(), c.details.clone()))
        .collect();
    assert_eq!(
        changed,
        vec![
            (
                "INV-0101".into(),
                vec!["amount due 1200.00 → 0.00: payment of 1200.00 recorded".into()]
            ),
            (
                "INV-0102".into(),
                vec!["amount due 1380.00 → 380.00: payment of 1000.00 recorded".into()]
            ),
            (
                "INV-0103".into(),
                vec!["voided in the accounting system".into()]
            ),
            (
                "CN-0007".into(),
                vec!["amount due -120.00 → 0.00: payment of -120.00 recorded".into()]
            ),
        ]
    );
    assert_eq!(
        aging(&db),
        expected(&[
            ("EUR", [0, 38000, 0, 0, 0]),
            ("GBP", [9999, 0, 0, 0, 0]),
            ("JPY", [0, 0, 0, 100000, 0]),
            ("NZD", [46000, 0, 0, 0, 0]),
        ])
    );
}

#[test]
fn lines_that_disagree_on_the_invoice_reject_it() {
    let (dir, mut db) = temp_db();
    let xero = "ContactName,EmailAddress,InvoiceNumber,InvoiceDate,DueDate,Total,InvoiceAmountPaid,InvoiceAmountDue,Description,LineAmount,Currency,Type,Status\n\
                Acme,,INV-1,01/03/2026,31/03/2026,100.00,0.00,100.00,Widgets,60.00,AUD,Sales invoice,Awaiting Payment\n\
                Acme,,INV-1,01/03/2026,31/03/2026,110.00,0.00,110.00,Gadgets,40.00,AUD,Sales invoice,Awaiting Payment\n\
                Acme,,INV-2,01/03/2026,31/03/2026,50.00,0.00,50.00,Bolts,50.00,AUD,Sales invoice,Awaiting Payment\n\
                Acme,,,01/03/2026,31/03/2026,50.00,0.00,50.00,Loose line,50.00,AUD,Sales invoice,Awaiting Payment\n";
    let report = import_csv(&mut db, dir.path(), "xero.csv", xero);
    assert_eq!(
        lines(&report.rejections),
        vec![
            "line 2: the lines of invoice INV-1 disagree on Total (line 3)",
            "line 5: missing invoice number",
        ]
    );
    assert_eq!(report.invoices_created, 1);
}

#[test]
fn api_style_types_and_statuses_and_unknown_ones() {
    let (dir, mut db) = temp_db();
    let api = "*ContactName,*InvoiceNumber,*InvoiceDate,*DueDate,Total,InvoiceAmountDue,Currency,Type,Status\n\
               Acme,A-1,2026-03-01,2026-03-31,100.00,100.00,USD,ACCREC,AUTHORISED\n\
               Acme,A-2,2026-03-01,2026-03-31,30.00,30.00,USD,ACCRECCREDIT,AUTHORISED\n\
               Supplier,A-3,2026-03-01,2026-03-31,70.00,70.00,USD,ACCPAY,AUTHORISED\n\
               Acme,A-4,2026-03-01,2026-03-31,10.00,10.00,USD,ACCREC,SUBMITTED\n\
               Acme,A-5,2026-03-01,2026-03-31,10.00,10.00,USD,ACCREC,Pending\n\
               Acme,A-6,2026-03-01,2026-03-31,10.00,10.00,USD,Quote,AUTHORISED\n";
    let report = import_csv(&mut db, dir.path(), "api.csv", api);
    assert_eq!(report.invoices_created, 2);
    assert_eq!(invoice(&db, "A-2").total.minor, -3000);
    assert_eq!(
        lines(&report.skipped),
        vec![
            "line 4: A-3 is a bill (ACCPAY): money owed to a supplier, not a receivable",
            "line 5: A-4 is awaiting approval: not yet sent to the customer",
        ]
    );
    assert_eq!(
        lines(&report.rejections),
        vec![
            "line 6: status \"Pending\" is not a Xero invoice status",
            "line 7: invoice type \"Quote\" is not a sales invoice or a sales credit note",
        ]
    );
    assert_eq!(aging(&db), expected(&[("USD", [7000, 0, 0, 0, 0])]));
}

#[test]
fn a_us_export_is_read_month_first_and_an_undecidable_one_is_rejected() {
    let (dir, mut db) = temp_db();
    let header = "ContactName,InvoiceNumber,InvoiceDate,DueDate,Total,InvoiceAmountDue,Currency,Type,Status\n";
    let us = format!(
        "{header}Acme,U-1,03/04/2026,04/03/2026,10.00,10.00,USD,Sales invoice,Awaiting Payment\n\
         Acme,U-2,03/15/2026,04/14/2026,10.00,10.00,USD,Sales invoice,Awaiting Payment\n"
    );
    import_csv(&mut db, dir.path(), "us.csv", &us);
    assert_eq!(invoice(&db, "U-1").issue_date, date("2026-03-04"));

    let unsure = format!(
        "{header}Acme,V-1,03/04/2026,04/05/2026,10.00,10.00,USD,Sales invoice,Awaiting Payment\n"
    );
    let report = import_csv(&mut db, dir.path(), "unsure.csv", &unsure);
    assert_eq!(
        lines(&report.rejections),
        vec!["line 2: InvoiceDate \"03/04/2026\" could be day/month or month/day, and no other date in the file settles it"]
    );
}

#[test]
fn a_second_column_for_an_invoice_field_is_an_error_when_it_disagrees() {
    let (dir, mut db) = temp_db();
    let file = write(
        dir.path(),
        "xero_twice.csv",
        "ContactName,EmailAddress,Email,InvoiceNumber,InvoiceDate,Total,Type,Status\n\
         Kea Cafe,ap@kea.example,ap@kea.example,INV-1,25/03/2026,10.00,Sales invoice,Awaiting Payment\n\
         Tui Cafe,ap@tui.example,boss@tui.example,INV-2,25/03/2026,10.00,Sales invoice,Awaiting Payment\n",
    );
    let err = try_import(&mut db, &file, &options()).unwrap_err();
    assert!(
        err.to_string().contains(
            "columns \"EmailAddress\" (column 2) and \"Email\" (column 3) both give the email \
             and disagree on line 3 (\"ap@tui.example\" and \"boss@tui.example\")"
        ),
        "{err}"
    );
    assert_eq!(customer_names(&db), Vec::<String>::new());
}

#[test]
fn an_email_address_that_is_not_one_address_rejects_the_invoice() {
    let (dir, mut db) = temp_db();
    let xero_emails = "ContactName,EmailAddress,InvoiceNumber,InvoiceDate,Total,Type,Status\n\
                       Kea Cafe,\"ap@kea.example\nBcc: x@y.example\",INV-1,25/03/2026,10.00,Sales invoice,Awaiting Payment\n\
                       Tui Cafe,ap@tui.example,INV-2,25/03/2026,10.00,Sales invoice,Awaiting Payment\n";
    let report = import_csv(&mut db, dir.path(), "xero_emails.csv", xero_emails);
    assert_eq!(
        lines(&report.rejections),
        vec!["line 2: email \"ap@kea.example Bcc: x@y.example\" is not an email address: it holds 2 addresses (one per cell)"]
    );
    assert_eq!(customer_names(&db), vec!["Tui Cafe"]);
}
