//! When the app's scheduler runs the campaigns: once a day, at [`RUN_HOUR`] local time.
//!
//! The next-run time is kept in the settings table and compared with the wall clock, so a
//! laptop that slept through the planned time runs once on waking, and a restart does not run
//! again. The first run happens as soon as the app is open with a campaign that sends.

use super::{list, Campaign, CampaignResult};
use crate::store::{settings, DbResult};
use chrono::{DateTime, Days, Local, NaiveTime, TimeZone, Utc};
use rusqlite::Connection;

/// RFC 3339 time of the next scheduled run, in the settings table.
const NEXT_RUN_KEY: &str = "campaigns_next_run";
/// Scheduled runs happen at this local hour.
pub const RUN_HOUR: u32 = 8;

/// True when a campaign that sends (active and confirmed) exists and the stored next-run time
/// has passed at `now` (or none is stored yet, or it cannot be read). Writes nothing.
pub fn is_due(conn: &Connection, now: DateTime<Utc>) -> CampaignResult<bool> {
    if !list(conn)?.iter().any(Campaign::sends) {
        return Ok(false);
    }
    Ok(match settings::get(conn, NEXT_RUN_KEY)? {
        Some(text) => DateTime::parse_from_rfc3339(&text).map_or(true, |at| now >= at),
        None => true,
    })
}

/// Moves the next run to the day after `now`: done before a scheduled run starts, so a run
/// that fails (no account, say) is reported once and tried again tomorrow, not every minute.
pub fn move_on(conn: &Connection, now: DateTime<Local>) -> DbResult<()> {
    settings::set(conn, NEXT_RUN_KEY, &next_run_after(now).to_rfc3339())
}

/// The day after `now` at [`RUN_HOUR`] local time (a day later, when that hour does not exist
/// locally).
pub fn next_run_after(now: DateTime<Local>) -> DateTime<Utc> {
    let tomorrow = now.date_naive() + Days::new(1);
    let at = tomorrow.and_time(NaiveTime::from_hms_opt(RUN_HOUR, 0, 0).unwrap_or_default());
    Local.from_local_datetime(&at).earliest().map_or_else(
        || now.with_timezone(&Utc) + chrono::Duration::days(1),
        |t| t.with_timezone(&Utc),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::{self, create, preset};
    use crate::store::Database;
    use chrono::Timelike;

    fn db() -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(&dir.path().join("schedule.sqlite")).unwrap();
        (dir, db)
    }

    #[test]
    fn the_next_run_is_tomorrow_morning() {
        let now = Local::now();
        let next = next_run_after(now).with_timezone(&Local);
        assert_eq!(next.date_naive(), now.date_naive() + Days::new(1));
        assert_eq!(next.hour(), RUN_HOUR);
    }

    #[test]
    fn due_only_with_a_sending_campaign_and_once_a_day() {
        let (_dir, db) = db();
        let now = Utc::now();
        assert!(!is_due(db.conn(), now).unwrap(), "no campaign");
        let id = create(db.conn(), &preset("friendly").unwrap()).unwrap();
        assert!(campaign::get(db.conn(), id).unwrap().sends());
        assert!(is_due(db.conn(), now).unwrap(), "never run yet");
        move_on(db.conn(), now.with_timezone(&Local)).unwrap();
        assert!(!is_due(db.conn(), now).unwrap(), "moved on to tomorrow");
        let tomorrow = next_run_after(now.with_timezone(&Local));
        assert!(is_due(db.conn(), tomorrow).unwrap(), "due again tomorrow");
        settings::set(db.conn(), NEXT_RUN_KEY, "not a time").unwrap();
        assert!(is_due(db.conn(), now).unwrap(), "an unreadable time runs");
    }
}
