//! When a file in the watched folder is whole. An export tool or a sync client may still be
//! writing it: a file is taken only once its size and modification time have stayed the same
//! for the settle time, seen by two passes at least that far apart. Names that tools use while
//! writing (hidden files, `.tmp`, `.part`, `.crdownload`, `~$` lock files) are never taken.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// What a pass saw of a file, and since when it has looked that way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Look {
    size: u64,
    modified: Option<SystemTime>,
}

#[derive(Debug)]
pub struct Settle {
    wait: Duration,
    seen: HashMap<PathBuf, (Look, Instant)>,
}

impl Settle {
    /// A file must look the same for `wait` before it is taken.
    pub fn new(wait: Duration) -> Self {
        Settle {
            wait,
            seen: HashMap::new(),
        }
    }

    /// The files of `folder` (not its subfolders) that are whole at `now`, by name.
    pub fn whole_files(&mut self, folder: &Path, now: Instant) -> std::io::Result<Vec<PathBuf>> {
        let mut whole = Vec::new();
        let mut present = Vec::new();
        for entry in std::fs::read_dir(folder)? {
            let entry = entry?;
            let path = entry.path();
            // A file that vanished or cannot be read between listing and looking is seen next pass.
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() || being_written_name(&entry.file_name().to_string_lossy()) {
                continue;
            }
            let look = Look {
                size: meta.len(),
                modified: meta.modified().ok(),
            };
            present.push(path.clone());
            match self.seen.get(&path) {
                Some((before, since)) if *before == look => {
                    if now.duration_since(*since) >= self.wait {
                        whole.push(path);
                    }
                }
                _ => {
                    self.seen.insert(path, (look, now));
                }
            }
        }
        self.seen.retain(|path, _| present.contains(path));
        whole.sort();
        Ok(whole)
    }

    /// How many files a pass saw that are not yet whole (or not yet seen long enough).
    pub fn waiting(&self) -> usize {
        self.seen.len()
    }

    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// Forgets a file that was taken (moved away), so a new one of that name starts afresh.
    pub fn forget(&mut self, path: &Path) {
        self.seen.remove(path);
    }
}

fn being_written_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    name.starts_with('.')
        || name.starts_with("~$")
        || [
            ".tmp",
            ".part",
            ".partial",
            ".crdownload",
            ".download",
            ".swp",
            "~",
        ]
        .iter()
        .any(|end| lower.ends_with(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_whole_only_after_it_stopped_changing_for_the_wait() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("open.csv");
        std::fs::write(&file, "a").unwrap();
        std::fs::write(dir.path().join(".~lock.open.csv#"), "x").unwrap();
        std::fs::write(dir.path().join("export.csv.part"), "x").unwrap();
        let mut settle = Settle::new(Duration::from_secs(5));
        let start = Instant::now();
        assert!(settle.whole_files(dir.path(), start).unwrap().is_empty());
        let later = start + Duration::from_secs(3);
        assert!(settle.whole_files(dir.path(), later).unwrap().is_empty());
        std::fs::write(&file, "ab").unwrap();
        let after_growth = start + Duration::from_secs(6);
        assert!(settle
            .whole_files(dir.path(), after_growth)
            .unwrap()
            .is_empty());
        let settled = after_growth + Duration::from_secs(5);
        assert_eq!(settle.whole_files(dir.path(), settled).unwrap(), [file]);
    }

    #[test]
    fn names_tools_write_under_are_never_taken() {
        for name in [
            ".hidden.csv",
            "~$book.xlsx",
            "a.csv.tmp",
            "b.CSV.crdownload",
            "c.csv~",
        ] {
            assert!(being_written_name(name), "{name}");
        }
        for name in ["open invoices.csv", "AR aging.xlsx", "temp-report.csv"] {
            assert!(!being_written_name(name), "{name}");
        }
    }
}
