//! A backup's file name says whose it is, when it was made and why:
//! `{database stem}-{UTC time to the millisecond}Z-{reason}.sqlite`. Names sort by time within
//! one database, hold no character a file system or a sync service refuses (no colons), and are
//! read back without opening the file.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;
use ts_rs::TS;

const TIME_FORMAT: &str = "%Y-%m-%dT%H%M%S%.3f";
const EXTENSION: &str = ".sqlite";

/// Why a backup was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export, rename = "BackupReason")]
pub enum Reason {
    /// The automatic one of the day (the app opening the file, `duebook run-due`).
    Daily,
    /// Asked for: `duebook backup`, Database → Back up now.
    Manual,
    BeforeImport,
    /// Before a bulk send: a campaign run, statements to many customers.
    BeforeSend,
    BeforeMigration,
    /// The file a restore replaced.
    BeforeRestore,
}

impl Reason {
    pub const ALL: [Reason; 6] = [
        Reason::Daily,
        Reason::Manual,
        Reason::BeforeImport,
        Reason::BeforeSend,
        Reason::BeforeMigration,
        Reason::BeforeRestore,
    ];

    /// The word in the file name (also what the CLI prints).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Daily => "daily",
            Reason::Manual => "manual",
            Reason::BeforeImport => "before-import",
            Reason::BeforeSend => "before-send",
            Reason::BeforeMigration => "before-migration",
            Reason::BeforeRestore => "before-restore",
        }
    }

    fn parse(text: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// The stem every backup of `db` starts with: `duebook` for `duebook.sqlite`.
pub(super) fn stem(db: &Path) -> String {
    db.file_stem()
        .map_or_else(|| "duebook".into(), |s| s.to_string_lossy().into_owned())
}

/// The file name of a backup of `db` made at `at` for `reason`.
pub(super) fn file_name(db: &Path, at: DateTime<Utc>, reason: Reason) -> String {
    format!(
        "{}-{}Z-{}{EXTENSION}",
        stem(db),
        at.format(TIME_FORMAT),
        reason.as_str()
    )
}

/// When and why the backup named `name` was made, if it is a backup of `db`.
pub(super) fn parse(db: &Path, name: &str) -> Option<(DateTime<Utc>, Reason)> {
    let rest = name
        .strip_prefix(&stem(db))?
        .strip_prefix('-')?
        .strip_suffix(EXTENSION)?;
    let (time, reason) = rest.split_once("Z-")?;
    let at = NaiveDateTime::parse_from_str(time, TIME_FORMAT).ok()?;
    Some((at.and_utc(), Reason::parse(reason)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_name_reads_back_and_sorts_by_time() {
        let db = Path::new("/books/duebook.sqlite");
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 16, 13, 4).unwrap();
        let name = file_name(db, at, Reason::BeforeImport);
        assert_eq!(name, "duebook-2026-12-07T161304.000Z-before-import.sqlite");
        assert_eq!(parse(db, &name), Some((at, Reason::BeforeImport)));
        let later = file_name(db, at + chrono::Duration::hours(10), Reason::Daily);
        assert!(later > name);
    }

    #[test]
    fn other_databases_and_stray_files_are_not_backups() {
        let db = Path::new("/books/duebook.sqlite");
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let demo = file_name(Path::new("/books/demo.sqlite"), at, Reason::Daily);
        assert_eq!(parse(db, &demo), None);
        let other = file_name(Path::new("/books/duebook-2.sqlite"), at, Reason::Daily);
        assert_eq!(parse(db, &other), None);
        for stray in [
            "duebook-2026-01-02T030405.000Z-weekly.sqlite",
            "duebook-2026-01-02T030405.000Z-daily.sqlite-wal",
            ".duebook-2026-01-02T030405.000Z-daily.sqlite.x1.part",
            "duebook.sqlite",
        ] {
            assert_eq!(parse(db, stray), None, "{stray}");
        }
    }
}
