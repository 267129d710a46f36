//! Saved import profiles in the window: list, rename, delete, and export to or import from a
//! small JSON file (native dialogs). A profile file is checked whole before it is saved.

use crate::dialogs::{file_stem, open_path, save_path, OpenDialog, SaveDialog};
use crate::error::CommandResult;
use crate::state::AppState;
use crate::test_hooks::Dialog;
use duebook_core::import::mapping::profile_file;
use duebook_core::import::mapping::profiles::{self, Profile};
use tauri::{AppHandle, Manager, Window};

#[tauri::command]
pub fn list_import_profiles(app: AppHandle) -> CommandResult<Vec<Profile>> {
    app.state::<AppState>()
        .with_db(|db| Ok(profiles::list(db.conn())?))
}

#[tauri::command]
pub fn rename_import_profile(
    app: AppHandle,
    name: String,
    new_name: String,
) -> CommandResult<Profile> {
    app.state::<AppState>()
        .with_db(|db| Ok(profiles::rename(db.conn(), &name, &new_name)?))
}

#[tauri::command]
pub fn delete_import_profile(app: AppHandle, name: String) -> CommandResult<()> {
    app.state::<AppState>()
        .with_db(|db| Ok(profiles::delete(db.conn(), &name)?))
}

/// Asks where to save the profile `name` as JSON and writes it; the path written, or `None`
/// when the person cancelled.
#[tauri::command]
pub async fn export_import_profile(
    app: AppHandle,
    window: Window,
    name: String,
) -> CommandResult<Option<String>> {
    let state = app.state::<AppState>();
    let profile = state.with_db(|db| Ok(profiles::get(db.conn(), &name)?))?;
    let file_name = format!("{}.duebook-profile.json", file_stem(&profile.name));
    let dialog = SaveDialog {
        title: "Export the import profile",
        file_name: &file_name,
        filter_name: "Import profile",
        extensions: &["json"],
    };
    let Some(path) = save_path(&window, dialog).await else {
        return Ok(None);
    };
    state.with_db(|db| Ok(profile_file::export(db.conn(), &profile.name, &path)?))?;
    Ok(Some(path.display().to_string()))
}

/// Asks for a profile file and saves the profile in it; `None` when the person cancelled.
#[tauri::command]
pub async fn import_import_profile(
    app: AppHandle,
    window: Window,
) -> CommandResult<Option<Profile>> {
    let dialog = OpenDialog {
        title: "Import an import profile",
        filter_name: "Import profile",
        extensions: &["json", "JSON"],
    };
    // The import dialog's own seam: loading a profile is a step of importing.
    let Some(path) = open_path(&window, Dialog::Import, dialog).await else {
        return Ok(None);
    };
    let profile = app
        .state::<AppState>()
        .with_db(|db| Ok(profile_file::import(db.conn(), &path)?))?;
    Ok(Some(profile))
}
