//! Queries on the `imports` table: one row per import that was committed (dry runs write none).

use super::report::ImportReport;
use crate::store::{now_timestamp, DbResult};
use rusqlite::{params, Connection, OptionalExtension};

/// Records a finished import; returns its id.
pub fn record(conn: &Connection, report: &ImportReport) -> DbResult<i64> {
    conn.prepare_cached(
        "INSERT INTO imports (file_name, format, full_sync, created, updated, unchanged, closed,
                              rejected, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        report.file_name,
        report.format.as_str(),
        report.full,
        count(report.invoices_created),
        count(report.invoices_updated),
        count(report.invoices_unchanged),
        count(report.invoices_closed),
        count(report.rows_rejected),
        now_timestamp(),
    ])?;
    Ok(conn.last_insert_rowid())
}

/// What a finished payments import did, as the `imports` table counts it: its payments as
/// created, the rows already imported as unchanged.
pub struct PaymentsRun<'a> {
    pub file_name: &'a str,
    pub recorded: u64,
    pub already_imported: u64,
    pub rejected: u64,
}

/// Records a finished payments import (format `payments`); returns its id.
pub fn record_payments(conn: &Connection, run: &PaymentsRun) -> DbResult<i64> {
    conn.prepare_cached(
        "INSERT INTO imports (file_name, format, full_sync, created, updated, unchanged, closed,
                              rejected, imported_at)
         VALUES (?1, 'payments', 0, ?2, 0, ?3, 0, ?4, ?5)",
    )?
    .execute(params![
        run.file_name,
        count(run.recorded),
        count(run.already_imported),
        count(run.rejected),
        now_timestamp(),
    ])?;
    Ok(conn.last_insert_rowid())
}

/// When the last import was committed (RFC 3339), if ever: campaigns warn when it is older
/// than their next step, since payments since then are unknown.
pub fn last_imported_at(conn: &Connection) -> DbResult<Option<String>> {
    Ok(conn
        .query_row("SELECT max(imported_at) FROM imports", [], |r| r.get(0))
        .optional()?
        .flatten())
}

/// Counts are far below i64::MAX; SQLite integers are signed.
fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
