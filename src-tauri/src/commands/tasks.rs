//! Follow-up tasks (call, email, other) with a due date; completing one records its outcome.

use crate::commands::parse_date;
use crate::error::CommandResult;
use crate::state::AppState;
use duebook_core::model::TaskKind;
use duebook_core::store::tasks::{self, NewTask};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

/// A task as the form sends it; `due_date` is `YYYY-MM-DD` (checked here: a blank or invalid date
/// is refused on the `due_date` field).
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct TaskForm {
    pub customer_id: i64,
    pub kind: TaskKind,
    pub title: String,
    pub due_date: String,
}

/// Saves a new task and returns its id.
#[tauri::command]
pub async fn add_task(state: State<'_, AppState>, task: TaskForm) -> CommandResult<i64> {
    let due_date = parse_date("due_date", "The due date", &task.due_date)?;
    state.write(|conn| {
        tasks::add(
            conn,
            &NewTask {
                customer_id: task.customer_id,
                kind: task.kind,
                title: &task.title,
                due_date,
            },
        )
    })
}

/// Marks the task done with what came of it ("Left a voicemail", "Promised to pay Friday").
#[tauri::command]
pub async fn complete_task(
    state: State<'_, AppState>,
    task_id: i64,
    outcome: String,
) -> CommandResult<()> {
    state.write(|conn| tasks::complete(conn, task_id, &outcome))
}
