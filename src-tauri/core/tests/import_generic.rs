//! Generic CSV import: header synonyms, encodings, amounts, dates and every kind of bad row.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::import::{self, DetectedFormat, ImportError, ImportFormat};
use duebook_core::model::{InvoiceKind, InvoiceStatus};
use duebook_core::test_support::import::*;
use duebook_core::{store::contacts, store::customers};

#[test]
fn a_generic_file_with_synonym_headers_lands_in_the_right_buckets_per_currency() {
    let (_dir, db, report) = fixture_imported("USD", "generic_basic.csv");

    assert_eq!(report.format, DetectedFormat::Generic);
    assert_eq!(report.encoding, "UTF-8");
    assert_eq!(report.rows_read, 8);
    assert_eq!(report.invoices_created, 8);
    assert_eq!(report.rows_rejected, 0, "{:?}", report.rejections);
    assert_eq!(report.customers_created, 6);
    assert_eq!(report.contacts_added, 3);
    assert_eq!(
        lines(&report.warnings),
        vec!["rows without a currency were imported in USD, the home currency"]
    );
    assert_eq!(
        aging(&db),
        expected(&[
            ("BHD", [0, 0, 0, 0, 1250]),
            ("EUR", [0, 450000, 0, 0, 0]),
            ("GBP", [0, 0, 0, 98040, 0]),
            ("JPY", [150000, 0, 0, 0, 0]),
            ("USD", [50000 - 30000, 10000, 125000, 0, 0]),
        ])
    );
}

#[test]
fn names_match_trimmed_and_case_insensitively_and_negative_amounts_are_credit_notes() {
    let (_dir, mut db) = temp_db();
    import_fixture(&mut db, "generic_basic.csv");
    let credit = invoice(&db, "NW-1003");
    assert_eq!(credit.kind, InvoiceKind::CreditNote);
    assert_eq!(credit.total.minor, -30000);
    assert_eq!(credit.customer_id, invoice(&db, "NW-1001").customer_id);
    assert_eq!(
        customers::get(db.conn(), credit.customer_id).unwrap().name,
        "Northwind Traders"
    );

    // The part already paid is a payment, so paid_minor and status stay the payments' business.
    let partly = invoice(&db, "NW-1002");
    assert_eq!(
        (partly.total.minor, partly.paid_minor, partly.status),
        (200000, 150000, InvoiceStatus::Open)
    );
    assert_eq!(
        payments_of(&db, "NW-1002"),
        vec![(150000, "import".into(), "2026-04-01".into())]
    );

    let northwind = contacts::for_customer(db.conn(), credit.customer_id).unwrap();
    assert_eq!(northwind.len(), 1);
    assert_eq!(northwind[0].email.as_deref(), Some("ap@northwind.example"));
    assert_eq!(northwind[0].phone.as_deref(), Some("+1 206 555 0100"));
    assert!(northwind[0].is_billing);
}

#[test]
fn bom_crlf_quoted_newlines_cjk_emoji_formulas_and_html_are_kept_as_written() {
    let (_dir, mut db) = temp_db();
    let report = import_fixture(&mut db, "generic_bom_crlf.csv");

    assert_eq!(report.encoding, "UTF-8 with BOM");
    assert_eq!(report.invoices_created, 8);
    // The quoted newline in line 2's notes makes the last row physical line 11.
    assert_eq!(
        lines(&report.rejections),
        vec!["line 11: unknown currency \"XYZ\" (expected an ISO 4217 code such as USD, EUR, GBP)"]
    );
    assert_eq!(
        customer_names(&db),
        vec![
            "Smith, Jones & Partners",
            "山田商事株式会社",
            "Sunny Side Up ☀ Café",
            "🚀 Rocket Labs",
            "=HYPERLINK(\"http://evil.example\",\"Click me\")",
            "<b>Bold</b> & <script>alert(1)</script> Ltd",
            "+SUM(A1:A2)",
            "@cmd|' /C calc'!A0",
        ]
    );
    assert_eq!(
        aging(&db),
        expected(&[
            ("JPY", [0, 50000, 0, 0, 0]),
            ("USD", [12000, 4000, 7550, 0, 0])
        ])
    );
}

