//! The Today view: the collector's call list, logging a call's outcome, and its CSV export.

use crate::commands::export::{export_csv, ExportResult};
use crate::commands::parse_date;
use crate::error::CommandResult;
use crate::state::AppState;
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::views::call_list::{self, CallOutcome, CallRow, LoggedOutcome, OutcomeInput};
use serde::Deserialize;
use tauri::{AppHandle, Manager, State, Window};
use ts_rs::TS;

/// A call's outcome as the form sends it: dates as `YYYY-MM-DD`, blanks as null.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CallOutcomeForm {
    pub task_id: i64,
    pub outcome: CallOutcome,
    pub comment: Option<String>,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub promised_date: Option<String>,
    pub invoice_id: Option<i64>,
    pub reason: Option<String>,
    pub follow_up: Option<String>,
}

fn optional_date(
    field: &str,
    label: &str,
    text: Option<&str>,
) -> CommandResult<Option<chrono::NaiveDate>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => Ok(Some(parse_date(field, label, text)?)),
        None => Ok(None),
    }
}

#[tauri::command]
pub async fn call_list(state: State<'_, AppState>) -> CommandResult<Vec<CallRow>> {
    let today = SystemClock.today();
    state.with_db(|db| Ok(call_list::today(db.conn(), today)?))
}

/// The next call's date the form prefills for `outcome` (None: no follow-up).
#[tauri::command]
pub async fn suggest_follow_up(
    outcome: CallOutcome,
    promised_date: Option<String>,
) -> CommandResult<Option<String>> {
    let promised = optional_date(
        "promised_date",
        "The promised date",
        promised_date.as_deref(),
    )?;
    let today = SystemClock.today();
    Ok(call_list::suggest_follow_up(outcome, today, promised).map(|d| d.to_string()))
}

/// Records the outcome in one transaction: all of it or, when a value is refused, nothing.
#[tauri::command]
pub async fn log_call_outcome(
    state: State<'_, AppState>,
    form: CallOutcomeForm,
) -> CommandResult<LoggedOutcome> {
    let input = OutcomeInput {
        task_id: form.task_id,
        outcome: form.outcome,
        comment: form.comment,
        amount: form.amount,
        currency: form.currency,
        promised_date: optional_date(
            "promised_date",
            "The promised date",
            form.promised_date.as_deref(),
        )?,
        invoice_id: form.invoice_id,
        reason: form.reason,
        follow_up: optional_date("follow_up", "The next call", form.follow_up.as_deref())?,
    };
    let today = SystemClock.today();
    state.write(|conn| call_list::log_outcome(conn, &input, today))
}

/// "Export CSV" on the Today view. `None` when the person cancelled the dialog.
#[tauri::command]
pub async fn export_call_list(
    app: AppHandle,
    window: Window,
) -> CommandResult<Option<ExportResult>> {
    app.state::<AppState>().db_path()?;
    let today = SystemClock.today();
    export_csv(
        app,
        &window,
        "Export today's call list",
        &format!("calls-{today}.csv"),
        move |conn, out| call_list::today_csv(conn, today, out),
    )
    .await
}
