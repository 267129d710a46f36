//! Column mappings and saved profiles: a German-locale export read through a mapping, profiles
//! recognised by their header and carried through a JSON file, bad mappings named, and
//! arbitrary header and cell text read through a mapping without a panic or half an import.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::import::mapping::profile_file::{self, ProfileFileError};
use duebook_core::import::mapping::profiles::{self, ProfileError};
use duebook_core::import::mapping::{ColumnMapping, DateOrder, DecimalStyle, MappingError};
use duebook_core::import::{self, ColumnSource, DetectedFormat, ImportError, ImportReport};
use duebook_core::store::Database;
use duebook_core::test_support::import::*;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use std::path::Path;

const GERMAN_HEADER: &str = "Kunde;Rechnungs-Nr.;Rechnungsdatum;Fällig am;Betrag;Offen;E-Mail";

/// A DATEV-style export: semicolons, `1.234,56`, day-first dates; line 5's date does not exist.
fn german() -> String {
    std::fs::read_to_string(fixture("german_offene_posten.csv")).unwrap()
}

fn german_mapping() -> ColumnMapping {
    ColumnMapping {
        date_order: DateOrder::Dmy,
        decimal: DecimalStyle::Comma,
        currency: Some("EUR".into()),
        ..ColumnMapping::from_pairs(
            "customer_name=Kunde,invoice_number=Rechnungs-Nr.,issue_date=Rechnungsdatum,\
             due_date=Fällig am,amount=Betrag,amount_due=Offen,email=E-Mail",
        )
        .unwrap()
    }
}

fn import_mapped(
    db: &mut Database,
    path: &Path,
    mapping: &ColumnMapping,
) -> Result<ImportReport, ImportError> {
    import::import_file_with(
        db,
        path,
        &options(),
        ColumnSource::Mapping(mapping),
        &mut |_| {},
    )
}

fn import_auto(db: &mut Database, path: &Path) -> Result<ImportReport, ImportError> {
    try_import(db, path, &options())
}

fn header(text: &str) -> Vec<String> {
    text.split(';').map(str::to_string).collect()
}

