//! Marks the UI reports for the startup benchmark.

use crate::error::CommandResult;
use crate::state::AppState;
use tauri::State;

/// The UI calls this once the customer list is on screen. The first call prints
/// `list-painted <ms since process start>` to stderr (read by `scripts/bench-startup.sh`), then
/// `webview-list-painted <ms>`: the webview's own `performance.now()` at that moment (`ui_ms`),
/// i.e. the part spent after the page started loading.
#[tauri::command]
pub async fn mark_list_painted(state: State<'_, AppState>, ui_ms: f64) -> CommandResult<()> {
    if state.first_list_paint() {
        eprintln!("list-painted {}", state.since_start().as_millis());
        eprintln!("webview-list-painted {ui_ms:.0}");
    }
    Ok(())
}
