//! How failed attempts are tried again: transient failures (the server out of reach, a 4xx
//! reply) wait 1, 5, 15 and 60 minutes, then until the next working day, and stay queued —
//! only a permanent answer fails a message.

use chrono::{
    DateTime, Datelike, Duration as Days, Local, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};
use std::time::Duration;

/// The hour of the next working day at which a message that kept failing is tried again.
const NEXT_DAY_AT: u32 = 8;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// The waits after the first, second ... failed attempt; after the last one, the message
    /// waits until the next working day (Monday to Friday) at 08:00 local time.
    pub backoffs: Vec<Duration>,
    /// A retry due within this long is waited for inside the same run; a later one is left
    /// queued with its time, for the next run (a `run-due` tick, the app's timer) to send.
    pub wait_in_run: Duration,
    /// Messages handed to the server at the same time.
    pub concurrency: usize,
    /// The day sends count on for the account's daily limit: None, today's local date;
    /// `run-due --today` passes its date, so a simulated day counts as a day.
    pub sending_day: Option<NaiveDate>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(m * 60);
        RetryPolicy {
            backoffs: vec![minutes(1), minutes(5), minutes(15), minutes(60)],
            wait_in_run: Duration::ZERO,
            concurrency: 4,
            sending_day: None,
        }
    }
}

impl RetryPolicy {
    /// When to try again after the `attempt`-th failed attempt at `now`.
    pub fn next_attempt(&self, attempt: u32, now: DateTime<Utc>) -> DateTime<Utc> {
        let index = attempt.saturating_sub(1) as usize;
        match self.backoffs.get(index) {
            Some(wait) => now + Days::from_std(*wait).unwrap_or_else(|_| Days::minutes(1)),
            None => Self::working_morning_after(now.with_timezone(&Local).date_naive()),
        }
    }

    /// The day sends count on (see [`RetryPolicy::sending_day`]).
    pub fn day(&self) -> NaiveDate {
        self.sending_day
            .unwrap_or_else(|| Local::now().date_naive())
    }

    /// 08:00 local time on the next day from Monday to Friday after `day`.
    pub fn working_morning_after(day: NaiveDate) -> DateTime<Utc> {
        let mut next = day + Days::days(1);
        while matches!(next.weekday(), Weekday::Sat | Weekday::Sun) {
            next += Days::days(1);
        }
        let morning = next.and_time(NaiveTime::from_hms_opt(NEXT_DAY_AT, 0, 0).unwrap_or_default());
        Local
            .from_local_datetime(&morning)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| morning.and_utc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_1_5_15_60_minutes_then_the_next_working_morning() {
        let p = RetryPolicy::default();
        // A Friday afternoon.
        let now = Utc.with_ymd_and_hms(2026, 12, 4, 15, 0, 0).unwrap();
        let minutes = |a| (p.next_attempt(a, now) - now).num_minutes();
        assert_eq!(
            [minutes(1), minutes(2), minutes(3), minutes(4)],
            [1, 5, 15, 60]
        );
        for attempt in [5, 9, 40] {
            let next = p.next_attempt(attempt, now).with_timezone(&Local);
            assert_eq!(next.weekday(), Weekday::Mon, "{next}");
            assert_eq!(next.time(), NaiveTime::from_hms_opt(8, 0, 0).unwrap());
        }
    }
}
