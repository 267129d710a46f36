//! Sending paused for the whole account: the server answered "slow down" or "daily quota used
//! up". Kept in the settings table so the next run, the app's timer and the plans all respect
//! it and say why; it ends on its own at its time.

use super::{OutboxError, RetryPolicy};
use crate::mail::smtp::Throttle;
use crate::model::text::clean_line;
use crate::store::settings;
use chrono::{DateTime, Local, NaiveDate, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

const KEY: &str = "mail.sending_paused";

/// A pause after a "slow down" without a stated time.
const SLOW_DOWN: chrono::Duration = chrono::Duration::minutes(15);

/// Why and until when nothing is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendingPause {
    pub until: DateTime<Utc>,
    /// The server's words.
    pub reply: String,
}

impl SendingPause {
    /// "sending paused until 2026-12-07 08:00: 550 5.4.5 Daily user sending limit exceeded".
    pub fn describe(&self) -> String {
        format!(
            "sending paused until {}: {}",
            self.until.with_timezone(&Local).format("%Y-%m-%d %H:%M"),
            self.reply
        )
    }
}

/// When a pause for `throttle` at `now` ends: the stated time, else 15 minutes for a "slow
/// down", the next working morning after `day` (the sending day) for a used-up daily quota.
pub fn pause_end(throttle: Throttle, now: DateTime<Utc>, day: NaiveDate) -> DateTime<Utc> {
    match throttle {
        Throttle::SlowDown(Some(wait)) => {
            now + chrono::Duration::from_std(wait).unwrap_or(SLOW_DOWN)
        }
        Throttle::SlowDown(None) => now + SLOW_DOWN,
        Throttle::DailyQuota => RetryPolicy::working_morning_after(day),
    }
}

/// Pauses sending until `until` because of the server's `reply` (`code` first).
pub fn pause_sending(
    conn: &Connection,
    until: DateTime<Utc>,
    code: u16,
    reply: &str,
) -> Result<SendingPause, OutboxError> {
    let pause = SendingPause {
        until,
        reply: clean_line(&format!("{code} {reply}"))
            .chars()
            .take(300)
            .collect(),
    };
    let json = serde_json::to_string(&pause).map_err(|e| OutboxError::Invalid(e.to_string()))?;
    settings::set(conn, KEY, &json)?;
    Ok(pause)
}

/// The pause in force at `now`, if any (an ended or unreadable one counts as none).
pub fn sending_paused(
    conn: &Connection,
    now: DateTime<Utc>,
) -> Result<Option<SendingPause>, OutboxError> {
    Ok(settings::get(conn, KEY)?
        .and_then(|json| serde_json::from_str::<SendingPause>(&json).ok())
        .filter(|p| p.until > now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_pause_lasts_the_stated_time_15_minutes_or_until_the_working_morning() {
        let (dir, db) = crate::test_support::temp_db();
        let _keep = dir;
        let now = Utc::now();
        let day = now.with_timezone(&Local).date_naive();
        let slow = pause_end(Throttle::SlowDown(None), now, day);
        assert_eq!((slow - now).num_minutes(), 15);
        let stated = pause_end(
            Throttle::SlowDown(Some(std::time::Duration::from_secs(40))),
            now,
            day,
        );
        assert_eq!((stated - now).num_seconds(), 40);
        let quota = pause_end(Throttle::DailyQuota, now, day);
        assert_eq!(quota, RetryPolicy::working_morning_after(day));
        pause_sending(db.conn(), slow, 421, "4.7.0 Try again later").unwrap();
        let p = sending_paused(db.conn(), now).unwrap().unwrap();
        assert!(
            p.describe().ends_with(": 421 4.7.0 Try again later"),
            "{}",
            p.describe()
        );
        assert!(
            sending_paused(db.conn(), slow).unwrap().is_none(),
            "ends on its own"
        );
    }

    proptest! {
        // Each case opens a database file: fewer cases than the default keep it quick.
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The server's words are stored and shown as one clean line, whatever they hold.
        #[test]
        fn any_server_words_make_one_clean_line(reply in "\\PC*|[\\x00-\\x1f\\u{202e}a-z ]*") {
            let (_dir, db) = crate::test_support::temp_db();
            let until = Utc::now() + chrono::Duration::minutes(5);
            let p = pause_sending(db.conn(), until, 421, &reply).unwrap();
            prop_assert!(crate::model::text::is_clean_line(&p.reply));
            prop_assert!(!p.describe().chars().any(char::is_control));
            prop_assert_eq!(sending_paused(db.conn(), Utc::now()).unwrap(), Some(p));
        }
    }
}