#[test]
fn a_windows_1252_file_with_semicolons_and_decimal_commas() {
    let (_dir, mut db) = temp_db();
    let report = import_fixture(&mut db, "generic_windows1252.csv");

    assert_eq!(report.encoding, "Windows-1252");
    assert_eq!(report.invoices_created, 5, "{:?}", report.rejections);
    assert_eq!(
        customer_names(&db),
        vec![
            "Müller & Söhne GmbH",
            "Société Générale Café",
            "Crème Brûlée Ltd",
            "Ærø Fisk ApS",
            "Ñandú Œuvres SA",
        ]
    );
    // 03.02.2026 is read day-first because 15.01.2026 proves the file's order.
    let credit = invoice(&db, "R-2026-003");
    assert_eq!(
        (credit.issue_date, credit.due_date),
        (date("2026-02-03"), date("2026-03-05"))
    );
    assert_eq!(credit.total.minor, -20000);
    assert_eq!(invoice(&db, "R-2026-004").total.minor, 250000);
    assert_eq!(
        aging(&db),
        expected(&[("EUR", [98000 + 9999, -20000, 123450, 250000, 0])])
    );
}

#[test]
fn every_kind_of_bad_row_is_rejected_with_its_physical_line_and_reason() {
    let (_dir, db, report) = fixture_imported("USD", "generic_bad_rows.csv");

    assert_eq!(
        lines(&report.rejections),
        vec![
            "line 4: missing invoice number",
            "line 5: due date 2026-03-01 is before issue date 2026-03-10",
            "line 6: unknown currency \"XYZ\" (expected an ISO 4217 code such as USD, EUR, GBP)",
            "line 7: amount \"12.3.4\" is not a valid amount: it is not a number",
            "line 8: customer name is 301 characters long (at most 255)",
            "line 9: invoice number G-001 appears more than once in the file (first on line 2)",
            "line 10: issue date \"03/04/2026\" could be day/month or month/day, and no other date in the file settles it",
            "line 11: email \"not an email\" is not an email address (expected name@example.com)",
            "line 13: missing customer name",
            "line 14: issue date \"2026-02-30\" is not a date",
            "line 15: open balance 20.00 is larger than the total 10.00",
            "line 16: amount \"1500.5\" is not a valid amount: JPY has 0 decimal places",
            "line 17: amount \"€10.00\" is not a valid amount: it is in €, but the row's currency is USD",
            "line 18: missing amount",
        ]
    );
    assert_eq!(
        lines(&report.warnings),
        vec!["line 12: no due date: due on the issue date 2026-03-05"]
    );
    assert_eq!(report.rows_read, 17);
    assert_eq!(report.invoices_created, 3);
    assert_eq!(report.rows_rejected, 14);
    // The first G-001 stands; the repeat did not overwrite it.
    assert_eq!(invoice(&db, "G-001").issue_date, date("2026-03-01"));
    assert_eq!(invoice(&db, "G-009").due_date, date("2026-03-05"));
    // Rejected rows create no customers: the row with the bad email is rejected whole.
    assert_eq!(
        customer_names(&db),
        vec!["Good Co", "No Due Co", "Credit Co"]
    );
    assert_eq!(
        aging(&db),
        expected(&[("USD", [10000 - 1000, 3000, 0, 0, 0])])
    );
}

#[test]
fn ambiguous_slash_dates_follow_the_order_the_file_proves() {
    let (dir, mut db) = temp_db();
    import_fixture(&mut db, "generic_day_first.csv");
    let d1 = invoice(&db, "D-1");
    assert_eq!(
        (d1.issue_date, d1.due_date),
        (date("2026-04-03"), date("2026-05-03"))
    );

    let us = "customer,invoice,date,due_date,amount,currency\n\
              C Co,M-1,03/04/2026,04/03/2026,1,USD\n\
              D Co,M-2,03/20/2026,04/19/2026,1,USD\n";
    import_csv(&mut db, dir.path(), "us.csv", us);
    let m1 = invoice(&db, "M-1");
    assert_eq!(
        (m1.issue_date, m1.due_date),
        (date("2026-03-04"), date("2026-04-03"))
    );

    let mixed = "customer,invoice,date,due_date,amount,currency\n\
                 E Co,X-1,25/03/2026,2026-04-30,1,USD\n\
                 F Co,X-2,03/20/2026,2026-04-30,1,USD\n\
                 G Co,X-3,03/04/2026,2026-04-30,1,USD\n";
    let report = import_csv(&mut db, dir.path(), "mixed.csv", mixed);
    assert_eq!(report.invoices_created, 2);
    assert_eq!(
        lines(&report.rejections),
        vec!["line 4: issue date \"03/04/2026\" could be day/month or month/day, and the file mixes both orders"]
    );
}

