//! A customer's reply read from the mailbox holds their reminders back: the customer screen
//! says so and offers to resume them, and the Campaigns view sets how long a reply holds them.

use crate::commands::campaigns::campaign_error;
use crate::error::CommandResult;
use crate::state::AppState;
use duebook_core::campaign::plan::{self, Reply};
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::store::customers;
use tauri::State;

/// The reply that holds the customer's reminders today, if one does.
#[tauri::command]
pub async fn reply_hold(
    state: State<'_, AppState>,
    customer_id: i64,
) -> CommandResult<Option<Reply>> {
    let today = SystemClock.today();
    state.with_db(|db| plan::reply_hold(db.conn(), customer_id, today).map_err(campaign_error))
}

/// The user read the reply: reminders go on from the next run.
#[tauri::command]
pub async fn resume_reminders(state: State<'_, AppState>, customer_id: i64) -> CommandResult<()> {
    state.write(|conn| customers::resume_reminders(conn, customer_id))
}

/// Days a reply holds reminders back (0: until resumed).
#[tauri::command]
pub async fn reply_pause_days(state: State<'_, AppState>) -> CommandResult<i64> {
    state.with_db(|db| plan::reply_pause_days(db.conn()).map_err(campaign_error))
}

#[tauri::command]
pub async fn set_reply_pause_days(state: State<'_, AppState>, days: i64) -> CommandResult<i64> {
    state.with_db(|db| {
        plan::set_reply_pause_days(db.conn(), days).map_err(campaign_error)?;
        plan::reply_pause_days(db.conn()).map_err(campaign_error)
    })
}
