//! What the watched folder took, newest first: the files in `imported/` and `rejected/` with the
//! report written beside each. The folder is the record, so a file moved away by hand simply
//! leaves the list.

use super::{WatchError, IMPORTED, REJECTED};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::path::Path;
use ts_rs::TS;

/// How much of a report the list carries (a rejected file with 100,000 bad rows has a long one).
const REPORT_CHARS: usize = 4_000;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct WatchedFile {
    pub file: String,
    pub imported: bool,
    /// RFC 3339, when it was filed away (the report's time).
    pub at: String,
    /// The start of its report.
    pub report: String,
}

/// The newest `limit` files the folder took.
pub fn history(folder: &Path, limit: usize) -> Result<Vec<WatchedFile>, WatchError> {
    let mut files = Vec::new();
    for (inner, imported) in [(IMPORTED, true), (REJECTED, false)] {
        let dir = folder.join(inner);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => {
                return Err(WatchError::Folder {
                    folder: dir,
                    source,
                })
            }
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            // A report names the file beside it (an imported `notes.txt` has `notes.txt.txt`).
            let Some(file) = name.strip_suffix(".txt") else {
                continue;
            };
            if !dir.join(file).is_file() {
                continue;
            }
            let Ok(modified) = entry.metadata().and_then(|m| m.modified()) else {
                continue;
            };
            let text = report_start(&entry.path());
            files.push(WatchedFile {
                file: file.to_string(),
                imported,
                at: DateTime::<Utc>::from(modified).to_rfc3339(),
                report: text,
            });
        }
    }
    files.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.file.cmp(&b.file)));
    files.truncate(limit);
    Ok(files)
}

/// The first [`REPORT_CHARS`] characters of a report, reading no more of the file than they can
/// take (a UTF-8 character is at most 4 bytes): the list reads 50 of them each time it opens.
fn report_start(path: &Path) -> String {
    use std::io::Read;
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path)
        .and_then(|file| file.take(4 * REPORT_CHARS as u64).read_to_end(&mut bytes));
    if read.is_err() {
        return String::new();
    }
    String::from_utf8_lossy(&bytes)
        .chars()
        .take(REPORT_CHARS)
        .collect()
}
