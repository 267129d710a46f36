//! CSV exports of the customer list (as filtered) and of one customer's invoices.
//!
//! Text that came from customers or imports is neutralised so a spreadsheet never runs it as a
//! formula: a cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`.
//! Numbers and dates are ours and are written as they are.

use crate::model::CustomerListQuery;
use crate::store::invoices;
use crate::store::DbError;
use crate::views::customer_list;
use chrono::NaiveDate;
use rusqlite::Connection;
use std::io::Write;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not write the CSV file: {0}")]
    Write(#[from] csv::Error),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Writing or saving the file failed (see [`crate::private_fs::write_atomically`]).
impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> Self {
        ExportError::Write(e.into())
    }
}

/// Every customer the list query matches (all pages), one row per customer and currency.
/// Returns how many customers were written.
pub fn customers_csv(
    conn: &Connection,
    query: &CustomerListQuery,
    out: impl Write,
) -> Result<usize, ExportError> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record([
        "Customer",
        "Segment",
        "Currency",
        "Open",
        "Overdue",
        "Oldest days overdue",
        "Last contact",
        "Next follow-up",
        "On hold",
        "Credit limit",
        "Account owner",
    ])?;
    let ids = customer_list::all_ids(conn, query)?;
    // Chunks keep each balance query's id list short.
    for chunk in ids.chunks(500) {
        for row in customer_list::rows_for(conn, chunk, query.as_of)? {
            let name = neutralise(&row.name);
            let segment = neutralise(row.segment.as_deref().unwrap_or(""));
            let days = row
                .oldest_days_overdue
                .map(|d| d.to_string())
                .unwrap_or_default();
            let last = row.last_contact_at.unwrap_or_default();
            let next = row
                .next_follow_up
                .map(|d| d.to_string())
                .unwrap_or_default();
            let hold = neutralise(row.on_hold.as_deref().unwrap_or(""));
            let limit = row
                .credit_limit
                .as_ref()
                .map(|m| format!("{} {}", m.decimal_string(), m.currency.code()))
                .unwrap_or_default();
            let owner = neutralise(row.owner.as_deref().unwrap_or(""));
            let extra = [hold.as_str(), limit.as_str(), owner.as_str()];
            if row.balances.is_empty() {
                let cells = [name.as_str(), &segment, "", "0", "0", &days, &last, &next];
                csv.write_record(cells.iter().chain(&extra))?;
            }
            for balance in &row.balances {
                let cells = [
                    name.as_str(),
                    &segment,
                    balance.open.currency.code(),
                    &balance.open_decimal,
                    &balance.overdue_decimal,
                    &days,
                    &last,
                    &next,
                ];
                csv.write_record(cells.iter().chain(&extra))?;
            }
        }
    }
    csv.flush().map_err(csv::Error::from)?;
    Ok(ids.len())
}

/// One customer's invoices as the customer screen lists them.
pub fn invoices_csv(
    conn: &Connection,
    customer_id: i64,
    as_of: NaiveDate,
    out: impl Write,
) -> Result<usize, ExportError> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record([
        "Number",
        "Kind",
        "Issue date",
        "Due date",
        "Currency",
        "Total",
        "Paid",
        "Open",
        "Days overdue",
        "Status",
    ])?;
    let rows = invoices::for_customer(conn, customer_id, as_of)?;
    for row in &rows {
        let invoice = &row.invoice;
        let overdue = if row.open.minor != 0 && row.days_overdue > 0 {
            row.days_overdue.to_string()
        } else {
            String::new()
        };
        csv.write_record([
            neutralise(&invoice.number).as_str(),
            invoice.kind.as_str(),
            &invoice.issue_date.to_string(),
            &invoice.due_date.to_string(),
            invoice.total.currency.code(),
            &row.total_decimal,
            &row.paid_decimal,
            &row.open_decimal,
            &overdue,
            invoice.status.as_str(),
        ])?;
    }
    csv.flush().map_err(csv::Error::from)?;
    Ok(rows.len())
}

/// Prefixes formula-like text with `'` so spreadsheets show it instead of running it.
pub fn neutralise(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_like_text_is_neutralised() {
        assert_eq!(
            neutralise("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(neutralise("+1 555"), "'+1 555");
        assert_eq!(neutralise("-2+3"), "'-2+3");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("Acme = Best"), "Acme = Best");
        assert_eq!(neutralise(""), "");
    }
}
