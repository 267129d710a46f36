//! Opening the sign-in page in the person's browser: `$BROWSER` when set (a command; the
//! address is appended), else the desktop's default. The caller shows the address too, so a
//! browser that does not start costs only a copy and paste. The desktop's opener also opens
//! files (a customer's attachment) in the program the person chose for their type.

use super::OAuthError;
use std::ffi::OsStr;
use std::process::{Command, Stdio};

/// The desktop's own opener: `open` (macOS), `explorer` (Windows), `xdg-open` elsewhere.
fn desktop_opener() -> Command {
    if cfg!(target_os = "macos") {
        Command::new("open")
    } else if cfg!(windows) {
        Command::new("explorer")
    } else {
        Command::new("xdg-open")
    }
}

/// Starts `command` with `target` appended, detached from our input and output.
fn spawn_with(mut command: Command, target: &OsStr) -> std::io::Result<()> {
    command
        .arg(target)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
}

/// Opens a file with the program the desktop uses for its type.
pub fn open_with_desktop(path: &std::path::Path) -> std::io::Result<()> {
    spawn_with(desktop_opener(), path.as_os_str())
}

pub fn open_in_browser(url: &str) -> Result<(), OAuthError> {
    let browser = std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty());
    let command = match &browser {
        Some(line) => {
            let mut words = line.split_whitespace();
            let mut c = Command::new(words.next().unwrap_or_default());
            c.args(words);
            c
        }
        None => desktop_opener(),
    };
    spawn_with(command, OsStr::new(url)).map_err(|e| OAuthError::NoBrowser(e.to_string()))
}
