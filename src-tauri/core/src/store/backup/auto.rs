//! The backups Duebook makes by itself: one a day (when the app opens a file, when
//! `duebook run-due` runs) and one right before an import, a bulk send or a migration. Each is
//! followed by the rotation, so the folder never grows past the retention rule. Demo files are
//! not backed up by themselves: their data is made up and can be made again.

use super::list::named;
use super::name::Reason;
use super::retention::{rotate, Retention};
use super::{copy::make, folder::folder, BackupResult};
use crate::store::{settings, Database};
use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// The daily backup of `db` when none was made yet on `now`'s day (UTC, the day of the
/// names and of the retention rule); None when it was not due. The file is checked first
/// (`quick_check`): a damaged one is not backed up ([`super::BackupError::Damaged`]).
pub fn daily_if_due(db: &Database, now: DateTime<Utc>) -> BackupResult<Option<PathBuf>> {
    if settings::is_demo(db.conn())? {
        return Ok(None);
    }
    let folder = folder(db.conn(), db.path())?;
    let newest_daily = named(db.path(), &folder)?
        .into_iter()
        .find(|b| b.2 == Reason::Daily);
    if newest_daily.is_some_and(|b| b.1.date_naive() >= now.date_naive()) {
        return Ok(None);
    }
    // A damaged file's copy would rotate good backups out: it is refused instead.
    super::quick_check(db.path())?;
    let made = make(db.path(), &folder, Reason::Daily, now)?;
    rotate(db.path(), &folder, &Retention::of(db.conn())?)?;
    Ok(Some(made))
}

/// A backup of `db` right before what `reason` names; None for a demo file.
pub fn before(db: &Database, reason: Reason) -> BackupResult<Option<PathBuf>> {
    if settings::is_demo(db.conn())? {
        return Ok(None);
    }
    let folder = folder(db.conn(), db.path())?;
    let made = make(db.path(), &folder, reason, Utc::now())?;
    rotate(db.path(), &folder, &Retention::of(db.conn())?)?;
    Ok(Some(made))
}
