//! Settings → Watched folder: turn it on (a folder picked in the native dialog), say whether
//! each file lists every open invoice, turn it off, and see what it took. The importing itself
//! is [`crate::watched_folder`]'s.

use super::blocking;
use crate::dialogs;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::test_hooks::Dialog;
use duebook_core::import::watched::{self, WatchedFile, WatchedFolder};
use duebook_core::store::Database;
use serde::Serialize;
use std::path::{Path, PathBuf};
use tauri::{State, Window};
use ts_rs::TS;

/// How many of the files it took the window lists.
const HISTORY: usize = 50;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct WatchedFolderView {
    /// None: watching is off.
    pub watched: Option<WatchedFolder>,
    /// What it took, newest first.
    pub history: Vec<WatchedFile>,
}

#[tauri::command]
pub async fn watched_folder(state: State<'_, AppState>) -> CommandResult<WatchedFolderView> {
    let path = state.db_path()?;
    blocking(move || view(&Database::open(&path)?)).await
}

/// Asks for the folder and watches it; None when the person cancelled.
#[tauri::command]
pub async fn choose_watched_folder(
    window: Window,
    state: State<'_, AppState>,
    full: bool,
) -> CommandResult<Option<WatchedFolderView>> {
    let path = state.db_path()?;
    let title = "Watch a folder for exports to import";
    let Some(folder) = dialogs::folder_path(&window, Dialog::WatchedFolder, title).await else {
        return Ok(None);
    };
    let chosen = WatchedFolder {
        folder: folder.to_string_lossy().into_owned(),
        full,
    };
    set(path, Some(chosen)).await.map(Some)
}

/// Whether each file lists every open invoice (closing the ones it omits).
#[tauri::command]
pub async fn set_watched_full(
    state: State<'_, AppState>,
    full: bool,
) -> CommandResult<WatchedFolderView> {
    let path = state.db_path()?;
    blocking(move || {
        let db = Database::open(&path)?;
        let Some(current) = watched::watched(db.conn())? else {
            return Err(CommandError::NotFound("no folder is watched".into()));
        };
        watched::set_watched(db.conn(), Some(&WatchedFolder { full, ..current }))?;
        view(&db)
    })
    .await
}

#[tauri::command]
pub async fn stop_watching(state: State<'_, AppState>) -> CommandResult<WatchedFolderView> {
    set(state.db_path()?, None).await
}

async fn set(path: PathBuf, chosen: Option<WatchedFolder>) -> CommandResult<WatchedFolderView> {
    blocking(move || {
        let db = Database::open(&path)?;
        watched::set_watched(db.conn(), chosen.as_ref())?;
        view(&db)
    })
    .await
}

fn view(db: &Database) -> CommandResult<WatchedFolderView> {
    let chosen = watched::watched(db.conn())?;
    let history = match &chosen {
        Some(w) => watched::history(Path::new(&w.folder), HISTORY)?,
        None => Vec::new(),
    };
    Ok(WatchedFolderView {
        watched: chosen,
        history,
    })
}
