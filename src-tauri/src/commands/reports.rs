//! The Reports tab: collection KPIs as of a day, the KPIs and aging at each month end up to it,
//! and any of its tables saved as CSV.
//! The figures come from `duebook_core::views::report`; each reply carries every currency's
//! decimals so the window shows minor units without guessing.

use crate::commands::export::{export_csv, ExportResult};
use crate::commands::{blocking, parse_date};
use crate::dialogs::file_stem;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use duebook_core::model::validation::FieldError;
use duebook_core::model::Currency;
use duebook_core::views::export::{neutralise, ExportError};
use duebook_core::views::report::kpis::{self, Kpis};
use duebook_core::views::report::shown::ShownTable;
use duebook_core::views::report::trends::{self, Trends};
use serde::Serialize;
use std::collections::BTreeMap;
use tauri::{AppHandle, Manager, Window};
use ts_rs::TS;

/// The longest look-back the N days setting accepts (ten years).
pub const MAX_DAYS: u32 = 3_650;
/// The most month ends a trend may span (five years).
pub const MAX_MONTHS: u32 = 60;

/// A report and the decimals of each of its currencies (2 for EUR, 0 for JPY).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct KpiReport {
    pub kpis: Kpis,
    pub decimals: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TrendsReport {
    pub trends: Trends,
    pub decimals: BTreeMap<String, u32>,
}

pub(crate) fn decimals<'a>(codes: impl Iterator<Item = &'a String>) -> BTreeMap<String, u32> {
    codes
        .map(|code| {
            let places = Currency::parse(code).map_or(2, |c| c.decimals());
            (code.clone(), places)
        })
        .collect()
}

pub(crate) fn checked_days(days: u32) -> CommandResult<u32> {
    if (1..=MAX_DAYS).contains(&days) {
        return Ok(days);
    }
    Err(FieldError::new("days", format!("N is 1 to {MAX_DAYS} days, not {days}")).into())
}

/// The KPIs of every currency as of `as_of` (YYYY-MM-DD) over the last `days` days.
#[tauri::command]
pub async fn report_kpis(app: AppHandle, as_of: String, days: u32) -> CommandResult<KpiReport> {
    let as_of = parse_date("as_of", "The report date", &as_of)?;
    let days = checked_days(days)?;
    blocking(move || {
        app.state::<AppState>().with_db(|db| {
            let kpis = kpis::kpis(db.conn(), as_of, days)?;
            let decimals = decimals(kpis.currencies.keys());
            Ok(KpiReport { kpis, decimals })
        })
    })
    .await
}

/// The KPIs and aging at each of the last `months` month ends up to `as_of` (the last point):
/// the tab's aging chart is that last point, read from the report ledger like the KPIs, so it
/// is the receivable of that day even for a day in the past.
#[tauri::command]
pub async fn report_trends(
    app: AppHandle,
    as_of: String,
    months: u32,
    days: u32,
) -> CommandResult<TrendsReport> {
    let as_of = parse_date("as_of", "The report date", &as_of)?;
    let days = checked_days(days)?;
    if !(1..=MAX_MONTHS).contains(&months) {
        return Err(CommandError::InvalidInput(format!(
            "a trend spans 1 to {MAX_MONTHS} months, not {months}"
        )));
    }
    blocking(move || {
        app.state::<AppState>().with_db(|db| {
            let trends = trends::trends(db.conn(), as_of, months, days)?;
            let decimals = decimals(trends.currencies.keys());
            Ok(TrendsReport { trends, decimals })
        })
    })
    .await
}

/// "Export CSV…" under the tiles or a chart's table, the table as the window shows it (raw
/// values, not the locale's formatting): `None` when the person cancelled.
#[tauri::command]
pub async fn export_report_table(
    app: AppHandle,
    window: Window,
    table: ShownTable,
) -> CommandResult<Option<ExportResult>> {
    app.state::<AppState>().db_path()?;
    let table = table.check().map_err(|why| {
        CommandError::InvalidInput(format!(
            "the table {:?} cannot be exported: {why}",
            table.name
        ))
    })?;
    let file_name = format!("{}.csv", file_stem(&table.name));
    export_csv(
        app,
        &window,
        "Export this report table",
        &file_name,
        move |_, out| write_table(&table, out),
    )
    .await
}

/// The table as CSV; numbers stay as they are (a credit is "-12.50"), any other cell that a
/// spreadsheet could take for a formula is neutralised. Returns the number of rows.
fn write_table(table: &ShownTable, out: &mut dyn std::io::Write) -> Result<usize, ExportError> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(table.columns.iter().map(|c| neutralise(c)))?;
    for row in &table.rows {
        csv.write_record(row.iter().map(|cell| cell_text(cell)))?;
    }
    csv.flush().map_err(csv::Error::from)?;
    Ok(table.rows.len())
}

fn cell_text(cell: &str) -> String {
    if is_plain_number(cell) {
        cell.to_string()
    } else {
        neutralise(cell)
    }
}

/// "1234", "-12.50": a number as the window's tables hold them (digits, at most one point).
fn is_plain_number(cell: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = cell.strip_prefix('-').unwrap_or(cell);
    match unsigned.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(unsigned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: Vec<Vec<&str>>) -> ShownTable {
        ShownTable {
            name: "Aging 2026-03-31".into(),
            columns: vec!["Currency".into(), "Bucket".into(), "Amount".into()],
            rows: rows
                .into_iter()
                .map(|r| r.into_iter().map(String::from).collect())
                .collect(),
        }
    }

    #[test]
    fn numbers_stay_numbers_and_formulas_are_neutralised() {
        let mut out = Vec::new();
        let rows = vec![
            vec!["USD", "current", "1234.50"],
            vec!["USD", "90+", "-12.05"],
            vec!["=HYPERLINK(\"x\")", "-1-2", "7"],
            vec!["-", "1.2.3", "-.5"],
        ];
        assert_eq!(write_table(&table(rows), &mut out).unwrap(), 4);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Currency,Bucket,Amount\nUSD,current,1234.50\nUSD,90+,-12.05\n\
             \"'=HYPERLINK(\"\"x\"\")\",'-1-2,7\n'-,1.2.3,'-.5\n"
        );
    }

    #[test]
    fn the_n_days_setting_is_bounded() {
        assert_eq!(checked_days(90).unwrap(), 90);
        assert!(checked_days(0).is_err());
        assert!(checked_days(MAX_DAYS + 1).is_err());
    }
}
