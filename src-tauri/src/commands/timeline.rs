//! One customer's history, newest first, optionally only some kinds of entries.

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use duebook_core::views::timeline::{self, TimelineEntry, TimelineKind};
use tauri::State;

pub const MAX_ENTRIES: u32 = 1_000;

/// The newest `limit` entries of the kinds asked for (all kinds when `kinds` is empty).
#[tauri::command]
pub async fn customer_timeline(
    state: State<'_, AppState>,
    customer_id: i64,
    kinds: Vec<TimelineKind>,
    limit: u32,
) -> CommandResult<Vec<TimelineEntry>> {
    if limit == 0 || limit > MAX_ENTRIES {
        return Err(CommandError::InvalidInput(format!(
            "the timeline shows 1 to {MAX_ENTRIES} entries, not {limit}"
        )));
    }
    state.with_db(|db| {
        Ok(timeline::for_customer(
            db.conn(),
            customer_id,
            &kinds,
            limit,
        )?)
    })
}
