//! Workbooks import like CSV: .xlsx built here with rust_xlsxwriter (serial dates, date-typed
//! cells, formulas with their saved values, a chosen sheet), the .ods fixtures made by
//! `fixtures/import/make_ods.py`, damaged and password-protected files, and hostile cells.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::import::{self, DetectedFormat, ImportError, ImportOptions, SheetError};
use duebook_core::store::Database;
use duebook_core::test_support::import::*;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};
use std::io::{Cursor, Read, Write};

const HEADER: [&str; 6] = [
    "customer_name",
    "invoice_number",
    "issue_date",
    "due_date",
    "amount",
    "amount_due",
];

fn header(sheet: &mut Worksheet, row: u32) {
    for (col, name) in (0u16..).zip(HEADER) {
        sheet.write_string(row, col, name).unwrap();
    }
}

/// A "Notes" sheet first, then "Invoices": a title on row 1, the header on row 3, invoices
/// with bare serial issue dates, date-typed due dates and formula amounts, a bad row 6, a
/// total row 7 and formatted but empty rows below.
fn invoices_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let notes = book.add_worksheet().set_name("Notes").unwrap();
    notes
        .write_string(0, 0, "Exported from the ledger")
        .unwrap();
    let sheet = book.add_worksheet().set_name("Invoices").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_string(0, 0, "Acme Ltd: open invoices").unwrap();
    header(sheet, 2);
    // 46082 is 1 March 2026, as Excel counts.
    sheet.write_string(3, 0, "Harbour Cafe").unwrap();
    sheet.write_string(3, 1, "XL-1").unwrap();
    sheet.write_number(3, 2, 46082).unwrap();
    let due = ExcelDateTime::from_ymd(2026, 3, 31).unwrap();
    sheet.write_datetime_with_format(3, 3, &due, &date).unwrap();
    sheet.write_number(3, 4, 1234.5).unwrap();
    let open = Formula::new("=E4-234.5").set_result("1000");
    sheet.write_formula(3, 5, open).unwrap();
    sheet.write_string(4, 0, "Café Ölmann\nGmbH").unwrap();
    sheet.write_number(4, 1, 1002).unwrap();
    sheet.write_number(4, 2, 46085.5).unwrap();
    let due = ExcelDateTime::from_ymd(2026, 4, 3).unwrap();
    sheet.write_datetime_with_format(4, 3, &due, &date).unwrap();
    // What Excel saves for =0.1+0.2.
    let noisy = Formula::new("=0.1+0.2").set_result("0.30000000000000004");
    sheet.write_formula(4, 4, noisy).unwrap();
    sheet
        .write_formula(4, 5, Formula::new("=E5").set_result("0.30000000000000004"))
        .unwrap();
    sheet.write_string(5, 0, "Late Row Ltd").unwrap();
    sheet.write_string(5, 1, "XL-3").unwrap();
    sheet.write_string(5, 2, "someday").unwrap();
    sheet.write_number(5, 4, 10).unwrap();
    sheet.write_string(6, 0, "Total").unwrap();
    sheet
        .write_formula(6, 4, Formula::new("=SUM(E4:E6)").set_result("1244.8"))
        .unwrap();
    for row in 7..40 {
        sheet.write_blank(row, 0, &date).unwrap();
    }
    book.save_to_buffer().unwrap()
}

fn import_sheet(
    db: &mut Database,
    name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
) -> Result<import::ImportReport, ImportError> {
    let options = ImportOptions {
        sheet: sheet.map(str::to_string),
        ..options()
    };
    import::import_bytes(db, name, bytes, &options, &mut |_| {})
}

fn sheet_error(result: Result<import::ImportReport, ImportError>) -> SheetError {
    match result {
        Err(ImportError::Sheet { reason, .. }) => reason,
        other => panic!("expected a workbook error, got {other:?}"),
    }
}

