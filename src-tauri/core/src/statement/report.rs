//! The collections report as a PDF: the Reports tab's "Save as PDF", drawn with the statement's
//! canvas and letterhead.

use super::data::load_company;
use super::{doc, text, RenderedPdf, StatementError};
use crate::views::report::shown::ShownTable;
use chrono::NaiveDate;
use rusqlite::Connection;

/// The report of `tables` as of `as_of`, under the company's letterhead. Tables come from the
/// window: each is checked (bounded, one clean line per cell) first, and a bad one refused.
pub fn report_pdf(
    conn: &Connection,
    as_of: NaiveDate,
    tables: &[ShownTable],
) -> Result<RenderedPdf, StatementError> {
    let tables = (tables.iter())
        .map(|table| {
            table.check().map_err(|reason| StatementError::Table {
                name: crate::model::text::clean_line(&table.name),
                reason,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    text::ensure_fonts()?;
    let company = load_company(conn)?;
    let canvas = doc::report(&company, as_of, &tables).map_err(StatementError::Company)?;
    let pages = canvas.page_count();
    let title = format!("Collections report — {as_of}");
    let bytes = canvas.finish(&title).map_err(StatementError::Pdf)?;
    Ok(RenderedPdf { bytes, pages })
}
