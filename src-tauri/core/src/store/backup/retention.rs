//! Which backups to keep. The daily ones follow the usual grandfather-father-son rule (restic's
//! `--keep-daily 7 --keep-weekly 4 --keep-monthly 12`): going from the newest, the newest backup
//! of each of the last 7 days that have one, of the last 4 ISO weeks and of the last 12 months
//! (UTC, as in the names) is kept. Backups made for a reason are kept by count instead, the
//! newest of each reason; manual ones are the user's and never removed.

use super::list::named;
use super::name::Reason;
use super::{BackupError, BackupResult};
use chrono::{DateTime, Datelike, Utc};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub daily: usize,
    pub weekly: usize,
    pub monthly: usize,
    /// How many of each before-… reason (import, send, migration, restore).
    pub per_reason: usize,
}

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
    let buckets: [(usize, Bucket); 3] = [
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
            rule.per_reason
        };
        let of_reason = backups.iter().filter(|b| b.2 == reason).take(limit);
        kept.extend(of_reason.map(|b| b.0.clone()));
    }
    kept
}
