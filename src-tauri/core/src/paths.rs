//! Where the database lives. Decided here only, so the app and the CLI always agree:
//! `--db PATH`, else `DUEBOOK_DB`, else the file the user last chose in the app, else
//! `duebook.sqlite` in the OS data directory for [`crate::APP_IDENTIFIER`].

use crate::private_fs;
use std::path::{Path, PathBuf};

pub const DB_ENV: &str = "DUEBOOK_DB";
const DB_FILE: &str = "duebook.sqlite";
const DEMO_FILE: &str = "demo.sqlite";
/// A one-line text file in the data directory naming the database the user chose last.
const CHOICE_FILE: &str = "current-database";

#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error("no data directory is known for this user (is HOME set?)")]
    NoDataDir,
    #[error("could not remember the chosen database in {path}: {source}")]
    Remember {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The app's data directory, e.g. `~/.local/share/app.duebook.desktop` on Linux — the same
/// directory Tauri's `app_data_dir()` returns.
pub fn data_dir() -> Result<PathBuf, PathError> {
    dirs::data_dir()
        .map(|d| d.join(crate::APP_IDENTIFIER))
        .ok_or(PathError::NoDataDir)
}

/// The database to open, by the precedence in the module doc.
pub fn resolve_db_path(cli: Option<&Path>) -> Result<PathBuf, PathError> {
    if let Some(path) = cli {
        return Ok(path.to_path_buf());
    }
    if let Some(path) = std::env::var_os(DB_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let dir = data_dir()?;
    Ok(remembered_choice(&dir).unwrap_or_else(|| dir.join(DB_FILE)))
}

/// The demo file: `demo.sqlite` beside the user's database, never the same file.
pub fn demo_db_path(user_db: &Path) -> PathBuf {
    user_db.with_file_name(DEMO_FILE)
}

/// Remembers `path` as the database to open next time (when neither `--db` nor the env var says
/// otherwise).
pub fn remember_choice(path: &Path) -> Result<(), PathError> {
    let dir = data_dir()?;
    let file = dir.join(CHOICE_FILE);
    let write = || -> std::io::Result<()> {
        private_fs::create_dir_all(&dir)?;
        private_fs::restrict(&dir)?;
        private_fs::write_atomically(&file, |out| {
            out.write_all(path.to_string_lossy().as_bytes())
        })
    };
    write().map_err(|source| PathError::Remember { path: file, source })
}

/// Makes the folder of the database `db` ready: missing folders are created private (0700 on
/// Unix), and Duebook's own data directory is tightened to 0700 even when it exists. A folder
/// the user chose for their file (Documents, a shared drive) keeps the permissions they gave it.
pub fn prepare_db_folder(db: &Path) -> std::io::Result<()> {
    let Some(folder) = db.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    private_fs::create_dir_all(folder)?;
    if is_data_dir(folder) {
        private_fs::restrict(folder)?;
    }
    Ok(())
}

fn is_data_dir(folder: &Path) -> bool {
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    match (
        data_dir().ok().as_deref().and_then(canonical),
        canonical(folder),
    ) {
        (Some(own), Some(folder)) => own == folder,
        _ => false,
    }
}

fn remembered_choice(dir: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(dir.join(CHOICE_FILE)).ok()?;
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| PathBuf::from(trimmed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_path_wins() {
        let explicit = Path::new("/tmp/explicit.sqlite");
        assert_eq!(resolve_db_path(Some(explicit)).unwrap(), explicit);
    }

    #[test]
    fn the_demo_file_sits_beside_the_user_database() {
        assert_eq!(
            demo_db_path(Path::new("/data/books/duebook.sqlite")),
            Path::new("/data/books/demo.sqlite")
        );
    }

    #[test]
    fn a_remembered_choice_is_read_back_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(remembered_choice(dir.path()), None);
        std::fs::write(dir.path().join(CHOICE_FILE), "/home/a/books.sqlite\n").unwrap();
        assert_eq!(
            remembered_choice(dir.path()),
            Some(PathBuf::from("/home/a/books.sqlite"))
        );
    }
}
