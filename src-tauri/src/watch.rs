//! Changes made by another process — the `duebook` CLI importing, a scheduled `run-due` — show up
//! without a restart: a thread polls SQLite's `data_version` of the open file (it moves only when
//! another connection commits) and tells the window with a `db-changed` event. The window then
//! reloads the list and the open customer. The app's own writes do not move it; the window
//! refreshes after those itself.

use crate::state::AppState;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager};

pub const DB_CHANGED_EVENT: &str = "db-changed";
const POLL: Duration = Duration::from_millis(1_200);

pub fn spawn(app: AppHandle) {
    let spawned = std::thread::Builder::new()
        .name("db-watch".into())
        .spawn(move || watch(&app));
    if let Err(e) = spawned {
        tracing::warn!("changes by other programs will not show until a restart: {e}");
        eprintln!("duebook-app: changes by other programs will not show until a restart: {e}");
    }
}

fn watch(app: &AppHandle) {
    let mut last: Option<(u64, i64)> = None;
    loop {
        std::thread::sleep(POLL);
        let state = app.state::<AppState>();
        let generation = state.generation();
        let Ok(version) = state.with_db(|db| Ok(db.data_version()?)) else {
            last = None;
            continue;
        };
        if matches!(last, Some((g, v)) if g == generation && v != version) {
            // Nobody listening (the window is closing) is fine.
            let _ = app.emit(DB_CHANGED_EVENT, ());
        }
        last = Some((generation, version));
    }
}
