//! The Reports tab on paper: the letterhead, then each of the tab's tables (KPIs, trends,
//! aging, forecast...) as the window showed them, under its title.

use super::*;
use crate::views::report::shown::ShownTable;
use chrono::NaiveDate;

/// Draws `tables` (already checked: see [`ShownTable::check`]). Fails only when the stored
/// logo cannot be read.
pub(crate) fn report(
    company: &CompanyProfile,
    as_of: NaiveDate,
    tables: &[ShownTable],
) -> Result<Canvas, String> {
    let accent = accent(company);
    let date = format_date(as_of);
    let mut footer = String::new();
    if !company.name.is_empty() {
        footer.push_str(&company.name);
        footer.push_str("  ·  ");
    }
    footer.push_str(&format!("Collections report as of {date}"));
    let mut canvas = Canvas::new(footer);
    letterhead(
        &mut canvas,
        company,
        "Collections report",
        &[("As of", date.clone())],
    )?;
    canvas.set_continuation(format!("Collections report (continued)  ·  {date}"), SMALL);
    if tables.is_empty() {
        canvas.paragraph(MARGIN_X, CONTENT_W, "There is nothing to report.", BODY);
    }
    for table in tables {
        heading(&mut canvas, &table.name, accent, 40.0);
        let mut drawn = Table::new(columns(table), accent);
        drawn.header(&mut canvas, table.rows.len().min(3));
        for row in &table.rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            drawn.row(&mut canvas, &cells, RowKind::Normal);
        }
        canvas.gap(14.0);
    }
    Ok(canvas)
}

/// The first column (names, dates) gets twice the others' share of the width; a column whose
/// cells all read as numbers is right-aligned, as amounts are on a statement.
fn columns(table: &ShownTable) -> Vec<Column> {
    let count = table.columns.len().max(1) as f32;
    let unit = CONTENT_W / (count + 1.0);
    (table.columns.iter().enumerate())
        .map(|(n, title)| {
            let numeric = table.rows.iter().all(|row| {
                row.get(n).is_some_and(|cell| {
                    cell.is_empty() || cell.replace(',', "").parse::<f64>().is_ok()
                })
            });
            Column {
                title: title.clone(),
                width: if n == 0 { 2.0 * unit } else { unit },
                align: if numeric && n > 0 {
                    Align::Right
                } else {
                    Align::Left
                },
            }
        })
        .collect()
}
