//! The watched folder while the app is open: a thread looks at the open file's watched folder
//! (if it has one) every few seconds and imports each file once it has stopped changing, on its
//! own connection, so the window never waits for it. The window hears what became of each file
//! ([`WATCHED_EVENT`]); the import itself shows through the usual `db-changed` refresh.

use crate::state::AppState;
use crate::test_hooks::{self, Pause};
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::import::watched::{self, Settle, WatchedFolder};
use duebook_core::store::Database;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager};

/// The window hears each pass that took files under this name (payload: the outcomes).
pub const WATCHED_EVENT: &str = "watched-import";
/// How often the folder is looked at, and how long a file must stay unchanged before it is read.
const LOOK: Duration = Duration::from_secs(5);

pub fn spawn(app: AppHandle) {
    let spawned = std::thread::Builder::new()
        .name("watched-folder".into())
        .spawn(move || watch(&app));
    if let Err(e) = spawned {
        tracing::warn!("the watched folder will not be read while the app is open: {e}");
    }
}

fn watch(app: &AppHandle) {
    let look = test_hooks::pause(Pause::WatchedFolder).unwrap_or(LOOK);
    // A new file or a new folder starts the settling afresh.
    let mut watching: Option<(PathBuf, WatchedFolder, Settle)> = None;
    loop {
        std::thread::sleep(look);
        let Ok(path) = app.state::<AppState>().db_path() else {
            watching = None;
            continue;
        };
        let Ok(mut db) = Database::open(&path) else {
            continue;
        };
        let Ok(Some(chosen)) = watched::watched(db.conn()) else {
            watching = None;
            continue;
        };
        if !matches!(&watching, Some((p, w, _)) if *p == path && *w == chosen) {
            watching = Some((path.clone(), chosen.clone(), Settle::new(look)));
        }
        let Some((_, _, settle)) = watching.as_mut() else {
            continue;
        };
        let today = SystemClock.today();
        match watched::sweep(&mut db, &chosen, settle, today, Instant::now()) {
            Ok(outcomes) if !outcomes.is_empty() => {
                let _ = app.emit(WATCHED_EVENT, &outcomes);
            }
            Ok(_) => {}
            // Logged without the folder's files' contents; tried again on the next look.
            Err(e) => tracing::warn!("the watched folder was not read: {e}"),
        }
    }
}
