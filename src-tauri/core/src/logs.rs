//! The log files the app and the `duebook` CLI write, side by side in one folder: what a person
//! sends when something went wrong.
//!
//! The folder is Tauri's `app_log_dir()` for [`crate::APP_IDENTIFIER`] (Linux
//! `$XDG_DATA_HOME/app.duebook.desktop/logs`, macOS `~/Library/Logs/app.duebook.desktop`,
//! Windows `%LOCALAPPDATA%\app.duebook.desktop\logs`), computed here so the CLI, which has no
//! Tauri, finds the same one. Each program writes `<program>.<date>.log`, a new file a day, and
//! the oldest beyond [`KEEP_FILES`] are deleted. Nothing logged may carry a secret: events
//! name messages by id and errors by their `Display`, which never holds a password or token.

use crate::paths::PathError;
use std::path::{Path, PathBuf};
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;

/// The level: `DUEBOOK_LOG=debug` (or any `tracing` filter, e.g. `duebook_core::mail=trace`).
pub const LEVEL_ENV: &str = "DUEBOOK_LOG";
/// Duebook's own crates: a bare level in [`LEVEL_ENV`] applies to these only, so `debug` never
/// turns on a library's wire dumps (which could hold a login).
const OWN_CRATES: &[&str] = &["duebook_core", "duebook_app", "duebook"];
const DEFAULT_LEVEL: &str = "info";
/// Daily files kept per program: two weeks, enough to cover the problem a person reports.
pub const KEEP_FILES: usize = 14;

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error(transparent)]
    Path(#[from] PathError),
    #[error("cannot write logs in {path}: {reason}")]
    Folder { path: PathBuf, reason: String },
}

/// Where the logs go (see the module doc).
pub fn log_dir() -> Result<PathBuf, PathError> {
    if cfg!(target_os = "macos") {
        return dirs::home_dir()
            .map(|home| home.join("Library/Logs").join(crate::APP_IDENTIFIER))
            .ok_or(PathError::NoDataDir);
    }
    dirs::data_local_dir()
        .map(|d| d.join(crate::APP_IDENTIFIER).join("logs"))
        .ok_or(PathError::NoDataDir)
}

/// Sends this process's `tracing` events (and the `log` records of its libraries) to
/// `<log_dir>/<program>.<date>.log` at the level [`LEVEL_ENV`] asks for, `info` by default.
/// Writes are synchronous: a process that exits right after an error still has it on disk.
pub fn init(program: &str) -> Result<PathBuf, LogError> {
    let dir = log_dir()?;
    let folder_error = |reason: String| LogError::Folder {
        path: dir.clone(),
        reason,
    };
    // 0700 like the data directory (the files in it are then the user's alone).
    crate::private_fs::create_dir_all(&dir)
        .and_then(|()| crate::private_fs::restrict(&dir))
        .map_err(|e| folder_error(e.to_string()))?;
    let files = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(program)
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(&dir)
        .map_err(|e| folder_error(e.to_string()))?;
    let filter = std::env::var(LEVEL_ENV).unwrap_or_default();
    tracing_subscriber::fmt()
        .with_writer(files)
        .with_ansi(false)
        .with_env_filter(EnvFilter::new(directives(&filter)))
        .try_init()
        .map_err(|e| folder_error(e.to_string()))?;
    Ok(dir)
}

/// The filter for `asked`: a bare level (or nothing) becomes that level for Duebook's crates and
/// `warn` for the rest; anything else is taken as a `tracing` filter as written.
fn directives(asked: &str) -> String {
    let asked = asked.trim();
    if asked.contains(['=', ',']) {
        return asked.to_string();
    }
    let level = if asked.is_empty() {
        DEFAULT_LEVEL
    } else {
        asked
    };
    let own: Vec<String> = OWN_CRATES.iter().map(|c| format!("{c}={level}")).collect();
    format!("warn,{}", own.join(","))
}

/// The last `count` warnings and errors across the log files in `dir`, oldest first, with email
/// addresses replaced by `[address]` (diagnostics are sent to others; addresses are customer data).
pub fn recent_problems(dir: &Path, count: usize) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    // `<program>.<date>.log`: sorted by date, then program.
    files.sort_by_key(|p| {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        let date = name.split('.').nth(1).unwrap_or_default().to_string();
        (date, name)
    });
    let mut problems: Vec<String> = files
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .flat_map(|bytes| {
            String::from_utf8_lossy(&bytes)
                .lines()
                .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
                .map(hide_addresses)
                .collect::<Vec<_>>()
        })
        .collect();
    let skip = problems.len().saturating_sub(count);
    problems.drain(..skip);
    problems
}

fn hide_addresses(line: &str) -> String {
    line.split(' ')
        .map(|word| {
            let bare = word.trim_matches(|c: char| "<>()[]\"',;:".contains(c));
            match bare.split_once('@') {
                Some((user, host)) if !user.is_empty() && host.contains('.') => {
                    word.replace(bare, "[address]")
                }
                _ => word.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_level_applies_to_duebook_only() {
        assert_eq!(
            directives(""),
            "warn,duebook_core=info,duebook_app=info,duebook=info"
        );
        assert_eq!(
            directives(" debug "),
            "warn,duebook_core=debug,duebook_app=debug,duebook=debug"
        );
        assert_eq!(directives("lettre=trace"), "lettre=trace");
    }

    #[test]
    fn problems_come_from_every_file_in_date_order_without_addresses() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write(
            "duebook.2026-12-07.log",
            "t  INFO x: started\nt  WARN x: not sent: 550 <ap@acme.example> unknown\n",
        );
        write("duebook-app.2026-12-06.log", "t ERROR y: older\n");
        write("notes.txt", "t ERROR z: not a log\n");
        assert_eq!(
            recent_problems(dir.path(), 5),
            vec![
                "t ERROR y: older",
                "t  WARN x: not sent: 550 <[address]> unknown"
            ]
        );
        assert_eq!(recent_problems(dir.path(), 1).len(), 1);
    }
}
