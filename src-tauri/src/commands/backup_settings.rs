//! Settings → Backups: where the backups of the open file go (a synced folder works) and how
//! many the automatic ones keep. Each command opens its own connection off the window's lock:
//! moving the backups into a folder on another disk copies them, which may take a while.

use super::blocking;
use crate::dialogs;
use crate::error::CommandResult;
use crate::state::AppState;
use crate::test_hooks::Dialog;
use duebook_core::store::backup::{self, BackupSettings, Retention};
use duebook_core::store::Database;
use serde::Serialize;
use std::path::PathBuf;
use tauri::{State, Window};
use ts_rs::TS;

/// A new backup folder, and how many backups moved into it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BackupFolderChanged {
    pub settings: BackupSettings,
    pub moved: u32,
}

#[tauri::command]
pub async fn backup_settings(state: State<'_, AppState>) -> CommandResult<BackupSettings> {
    let path = state.db_path()?;
    blocking(move || Ok(backup::settings_of(&Database::open(&path)?)?)).await
}

/// Asks for a folder; None when the person cancelled.
#[tauri::command]
pub async fn choose_backup_folder(
    window: Window,
    state: State<'_, AppState>,
) -> CommandResult<Option<BackupFolderChanged>> {
    let path = state.db_path()?;
    let title = "Keep the backups in a folder";
    let Some(folder) = dialogs::folder_path(&window, Dialog::BackupFolder, title).await else {
        return Ok(None);
    };
    change(path, Some(folder)).await.map(Some)
}

/// Back to `backups/` beside the database.
#[tauri::command]
pub async fn use_default_backup_folder(
    state: State<'_, AppState>,
) -> CommandResult<BackupFolderChanged> {
    change(state.db_path()?, None).await
}

#[tauri::command]
pub async fn save_backup_retention(
    state: State<'_, AppState>,
    retention: Retention,
) -> CommandResult<BackupSettings> {
    let path = state.db_path()?;
    blocking(move || {
        let db = Database::open(&path)?;
        retention.save(db.conn())?;
        Ok(backup::settings_of(&db)?)
    })
    .await
}

async fn change(path: PathBuf, folder: Option<PathBuf>) -> CommandResult<BackupFolderChanged> {
    blocking(move || {
        let db = Database::open(&path)?;
        let moved = backup::change_folder(&db, folder.as_deref())?;
        Ok(BackupFolderChanged {
            settings: backup::settings_of(&db)?,
            moved: u32::try_from(moved).unwrap_or(u32::MAX),
        })
    })
    .await
}
