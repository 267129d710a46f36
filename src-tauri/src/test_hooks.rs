//! Seams for the end-to-end tests (tests/e2e). Built with the `e2e-hooks` feature (only
//! `make app-build` turns it on), `DUEBOOK_TEST_*` environment variables answer the native file
//! dialogs and shorten or add pauses. Without it — every release build — no code here reads the
//! environment: the dialogs always show and the timers keep their real lengths.

use std::path::PathBuf;
use std::time::Duration;

/// A native dialog the tests answer instead of a person.
#[derive(Debug, Clone, Copy)]
pub enum Dialog {
    /// Every save dialog: "Create a database", CSV exports, "Save statement as…".
    Save,
    OpenDatabase,
    Import,
    Logo,
    Attachment,
    StatementsFolder,
    BackupFolder,
    WatchedFolder,
}

/// A pause the tests change.
#[derive(Debug, Clone, Copy)]
pub enum Pause {
    /// The scheduler's tick, a minute otherwise.
    SchedulerTick,
    /// After each chunk of a campaign run, so a test can press Pause, Resume and Cancel.
    RunChunk,
    /// After each statement of a bulk run, so a test can press Cancel.
    BulkStatement,
    /// Between two looks at the watched folder (and how long a file must stay unchanged).
    WatchedFolder,
}

/// The path the tests chose in `dialog`'s place, or None: show the dialog.
pub fn chosen_path(dialog: Dialog) -> Option<PathBuf> {
    #[cfg(feature = "e2e-hooks")]
    {
        std::env::var_os(seams::dialog_variable(dialog))
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
    }
    #[cfg(not(feature = "e2e-hooks"))]
    {
        let _ = dialog;
        None
    }
}

/// The program the tests open files with instead of the desktop's opener (none under Xvfb), or
/// None: the desktop's.
pub fn opener() -> Option<PathBuf> {
    #[cfg(feature = "e2e-hooks")]
    {
        std::env::var_os("DUEBOOK_TEST_OPENER")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
    }
    #[cfg(not(feature = "e2e-hooks"))]
    {
        None
    }
}

/// The length the tests gave `pause` in milliseconds, or None: the real one.
pub fn pause(pause: Pause) -> Option<Duration> {
    #[cfg(feature = "e2e-hooks")]
    {
        std::env::var(seams::pause_variable(pause))
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map(Duration::from_millis)
    }
    #[cfg(not(feature = "e2e-hooks"))]
    {
        let _ = pause;
        None
    }
}

#[cfg(feature = "e2e-hooks")]
mod seams {
    use super::{Dialog, Pause};

    pub fn dialog_variable(dialog: Dialog) -> &'static str {
        match dialog {
            Dialog::Save => "DUEBOOK_TEST_SAVE_PATH",
            Dialog::OpenDatabase => "DUEBOOK_TEST_OPEN_PATH",
            Dialog::Import => "DUEBOOK_TEST_IMPORT_PATH",
            Dialog::Logo => "DUEBOOK_TEST_LOGO_PATH",
            Dialog::Attachment => "DUEBOOK_TEST_ATTACH_PATH",
            Dialog::StatementsFolder => "DUEBOOK_TEST_FOLDER_PATH",
            Dialog::BackupFolder => "DUEBOOK_TEST_BACKUP_FOLDER_PATH",
            Dialog::WatchedFolder => "DUEBOOK_TEST_WATCHED_FOLDER_PATH",
        }
    }

    pub fn pause_variable(pause: Pause) -> &'static str {
        match pause {
            Pause::SchedulerTick => "DUEBOOK_TEST_SCHEDULER_TICK_MS",
            Pause::RunChunk => "DUEBOOK_TEST_RUN_CHUNK_DELAY_MS",
            Pause::BulkStatement => "DUEBOOK_TEST_BULK_DELAY_MS",
            Pause::WatchedFolder => "DUEBOOK_TEST_WATCHED_MS",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The only test in this crate that sets DUEBOOK_TEST_* variables.
    #[test]
    fn the_seams_answer_only_in_an_e2e_build() {
        std::env::set_var("DUEBOOK_TEST_SAVE_PATH", "/tmp/seam.sqlite");
        std::env::set_var("DUEBOOK_TEST_SCHEDULER_TICK_MS", "1000");
        let path = chosen_path(Dialog::Save);
        let tick = pause(Pause::SchedulerTick);
        std::env::remove_var("DUEBOOK_TEST_SAVE_PATH");
        std::env::remove_var("DUEBOOK_TEST_SCHEDULER_TICK_MS");
        if cfg!(feature = "e2e-hooks") {
            assert_eq!(path, Some(PathBuf::from("/tmp/seam.sqlite")));
            assert_eq!(tick, Some(Duration::from_millis(1000)));
        } else {
            assert_eq!(path, None, "a release build shows the real dialog");
            assert_eq!(tick, None, "a release build keeps the real timers");
        }
    }
}
