//! Statements of account from the window: one customer's (preview, Save as…, Email it) and every
//! customer's with a balance (plan, save all to a folder, send all), the bulk runs on a blocking
//! thread with their own connection, reporting `statements-progress` and stopping on Cancel.

use super::parse_date;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::test_hooks::{self, Dialog, Pause};
use duebook_core::mail::compose::ComposeError;
use duebook_core::mail::outbox::OutboxError;
use duebook_core::mail::statements::{self as statement_mail, StatementMailError, StatementMailer};
use duebook_core::model::validation::FieldError;
use duebook_core::statement::{
    self, BulkOptions, BulkProgress, Selection, StatementData, StatementError, StatementOptions,
};
use duebook_core::store::{backup, Database};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tauri::{AppHandle, Emitter, Manager, State, Window};
use ts_rs::TS;

/// The event the bulk progress bar listens to; its payload is [`StatementsProgressEvent`].
pub const PROGRESS_EVENT: &str = "statements-progress";

/// Which statement: the customer (for one) and the dates, as the date inputs send them.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct StatementRequest {
    /// None for the bulk commands.
    pub customer_id: Option<i64>,
    /// `YYYY-MM-DD`.
    pub as_of: String,
    /// `YYYY-MM-DD`, the first day the statement lists activity for.
    pub period_start: String,
    /// Echoed in the progress events of a bulk run, so the window ignores a stale run's events.
    pub ticket: u32,
}

impl StatementRequest {
    fn options(&self) -> Result<StatementOptions, FieldError> {
        let as_of = parse_date("as_of", "The statement date", &self.as_of)?;
        let period_start = parse_date("period_start", "The period start", &self.period_start)?;
        if period_start > as_of {
            return Err(FieldError::new(
                "period_start",
                "the period cannot start after the statement date",
            ));
        }
        Ok(StatementOptions {
            as_of,
            period_start: Some(period_start),
        })
    }

    fn customer(&self) -> CommandResult<i64> {
        self.customer_id
            .ok_or_else(|| CommandError::InvalidInput("no customer was given".into()))
    }
}

/// What the statement dialog shows before saving or sending.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StatementPreview {
    pub data: StatementData,
    /// Of the real PDF, as Save as… would write it.
    pub pages: u32,
    pub size_bytes: u32,
    pub file_name: String,
    /// Where Email it would send it; None: the customer has no usable email address.
    pub email: Option<String>,
    /// Digits after the point of each currency shown (amounts are in minor units).
    #[ts(type = "Record<string, number>")]
    pub decimals: BTreeMap<String, u32>,
}

/// A file written.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SavedStatement {
    pub path: String,
    pub size_bytes: u32,
}

/// A statement email in the outbox.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct QueuedStatementEmail {
    pub message_id: i64,
    pub to: Vec<String>,
}

/// One customer in the bulk preview list.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PlannedCustomer {
    pub customer_id: i64,
    pub customer_name: String,
    pub email: Option<String>,
}

/// Customers and counts a statement run covers.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StatementPlan {
    pub customers: Vec<PlannedCustomer>,
    pub with_email: u32,
    /// By name: these cannot be sent theirs.
    pub without_email: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StatementsProgressEvent {
    pub ticket: u32,
    pub done: u32,
    pub total: u32,
    pub customer_name: String,
}

/// A customer whose statement could not be made or queued.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StatementFailure {
    pub customer_name: String,
    pub error: String,
}

/// What a bulk run did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BulkResult {
    /// The folder written to (save), or None (send).
    pub folder: Option<String>,
    /// Files written or messages queued.
    pub done: u32,
    /// Statements the run was to make.
    pub planned: u32,
    /// Sent already by an earlier run, not queued again (send only).
    pub already_queued: u32,
    pub failed: Vec<StatementFailure>,
    /// Customers without an email address, by name.
    pub without_email: Vec<String>,
    pub cancelled: bool,
}

/// One bulk run at a time, and its Cancel button.
#[derive(Default)]
pub struct BulkJobs {
    running: tauri::async_runtime::Mutex<()>,
    cancel: Arc<AtomicBool>,
}

pub(crate) fn statement_error(error: StatementError) -> CommandError {
    match error {
        StatementError::Db(e) => e.into(),
        StatementError::Period { .. } => FieldError::new("period_start", error.to_string()).into(),
        e @ StatementError::Io { .. } => CommandError::Io(e.to_string()),
        // A stored logo or payment pattern that no longer works: fixed in the settings.
        e @ StatementError::Company(_) => CommandError::InvalidInput(e.to_string()),
        // A table the window sent for the report PDF that cannot be printed as it is.
        e @ StatementError::Table { .. } => CommandError::InvalidInput(e.to_string()),
        e => CommandError::Internal(e.to_string()),
    }
}

