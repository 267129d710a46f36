//! Which backups to keep. The daily ones follow the usual grandfather-father-son rule (restic's
//! `--keep-daily 7 --keep-weekly 4 --keep-monthly 12`): going from the newest, the newest backup
//! of each of the last 7 days that have one, of the last 4 ISO weeks and of the last 12 months
//! (UTC, as in the names) is kept. Backups made for a reason are kept by count instead, the
//! newest of each reason; manual ones are the user's and never removed. The user may change the
//! numbers (kept in the file's settings, like the folder); the next backup applies them.

use super::list::named;
use super::name::Reason;
use super::{BackupError, BackupResult};
use crate::store::settings;
use chrono::{DateTime, Datelike, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// The setting holding the user's [`Retention`] (JSON); none: the default.
pub const BACKUP_RETENTION: &str = "backup_retention";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Retention {
    pub daily: u32,
    pub weekly: u32,
    pub monthly: u32,
    /// How many of each before-… reason (import, send, migration, restore).
    pub per_reason: u32,
}

/// What each number may be: at least one daily backup (the newest is what a restore wants), at
/// most ten years of any kind, so a slip of the keyboard cannot keep a folder growing forever.
const LIMITS: [(&str, u32, u32); 4] = [
    ("daily", 1, 3660),
    ("weekly", 0, 520),
    ("monthly", 0, 120),
    ("per_reason", 1, 1000),
];

impl Default for Retention {
    fn default() -> Self {
        Retention {
            daily: 7,
            weekly: 4,
            monthly: 12,
            per_reason: 10,
        }
    }
}

impl Retention {
    /// The rule of the database open on `conn`: the user's, else the default. A stored rule that
    /// no longer reads (written by hand) falls back to the default rather than stopping backups.
    pub fn of(conn: &Connection) -> BackupResult<Retention> {
        let stored = settings::get(conn, BACKUP_RETENTION)?;
        Ok(stored
            .and_then(|text| serde_json::from_str::<Retention>(&text).ok())
            .filter(|rule| rule.check().is_ok())
            .unwrap_or_default())
    }

    /// Keeps this rule for the database open on `conn`, refusing numbers out of range.
    pub fn save(&self, conn: &Connection) -> BackupResult<()> {
        self.check()?;
        let text = serde_json::to_string(self).map_err(|e| BackupError::Retention {
            what: "rule",
            reason: e.to_string(),
        })?;
        settings::set(conn, BACKUP_RETENTION, &text)?;
        Ok(())
    }

    fn check(&self) -> BackupResult<()> {
        let values = [self.daily, self.weekly, self.monthly, self.per_reason];
        for ((what, low, high), value) in LIMITS.into_iter().zip(values) {
            if !(low..=high).contains(&value) {
                return Err(BackupError::Retention {
                    what,
                    reason: format!("keep from {low} to {high}, not {value}"),
                });
            }
        }
        Ok(())
    }
}

/// Removes the backups of `db` in `folder` that `rule` does not keep; returns what it removed.
pub fn rotate(db: &Path, folder: &Path, rule: &Retention) -> BackupResult<Vec<PathBuf>> {
    let backups = named(db, folder)?;
    let kept = keep(&backups, rule);
    let mut removed = Vec::new();
    for (path, _, _) in backups {
        if !kept.contains(&path) {
            std::fs::remove_file(&path).map_err(|source| BackupError::Folder {
                folder: folder.to_path_buf(),
                source,
            })?;
            // A damaged file kept before a restore has its -wal beside it.
            let _ = std::fs::remove_file(super::restore::wal(&path));
            removed.push(path);
        }
    }
    Ok(removed)
}

/// A day, an ISO week or a month, as (year, number, day or 0).
type Bucket = fn(DateTime<Utc>) -> (i32, u32, u32);

/// The paths to keep among `backups` (newest first).
fn keep(backups: &[(PathBuf, DateTime<Utc>, Reason)], rule: &Retention) -> HashSet<PathBuf> {
    let mut kept = HashSet::new();
    let dailies: Vec<_> = backups
        .iter()
        .filter(|b| b.2 == Reason::Daily)
        .map(|b| (&b.0, b.1))
        .collect();
    let buckets: [(u32, Bucket); 3] = [
        (rule.daily, |at| (at.year(), at.month(), at.day())),
        (rule.weekly, |at| {
            let week = at.iso_week();
            (week.year(), week.week(), 0)
        }),
        (rule.monthly, |at| (at.year(), at.month(), 0)),
    ];
    for (count, bucket) in buckets {
        let mut last = None;
        let mut left = count;
        for (path, at) in &dailies {
            if left == 0 {
                break;
            }
            let key = bucket(*at);
            if last != Some(key) {
                kept.insert((*path).clone());
                last = Some(key);
                left -= 1;
            }
        }
    }
    for reason in Reason::ALL.into_iter().filter(|r| *r != Reason::Daily) {
        let limit = if reason == Reason::Manual {
            usize::MAX
        } else {
            rule.per_reason as usize
        };
        let of_reason = backups.iter().filter(|b| b.2 == reason).take(limit);
        kept.extend(of_reason.map(|b| b.0.clone()));
    }
    kept
}
