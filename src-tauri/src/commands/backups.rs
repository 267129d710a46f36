//! Database → Back up now and Restore…, the daily backup when a file opens, and the integrity
//! check on open: a file up to [`CHECK_FIRST_UP_TO`] is checked (`quick_check`) before it is
//! opened; a bigger one opens at once and is checked in the background, the window told by
//! [`DAMAGED_EVENT`] if it is damaged. A damaged file is never written: the window offers to
//! restore a backup over it (the damaged file is kept byte for byte first).

use super::blocking;
use super::database::{status_of, DatabaseStatus};
use crate::error::{CommandError, CommandResult};
use crate::state::{AppState, Session};
use chrono::Utc;
use duebook_core::store::backup::{self, BackupError, BackupInfo, Reason};
use duebook_core::store::Database;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Emitter, Manager, State};

/// The window reloads the database status when the background check finds the file damaged.
pub const DAMAGED_EVENT: &str = "database-damaged";

/// `quick_check` reads the whole file: ~1.5 s for the 520 MB 100,000-customer file, about 0.2 s
/// for 64 MB, which a window may wait for before it shows a list.
pub const CHECK_FIRST_UP_TO: u64 = 64 * 1024 * 1024;

/// The check made before a small file is opened: only damage stops the open (a file that is
/// not a database, or from a newer Duebook, is refused by the open itself, in its words).
pub fn check_before_open(path: &Path) -> Result<(), CommandError> {
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    if size == 0 || size > CHECK_FIRST_UP_TO {
        return Ok(());
    }
    match backup::quick_check(path) {
        Err(e @ BackupError::Damaged { .. }) => Err(e.into()),
        _ => Ok(()),
    }
}

/// What follows a successful open, off the window's way: the check of a big file, then the
/// day's backup (which checks a file of any size itself before copying it).
pub fn after_open(app: &AppHandle) {
    let state = app.state::<AppState>();
    let (path, generation) = {
        let session = state.session();
        if session.db.is_err() {
            return;
        }
        (session.path.clone(), state.generation())
    };
    let app = app.clone();
    std::thread::spawn(move || {
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        if size > CHECK_FIRST_UP_TO {
            if let Err(e @ BackupError::Damaged { .. }) = backup::quick_check(&path) {
                let state = app.state::<AppState>();
                // Only if the window still shows that file.
                if state.generation() == generation {
                    state.replace_session(Session::failed(&path, e.into()));
                    let _ = app.emit(DAMAGED_EVENT, ());
                }
                return;
            }
        }
        let daily = Database::open(&path)
            .map_err(BackupError::from)
            .and_then(|db| backup::daily_if_due(&db, Utc::now()));
        match daily {
            Ok(Some(made)) => eprintln!("duebook-app: daily backup {}", made.display()),
            Ok(None) => {}
            Err(e) => eprintln!("duebook-app: the daily backup was not made: {e}"),
        }
    });
}

/// Database → Back up now: a backup of the open file in its backup folder.
#[tauri::command]
pub async fn backup_now(state: State<'_, AppState>) -> CommandResult<BackupInfo> {
    let path = state.db_path()?;
    blocking(move || {
        let folder = backup::folder_of(&path);
        let made = backup::make(&path, &folder, Reason::Manual, Utc::now())?;
        let listed = backup::list(&path, &folder)?;
        listed
            .into_iter()
            .find(|b| Path::new(&b.path) == made)
            .ok_or_else(|| CommandError::NotFound(format!("{} is gone", made.display())))
    })
    .await
}

/// The backups of the file the window shows (open or not), newest first.
#[tauri::command]
pub async fn list_backups(state: State<'_, AppState>) -> CommandResult<Vec<BackupInfo>> {
    let path = state.session().path.clone();
    blocking(move || Ok(backup::list(&path, &backup::folder_of(&path))?)).await
}

/// Restores `file` (one of [`list_backups`]: the window cannot name any other file) over the
/// file the window shows, then reopens it.
#[tauri::command]
pub async fn restore_backup(app: AppHandle, file: String) -> CommandResult<DatabaseStatus> {
    let path = app.state::<AppState>().session().path.clone();
    let session = blocking(move || {
        let folder = backup::folder_of(&path);
        let chosen: PathBuf = backup::list(&path, &folder)?
            .into_iter()
            .map(|b| PathBuf::from(b.path))
            .find(|p| p.to_string_lossy() == file)
            .ok_or_else(|| {
                CommandError::NotFound(format!("{file} is not a backup of this database"))
            })?;
        backup::restore(&path, &chosen, &folder)?;
        Ok(Session::open(&path))
    })
    .await?;
    let state = app.state::<AppState>();
    let status = status_of(&session);
    state.replace_session(session);
    after_open(&app);
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file with enough customers to have a page 20, written through to the main file.
    fn closed_file(path: &Path) {
        let db = Database::open(path).unwrap();
        for n in 0..400 {
            let named = duebook_core::model::NewCustomer::named(&format!("Customer {n}"));
            duebook_core::store::customers::insert(db.conn(), &named).unwrap();
        }
    }

    #[test]
    fn a_damaged_file_is_neither_opened_nor_written_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("books.sqlite");
        closed_file(&path);
        assert!(Session::open(&path).db.is_ok());
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[4096 * 20..4096 * 21].fill(0xa5);
        std::fs::write(&path, &bytes).unwrap();
        let session = Session::open(&path);
        match &session.db {
            Err(CommandError::Damaged(message)) => {
                assert!(message.contains("damaged"), "{message}");
            }
            other => panic!("expected a damaged file, got {:?}", other.as_ref().err()),
        }
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "not one byte changed");
    }
}
