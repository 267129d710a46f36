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

/// Amounts never wrap: a column whose cells all read as numbers gets at least the width of its
/// widest cell (right-aligned, as on a statement), and its heading's width where the page has
/// room; text columns get what they hold, at least [`TEXT_MIN`] when space is short, wrapping
/// where they must. A heading that still does not fit is shortened with "…" rather than run
/// into the next.
fn columns(table: &ShownTable) -> Vec<Column> {
    let measured = measure(table);
    let widths = share(&measured);
    (table.columns.iter().zip(measured).zip(widths))
        .map(|((title, m), width)| Column {
            title: text::truncate(title, Weight::Bold, HEADING, width - PAD),
            width,
            align: if m.numeric { Align::Right } else { Align::Left },
        })
        .collect()
}

const PAD: f32 = 12.0;
const HEADING: f32 = 8.0;
/// The narrowest a text column gets while the table has more to fit.
const TEXT_MIN: f32 = 110.0;

struct Measured {
    numeric: bool,
    /// The widest cell, padded.
    cells: f32,
    /// The widest of the cells and the heading, padded.
    full: f32,
}

fn measure(table: &ShownTable) -> Vec<Measured> {
    /// Enough rows to judge a column by; measuring every row of a long table would be slow.
    const MEASURED_ROWS: usize = 200;
    let cells = |n: usize| table.rows.iter().filter_map(move |row| row.get(n));
    (0..table.columns.len())
        .map(|n| {
            let numeric = n > 0
                && cells(n).all(|c| c.is_empty() || c.replace(',', "").parse::<f64>().is_ok());
            let widest = (cells(n).take(MEASURED_ROWS))
                .map(|cell| text::width(cell, Weight::Regular, 8.5))
                .fold(0.0, f32::max);
            let heading = text::width(&table.columns[n], Weight::Bold, HEADING);
            Measured {
                numeric,
                cells: widest + PAD,
                full: heading.max(widest) + PAD,
            }
        })
        .collect()
}

/// The columns' widths, adding up to the page's content width.
fn share(measured: &[Measured]) -> Vec<f32> {
    let text_min = |m: &Measured| m.full.min(TEXT_MIN);
    let texts_min: f32 = measured.iter().filter(|m| !m.numeric).map(text_min).sum();
    let numbers: f32 = measured.iter().filter(|m| m.numeric).map(|m| m.cells).sum();
    let headings: f32 = (measured.iter().filter(|m| m.numeric))
        .map(|m| m.full - m.cells)
        .sum();
    let spare = CONTENT_W - texts_min - numbers;
    if spare <= 0.0 {
        // Not even the amounts fit: everything shrinks alike.
        let all = texts_min + numbers;
        let scale = CONTENT_W / all.max(1.0);
        return (measured.iter())
            .map(|m| scale * if m.numeric { m.cells } else { text_min(m) })
            .collect();
    }
    // Numeric headings get what room there is; the text columns the rest.
    let heading_share = if headings > 0.0 {
        (spare / headings).min(1.0)
    } else {
        0.0
    };
    let left = spare - headings * heading_share;
    let texts_extra: f32 = (measured.iter().filter(|m| !m.numeric))
        .map(|m| m.full - text_min(m))
        .sum();
    (measured.iter())
        .map(|m| {
            if m.numeric {
                m.cells + (m.full - m.cells) * heading_share
            } else if texts_extra > 0.0 {
                text_min(m) + left * (m.full - text_min(m)) / texts_extra
            } else {
                text_min(m) + left / measured.iter().filter(|m| !m.numeric).count() as f32
            }
        })
        .collect()
}