#[test]
fn an_xlsx_sheet_imports_with_serial_and_typed_dates_and_formula_values_in_cents() {
    let (_dir, mut db) = temp_db();
    with_home_currency(&db, "USD");
    let bytes = invoices_workbook();
    let report = import_sheet(&mut db, "ledger.xlsx", &bytes, Some("Invoices")).unwrap();

    assert_eq!(report.format, DetectedFormat::Generic);
    assert_eq!(report.encoding, "Excel workbook, sheet \"Invoices\"");
    assert_eq!(report.invoices_created, 2, "{:?}", report.rejections);
    // Line numbers are the sheet's row numbers; the total row is no invoice.
    assert_eq!(
        lines(&report.rejections),
        vec!["line 6: issue date \"someday\" is not a date"]
    );
    let first = invoice(&db, "XL-1");
    assert_eq!(
        (first.issue_date, first.due_date),
        (date("2026-03-01"), date("2026-03-31"))
    );
    assert_eq!((first.total.minor, first.open_minor()), (123_450, 100_000));
    let second = invoice(&db, "1002");
    assert_eq!(
        (second.issue_date, second.due_date),
        (date("2026-03-04"), date("2026-04-03"))
    );
    assert_eq!((second.total.minor, second.open_minor()), (30, 30));
    assert_eq!(
        customer_names(&db),
        vec!["Harbour Cafe", "Café Ölmann GmbH"]
    );
}

