//! What the shell keeps between commands: the open database and when the process started.

use crate::error::{CommandError, CommandResult};
use duebook_core::db::{Database, DbResult};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The database file the window shows. `db` is the error when the file could not be opened, so the
/// window can still say why and offer another file.
pub struct Session {
    pub path: PathBuf,
    pub db: Result<Database, CommandError>,
}

impl Session {
    pub fn open(path: &Path) -> Session {
        let db = Database::open(path).map_err(CommandError::from);
        // What an upgrade changed in the user's data (e.g. how many names it cleaned).
        for notice in db.iter().flat_map(Database::notices) {
            eprintln!("duebook-app: {notice}");
        }
        Session {
            path: path.to_path_buf(),
            db,
        }
    }
}

pub struct AppState {
    /// The user's own database as resolved at start (`--db`, `DUEBOOK_DB`, remembered choice,
    /// default); the demo file lives beside it.
    pub user_db: PathBuf,
    session: Mutex<Session>,
    /// Bumped whenever another file is opened, so the change watcher starts over.
    generation: AtomicU64,
    started: StartClock,
    list_painted: AtomicBool,
    /// One import (or preview) at a time: the next waits for the one still running (a preview
    /// the person closed keeps running until it has rolled back).
    pub import_lock: tauri::async_runtime::Mutex<()>,
    /// The CSV file last picked with "Import…": previews and imports accept only this one, so
    /// the window cannot make the shell read arbitrary files.
    chosen_import: Mutex<Option<PathBuf>>,
}

impl AppState {
    pub fn new(user_db: PathBuf, session: Session, started: StartClock) -> Self {
        AppState {
            user_db,
            session: Mutex::new(session),
            generation: AtomicU64::new(0),
            started,
            list_painted: AtomicBool::new(false),
            import_lock: tauri::async_runtime::Mutex::new(()),
            chosen_import: Mutex::new(None),
        }
    }

    /// The session, even if a command panicked while holding it (the connection is still usable:
    /// every write runs in a transaction).
    pub fn session(&self) -> MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the open database, or says why there is none.
    pub fn with_db<T>(
        &self,
        f: impl FnOnce(&mut Database) -> CommandResult<T>,
    ) -> CommandResult<T> {
        let mut session = self.session();
        match session.db.as_mut() {
            Ok(db) => f(db),
            Err(why) => Err(CommandError::NoDatabase(format!(
                "no database is open: {why}"
            ))),
        }
    }

    /// One user action on the open database, in one IMMEDIATE transaction: saved completely or
    /// not at all.
    pub fn write<T>(&self, action: impl FnOnce(&Connection) -> DbResult<T>) -> CommandResult<T> {
        self.with_db(|db| Ok(db.write(action)?))
    }

    /// The file of the open database, or why there is none.
    pub fn db_path(&self) -> CommandResult<PathBuf> {
        let session = self.session();
        match &session.db {
            Ok(_) => Ok(session.path.clone()),
            Err(why) => Err(CommandError::NoDatabase(format!(
                "no database is open: {why}"
            ))),
        }
    }

    pub fn choose_import(&self, path: PathBuf) {
        *self
            .chosen_import
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(path);
    }

    /// The file picked with "Import…" if `shown` names it (as the window received it).
    pub fn chosen_import(&self, shown: &str) -> Option<PathBuf> {
        self.chosen_import
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .filter(|path| path.to_string_lossy() == shown)
    }

    /// The folder of the last file picked, where the next "Import…" dialog starts.
    pub fn last_import_dir(&self) -> Option<PathBuf> {
        self.chosen_import
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
    }

    pub fn replace_session(&self, session: Session) {
        *self.session() = session;
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Which open file this is (changes with every [`AppState::replace_session`]).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// True only the first time: the startup mark is printed once per process.
    pub fn first_list_paint(&self) -> bool {
        !self.list_painted.swap(true, Ordering::SeqCst)
    }

    pub fn since_start(&self) -> Duration {
        self.started.elapsed()
    }
}

/// Time since the process started. On Linux the kernel knows when the process was created (before
/// the dynamic loader mapped WebKit), at 10 ms resolution; `Instant` adds the precise part from
/// `main` on.
pub struct StartClock {
    at_main: Instant,
    age_at_main: Duration,
}

impl StartClock {
    pub fn now() -> Self {
        StartClock {
            at_main: Instant::now(),
            age_at_main: process_age().unwrap_or_default(),
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.age_at_main + self.at_main.elapsed()
    }
}

#[cfg(target_os = "linux")]
fn process_age() -> Option<Duration> {
    // /proc/self/stat field 22 is the start time in clock ticks since boot (USER_HZ = 100 on every
    // Linux platform Tauri targets); /proc/uptime is seconds since boot.
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_comm = &stat[stat.rfind(')')? + 2..];
    let start_ticks: u64 = after_comm.split_whitespace().nth(19)?.parse().ok()?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let age = uptime - start_ticks as f64 / 100.0;
    (0.0..60.0)
        .contains(&age)
        .then(|| Duration::from_secs_f64(age))
}

#[cfg(not(target_os = "linux"))]
fn process_age() -> Option<Duration> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_clock_counts_from_process_start() {
        let clock = StartClock::now();
        let first = clock.elapsed();
        assert!(clock.elapsed() >= first);
        #[cfg(target_os = "linux")]
        assert!(process_age().is_some());
    }
}
