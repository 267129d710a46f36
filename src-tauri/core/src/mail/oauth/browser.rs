//! Opening the sign-in page in the person's browser: `$BROWSER` when set (a command; the
//! address is appended), else the desktop's default. The caller shows the address too, so a
//! browser that does not start costs only a copy and paste.

use super::OAuthError;
use std::process::{Command, Stdio};

pub fn open_in_browser(url: &str) -> Result<(), OAuthError> {
    let browser = std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty());
    let mut command = match &browser {
        Some(line) => {
            let mut words = line.split_whitespace();
            let mut c = Command::new(words.next().unwrap_or_default());
            c.args(words);
            c
        }
        None if cfg!(target_os = "macos") => Command::new("open"),
        None if cfg!(windows) => Command::new("explorer"),
        None => Command::new("xdg-open"),
    };
    command
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| OAuthError::NoBrowser(e.to_string()))
}