#[test]
fn without_a_currency_column_and_home_setting_usd_is_assumed_and_said() {
    let (dir, mut db) = temp_db();
    let file = write(
        dir.path(),
        "plain.csv",
        "Company,Num,Invoice Date,Due_Date,Amount,Open Balance\nAcme,1,2026-03-01,2026-03-31,\"1,000.00\",250.00\n",
    );
    let report = import_with(&mut db, &file, &options());
    assert_eq!(
        lines(&report.warnings),
        vec!["rows without a currency were imported in USD: no home currency is set (setting \"home_currency\")"]
    );
    assert_eq!(aging(&db), expected(&[("USD", [25000, 0, 0, 0, 0])]));

    let (_dir2, mut gbp_db) = temp_db();
    with_home_currency(&gbp_db, "GBP");
    let report = import_with(&mut gbp_db, &file, &options());
    assert_eq!(
        lines(&report.warnings),
        vec!["rows without a currency were imported in GBP, the home currency"]
    );
    assert_eq!(aging(&gbp_db), expected(&[("GBP", [25000, 0, 0, 0, 0])]));
}

#[test]
fn a_file_without_a_due_date_column_says_so_once() {
    let (dir, mut db) = temp_db();
    let report = import_csv(
        &mut db,
        dir.path(),
        "nodue.csv",
        "customer,invoice,date,amount,currency\nA,1,2026-03-01,5,EUR\nB,2,2026-03-02,5,EUR\n",
    );
    assert_eq!(
        lines(&report.warnings),
        vec!["the file has no due date column: every invoice is due on its issue date"]
    );
    assert_eq!(invoice(&db, "2").due_date, date("2026-03-02"));
}

#[test]
fn a_forced_format_without_its_columns_and_an_unknown_layout_are_errors() {
    let (dir, mut db) = temp_db();
    let file = write(
        dir.path(),
        "notes.csv",
        "when,what\n2026-03-01,called Acme\n",
    );
    let err = try_import(&mut db, &file, &options()).unwrap_err();
    assert!(matches!(err, ImportError::UnknownFormat { .. }));
    let message = err.to_string();
    assert!(message.contains("notes.csv"), "{message}");
    assert!(message.contains("\"when,what\""), "{message}");

    let mut forced = options();
    forced.format = ImportFormat::Generic;
    let err = try_import(&mut db, &file, &forced).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot import notes.csv as a generic invoice CSV: no header row with the columns customer_name, invoice_number, issue_date, amount"
    );
    assert_eq!(customer_names(&db), Vec::<String>::new());
}

#[test]
fn the_generated_sample_is_deterministic_and_imports_cleanly() {
    let mut first = Vec::new();
    import::write_generic_sample(&mut first, 3_000, 250, 7, today()).unwrap();
    let mut second = Vec::new();
    import::write_generic_sample(&mut second, 3_000, 250, 7, today()).unwrap();
    assert_eq!(first, second);

    let (dir, mut db) = temp_db();
    let path = dir.path().join("sample.csv");
    std::fs::write(&path, &first).unwrap();
    let report = import_with(&mut db, &path, &options());
    assert_eq!(report.rows_rejected, 0, "{:?}", report.rejections);
    assert_eq!(report.invoices_created, 3_000);
    assert_eq!(report.customers_created, 250);
    assert_eq!(report.contacts_added, 250);
    assert!(
        count(
            &db,
            "SELECT count(*) FROM customer_balances WHERE open_minor != 0"
        ) > 0
    );
}

