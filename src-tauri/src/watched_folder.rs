//! The watched folder while the app is open: a thread looks at the open file's watched folder
//! (if it has one) every few seconds and imports each file once it has stopped changing, on its
//! own connection, so the window never waits for it. The window hears what became of each file
//! ([`WATCHED_EVENT`]); the import itself shows through the usual `db-changed` refresh.

use crate::state::AppState;
use crate::test_hooks::{self, Pause};
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::import::watched::{self, Settle, WatchedFolder};
use duebook_core::store::Database;
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

/// The file being watched: its own connection (kept while the window shows that file) and the
/// settling of the folder's files.
struct Watching {
    db: Database,
    chosen: WatchedFolder,
    settle: Settle,
}

fn watch(app: &AppHandle) {
    let look = test_hooks::pause(Pause::WatchedFolder).unwrap_or(LOOK);
    let mut watching: Option<Watching> = None;
    loop {
        std::thread::sleep(look);
        // Read on the window's connection: a file with no watched folder costs one small query.
        let state = app.state::<AppState>();
        let chosen =
            state.with_db(|db| Ok((db.path().to_path_buf(), watched::watched(db.conn())?)));
        let Ok((path, Some(chosen))) = chosen else {
            watching = None;
            continue;
        };
        // A new file or a new folder starts the settling afresh.
        if !matches!(&watching, Some(w) if w.db.path() == path && w.chosen == chosen) {
            let Ok(db) = Database::open(&path) else {
                continue;
            };
            watching = Some(Watching {
                db,
                chosen,
                settle: Settle::new(look),
            });
        }
        if let Some(w) = watching.as_mut() {
            sweep(app, w);
        }
    }
}

fn sweep(app: &AppHandle, w: &mut Watching) {
    let today = SystemClock.today();
    match watched::sweep(&mut w.db, &w.chosen, &mut w.settle, today, Instant::now()) {
        Ok(outcomes) if !outcomes.is_empty() => {
            let _ = app.emit(WATCHED_EVENT, &outcomes);
        }
        Ok(_) => {}
        // Logged without the folder's files' contents; tried again on the next look.
        Err(e) => tracing::warn!("the watched folder was not read: {e}"),
    }
}
