//! The Reports tab on paper: the letterhead, then each of the tab's tables (KPIs, trends,
//! aging, forecast...) as the window showed them, under its title.

use super::super::text;
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

/// Each column gets a share of the width in proportion to what it holds — its heading or its
/// widest cell among the first rows, whichever is wider — so headings do not run into each
/// other; a column whose cells all read as numbers is right-aligned, as amounts are on a
/// statement.
fn columns(table: &ShownTable) -> Vec<Column> {
    /// Enough rows to judge a column by; measuring every row of a long table would be slow.
    const MEASURED_ROWS: usize = 200;
    let cells = |n: usize| table.rows.iter().filter_map(move |row| row.get(n));
    let natural: Vec<f32> = (0..table.columns.len())
        .map(|n| {
            let heading = text::width(&table.columns[n], Weight::Bold, 8.0);
            let widest = (cells(n).take(MEASURED_ROWS))
                .map(|cell| text::width(cell, Weight::Regular, 8.5))
                .fold(0.0, f32::max);
            heading.max(widest) + 12.0
        })
        .collect();
    let scale = CONTENT_W / natural.iter().sum::<f32>().max(1.0);
    (table.columns.iter().zip(natural).enumerate())
        .map(|(n, (title, width))| {
            let numeric = cells(n)
                .all(|cell| cell.is_empty() || cell.replace(',', "").parse::<f64>().is_ok());
            Column {
                title: title.clone(),
                width: width * scale,
                align: if numeric && n > 0 {
                    Align::Right
                } else {
                    Align::Left
                },
            }
        })
        .collect()
}
