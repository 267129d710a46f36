//! The Reports tab's report views (`duebook_core::views::report`): the aging report by customer
//! with its top ten overdue and the drill-down to a customer's invoices, the cash forecast,
//! cash collected per month, promises kept and campaign conversion — and the whole tab saved
//! as one PDF. Thin: each reads one view and adds every currency's decimals.

use crate::commands::reports::{checked_days, decimals};
use crate::commands::statements::statement_error;
use crate::commands::{blocking, parse_date};
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use chrono::{Days, NaiveDate};
use duebook_core::statement;
use duebook_core::views::report::collected::{self, Collected};
use duebook_core::views::report::conversion::{self, Conversion};
use duebook_core::views::report::customer_aging::{self, AgingInvoice, CustomerAging};
use duebook_core::views::report::forecast::{self, Forecast};
use duebook_core::views::report::promises::{self, PromisesKept};
use duebook_core::views::report::shown::ShownTable;
use duebook_core::views::report::top_overdue::TopOverdue;
use serde::Serialize;
use std::collections::BTreeMap;
use tauri::{AppHandle, Manager, State, Window};
use ts_rs::TS;

/// The aging report by customer and, from the same read, the ten customers owing the most
/// overdue money per currency.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CustomerAgingReport {
    pub aging: CustomerAging,
    pub top: TopOverdue,
    pub decimals: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ForecastReport {
    pub forecast: Forecast,
    pub decimals: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CollectedReport {
    pub collected: Collected,
    pub decimals: BTreeMap<String, u32>,
}

/// Promises kept and campaign conversion over the same period (the tab's last N days).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FollowUpReport {
    pub promises: PromisesKept,
    pub conversion: Conversion,
    pub decimals: BTreeMap<String, u32>,
}

/// Where the saved PDF went.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SavedReport {
    pub path: String,
    pub pages: u32,
    pub size_bytes: u32,
}

fn as_of(text: &str) -> Result<NaiveDate, CommandError> {
    Ok(parse_date("as_of", "The report date", text)?)
}

/// Reads one view off the async runtime's workers.
async fn read<T: Send + 'static>(
    app: AppHandle,
    view: impl FnOnce(&rusqlite::Connection) -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    blocking(move || app.state::<AppState>().with_db(|db| view(db.conn()))).await
}

/// Every customer's aging on `as_of`, and the top ten overdue per currency.
#[tauri::command]
pub async fn report_customer_aging(
    app: AppHandle,
    as_of: String,
) -> CommandResult<CustomerAgingReport> {
    let day = self::as_of(&as_of)?;
    read(app, move |conn| {
        let aging = customer_aging::customer_aging(conn, day)?;
        let top = TopOverdue::from_aging(&aging);
        let decimals = decimals(aging.rows.iter().map(|r| &r.currency));
        Ok(CustomerAgingReport {
            aging,
            top,
            decimals,
        })
    })
    .await
}

/// The drill-down: one customer's invoices with something open on `as_of`.
#[tauri::command]
pub async fn report_aging_invoices(
    app: AppHandle,
    customer_id: i64,
    as_of: String,
) -> CommandResult<Vec<AgingInvoice>> {
    let day = self::as_of(&as_of)?;
    read(app, move |conn| {
        Ok(customer_aging::invoices_as_of(conn, customer_id, day)?)
    })
    .await
}

/// When the open invoices are likely to be paid, by week, and each customer's shift.
#[tauri::command]
pub async fn report_forecast(app: AppHandle, as_of: String) -> CommandResult<ForecastReport> {
    let day = self::as_of(&as_of)?;
    read(app, move |conn| {
        let forecast = forecast::forecast(conn, day)?;
        let decimals = decimals(forecast.currencies.keys());
        Ok(ForecastReport { forecast, decimals })
    })
    .await
}

/// Cash collected in each of the twelve months up to `as_of`.
#[tauri::command]
pub async fn report_collected(app: AppHandle, as_of: String) -> CommandResult<CollectedReport> {
    let day = self::as_of(&as_of)?;
    read(app, move |conn| {
        let collected = collected::collected(conn, day)?;
        let decimals = decimals(collected.currencies.keys());
        Ok(CollectedReport {
            collected,
            decimals,
        })
    })
    .await
}

/// Promises due and campaign reminders sent in the last `days` days up to `as_of`.
#[tauri::command]
pub async fn report_follow_up(
    app: AppHandle,
    as_of: String,
    days: u32,
) -> CommandResult<FollowUpReport> {
    let to = self::as_of(&as_of)?;
    let days = checked_days(days)?;
    let from = to
        .checked_sub_days(Days::new(u64::from(days) - 1))
        .unwrap_or(NaiveDate::MIN);
    read(app, move |conn| {
        let promises = promises::promises_kept(conn, from, to)?;
        let conversion = conversion::conversion(conn, from, to)?;
        let decimals = decimals(promises.currencies.keys());
        Ok(FollowUpReport {
            promises,
            conversion,
            decimals,
        })
    })
    .await
}

/// "Save as PDF…": every table the tab shows, in one PDF saved where the person picks. `None`
/// when they cancelled.
#[tauri::command]
pub async fn save_report_pdf(
    state: State<'_, AppState>,
    window: Window,
    as_of: String,
    tables: Vec<ShownTable>,
) -> CommandResult<Option<SavedReport>> {
    let day = self::as_of(&as_of)?;
    let pdf = state
        .with_db(|db| statement::report_pdf(db.conn(), day, &tables).map_err(statement_error))?;
    let file_name = format!("report-{day}.pdf");
    let dialog = crate::dialogs::SaveDialog {
        title: "Save the report",
        file_name: &file_name,
        filter_name: "PDF document",
        extensions: &["pdf"],
    };
    let Some(path) = crate::dialogs::save_path(&window, dialog).await else {
        return Ok(None);
    };
    statement::write_file(&path, &pdf.bytes).map_err(statement_error)?;
    Ok(Some(SavedReport {
        path: path.to_string_lossy().into_owned(),
        pages: pdf.pages as u32,
        size_bytes: pdf.bytes.len() as u32,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use duebook_core::statement::StatementError;
    use duebook_core::views::report::shown::ShownTableError;

    #[test]
    fn a_table_the_pdf_cannot_take_is_invalid_input() {
        let error = StatementError::Table {
            name: "Aging by customer USD".into(),
            reason: ShownTableError::NoColumns,
        };
        match statement_error(error) {
            CommandError::InvalidInput(message) => {
                assert!(message.contains("Aging by customer USD"));
            }
            other => panic!("expected invalid input, got {other:?}"),
        }
    }
}
