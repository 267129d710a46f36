//! Custom fields in a column mapping: a file's columns kept on its customers under names the
//! user chose, updated by the next import, left alone by a blank cell, travelling in profiles.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::import::mapping::{profile_file, profiles, ColumnMapping, MappingError};
use duebook_core::import::{self, ColumnSource, ImportError, ImportReport};
use duebook_core::model::{Customer, CustomerEdit};
use duebook_core::store::{customers, Database};
use duebook_core::test_support::import::*;
use duebook_core::test_support::temp_db;
use std::collections::BTreeMap;
use std::path::Path;

const PAIRS: &str = "customer_name=Client,invoice_number=Doc,issue_date=Date,amount=Total,\
                     custom.Region=Sales Region,custom.PO number=PO";

fn mapping() -> ColumnMapping {
    ColumnMapping::from_pairs(PAIRS).unwrap()
}

fn import_mapped(db: &mut Database, path: &Path) -> Result<ImportReport, ImportError> {
    let mapping = mapping();
    import::import_file_with(
        db,
        path,
        &options(),
        ColumnSource::Mapping(&mapping),
        &mut |_| {},
    )
}

fn customer(db: &Database, name: &str) -> Customer {
    let id = customers::find_id_by_name(db.conn(), name)
        .unwrap()
        .expect(name);
    customers::get(db.conn(), id).unwrap()
}

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

#[test]
fn mapped_columns_become_the_customers_custom_fields_and_follow_the_next_file() {
    let (dir, mut db) = temp_db();
    let first = "Client,Doc,Date,Total,Sales Region,PO\n\
                 Acme,1,2026-03-01,10.00,North,PO-7\n\
                 Acme,2,2026-03-02,20.00,North,\n\
                 Brill,3,2026-03-03,30.00,,\n";
    let report = import_mapped(&mut db, &write(dir.path(), "week1.csv", first)).unwrap();
    assert_eq!(report.invoices_created, 3, "{:?}", report.rejections);
    assert_eq!(
        customer(&db, "Acme").custom_fields,
        fields(&[("PO number", "PO-7"), ("Region", "North")])
    );
    assert!(customer(&db, "Brill").custom_fields.is_empty());

    // Typed on the customer screen, then a file with a blank cell: the typed value stays.
    let brill = customer(&db, "Brill").id;
    let typed = CustomerEdit::CustomField {
        key: "Region".into(),
        value: Some("East".into()),
    };
    customers::edit(db.conn(), brill, &typed).unwrap();
    let second = "Client,Doc,Date,Total,Sales Region,PO\n\
                  Acme,1,2026-03-01,10.00,South,PO-7\n\
                  Brill,3,2026-03-03,30.00,,PO-9\n";
    let report = import_mapped(&mut db, &write(dir.path(), "week2.csv", second)).unwrap();
    assert_eq!(report.invoices_unchanged, 2);
    assert_eq!(
        customer(&db, "Acme").custom_fields,
        fields(&[("PO number", "PO-7"), ("Region", "South")])
    );
    assert_eq!(
        customer(&db, "Brill").custom_fields,
        fields(&[("PO number", "PO-9"), ("Region", "East")])
    );
}

#[test]
fn a_value_too_long_is_a_warning_and_the_rest_is_kept() {
    let (dir, mut db) = temp_db();
    let long = "x".repeat(1_001);
    let text = format!(
        "Client,Doc,Date,Total,Sales Region,PO\nAcme,1,2026-03-01,10.00,\"West\u{7}\",{long}\n"
    );
    let report = import_mapped(&mut db, &write(dir.path(), "long.csv", &text)).unwrap();
    assert_eq!(report.invoices_created, 1);
    assert_eq!(
        lines(&report.warnings)[0],
        "line 2: PO number: 1001 characters, at most 1000 fit; not kept"
    );
    // Control characters are cleaned like every other imported text.
    assert_eq!(
        customer(&db, "Acme").custom_fields,
        fields(&[("Region", "West")])
    );
}

#[test]
fn a_bad_custom_field_is_refused_before_anything_is_written() {
    let (dir, mut db) = temp_db();
    let path = write(
        dir.path(),
        "f.csv",
        "Client,Doc,Date,Total,Sales Region,PO\nAcme,1,2026-03-01,10.00,North,PO-7\n",
    );
    let base = "customer_name=Client,invoice_number=Doc,issue_date=Date,amount=Total";
    type Expected = fn(&MappingError) -> bool;
    let cases: [(String, Expected); 3] = [
        (
            format!("{base},custom.Region=Zone"),
            |e| matches!(e, MappingError::UnknownColumns { missing, .. } if missing[0].contains("custom.Region")),
        ),
        (format!("{base},custom. =PO"), |e| {
            matches!(e, MappingError::BadCustomName(_))
        }),
        (format!("{base},custom.A=PO,custom.a=PO"), |e| {
            matches!(e, MappingError::CustomTwice(_))
        }),
    ];
    for (pairs, expected) in cases {
        let mapping = ColumnMapping::from_pairs(&pairs).unwrap();
        let before = snapshot(&db);
        let result = import::import_file_with(
            &mut db,
            &path,
            &options(),
            ColumnSource::Mapping(&mapping),
            &mut |_| {},
        );
        match result {
            Err(ImportError::Mapping { source, .. }) => assert!(expected(&source), "{source}"),
            other => panic!("{pairs}: {other:?}"),
        }
        assert_eq!(snapshot(&db), before);
    }
}

#[test]
fn custom_fields_travel_in_profiles_and_their_files() {
    let (dir, mut db) = temp_db();
    let head: Vec<String> = ["Client", "Doc", "Date", "Total", "Sales Region", "PO"]
        .map(String::from)
        .to_vec();
    profiles::save(db.conn(), "ERP weekly", &mapping(), &head).unwrap();
    let exported = dir.path().join("erp.json");
    profile_file::export(db.conn(), "ERP weekly", &exported).unwrap();
    profiles::delete(db.conn(), "ERP weekly").unwrap();
    let restored = profile_file::import(db.conn(), &exported).unwrap();
    assert_eq!(restored.mapping, mapping());

    let text = "Client,Doc,Date,Total,Sales Region,PO\nAcme,1,2026-03-01,10.00,North,PO-7\n";
    let report = try_import(&mut db, &write(dir.path(), "f.csv", text), &options()).unwrap();
    assert_eq!(report.profile.as_deref(), Some("ERP weekly"));
    assert_eq!(customer(&db, "Acme").custom_fields["Region"], "North");
}