#[test]
fn two_columns_for_one_field_that_disagree_are_an_error_naming_both() {
    let (dir, mut db) = temp_db();
    let file = write(
        dir.path(),
        "twice.csv",
        "customer,invoice,date,amount,currency,amount\nA Co,1,2026-03-01,10.00,USD,10.00\nB Co,2,2026-03-01,20.00,USD,25.00\n",
    );
    let err = try_import(&mut db, &file, &options()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot import twice.csv: columns \"amount\" (column 4) and \"amount\" (column 6) both give \
         the amount and disagree on line 3 (\"20.00\" and \"25.00\"): remove one of them"
    );
    let aliased = write(
        dir.path(),
        "aliased.csv",
        "Customer Name,invoice,date,amount,Customer\nA Co,1,2026-03-01,10.00,A Co\nB Co,2,2026-03-01,20.00,Bob Lee\n",
    );
    let err = try_import(&mut db, &aliased, &options()).unwrap_err();
    assert!(
        err.to_string().contains(
            "columns \"Customer Name\" (column 1) and \"Customer\" (column 5) both give the customer name"
        ),
        "{err}"
    );
    assert_eq!(customer_names(&db), Vec::<String>::new());
}

#[test]
fn two_columns_for_one_field_that_agree_are_a_warning_naming_the_one_used() {
    let (dir, mut db) = temp_db();
    let agree = "client,customer_name,invoice,date,due_date,amount,currency\n\
                 A Co,A Co,1,2026-03-01,2026-03-31,10.00,USD\n";
    let report = import_csv(&mut db, dir.path(), "agree.csv", agree);
    assert_eq!(
        lines(&report.warnings),
        vec!["columns \"client\" (column 1) and \"customer_name\" (column 2) both give the customer \
              name and agree on every row; \"customer_name\" (column 2) is used"]
    );
    assert_eq!(customer_names(&db), vec!["A Co"]);
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    text.encode_utf16()
        .flat_map(|unit| match big_endian {
            true => unit.to_be_bytes(),
            false => unit.to_le_bytes(),
        })
        .collect()
}

#[test]
fn utf16_without_a_byte_order_mark_is_recognised_in_either_order() {
    let text = "customer\tinvoice\tdate\tamount\tcurrency\nCafé Ölmann\tU-1\t2026-03-01\t12,50\tEUR\n山田商事\tU-2\t2026-03-02\t1000\tJPY\n";
    for (big_endian, encoding) in [
        (false, "UTF-16LE without BOM"),
        (true, "UTF-16BE without BOM"),
    ] {
        let (_dir, mut db) = temp_db();
        let report = import::import_bytes(
            &mut db,
            "u.txt",
            &utf16(text, big_endian),
            &options(),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(report.encoding, encoding);
        assert_eq!(report.rows_rejected, 0, "{:?}", report.rejections);
        assert_eq!(customer_names(&db), vec!["Café Ölmann", "山田商事"]);
    }
}

#[test]
fn files_that_are_still_not_text_are_named_for_what_they_look_like() {
    let (_dir, mut db) = temp_db();
    let mut cut = utf16("customer,invoice,date,amount\nA,1,2026-03-01,1\n", false);
    cut.extend([0x00, 0xD8, b'x']); // a lone surrogate and an odd last byte
    let utf32: Vec<u8> = "customer,invoice\nA,1\n"
        .chars()
        .flat_map(|c| u32::from(c).to_le_bytes())
        .collect();
    for (bytes, expected) in [
        (cut, "cannot import f.csv: it looks like UTF-16LE text without a byte-order mark, but it is damaged (a broken character or a missing byte): save it again as \"CSV UTF-8\""),
        (utf32, "cannot import f.csv: it looks like UTF-32 text, which Duebook does not read: save it as \"CSV UTF-8\""),
        (b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj".to_vec(), "cannot import f.csv: it looks like a PDF document, not CSV text"),
        (b"SQLite format 3\0rest".to_vec(), "cannot import f.csv: it looks like an SQLite database, not CSV text"),
        (b"ab\0\x01\x02cd".to_vec(), "cannot import f.csv: it looks like binary data, not CSV text"),
    ] {
        let err = import::import_bytes(&mut db, "f.csv", &bytes, &options(), &mut |_| {}).unwrap_err();
        assert_eq!(err.to_string(), expected);
    }
}
