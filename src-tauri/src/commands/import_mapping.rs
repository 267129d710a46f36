//! Importing a file whose headers Duebook does not know: what the import dialog's mapping step
//! needs. Inspect the picked file (columns with samples, the layout or saved profile
//! recognised, a suggested mapping), preview the import with a mapping (a dry run), and import
//! with it, saving it as a profile when asked so the next file with that header needs nothing.

use crate::commands::import::{chosen, run, ImportRequest};
use crate::error::CommandResult;
use crate::state::AppState;
use duebook_core::import::mapping::{profiles, ColumnMapping};
use duebook_core::import::{self, ImportFormat, ImportReport, Inspection};
use serde::Deserialize;
use tauri::{AppHandle, Manager, Window};
use ts_rs::TS;

/// A preview or an import through a column mapping.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct MappedImportRequest {
    /// [`crate::commands::import::ImportFile::path`] of the file picked with "Import…".
    pub path: String,
    pub mapping: ColumnMapping,
    /// The file lists every open invoice: open invoices it omits are closed as paid.
    pub full: bool,
    /// Echoed in the progress events of this run.
    pub ticket: u32,
    /// Save the mapping as a profile of this name after the import (ignored by the preview).
    pub save_profile: Option<String>,
    /// The workbook's sheet to read; None reads the first.
    #[serde(default)]
    pub sheet: Option<String>,
}

impl MappedImportRequest {
    fn plain(&self) -> ImportRequest {
        ImportRequest {
            path: self.path.clone(),
            format: ImportFormat::Auto,
            full: self.full,
            ticket: self.ticket,
            sheet: self.sheet.clone(),
        }
    }
}

/// The picked file's columns with up to five sample values each (of the workbook's `sheet`,
/// else its first), its sheets, its layout or saved profile, and the suggested mapping. Reads
/// nothing into the database.
#[tauri::command]
pub async fn inspect_import(
    app: AppHandle,
    path: String,
    sheet: Option<String>,
) -> CommandResult<Inspection> {
    let file = chosen(&app, &path)?;
    tauri::async_runtime::spawn_blocking(move || {
        app.state::<AppState>()
            .with_db(|db| Ok(import::inspect(db, &file, sheet.as_deref())?))
    })
    .await?
}

/// What importing the file through `mapping` would do, without writing anything; rows that
/// fail are listed as `line N: reason`.
#[tauri::command]
pub async fn preview_mapped_import(
    app: AppHandle,
    window: Window,
    request: MappedImportRequest,
) -> CommandResult<ImportReport> {
    run(&app, window, request.plain(), Some(request.mapping), true).await
}

/// Imports the file through `mapping`, then saves it as the profile `save_profile` if given
/// (checked before anything is imported: the mapping must read the file, and the name and the
/// header must not have a profile yet).
#[tauri::command]
pub async fn run_mapped_import(
    app: AppHandle,
    window: Window,
    request: MappedImportRequest,
) -> CommandResult<ImportReport> {
    let state = app.state::<AppState>();
    let new_profile = match &request.save_profile {
        Some(name) => {
            let file = chosen(&app, &request.path)?;
            let (mapping, sheet) = (&request.mapping, request.sheet.as_deref());
            let new = state
                .with_db(|db| Ok(import::new_profile_for(db, name, mapping, &file, sheet)?))?;
            Some(new)
        }
        None => None,
    };
    let mapping = request.mapping.clone();
    let report = run(&app, window, request.plain(), Some(request.mapping), false).await?;
    if let Some(new) = new_profile {
        state.with_db(|db| Ok(profiles::save(db.conn(), &new.name, &mapping, &new.header)?))?;
    }
    Ok(report)
}