/// The CSV file `name` as a workbook: plain decimals as number cells, the rest as text.
fn workbook_of_csv(name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for record in reader.records() {
        let record = record.unwrap();
        // A record's position is where the one before it ended: its row is the next line.
        let mut start = usize::try_from(record.position().unwrap().byte()).unwrap();
        while text
            .as_bytes()
            .get(start)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            start += 1;
        }
        let row = u32::try_from(text[..start].matches('\n').count()).unwrap();
        for (col, cell) in (0u16..).zip(record.iter()) {
            let plain = !cell.is_empty() && cell.bytes().all(|b| b.is_ascii_digit() || b == b'.');
            match cell.parse::<f64>() {
                Ok(number) if plain => sheet.write_number(row, col, number).unwrap(),
                _ => sheet.write_string(row, col, cell).unwrap(),
            };
        }
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn every_layout_reads_the_same_from_a_workbook_as_from_its_csv() {
    for (name, home) in [
        ("generic_basic.csv", "USD"),
        ("qbo_open_invoices.csv", "USD"),
        ("qbo_ar_aging_detail.csv", "USD"),
        ("xero_invoices_uk.csv", "GBP"),
    ] {
        let (_csv_dir, csv_db, from_csv) = fixture_imported(home, name);
        let (_dir, mut db) = temp_db();
        with_home_currency(&db, home);
        let bytes = workbook_of_csv(name);
        let from_sheet = import_sheet(&mut db, name, &bytes, None).unwrap();
        assert_eq!(from_sheet.format, from_csv.format, "{name}");
        assert_eq!(
            from_sheet.invoices_created, from_csv.invoices_created,
            "{name}"
        );
        assert!(from_sheet.invoices_created > 0, "{name}");
        assert_eq!(
            lines(&from_sheet.rejections),
            lines(&from_csv.rejections),
            "{name}"
        );
        assert_eq!(
            lines(&from_sheet.skipped),
            lines(&from_csv.skipped),
            "{name}"
        );
        assert_eq!(
            lines(&from_sheet.warnings),
            lines(&from_csv.warnings),
            "{name}"
        );
        assert_eq!(aging(&db), aging(&csv_db), "{name}");
    }
}

#[test]
fn the_first_sheet_is_read_unless_another_is_named() {
    let (_dir, mut db) = temp_db();
    let bytes = invoices_workbook();
    let first = import_sheet(&mut db, "ledger.xlsx", &bytes, None).unwrap_err();
    assert!(
        first.to_string().contains("\"Exported from the ledger\""),
        "{first}"
    );
    // A sheet name is matched exactly, else ignoring case.
    let any_case = import_sheet(&mut db, "ledger.xlsx", &bytes, Some("invoices")).unwrap();
    assert_eq!(any_case.invoices_created, 2);
}

#[test]
fn inspecting_a_workbook_lists_its_sheets_and_reads_the_chosen_one() {
    let (dir, db) = temp_db();
    let path = dir.path().join("ledger.xlsx");
    std::fs::write(&path, invoices_workbook()).unwrap();
    let chosen = import::inspect(&db, &path, Some("Invoices")).unwrap();
    assert_eq!(chosen.sheets, ["Notes", "Invoices"]);
    assert_eq!(chosen.encoding, "Excel workbook, sheet \"Invoices\"");
    assert_eq!(chosen.layout, Some(DetectedFormat::Generic));
    assert_eq!(chosen.columns[1].samples, ["XL-1", "1002", "XL-3"]);
    let missing = import::inspect(&db, &path, Some("Q1")).unwrap_err();
    assert!(matches!(missing, ImportError::Sheet { .. }), "{missing}");
    let csv = dir.path().join("a.csv");
    std::fs::write(&csv, "customer,invoice,date,amount\nAcme,1,2026-03-01,10\n").unwrap();
    assert!(import::inspect(&db, &csv, None).unwrap().sheets.is_empty());
}

#[test]
fn a_profile_is_made_from_the_sheet_chosen() {
    let (dir, db) = temp_db();
    let path = dir.path().join("ledger.xlsx");
    std::fs::write(&path, invoices_workbook()).unwrap();
    let mapping = import::mapping::ColumnMapping::from_pairs(
        "customer_name=customer_name,invoice_number=invoice_number,issue_date=issue_date,amount=amount",
    )
    .unwrap();
    let new = import::new_profile_for(&db, "Ledger", &mapping, &path, Some("Invoices")).unwrap();
    assert_eq!(new.header[..2], ["customer_name", "invoice_number"]);
    // The first sheet ("Notes") has none of the mapped columns.
    assert!(import::new_profile_for(&db, "Ledger", &mapping, &path, None).is_err());
}

#[test]
fn a_missing_sheet_is_an_error_listing_the_sheets() {
    let (_dir, mut db) = temp_db();
    let error = import_sheet(&mut db, "ledger.xlsx", &invoices_workbook(), Some("Q1"));
    let message = error.as_ref().unwrap_err().to_string();
    assert_eq!(
        sheet_error(error),
        SheetError::NoSuchSheet {
            wanted: "Q1".into(),
            sheets: vec!["Notes".into(), "Invoices".into()],
        }
    );
    assert_eq!(
        message,
        "cannot import ledger.xlsx: it has no sheet named \"Q1\"; its sheets are \"Notes\", \"Invoices\""
    );
    let csv = import_sheet(
        &mut db,
        "a.csv",
        b"customer,invoice,date,amount\n",
        Some("Q1"),
    );
    assert_eq!(sheet_error(csv), SheetError::NotAWorkbook("Q1".into()));
}

#[test]
fn the_kind_is_told_by_the_content_not_the_name() {
    let (_dir, mut db) = temp_db();
    let bytes = invoices_workbook();
    let report = import_sheet(&mut db, "export.csv", &bytes, Some("Invoices")).unwrap();
    assert_eq!(report.invoices_created, 2);
}

#[test]
fn an_ods_fixture_imports_with_typed_dates_serials_and_formula_values() {
    let (_dir, mut db) = temp_db();
    with_home_currency(&db, "EUR");
    let report = import_with(&mut db, &fixture("invoices.ods"), &options());

    assert_eq!(
        report.encoding,
        "OpenDocument spreadsheet, sheet \"Invoices\""
    );
    assert_eq!(report.invoices_created, 2, "{:?}", report.rejections);
    assert_eq!(
        lines(&report.rejections),
        vec!["line 6: issue date \"someday\" is not a date"]
    );
    let first = invoice(&db, "ODS-1");
    assert_eq!(
        (first.issue_date, first.due_date),
        (date("2026-03-02"), date("2026-04-01"))
    );
    assert_eq!((first.total.minor, first.open_minor()), (25_050, 25_050));
    let second = invoice(&db, "1002");
    assert_eq!(
        (second.issue_date, second.due_date),
        (date("2026-03-05"), date("2026-04-04"))
    );
    assert_eq!((second.total.minor, second.open_minor()), (9_990, 30));
    assert_eq!(
        customer_names(&db),
        vec!["Harbour Cafe", "Brightwater Dental"]
    );
}

/// `bytes` with the workbook switched to the 1904 date system, as old Mac Excel saved it.
fn dated_from_1904(bytes: &[u8]) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).unwrap();
        if file.name().unwrap() != "xl/workbook.xml" {
            out.raw_copy_file(file).unwrap();
            continue;
        }
        let mut xml = String::new();
        file.read_to_string(&mut xml).unwrap();
        assert!(xml.contains("<workbookPr "), "{xml}");
        let xml = xml.replace("<workbookPr ", "<workbookPr date1904=\"1\" ");
        let options = zip::write::SimpleFileOptions::default();
        out.start_file("xl/workbook.xml", options).unwrap();
        out.write_all(xml.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn serial_dates_in_a_1904_workbook_count_from_1904() {
    let (_dir, mut db) = temp_db();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    header(sheet, 0);
    for (col, text) in [(0, "Harbour Cafe"), (1, "MAC-1")] {
        sheet.write_string(1, col, text).unwrap();
    }
    // 44620 days after 1 January 1904 is 1 March 2026.
    sheet.write_number(1, 2, 44620).unwrap();
    sheet.write_number(1, 3, 44650).unwrap();
    sheet.write_number(1, 4, 12).unwrap();
    let bytes = dated_from_1904(&book.save_to_buffer().unwrap());
    let report = import_sheet(&mut db, "mac.xlsx", &bytes, None).unwrap();
    assert_eq!(report.invoices_created, 1, "{:?}", report.rejections);
    let imported = invoice(&db, "MAC-1");
    assert_eq!(
        (imported.issue_date, imported.due_date),
        (date("2026-03-01"), date("2026-03-31"))
    );
}

#[test]
fn damaged_and_protected_workbooks_are_clear_errors_and_write_nothing() {
    let (_dir, mut db) = temp_db();
    let bytes = invoices_workbook();
    let cut = &bytes[..bytes.len() / 2];
    let damaged = sheet_error(import_sheet(&mut db, "cut.xlsx", cut, None));
    assert!(
        matches!(damaged, SheetError::Damaged { kind, .. } if kind.contains(".xlsx")),
        "{damaged:?}"
    );
    let protected = import_with_error(&mut db, "protected.ods");
    assert_eq!(protected, SheetError::Password);
    // A password-protected xlsx is an OLE file holding the encrypted package.
    let mut encrypted = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    encrypted.resize(1024, 0);
    encrypted.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    let locked = sheet_error(import_sheet(&mut db, "locked.xlsx", &encrypted, None));
    assert_eq!(locked, SheetError::Password);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM invoices"), 0);
}

fn import_with_error(db: &mut Database, name: &str) -> SheetError {
    sheet_error(try_import(db, &fixture(name), &options()))
}

/// Arbitrary Unicode and control characters in every cell of a sheet: the import never panics
/// nor fails the database, and every rejection names its row.
#[test]
fn hostile_cells_in_a_workbook_never_panic() {
    let (_dir, db) = temp_db();
    let db = std::cell::RefCell::new(db);
    let cell = prop::collection::vec(any::<char>(), 0..10)
        .prop_map(|chars| chars.into_iter().collect::<String>());
    let cells = prop::array::uniform6(cell);
    let mut runner = TestRunner::new(ProptestConfig::with_cases(48));
    let outcome = runner.run(&cells, |cells| {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        header(sheet, 0);
        for (col, text) in (0u16..).zip(&cells) {
            sheet.write_string(1, col, text.as_str()).unwrap();
        }
        sheet
            .write_number(2, 4, f64::from(cells[0].len() as u32) / 7.0)
            .unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let mut db = db.borrow_mut();
        match import_sheet(&mut db, "fuzz.xlsx", &bytes, None) {
            Ok(report) => {
                for issue in &report.rejections {
                    prop_assert!(matches!(issue.line, Some(2 | 3)), "{issue}");
                }
            }
            Err(error) => prop_assert!(!matches!(error, ImportError::Db(_)), "{error}"),
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}
