//! The Help menu: About Duebook (version, commit, where the files are), Open log folder and
//! Copy diagnostics.

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use duebook_core::views::diagnostics::{self, Subject};
use duebook_core::{logs, paths};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

/// The commit the app was built from (see build.rs), "unknown" outside a git checkout.
pub const COMMIT: &str = env!("DUEBOOK_COMMIT");

/// What the About box shows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct About {
    pub version: String,
    pub commit: String,
    /// The database the window shows.
    pub database_path: String,
    pub data_dir: String,
    pub log_dir: String,
}

/// The window's title: the name and the version, so a screenshot says which one it was.
pub fn window_title() -> String {
    format!("Duebook {}", duebook_core::VERSION)
}

#[tauri::command]
pub async fn about(state: State<'_, AppState>) -> CommandResult<About> {
    let shown = |p: Result<std::path::PathBuf, paths::PathError>| match p {
        Ok(path) => path.display().to_string(),
        Err(e) => e.to_string(),
    };
    Ok(About {
        version: duebook_core::VERSION.to_string(),
        commit: COMMIT.to_string(),
        database_path: state.session().path.display().to_string(),
        data_dir: shown(paths::data_dir()),
        log_dir: shown(logs::log_dir()),
    })
}

/// Opens the log folder in the desktop's file manager (created first, so it always opens).
#[tauri::command]
pub async fn open_log_folder() -> CommandResult<String> {
    let dir = logs::log_dir().map_err(|e| CommandError::Io(e.to_string()))?;
    duebook_core::private_fs::create_dir_all(&dir)
        .and_then(|()| crate::dialogs::open_on_desktop(&dir))
        .map_err(|e| CommandError::Io(format!("cannot open {}: {e}", dir.display())))?;
    Ok(dir.display().to_string())
}

/// The text "Copy diagnostics" puts on the clipboard (and shows): see
/// `duebook_core::views::diagnostics`.
#[tauri::command]
pub async fn diagnostics(state: State<'_, AppState>) -> CommandResult<String> {
    let log_dir = logs::log_dir().map_err(|e| CommandError::Io(e.to_string()))?;
    let session = state.session();
    let subject = Subject {
        version: duebook_core::VERSION,
        commit: COMMIT,
        db_path: &session.path,
        log_dir: &log_dir,
    };
    let why;
    let conn = match &session.db {
        Ok(db) => Ok(db.conn()),
        Err(e) => {
            why = e.to_string();
            Err(why.as_str())
        }
    };
    Ok(diagnostics::summary(&subject, conn))
}
