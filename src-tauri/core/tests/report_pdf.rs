//! The whole report as a PDF (the Reports tab's "Save as PDF"), read back with poppler: the
//! letterhead, each table under its title with its figures, long tables over several pages,
//! hostile cells cleaned, and a table that does not hold together refused before anything is
//! drawn.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::statement::{report_pdf, StatementError};
use duebook_core::test_support::statement::*;
use duebook_core::views::report::kpis::{kpis, DEFAULT_DAYS};
use duebook_core::views::report::shown::{ShownTable, ShownTableError};

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(ToString::to_string).collect()
}

#[test]
fn the_report_shows_each_table_under_its_title_with_its_figures() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let company = branded(&db);
    let report = kpis(db.conn(), today(), DEFAULT_DAYS).unwrap();
    let usd = &report.currencies["USD"];
    let dso = format!("{:.2}", usd.dso_countback.unwrap());
    let kpi_rows = vec![
        strings(&["DSO (countback)", &dso]),
        strings(&["CEI", &format!("{:.2}", usd.cei.unwrap_or(0.0))]),
    ];
    let weeks: Vec<Vec<String>> = (1..=120)
        .map(|n| vec![format!("Week {n}"), format!("{n}000.00")])
        .collect();
    let tables = [
        ShownTable {
            name: "KPIs USD".into(),
            columns: strings(&["Figure", "Value"]),
            rows: kpi_rows,
        },
        ShownTable {
            name: "Cash forecast \u{1b}[31mUSD".into(),
            columns: strings(&["Week", "Expected"]),
            rows: weeks,
        },
    ];
    let pdf = report_pdf(db.conn(), today(), &tables).unwrap();
    assert!(pdf.pages >= 3, "120 weeks fit on {} pages", pdf.pages);
    let text = pdf_text(&pdf.bytes, dir.path(), "report");
    assert!(text.contains("Collections report"), "{text}");
    assert!(text.contains(&company.name), "no letterhead in {text}");
    assert!(text.contains("KPIs USD") && text.contains(&dso), "{text}");
    assert!(text.contains("Week 120") && text.contains("120000.00"));
    // The escape sequence is gone; the words around it stay.
    assert!(text.contains("Cash forecast [31mUSD") && !text.contains('\u{1b}'));
    // The header row repeats on every page the forecast continues onto.
    assert!(text.matches("Expected").count() >= pdf.pages - 1, "{text}");
}

#[test]
fn a_table_that_does_not_hold_together_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let ragged = ShownTable {
        name: "Aging".into(),
        columns: strings(&["Customer", "Total"]),
        rows: vec![strings(&["Acme", "1.00"]), strings(&["Only a name"])],
    };
    let err = report_pdf(db.conn(), today(), &[ragged]).unwrap_err();
    match &err {
        StatementError::Table { name, reason } => {
            assert_eq!(name, "Aging");
            assert_eq!(
                *reason,
                ShownTableError::Ragged {
                    row: 2,
                    cells: 1,
                    columns: 2
                }
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().contains("row 2 has 1 cells for 2 columns"),
        "{err}"
    );
}
