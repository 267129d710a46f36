//! The welcome's checklist: tried the demo, imported invoices, connected a mailbox. Each is read
//! from the files themselves (the demo file exists, the open file has invoices, it has an email
//! account), so it is remembered without a setting of its own and stays true to what was done
//! with the CLI too.

use crate::error::CommandResult;
use crate::state::AppState;
use duebook_core::store::DbError;
use duebook_core::{mail::account, paths};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct FirstRunChecklist {
    pub demo_tried: bool,
    pub invoices_imported: bool,
    pub mailbox_connected: bool,
}

#[tauri::command]
pub async fn first_run_checklist(state: State<'_, AppState>) -> CommandResult<FirstRunChecklist> {
    let demo_tried = paths::demo_db_path(&state.user_db).exists();
    state.with_db(|db| {
        let conn = db.conn();
        let invoices_imported = conn
            .query_row("SELECT EXISTS (SELECT 1 FROM invoices)", [], |r| r.get(0))
            .map_err(DbError::from)?;
        Ok(FirstRunChecklist {
            demo_tried,
            invoices_imported,
            // Stored but unreadable is still set up: Settings says what to fix.
            mailbox_connected: !matches!(account::load(conn), Ok(None)),
        })
    })
}