#[test]
fn a_german_export_is_read_through_its_mapping() {
    let (dir, mut db) = temp_db();
    with_home_currency(&db, "USD");
    let path = write(dir.path(), "offene-posten.csv", &german());
    let report = import_mapped(&mut db, &path, &german_mapping()).unwrap();
    assert_eq!(report.format, DetectedFormat::Generic);
    assert!(report.mapped && report.profile.is_none());
    assert_eq!(report.invoices_created, 3, "{:?}", report.rejections);
    assert_eq!(
        lines(&report.rejections),
        vec![r#"line 5: issue date "31.02.2026" is not a date"#]
    );
    let first = invoice(&db, "RE-1001");
    assert_eq!(
        (first.total.minor, first.total.currency.code()),
        (123_456, "EUR")
    );
    assert_eq!(first.issue_date, date("2026-02-03"));
    assert_eq!(first.due_date, date("2026-03-05"));
    let second = invoice(&db, "RE-1002");
    assert_eq!(
        (second.total.minor, second.open_minor()),
        (1_200_000, 200_050)
    );
    assert_eq!(invoice(&db, "RE-1003").total.minor, -9_990);
    // The currency was the mapping's, so nothing says the home currency was assumed.
    assert!(
        report
            .warnings
            .iter()
            .all(|w| !w.message.contains("home currency")),
        "{:?}",
        report.warnings
    );
    // Without the mapping the file is not one Duebook knows.
    let again = write(dir.path(), "again.csv", &german());
    assert!(matches!(
        import_auto(&mut db, &again),
        Err(ImportError::UnknownFormat { .. })
    ));
}

#[test]
fn a_profile_is_recognised_exported_deleted_and_imported_again() {
    let (dir, mut db) = temp_db();
    let saved = profiles::save(
        db.conn(),
        "DATEV weekly",
        &german_mapping(),
        &header(GERMAN_HEADER),
    )
    .unwrap();
    assert_eq!(saved.header.len(), 7);
    // Next week's file: same columns, written differently.
    let next_week = german().replacen("Rechnungs-Nr.;", "RECHNUNGS NR;", 1);
    let path = write(dir.path(), "kw12.csv", &next_week);
    let report = import_auto(&mut db, &path).unwrap();
    assert_eq!(report.profile.as_deref(), Some("DATEV weekly"));
    assert_eq!(report.invoices_created, 3);
    assert!(profiles::get(db.conn(), "datev weekly")
        .unwrap()
        .used_at
        .is_some());

    let exported = dir.path().join("datev.json");
    profile_file::export(db.conn(), "DATEV weekly", &exported).unwrap();
    profiles::delete(db.conn(), "DATEV weekly").unwrap();
    assert!(matches!(
        import_auto(&mut db, &path),
        Err(ImportError::UnknownFormat { .. })
    ));

    let restored = profile_file::import(db.conn(), &exported).unwrap();
    assert_eq!(restored.mapping, german_mapping());
    let report = import_auto(&mut db, &path).unwrap();
    assert_eq!(report.profile.as_deref(), Some("DATEV weekly"));
    assert_eq!(report.invoices_unchanged, 3);

    let renamed = profiles::rename(db.conn(), "DATEV weekly", "Buchhaltung").unwrap();
    assert_eq!(renamed.name, "Buchhaltung");
    let report = import::import_file_with(
        &mut db,
        &path,
        &options(),
        ColumnSource::Profile("buchhaltung"),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(report.profile.as_deref(), Some("Buchhaltung"));
    assert_eq!(profiles::list(db.conn()).unwrap().len(), 1);
}

#[test]
fn names_and_headers_are_one_profile_each() {
    let (_dir, db) = temp_db();
    let head = header(GERMAN_HEADER);
    profiles::save(db.conn(), "A", &german_mapping(), &head).unwrap();
    let error = profiles::save(
        db.conn(),
        "a",
        &german_mapping(),
        &header(&format!("{GERMAN_HEADER};Notiz")),
    )
    .unwrap_err();
    assert!(matches!(error, ProfileError::NameTaken(_)), "{error}");
    let error = profiles::save(db.conn(), "B", &german_mapping(), &head).unwrap_err();
    assert!(
        matches!(error, ProfileError::HeaderTaken(ref name) if name == "A"),
        "{error}"
    );
    let error = profiles::save(db.conn(), " \n ", &german_mapping(), &head).unwrap_err();
    assert!(matches!(error, ProfileError::BadName(_)), "{error}");
    let error =
        profiles::save(db.conn(), "C", &german_mapping(), &header("Kunde;Betrag")).unwrap_err();
    assert!(
        matches!(
            error,
            ProfileError::Mapping(MappingError::UnknownColumns { .. })
        ),
        "{error}"
    );
    assert!(matches!(
        profiles::delete(db.conn(), "nope"),
        Err(ProfileError::NotFound(_))
    ));
}

#[test]
fn a_bad_profile_file_is_refused_and_changes_nothing() {
    let (dir, db) = temp_db();
    let valid = serde_json::json!({
        "duebook_import_profile": 1,
        "name": "Sage",
        "header": ["Customer", "Doc No", "Date", "Total"],
        "mapping": {"columns": {"customer_name": "Customer", "invoice_number": "Doc No",
                                "issue_date": "Date", "amount": "Total"}}
    });
    let mut cases = vec![("garbage.json", "{not json".to_string())];
    for (key, value) in [
        ("duebook_import_profile", serde_json::json!(2)),
        ("header", serde_json::json!([])),
        ("name", serde_json::json!("")),
        (
            "mapping",
            serde_json::json!({"columns": {"amount": "Total"}}),
        ),
        (
            "mapping",
            serde_json::json!({"columns": {"customer_name": "Customer", "invoice_number": "Nope", "issue_date": "Date", "amount": "Total"}}),
        ),
        (
            "mapping",
            serde_json::json!({"columns": {"client": "Customer"}}),
        ),
        ("extra", serde_json::json!(true)),
    ] {
        let mut bad = valid.clone();
        bad[key] = value;
        cases.push(("bad.json", bad.to_string()));
    }
    for (name, text) in cases {
        let path = write(dir.path(), name, &text);
        let error = profile_file::import(db.conn(), &path).unwrap_err();
        assert!(
            matches!(
                error,
                ProfileFileError::BadFile { .. } | ProfileFileError::Refused { .. }
            ),
            "{text}: {error}"
        );
        assert!(profiles::list(db.conn()).unwrap().is_empty(), "{text}");
    }
    let path = write(dir.path(), "good.json", &valid.to_string());
    assert_eq!(profile_file::import(db.conn(), &path).unwrap().name, "Sage");
}

/// Whether an error is the one a case expects.
type Expected = fn(&MappingError) -> bool;

#[test]
fn bad_mappings_are_refused_by_name_before_anything_is_written() {
    let (dir, mut db) = temp_db();
    let path = write(dir.path(), "de.csv", &german());
    let cases: [(&str, Expected); 3] = [
        (
            "customer_name=Kunde,invoice_number=Nummer,issue_date=Rechnungsdatum,amount=Betrag",
            |e| matches!(e, MappingError::UnknownColumns { missing, .. } if missing[0].contains("Nummer")),
        ),
        ("customer_name=Kunde,amount=Betrag", |e| {
            *e == MappingError::Unmapped(vec!["invoice_number", "issue_date"])
        }),
        (
            "customer_name=Kunde,invoice_number=Betrag,issue_date=Rechnungsdatum,amount=Betrag",
            |e| {
                matches!(
                    e,
                    MappingError::SharedColumn {
                        first: "invoice_number",
                        second: "amount",
                        ..
                    }
                )
            },
        ),
    ];
    for (pairs, expected) in cases {
        let mapping = ColumnMapping::from_pairs(pairs).unwrap();
        let before = snapshot(&db);
        match import_mapped(&mut db, &path, &mapping) {
            Err(ImportError::Mapping { source, .. }) => {
                assert!(expected(&source), "{pairs}: {source}");
            }
            other => panic!("{pairs}: {other:?}"),
        }
        assert_eq!(snapshot(&db), before);
    }
    let bad_currency = ColumnMapping {
        currency: Some("EURO".into()),
        ..german_mapping()
    };
    let error = import_mapped(&mut db, &path, &bad_currency).unwrap_err();
    assert!(
        error.to_string().contains("unknown currency \"EURO\""),
        "{error}"
    );
}

#[test]
fn inspect_shows_columns_samples_and_the_suggestion() {
    let (dir, db) = temp_db();
    let path = write(dir.path(), "de.csv", &german());
    let seen = import::inspect(&db, &path, None).unwrap();
    assert_eq!(seen.layout, None);
    assert_eq!(seen.columns.len(), 7);
    assert_eq!(seen.columns[0].name, "Kunde");
    assert_eq!(
        seen.columns[1].samples,
        ["RE-1001", "RE-1002", "RE-1003", "RE-1004"]
    );
    assert_eq!(seen.columns[6].samples, ["buchhaltung@mueller.example"]);
    // Only the e-mail column's name is one of the generic synonyms.
    assert_eq!(seen.suggested.columns.len(), 1);
    assert_eq!(seen.unmapped.len(), 4);

    profiles::save(
        db.conn(),
        "DATEV",
        &german_mapping(),
        &header(GERMAN_HEADER),
    )
    .unwrap();
    let seen = import::inspect(&db, &path, None).unwrap();
    assert_eq!(seen.profile.as_deref(), Some("DATEV"));
    assert_eq!(seen.suggested, german_mapping());
    assert!(seen.unmapped.is_empty());

    let generic = write(
        dir.path(),
        "generic.csv",
        "customer,invoice,date,amount\nAcme,1,2026-03-01,10\n",
    );
    let seen = import::inspect(&db, &generic, None).unwrap();
    assert_eq!(seen.layout, Some(DetectedFormat::Generic));
    assert_eq!(seen.suggested.columns.len(), 4);
}

/// Any text, weighted towards what breaks CSV, lines and terminals.
fn any_text() -> impl Strategy<Value = String> {
    let breaking = prop::sample::select(vec![";", ",", "\"", "\n", "\r", "\u{0}", "\u{202E}", " "]);
    prop::collection::vec(
        prop_oneof![3 => any::<String>(), 1 => breaking.prop_map(str::to_string)],
        0..4,
    )
    .prop_map(|parts| parts.concat())
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

#[test]
fn arbitrary_headers_and_cells_through_a_mapping_never_panic_or_half_import() {
    let (_dir, db) = temp_db();
    let db = std::cell::RefCell::new(db);
    let strategy = (
        prop::array::uniform4(any_text()),
        prop::array::uniform8(any_text()),
    );
    let mut runner = TestRunner::new(ProptestConfig::with_cases(64));
    let result = runner.run(&strategy, |(head, cells)| {
        let db = &mut *db.borrow_mut();
        let mapping = ColumnMapping {
            columns: [
                ("customer_name", &head[0]),
                ("invoice_number", &head[1]),
                ("issue_date", &head[2]),
                ("amount", &head[3]),
            ]
            .into_iter()
            .map(|(field, column)| (field.parse().unwrap(), column.clone()))
            .collect(),
            date_order: DateOrder::Dmy,
            decimal: DecimalStyle::Comma,
            currency: None,
            // Any cell text reaches a customer's custom fields too.
            custom: [("Raw amount".to_string(), head[3].clone())].into(),
        };
        let row = |c: &[String]| c.iter().map(|t| quoted(t)).collect::<Vec<_>>().join(";");
        let text = format!(
            "{}\n{}\n{}\n",
            row(&head),
            row(&cells[..4]),
            row(&cells[4..])
        );
        let before = snapshot(db);
        let result = import::import_bytes_with(
            db,
            "fuzz.csv",
            text.as_bytes(),
            &options(),
            ColumnSource::Mapping(&mapping),
            &mut |_| {},
        );
        match result {
            Err(error) => {
                prop_assert!(!matches!(error, ImportError::Db(_)), "{error}");
                prop_assert_eq!(snapshot(db), before);
            }
            Ok(report) => {
                let written =
                    report.invoices_created + report.invoices_updated + report.invoices_unchanged;
                prop_assert_eq!(
                    written + report.rows_rejected + report.rows_skipped,
                    report.rows_read
                );
                for issue in &report.rejections {
                    prop_assert!(issue.line.is_some(), "{issue}");
                }
            }
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

#[test]
fn a_profile_for_the_exact_header_wins_over_the_generic_names() {
    let (dir, mut db) = temp_db();
    let text = "customer,invoice,date,amount,ref\nAcme,1,2026-03-01,10.00,A-77\n";
    let path = write(dir.path(), "erp.csv", text);
    assert!(invoice_exists(&mut db, &path, "1"));
    let mapping = ColumnMapping::from_pairs(
        "customer_name=customer,invoice_number=ref,issue_date=date,amount=amount",
    )
    .unwrap();
    let head = header("customer;invoice;date;amount;ref");
    profiles::save(db.conn(), "ERP", &mapping, &head).unwrap();
    assert!(invoice_exists(&mut db, &path, "A-77"));
}

/// Whether a dry run of the file would create (or finds) the invoice `number`.
fn invoice_exists(db: &mut Database, path: &Path, number: &str) -> bool {
    let options = duebook_core::import::ImportOptions {
        dry_run: true,
        ..options()
    };
    let report = try_import(db, path, &options).unwrap();
    report.changes.iter().any(|c| c.number == number)
}