fn mail_error(error: StatementMailError) -> CommandError {
    match error {
        StatementMailError::Statement(e) => statement_error(e),
        StatementMailError::Outbox(OutboxError::Db(e))
        | StatementMailError::Compose(ComposeError::Db(e)) => e.into(),
        // No account, no email address, do-not-contact, already queued, a template problem:
        // all things the person can act on, so the message says which.
        other => CommandError::InvalidInput(other.to_string()),
    }
}

/// The statement as data and as the real PDF's page count and size.
#[tauri::command]
pub async fn statement_preview(
    state: State<'_, AppState>,
    request: StatementRequest,
) -> CommandResult<StatementPreview> {
    let options = request.options()?;
    let customer_id = request.customer()?;
    state.with_db(|db| {
        let data =
            statement::statement_data(db.conn(), customer_id, &options).map_err(statement_error)?;
        let pdf = statement::statement_document(&data).map_err(statement_error)?;
        let email =
            duebook_core::company::recipient(db.conn(), customer_id)?.map(|(_, email)| email);
        let decimals = data
            .currencies()
            .map(|c| (c.code().to_string(), c.decimals()))
            .collect();
        Ok(StatementPreview {
            decimals,
            file_name: statement::statement_file_name(
                customer_id,
                &data.customer_name,
                options.as_of,
            ),
            pages: pdf.pages as u32,
            size_bytes: pdf.bytes.len() as u32,
            email,
            data,
        })
    })
}

/// Save as…: the PDF to a file the person picks. None when they cancelled.
#[tauri::command]
pub async fn save_statement(
    state: State<'_, AppState>,
    window: Window,
    request: StatementRequest,
) -> CommandResult<Option<SavedStatement>> {
    let options = request.options()?;
    let customer_id = request.customer()?;
    let (file_name, pdf) = state.with_db(|db| {
        let data =
            statement::statement_data(db.conn(), customer_id, &options).map_err(statement_error)?;
        let pdf = statement::statement_pdf(&data).map_err(statement_error)?;
        let name = statement::statement_file_name(customer_id, &data.customer_name, options.as_of);
        Ok((name, pdf))
    })?;
    let dialog = crate::dialogs::SaveDialog {
        title: "Save the statement",
        file_name: &file_name,
        filter_name: "PDF document",
        extensions: &["pdf"],
    };
    let Some(path) = crate::dialogs::save_path(&window, dialog).await else {
        return Ok(None);
    };
    statement::write_file(&path, &pdf).map_err(statement_error)?;
    Ok(Some(SavedStatement {
        path: path.to_string_lossy().into_owned(),
        size_bytes: pdf.len() as u32,
    }))
}

/// Email it: the statement-cover email with the PDF attached, queued and handed to delivery.
#[tauri::command]
pub async fn email_statement(
    app: AppHandle,
    request: StatementRequest,
) -> CommandResult<QueuedStatementEmail> {
    let options = request.options()?;
    let customer_id = request.customer()?;
    let queued = app.state::<AppState>().with_db(|db| {
        let conn = db.conn();
        let mailer = StatementMailer::new(conn).map_err(mail_error)?;
        let message_id = mailer
            .enqueue(conn, customer_id, &options)
            .map_err(mail_error)?;
        let to = duebook_core::mail::outbox::get(conn, message_id)
            .map_err(|e| mail_error(e.into()))?
            .to_addrs;
        Ok(QueuedStatementEmail { message_id, to })
    })?;
    crate::delivery::kick(&app);
    Ok(queued)
}

/// "Statements for all customers with a balance": who gets one and who has no email address.
#[tauri::command]
pub async fn plan_statements(
    state: State<'_, AppState>,
    request: StatementRequest,
) -> CommandResult<StatementPlan> {
    let options = bulk_options(&request)?;
    state.with_db(|db| {
        let planned = statement::plan(db.conn(), &options).map_err(statement_error)?;
        Ok(StatementPlan {
            with_email: planned.iter().filter(|p| p.email.is_some()).count() as u32,
            without_email: planned
                .iter()
                .filter(|p| p.email.is_none())
                .map(|p| p.customer_name.clone())
                .collect(),
            customers: planned
                .into_iter()
                .map(|p| PlannedCustomer {
                    customer_id: p.customer_id,
                    customer_name: p.customer_name,
                    email: p.email,
                })
                .collect(),
        })
    })
}

fn bulk_options(request: &StatementRequest) -> Result<BulkOptions, FieldError> {
    Ok(BulkOptions {
        statement: request.options()?,
        selection: Selection::WithBalance,
        threads: None,
    })
}

