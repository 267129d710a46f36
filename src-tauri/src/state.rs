//! What the shell keeps between commands: the open database and when the process started.

use crate::error::{CommandError, CommandResult};
use duebook_core::store::{Database, DbResult};
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
    /// What opening the file changed in the user's data (e.g. how many names an upgrade
    /// cleaned), until the window has taken it to show.
    notices: Vec<String>,
}

impl Session {
    /// Opens `path`; a file small enough to check first (see [`crate::commands::backups`]) and
    /// found damaged is not opened at all, so nothing writes to it.
    pub fn open(path: &Path) -> Session {
        if let Err(damaged) = crate::commands::backups::check_before_open(path) {
            return Session::failed(path, damaged);
        }
        match Database::open(path) {
            Ok(db) => Session::of(path.to_path_buf(), db),
            Err(e) => Session::failed(path, e.into()),
        }
    }

    /// A session without a database: the window says why.
    pub fn failed(path: &Path, why: CommandError) -> Session {
        Session {
            path: path.to_path_buf(),
            db: Err(why),
            notices: Vec::new(),
        }
    }

    /// A session on `db`, opened from `path`, keeping what the open had to say.
    pub fn of(path: PathBuf, db: Database) -> Session {
        let notices = db.notices().to_vec();
        for notice in &notices {
            tracing::info!("{notice}");
            eprintln!("duebook-app: {notice}");
        }
        Session {
            path,
            db: Ok(db),
            notices,
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

    /// The open file's notices, once: a second call returns none until another file is opened.
    pub fn take_notices(&self) -> Vec<String> {
        std::mem::take(&mut self.session().notices)
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

    /// A file as version 8 left it: a name with a line break, written past the cleaning.
    fn version_8_file(path: &Path) {
        let db = Database::open(path).unwrap();
        let id = duebook_core::store::customers::insert(
            db.conn(),
            &duebook_core::model::NewCustomer::named("Acme"),
        )
        .unwrap();
        db.conn()
            .execute(
                "UPDATE customers SET name = 'Acme' || char(10) || 'Ltd' WHERE id = ?1",
                [id],
            )
            .unwrap();
        // Undo what the migrations after 8 added, so they can run again on this file.
        for undo in [
            include_str!("../core/tests/fixtures/back_to_version_25.sql"),
            include_str!("../core/tests/fixtures/back_to_version_24.sql"),
            include_str!("../core/tests/fixtures/back_to_version_23.sql"),
            include_str!("../core/tests/fixtures/back_to_version_22.sql"),
            include_str!("../core/tests/fixtures/back_to_version_21.sql"),
            include_str!("../core/tests/fixtures/back_to_version_20.sql"),
            include_str!("../core/tests/fixtures/back_to_version_19.sql"),
            include_str!("../core/tests/fixtures/back_to_version_18.sql"),
            include_str!("../core/tests/fixtures/back_to_version_17.sql"),
            include_str!("../core/tests/fixtures/back_to_version_16.sql"),
            include_str!("../core/tests/fixtures/back_to_version_15.sql"),
        ] {
            db.conn().execute_batch(undo).unwrap();
        }
        db.conn()
            .execute_batch(include_str!("../core/tests/fixtures/back_to_version_8.sql"))
            .unwrap();
    }

    #[test]
    fn the_window_gets_what_an_upgrade_cleaned_once_per_opened_file() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.sqlite");
        version_8_file(&old);
        let state = AppState::new(old.clone(), Session::open(&old), StartClock::now());
        let notices = state.take_notices();
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(
            notices[0].contains("cleaned out of 1 record(s) (1 customer(s)"),
            "{notices:?}"
        );
        assert!(state.take_notices().is_empty(), "shown once");

        // Another old file opened from the window brings its own notice; the upgraded one none.
        let other = dir.path().join("other.sqlite");
        version_8_file(&other);
        state.replace_session(Session::of(other.clone(), Database::open(&other).unwrap()));
        assert_eq!(state.take_notices().len(), 1);
        state.replace_session(Session::open(&old));
        assert!(state.take_notices().is_empty());
    }
}
