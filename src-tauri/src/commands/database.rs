//! Which database file the window shows: the status line, the "Demo data" banner and the first-run
//! screen (open the demo, create or open the user's own file).

use crate::error::{CommandError, CommandResult};
use crate::state::{AppState, Session};
use crate::test_hooks;
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::store::Database;
use duebook_core::{demo, paths, store::customers, store::settings};
use serde::Serialize;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DatabaseStatus {
    /// The file the window shows (or tried to open).
    pub path: String,
    pub file_name: String,
    /// The file was written by `duebook demo`: show the "Demo data" banner.
    pub is_demo: bool,
    /// Customers in the file; 0 shows the first-run screen.
    pub customer_count: u32,
    /// Why the file could not be opened, if it could not.
    pub error: Option<CommandError>,
}

pub(crate) fn status_of(session: &Session) -> DatabaseStatus {
    let path = session.path.display().to_string();
    let file_name = session
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.clone());
    let read = |db: &Database| -> CommandResult<(bool, u32)> {
        Ok((settings::is_demo(db.conn())?, customers::count(db.conn())?))
    };
    let (is_demo, customer_count, error) = match &session.db {
        Ok(db) => match read(db) {
            Ok((is_demo, count)) => (is_demo, count, None),
            Err(e) => (false, 0, Some(e)),
        },
        Err(e) => (false, 0, Some(e.clone())),
    };
    DatabaseStatus {
        path,
        file_name,
        is_demo,
        customer_count,
        error,
    }
}

/// What the window shows at start and after every switch.
#[tauri::command]
pub async fn database_status(state: State<'_, AppState>) -> CommandResult<DatabaseStatus> {
    Ok(status_of(&state.session()))
}

/// What opening the file changed in the user's data (an upgrade that cleaned stored names says
/// how many), for the window to show once: later calls return nothing until another file opens.
#[tauri::command]
pub async fn take_database_notices(state: State<'_, AppState>) -> CommandResult<Vec<String>> {
    Ok(state.take_notices())
}

/// Opens the demo file beside the user's database, filling it with generated data the first time.
/// Not remembered: the next launch opens the user's own file again.
#[tauri::command]
pub async fn open_demo(app: AppHandle) -> CommandResult<DatabaseStatus> {
    let demo_path = paths::demo_db_path(&app.state::<AppState>().user_db);
    let session = tauri::async_runtime::spawn_blocking(move || -> CommandResult<Session> {
        let mut db = Database::open(&demo_path)?;
        if customers::count(db.conn())? == 0 {
            demo::generate(&mut db, &demo::DemoOptions::standard(SystemClock.today()))?;
        }
        Ok(Session::of(demo_path, db))
    })
    .await??;
    let state = app.state::<AppState>();
    let status = status_of(&session);
    state.replace_session(session);
    // The integrity check of a big file (a demo file gets no daily backup).
    super::backups::after_open(&app);
    Ok(status)
}

/// "Create my own database": asks where (native save dialog), creates and migrates the file,
/// switches to it and remembers it for the next launch. `None` when the person cancelled.
#[tauri::command]
pub async fn create_database(
    app: AppHandle,
    window: tauri::Window,
) -> CommandResult<Option<DatabaseStatus>> {
    let Some(path) = choose_path(&window, Dialog::Save, &app.state::<AppState>().user_db).await
    else {
        return Ok(None);
    };
    switch_to(&app, path, Switch::CreateNew).await.map(Some)
}

/// "Open database…": asks which file (native open dialog), opens it, switches to it and remembers
/// it for the next launch. `None` when the person cancelled. A file that fails to open (newer
/// version, not a database) leaves the current one open and returns the reason.
#[tauri::command]
pub async fn open_database(
    app: AppHandle,
    window: tauri::Window,
) -> CommandResult<Option<DatabaseStatus>> {
    let Some(path) = choose_path(&window, Dialog::Open, &app.state::<AppState>().user_db).await
    else {
        return Ok(None);
    };
    if !path.is_file() {
        return Err(CommandError::NotFound(format!(
            "{} does not exist",
            path.display()
        )));
    }
    switch_to(&app, path, Switch::OpenExisting).await.map(Some)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Switch {
    CreateNew,
    OpenExisting,
}

async fn switch_to(app: &AppHandle, path: PathBuf, how: Switch) -> CommandResult<DatabaseStatus> {
    let session = tauri::async_runtime::spawn_blocking(move || -> CommandResult<Session> {
        let existed = path.exists();
        let db = Database::open(&path)?;
        // "Create" on a file that already holds customers would look like data loss to the person
        // (the save dialog asked "replace?"): Duebook never overwrites, it says so.
        if how == Switch::CreateNew && existed && customers::count(db.conn())? > 0 {
            return Err(CommandError::InvalidInput(format!(
                "{} already holds a Duebook database with customers. Use \"Open database…\" to open it, or choose another name.",
                path.display()
            )));
        }
        paths::remember_choice(&path)?;
        Ok(Session::of(path, db))
    })
    .await??;
    let status = status_of(&session);
    app.state::<AppState>().replace_session(session);
    super::backups::after_open(app);
    Ok(status)
}

#[derive(Clone, Copy)]
enum Dialog {
    Open,
    Save,
}

/// The native dialog (rfd's async API: blocking dialogs hang on Linux), or the E2E seam.
async fn choose_path(window: &tauri::Window, kind: Dialog, near: &Path) -> Option<PathBuf> {
    let seam = match kind {
        Dialog::Open => test_hooks::Dialog::OpenDatabase,
        Dialog::Save => test_hooks::Dialog::Save,
    };
    if let Some(path) = test_hooks::chosen_path(seam) {
        return Some(path);
    }
    let mut dialog = rfd::AsyncFileDialog::new()
        .set_parent(window)
        .add_filter("Duebook database", &["sqlite", "db"]);
    if let Some(dir) = near.parent().filter(|d| d.is_dir()) {
        dialog = dialog.set_directory(dir);
    }
    let picked = match kind {
        Dialog::Open => {
            dialog
                .set_title("Open a Duebook database")
                .pick_file()
                .await
        }
        Dialog::Save => {
            dialog
                .set_title("Create a Duebook database")
                .set_file_name("duebook.sqlite")
                .save_file()
                .await
        }
    };
    picked.map(|f| f.path().to_path_buf())
}
