//! The Today list as a spreadsheet: cells that start like a formula are neutralised.

use super::today;
use crate::views::export::{neutralise, ExportError};
use chrono::NaiveDate;
use rusqlite::Connection;
use std::io::Write;

/// The Today list as CSV, in its order. Returns how many rows were written.
pub fn today_csv(
    conn: &Connection,
    as_of: NaiveDate,
    out: impl Write,
) -> Result<usize, ExportError> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record([
        "Customer",
        "Contact",
        "Phone",
        "Open",
        "Days overdue",
        "Broken promise",
        "Open promise",
        "Last note",
        "Last email",
        "Task",
        "Due",
    ])?;
    let rows = today(conn, as_of)?;
    for row in &rows {
        let open = row
            .balances
            .iter()
            .map(|b| format!("{} {}", b.open_decimal, b.currency))
            .collect::<Vec<_>>()
            .join("; ");
        let promise = row
            .open_promise
            .as_ref()
            .map(|p| {
                format!(
                    "{} {} by {}",
                    p.amount_decimal, p.amount.currency, p.promised_date
                )
            })
            .unwrap_or_default();
        let email = row
            .last_email
            .as_ref()
            .map(|e| format!("{} ({}, {})", e.subject, e.state, e.at))
            .unwrap_or_default();
        csv.write_record([
            neutralise(&row.customer_name).as_str(),
            &neutralise(row.contact_name.as_deref().unwrap_or("")),
            &neutralise(row.phone.as_deref().unwrap_or("")),
            &open,
            &row.days_overdue.to_string(),
            if row.broken_promise { "yes" } else { "" },
            &promise,
            &neutralise(row.last_note.as_deref().unwrap_or("")),
            &neutralise(&email),
            &neutralise(&row.task_title),
            &row.due_date.to_string(),
        ])?;
    }
    csv.flush().map_err(csv::Error::from)?;
    Ok(rows.len())
}
