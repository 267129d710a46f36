//! The account's sending limits: messages per minute and per day. Every message that goes out
//! through the account counts — campaign emails, statements and hand-sent messages — whatever
//! sent it (the app's timer, `run-due`, `duebook send`).
//!
//! A message counts on its `send_day` (migration 13): the sender's local date when it was
//! handed to the server — the run's date under `run-due --today`, so a simulated day counts as
//! a day. The minute is a sliding window of real time. Only the holder of the send lease sends,
//! so one count read at the start of a delivery run, kept up to date in memory ([`Pacer`]),
//! stays exact for the run.

use super::account::{self, AccountError, AccountSettings};
use crate::model::validation::FieldError;
use crate::store::DbError;
use chrono::{DateTime, Duration as Span, NaiveDate, Utc};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::time::Duration;
use ts_rs::TS;

/// Messages per minute and per day; None: no limit of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SendingLimits {
    pub per_minute: Option<u32>,
    pub per_day: Option<u32>,
}

/// For a server no preset knows: cautious figures (Gmail's daily limit, the lowest common
/// one), to be raised in the settings for an office server that takes more.
pub const CUSTOM_SERVER: SendingLimits = SendingLimits {
    per_minute: Some(20),
    per_day: Some(500),
};

/// A server on this computer (a relay, a bridge, a test server) queues for onward delivery
/// itself: no limit unless the user sets one.
pub const LOCAL_SERVER: SendingLimits = SendingLimits {
    per_minute: None,
    per_day: None,
};

/// The highest figure accepted (a typing slip, not a real limit, above it).
const MOST: u32 = 10_000_000;

impl SendingLimits {
    /// Refuses a limit of 0 (nothing could ever be sent) or an absurd one.
    pub fn check(&self) -> Result<(), FieldError> {
        for (field, value) in [
            ("limits.per_minute", self.per_minute),
            ("limits.per_day", self.per_day),
        ] {
            if value.is_some_and(|v| v == 0 || v > MOST) {
                return Err(FieldError::new(
                    field,
                    format!("a sending limit must be between 1 and {MOST}, or none"),
                ));
            }
        }
        Ok(())
    }
}

/// The limits in force for `settings`: its own, else the published figures of the first
/// preset on its host (Gmail's, the lower, for smtp.gmail.com), else a local server's or
/// [`CUSTOM_SERVER`].
pub fn for_account(settings: &AccountSettings) -> SendingLimits {
    settings.limits.unwrap_or_else(|| for_host(&settings.host))
}

/// The published figures for a server (see [`for_account`]).
pub fn for_host(host: &str) -> SendingLimits {
    let host = host.trim();
    account::PRESETS
        .iter()
        .find(|p| p.host.eq_ignore_ascii_case(host))
        .map(|p| p.limits)
        .unwrap_or(if account::is_local_host(host) {
            LOCAL_SERVER
        } else {
            CUSTOM_SERVER
        })
}

/// "30 a minute, 10,000 a day", "no limit".
pub fn describe(limits: &SendingLimits) -> String {
    let parts: Vec<String> = [(limits.per_minute, "a minute"), (limits.per_day, "a day")]
        .into_iter()
        .filter_map(|(n, per)| n.map(|n| format!("{n} {per}")))
        .collect();
    if parts.is_empty() {
        "no limit".into()
    } else {
        parts.join(", ")
    }
}

/// The stored account's limits; None when no account is set up.
pub fn current(conn: &Connection) -> Result<Option<SendingLimits>, AccountError> {
    Ok(account::load(conn)?.as_ref().map(for_account))
}

/// The account's messages-per-day limit, if it has one (None also without an account).
pub fn daily_limit(conn: &Connection) -> Result<Option<u32>, AccountError> {
    Ok(current(conn)?.and_then(|l| l.per_day))
}

/// How many days sending `messages` takes at `per_day` a day (from today on, today
/// included); 1 without a limit, 0 for no message.
pub fn days_to_send(messages: u64, per_day: Option<u32>) -> u64 {
    match per_day {
        _ if messages == 0 => 0,
        Some(limit) => messages.div_ceil(u64::from(limit.max(1))),
        None => 1,
    }
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

    #[test]
    fn days_to_send_rounds_up() {
        assert_eq!(days_to_send(0, Some(500)), 0);
        assert_eq!(days_to_send(500, Some(500)), 1);
        assert_eq!(days_to_send(501, Some(500)), 2);
        assert_eq!(days_to_send(41_207, Some(2_000)), 21);
        assert_eq!(days_to_send(41_207, None), 1);
    }

    #[test]
    fn the_preset_for_the_host_applies_until_the_user_sets_limits() {
        let mut s = AccountSettings::not_set_up();
        s.host = "smtp.office365.com".into();
        assert_eq!(for_account(&s).per_minute, Some(30));
        assert_eq!(for_account(&s).per_day, Some(10_000));
        s.host = "smtp.gmail.com".into();
        assert_eq!(for_account(&s).per_day, Some(500));
        s.host = "mail.example.com".into();
        assert_eq!(for_account(&s), CUSTOM_SERVER);
        s.host = "127.0.0.1".into();
        assert_eq!(for_account(&s), LOCAL_SERVER);
        let own = SendingLimits {
            per_minute: Some(5),
            per_day: Some(50),
        };
        s.limits = Some(own);
        assert_eq!(for_account(&s), own);
        assert!(SendingLimits {
            per_minute: Some(0),
            per_day: None
        }
        .check()
        .is_err());
    }

    #[test]
    fn settings_stored_before_limits_existed_still_load() {
        let old = r#"{"sender_name":"A","from_address":"a@b.example","reply_to":null,
            "host":"smtp.gmail.com","port":587,"security":"start_tls","username":"a@b.example"}"#;
        let s: AccountSettings = serde_json::from_str(old).unwrap();
        assert_eq!(s.limits, None);
        assert_eq!(for_account(&s).per_day, Some(500));
    }
}
