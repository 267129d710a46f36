//! The account's sending limits: messages per minute and per day. Every message that goes out
//! through the account counts — campaign emails, statements and hand-sent messages — whatever
//! sent it (the app's timer, `run-due`, `duebook send`).
//!
//! A message counts on its `send_day` (migration 13): the sender's local date when it was
//! handed to the server — the run's date under `run-due --today`, so a simulated day counts as
//! a day. The minute is a sliding window of real time. Only the holder of the send lease sends,
//! so one count read at the start of a delivery run, kept up to date in memory ([`Pacer`]),
//! stays exact for the run.

use super::account::{self, AccountError};
use super::limits::{SendingLimits, LOCAL_SERVER};
use crate::store::DbError;
use chrono::{DateTime, Duration as Span, NaiveDate, Utc};
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::VecDeque;
use std::time::Duration;

/// The stored account's limits; None when no account is set up.
pub fn current(conn: &Connection) -> Result<Option<SendingLimits>, AccountError> {
    Ok(account::load(conn)?.as_ref().map(account::limits_in_force))
}

/// The account's messages-per-day limit, if it has one (None also without an account).
pub fn daily_limit(conn: &Connection) -> Result<Option<u32>, AccountError> {
    Ok(current(conn)?.and_then(|l| l.per_day))
}
/// Messages handed to the server on `day` (sent, uncertain, or being sent).
pub fn sent_on(conn: &Connection, day: NaiveDate) -> Result<u32, DbError> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM messages WHERE send_day = ?1")?
        .query_row([day.to_string()], |r| r.get(0))?)
}

/// Messages waiting to go out: they take the day's room before anything planned now. The
/// state condition repeats the partial index messages_state's.
fn waiting_to_go(conn: &Connection) -> Result<u32, DbError> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM messages
             WHERE state IN ('queued', 'sending', 'uncertain') AND state <> 'uncertain'
               AND direction = 'out'",
        )?
        .query_row([], |r| r.get(0))?)
}

/// The daily limit and what is already used of it on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DailyRoom {
    pub limit: u32,
    /// Sent that day, plus what is queued to go out.
    pub used: u32,
}

impl DailyRoom {
    /// Messages that may still be queued for the day.
    pub fn left(&self) -> u32 {
        self.limit.saturating_sub(self.used)
    }
}

/// The room left on `day` for new messages; None when the account has no daily limit (or
/// there is no account).
pub fn room_on(conn: &Connection, day: NaiveDate) -> Result<Option<DailyRoom>, AccountError> {
    let Some(limit) = daily_limit(conn)? else {
        return Ok(None);
    };
    let used = sent_on(conn, day)?.saturating_add(waiting_to_go(conn)?);
    Ok(Some(DailyRoom { limit, used }))
}

/// What the delivery loop may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Hand over up to this many messages.
    Go(usize),
    /// The minute's limit is reached: wait this long.
    Wait(Duration),
    /// The day's limit (the figure) is reached.
    DayFull(u32),
}

/// Keeps a delivery run within the limits: the day's count and the hand-overs of the last
/// minute, read once at the start and counted on in memory.
#[derive(Debug)]
pub struct Pacer {
    limits: SendingLimits,
    pub day: NaiveDate,
    today: u32,
    minute: VecDeque<DateTime<Utc>>,
}

impl Pacer {
    /// The pacer for `day` from the stored account and outbox (no account: no limits).
    pub fn load(conn: &Connection, day: NaiveDate, now: DateTime<Utc>) -> Result<Pacer, DbError> {
        // An unreadable account cannot send anyway; the mailer reports why.
        let limits = current(conn).ok().flatten().unwrap_or(LOCAL_SERVER);
        let mut pacer = Pacer::new(limits, day, sent_on(conn, day)?);
        if limits.per_minute.is_some() {
            let since = stamp(now - Span::seconds(60));
            let yesterday = day.pred_opt().unwrap_or(day);
            let mut stmt = conn.prepare_cached(
                "SELECT last_attempt_at FROM messages
                 WHERE send_day IN (?1, ?2) AND last_attempt_at >= ?3 ORDER BY last_attempt_at",
            )?;
            let rows = stmt.query_map(
                params![day.to_string(), yesterday.to_string(), since],
                |r| r.get::<_, String>(0),
            )?;
            for at in rows {
                if let Ok(at) = DateTime::parse_from_rfc3339(&at?) {
                    pacer.minute.push_back(at.with_timezone(&Utc));
                }
            }
        }
        Ok(pacer)
    }

    pub fn new(limits: SendingLimits, day: NaiveDate, sent_today: u32) -> Pacer {
        Pacer {
            limits,
            day,
            today: sent_today,
            minute: VecDeque::new(),
        }
    }

    /// How many of `want` messages may be handed over at `now`.
    pub fn next(&mut self, want: usize, now: DateTime<Utc>) -> Pace {
        let mut room = want;
        if let Some(limit) = self.limits.per_day {
            let left = limit.saturating_sub(self.today) as usize;
            if left == 0 {
                return Pace::DayFull(limit);
            }
            room = room.min(left);
        }
        if let Some(limit) = self.limits.per_minute {
            let window_start = now - Span::seconds(60);
            while self.minute.front().is_some_and(|t| *t <= window_start) {
                self.minute.pop_front();
            }
            let left = (limit as usize).saturating_sub(self.minute.len());
            if left == 0 {
                let oldest = self.minute.front().copied().unwrap_or(now);
                let wait = (oldest - window_start).num_milliseconds().max(1);
                return Pace::Wait(Duration::from_millis(wait as u64));
            }
            room = room.min(left);
        }
        Pace::Go(room)
    }

    /// `n` messages were handed over at `now`.
    pub fn handed_over(&mut self, n: usize, now: DateTime<Utc>) {
        self.today = self.today.saturating_add(n as u32);
        self.minute.extend(std::iter::repeat_n(now, n));
    }

    /// A message handed over was certainly not taken: it gives back its place in the day (the
    /// minute keeps it: the server saw the attempt).
    pub fn not_taken(&mut self) {
        self.today = self.today.saturating_sub(1);
    }
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap() + Span::seconds(seconds)
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    #[test]
    fn the_day_never_takes_more_than_its_limit() {
        let limits = SendingLimits {
            per_minute: None,
            per_day: Some(10),
        };
        let mut pacer = Pacer::new(limits, day(), 7);
        assert_eq!(pacer.next(4, at(0)), Pace::Go(3));
        pacer.handed_over(3, at(0));
        assert_eq!(pacer.next(4, at(1)), Pace::DayFull(10));
        // One refused for certain gives its place back.
        pacer.not_taken();
        assert_eq!(pacer.next(4, at(2)), Pace::Go(1));
        // Over the limit already (lowered in the settings): still full, never negative room.
        assert_eq!(
            Pacer::new(limits, day(), 12).next(1, at(0)),
            Pace::DayFull(10)
        );
    }

    #[test]
    fn the_minute_is_a_sliding_window() {
        let limits = SendingLimits {
            per_minute: Some(30),
            per_day: None,
        };
        let mut pacer = Pacer::new(limits, day(), 0);
        for s in 0..30 {
            assert_eq!(pacer.next(1, at(s)), Pace::Go(1));
            pacer.handed_over(1, at(s));
        }
        // The first went out at 0 s: room again once it is a minute old.
        assert_eq!(pacer.next(4, at(30)), Pace::Wait(Duration::from_secs(30)));
        assert_eq!(pacer.next(4, at(60)), Pace::Go(1));
        assert_eq!(pacer.next(4, at(75)), Pace::Go(4));
    }
}