/// Save all: every statement into a folder the person picks. None when they cancelled.
#[tauri::command]
pub async fn save_all_statements(
    app: AppHandle,
    window: Window,
    request: StatementRequest,
) -> CommandResult<Option<BulkResult>> {
    let options = bulk_options(&request)?;
    let title = "Save the statements into a folder";
    let Some(folder) = crate::dialogs::folder_path(&window, Dialog::StatementsFolder, title).await
    else {
        return Ok(None);
    };
    let db_path = app.state::<AppState>().db_path()?;
    let result = run_bulk(&app, window, request.ticket, move |progress, cancel| {
        let summary = statement::write_all(&db_path, &folder, &options, progress, cancel)
            .map_err(statement_error)?;
        Ok(BulkResult {
            folder: Some(folder.to_string_lossy().into_owned()),
            done: summary.written.len() as u32,
            planned: summary.planned as u32,
            already_queued: 0,
            failed: failures(summary.failed),
            without_email: names(summary.without_email),
            cancelled: summary.cancelled,
        })
    })
    .await?;
    Ok(Some(result))
}

/// Send all: one statement email per customer with an email address, queued in the outbox
/// (a statement queued by an earlier run is not queued again) and handed to delivery.
#[tauri::command]
pub async fn send_all_statements(
    app: AppHandle,
    window: Window,
    request: StatementRequest,
) -> CommandResult<BulkResult> {
    let options = bulk_options(&request)?;
    let db_path = app.state::<AppState>().db_path()?;
    let result = run_bulk(&app, window, request.ticket, move |progress, cancel| {
        let db = Database::open(&db_path)?;
        backup::before(&db, backup::Reason::BeforeSend)?;
        let summary = statement_mail::enqueue_all(db.conn(), &options, progress, cancel)
            .map_err(mail_error)?;
        Ok(BulkResult {
            folder: None,
            done: summary.queued.len() as u32,
            planned: summary.to_send as u32,
            already_queued: summary.already_queued.len() as u32,
            failed: failures(summary.failed),
            without_email: names(summary.without_email),
            cancelled: summary.cancelled,
        })
    })
    .await?;
    if result.done > 0 {
        crate::delivery::kick(&app);
    }
    Ok(result)
}

/// Stops the bulk run in progress after the statements in hand.
#[tauri::command]
pub async fn cancel_statements(jobs: State<'_, BulkJobs>) -> CommandResult<()> {
    jobs.cancel.store(true, Ordering::SeqCst);
    Ok(())
}

/// Runs `work` on a blocking thread, one run at a time, with progress events to `window`.
async fn run_bulk<F>(
    app: &AppHandle,
    window: Window,
    ticket: u32,
    work: F,
) -> CommandResult<BulkResult>
where
    F: FnOnce(&(dyn Fn(BulkProgress) + Sync), &AtomicBool) -> CommandResult<BulkResult>
        + Send
        + 'static,
{
    let jobs = app.state::<BulkJobs>();
    let _one_at_a_time = jobs.running.try_lock().map_err(|_| {
        CommandError::InvalidInput("statements are being made already; wait for that run".into())
    })?;
    jobs.cancel.store(false, Ordering::SeqCst);
    let cancel = Arc::clone(&jobs.cancel);
    let delay = test_hooks::pause(Pause::BulkStatement);
    tauri::async_runtime::spawn_blocking(move || {
        let label = window.label().to_string();
        let emit = move |p: BulkProgress| {
            let event = StatementsProgressEvent {
                ticket,
                done: p.done as u32,
                total: p.total as u32,
                customer_name: p.customer_name,
            };
            // A window that is gone has nobody to show progress to.
            let _ = window.emit_to(label.as_str(), PROGRESS_EVENT, event);
            if let Some(pause) = delay {
                std::thread::sleep(pause);
            }
        };
        work(&emit, &cancel)
    })
    .await?
}

fn failures(list: Vec<statement::FailedStatement>) -> Vec<StatementFailure> {
    list.into_iter()
        .map(|f| StatementFailure {
            customer_name: f.customer_name,
            error: f.error,
        })
        .collect()
}

fn names(list: Vec<statement::PlannedStatement>) -> Vec<String> {
    list.into_iter().map(|p| p.customer_name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(as_of: &str, period_start: &str) -> StatementRequest {
        StatementRequest {
            customer_id: Some(1),
            as_of: as_of.into(),
            period_start: period_start.into(),
            ticket: 0,
        }
    }

    #[test]
    fn dates_are_checked_at_their_fields() {
        let ok = request("2026-11-24", "2026-10-01").options().unwrap();
        assert_eq!(ok.period_start().to_string(), "2026-10-01");
        assert_eq!(
            request("2026-13-01", "2026-10-01")
                .options()
                .unwrap_err()
                .field,
            "as_of"
        );
        assert_eq!(
            request("2026-11-24", "").options().unwrap_err().field,
            "period_start"
        );
        let late = request("2026-11-24", "2026-11-25").options().unwrap_err();
        assert_eq!(late.field, "period_start");
        assert!(late.message.contains("after the statement date"));
    }
}
