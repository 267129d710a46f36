//! `duebook import --map ...`, `--profile` and `duebook profiles ...` as a user runs them.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::test_support::import::{count, fixture, write};
use support::{duebook, stderr, stdout};

const MAP: &str = "customer_name=Kunde,invoice_number=Rechnungs-Nr.,issue_date=Rechnungsdatum,\
                   due_date=Fällig am,amount=Betrag,amount_due=Offen,email=E-Mail";

fn invoices(db: &std::path::Path) -> i64 {
    count(
        &duebook_core::store::Database::open(db).unwrap(),
        "SELECT count(*) FROM invoices",
    )
}

#[test]
fn a_mapped_import_saves_a_profile_the_next_file_is_recognised_by() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let file = fixture("german_offene_posten.csv");
    let file = file.to_str().unwrap();
    let mapped = [
        "import",
        file,
        "--map",
        MAP,
        "--date-order",
        "dmy",
        "--decimal",
        "comma",
        "--currency",
        "EUR",
        "--save-profile",
        "DATEV",
    ];
    let output = duebook(&db, &mapped);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    assert!(out.contains("read with the column mapping given"), "{out}");
    assert!(out.contains("invoices: 3 created"), "{out}");
    assert!(
        out.contains("line 5: issue date \"31.02.2026\" is not a date"),
        "{out}"
    );
    assert!(out.contains("Saved the import profile DATEV"), "{out}");
    assert_eq!(invoices(&db), 3);

    // The same header again: the profile reads it without --map.
    let output = duebook(&db, &["import", file]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    assert!(out.contains("read with the import profile DATEV"), "{out}");
    assert!(out.contains("3 unchanged"), "{out}");

    let list = stdout(&duebook(&db, &["profiles", "list"]));
    assert!(list.starts_with("DATEV\tlast used 20"), "{list}");
    let show = stdout(&duebook(&db, &["profiles", "show", "datev"]));
    assert!(
        show.contains("  amount = Betrag\n") && show.contains("date order: dmy, decimals: comma"),
        "{show}"
    );

    let json = dir.path().join("datev.json");
    let json = json.to_str().unwrap();
    for args in [
        &["profiles", "rename", "DATEV", "Weekly"][..],
        &["profiles", "export", "Weekly", json],
        &["profiles", "delete", "Weekly"],
    ] {
        let output = duebook(&db, args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let output = duebook(&db, &["import", file]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("not one Duebook knows"),
        "{}",
        stderr(&output)
    );
    let output = duebook(&db, &["profiles", "import", json]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = duebook(&db, &["import", "--profile", "weekly", "--dry-run", file]);
    assert!(
        stdout(&output).contains("read with the import profile Weekly"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_custom_field_column_is_kept_on_the_customer_and_shown_in_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let text = "Client,Doc,Date,Total,Sales Region\nAcme,1,2026-03-01,10.00,North\n";
    let file = write(dir.path(), "erp.csv", text);
    let map = "customer_name=Client,invoice_number=Doc,issue_date=Date,amount=Total,\
               custom.Region=Sales Region";
    let args = ["import", file.to_str().unwrap(), "--map", map];
    let output = duebook(&db, &[&args[..], &["--save-profile", "ERP"]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let fields = text_of(
        &db,
        "SELECT custom_fields FROM customers WHERE name = 'Acme'",
    );
    assert_eq!(fields, r#"{"Region":"North"}"#);
    let shown = stdout(&duebook(&db, &["profiles", "show", "ERP"]));
    assert!(shown.contains("  custom.Region = Sales Region"), "{shown}");

    let bad_map = format!("{map},custom.=Total");
    let bad = duebook(&db, &["import", args[1], "--map", &bad_map]);
    assert_ne!(bad.status.code(), Some(0), "{}", stdout(&bad));
    assert!(
        stderr(&bad).contains("custom field name"),
        "{}",
        stderr(&bad)
    );
}

fn text_of(db: &std::path::Path, sql: &str) -> String {
    let db = duebook_core::store::Database::open(db).unwrap();
    db.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn bad_mappings_and_profiles_are_refused_with_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let file = fixture("german_offene_posten.csv");
    let file = file.to_str().unwrap();
    let unknown_column = MAP.replace("Betrag", "Summe");
    let cases = [
        (
            vec!["import", file, "--map", "client=Kunde"],
            "unknown field \"client\"",
        ),
        (
            vec!["import", file, "--map", "customer_name=Kunde,amount=Betrag"],
            "required field(s) not mapped: invoice_number, issue_date",
        ),
        (
            vec!["import", file, "--map", &unknown_column],
            "the header has no column \"Summe\" (for amount)",
        ),
        (
            vec!["import", file, "--map", MAP, "--date-order", "dym"],
            "unknown date order",
        ),
        (
            vec!["import", file, "--profile", "nope"],
            "no import profile named \"nope\"",
        ),
        (
            vec!["profiles", "show", "nope"],
            "no import profile named \"nope\"",
        ),
    ];
    for (args, expected) in cases {
        let output = duebook(&db, &args);
        assert_ne!(output.status.code(), Some(0), "{args:?}");
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let garbage = write(dir.path(), "bad.json", "{\"duebook_import_profile\": 1}");
    let output = duebook(&db, &["profiles", "import", garbage.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("is not a Duebook import profile"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&duebook(&db, &["profiles", "list"])).starts_with("No import profiles"));
    assert_eq!(invoices(&db), 0);
}
