//! What the mailbox says about the customers to plan (messages read by the IMAP sync,
//! `mail/inbound`):
//! - a person's reply holds every step for that customer until the user resumes reminders on
//!   the customer screen, or until the reply pause (a setting, [`REPLY_PAUSE_DAYS_SETTING`])
//!   has passed since the reply — nobody who answered is reminded as if they had not;
//! - an out-of-office that states a return day holds the next step until that day;
//! - a bounced address explains why a step becomes a call task.
//!
//! Automatic replies and bounces are never replies: only `inbound_kind = 'reply'` pauses (and an
//! inbound message stored before the kinds existed, which a person logged by hand).

use super::{date_of, pairs};
use crate::campaign::{CampaignError, CampaignResult};
use crate::store::settings;
use chrono::{Duration, NaiveDate};
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;

/// Setting: days a customer's reply holds reminders back, unless resumed sooner; 0 holds them
/// until the user resumes.
pub const REPLY_PAUSE_DAYS_SETTING: &str = "campaign_reply_pause_days";
pub const DEFAULT_REPLY_PAUSE_DAYS: i64 = 14;
/// Longest pause that can be set: a year.
const MAX_REPLY_PAUSE_DAYS: i64 = 366;
/// Out-of-office replies older than this are not read for a return day.
const AWAY_LOOKBACK_DAYS: i64 = 60;

/// The reply pause; an unreadable value counts as the default.
pub fn reply_pause_days(conn: &Connection) -> CampaignResult<i64> {
    Ok(settings::get(conn, REPLY_PAUSE_DAYS_SETTING)?
        .and_then(|v| v.trim().parse().ok())
        .filter(|d: &i64| (0..=MAX_REPLY_PAUSE_DAYS).contains(d))
        .unwrap_or(DEFAULT_REPLY_PAUSE_DAYS))
}

pub fn set_reply_pause_days(conn: &Connection, days: i64) -> CampaignResult<()> {
    if !(0..=MAX_REPLY_PAUSE_DAYS).contains(&days) {
        return Err(CampaignError::Invalid(format!(
            "the reply pause is 0 (until resumed) to {MAX_REPLY_PAUSE_DAYS} days, not {days}"
        )));
    }
    settings::set(conn, REPLY_PAUSE_DAYS_SETTING, &days.to_string())?;
    Ok(())
}

/// A customer's reply that holds reminders back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Reply {
    pub on: NaiveDate,
    /// The first day reminders go on by themselves; None: only when resumed.
    pub until: Option<NaiveDate>,
}

impl Reply {
    /// The plan's explanation.
    pub fn detail(&self) -> String {
        match self.until {
            Some(until) => format!(
                "waiting: replied on {}; reminders go on from {until}, or sooner when resumed on the customer screen",
                self.on
            ),
            None => format!(
                "waiting: replied on {}; reminders go on when resumed on the customer screen",
                self.on
            ),
        }
    }
}

/// An out-of-office's stated return day, and the day it came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Away {
    pub back_on: NaiveDate,
    pub said_on: NaiveDate,
}

/// Whether customer `id`'s reply holds their reminders on `today` (the customer screen's note).
pub fn reply_hold(conn: &Connection, id: i64, today: NaiveDate) -> CampaignResult<Option<Reply>> {
    Ok(replies(conn, &format!("[{id}]"), today)?.remove(&id))
}

/// The customers of `ids` (a JSON array) whose latest reply holds reminders on `today`.
pub(super) fn replies(
    conn: &Connection,
    ids: &str,
    today: NaiveDate,
) -> CampaignResult<HashMap<i64, Reply>> {
    let pause = reply_pause_days(conn)?;
    let mut stmt = conn.prepare_cached(
        "SELECT m.customer_id, max(m.created_at) FROM messages m
         JOIN customers c ON c.id = m.customer_id
         WHERE m.customer_id IN (SELECT value FROM json_each(?1)) AND m.direction = 'in'
           AND coalesce(m.inbound_kind, 'reply') = 'reply'
           AND m.created_at > coalesce(c.replies_resumed_at, '')
         GROUP BY m.customer_id",
    )?;
    let rows = stmt.query_map([ids], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut held = HashMap::new();
    for row in rows {
        let (customer, at) = row?;
        let Some(on) = date_of(&at) else { continue };
        let until = (pause > 0).then(|| on + Duration::days(pause));
        if until.is_none_or(|u| today < u) {
            held.insert(customer, Reply { on, until });
        }
    }
    Ok(held)
}

/// The customers of `ids` away on `today` by their latest out-of-office.
pub(super) fn away(
    conn: &Connection,
    ids: &str,
    today: NaiveDate,
) -> CampaignResult<HashMap<i64, Away>> {
    let since = (today - Duration::days(AWAY_LOOKBACK_DAYS)).to_string();
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, max(return_date), max(created_at) FROM messages
         WHERE customer_id IN (SELECT value FROM json_each(?1)) AND direction = 'in'
           AND inbound_kind = 'auto_reply' AND return_date > ?2 AND created_at >= ?3
         GROUP BY customer_id",
    )?;
    let rows = stmt.query_map(params![ids, today.to_string(), since], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut away = HashMap::new();
    for row in rows {
        let (customer, back, said) = row?;
        if let (Some(back_on), Some(said_on)) = (date_of(&back), date_of(&said)) {
            away.insert(customer, Away { back_on, said_on });
        }
    }
    Ok(away)
}

/// Per customer of `ids`, its bounced addresses and why: "a@b.example (bounced (5.1.1): ...)".
pub(super) fn bounced(conn: &Connection, ids: &str) -> CampaignResult<HashMap<i64, String>> {
    let mut by: HashMap<i64, String> = HashMap::new();
    for (customer, line) in pairs::<String>(
        conn,
        "SELECT customer_id, email || ' ' || coalesce(email_bad_reason, 'is marked as not working')
         FROM contacts
         WHERE customer_id IN (SELECT value FROM json_each(?1)) AND email_bad = 1
           AND email IS NOT NULL
         ORDER BY customer_id, id",
        ids,
    )? {
        let text = by.entry(customer).or_default();
        if !text.is_empty() {
            text.push_str("; ");
        }
        text.push_str(&line);
    }
    Ok(by)
}
