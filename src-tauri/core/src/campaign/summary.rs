//! What every `run-due` tick ends with, read from the outbox after the run: what it sent, what
//! failed and why, what stays queued and until when, and what waits for the user's decision —
//! every failed or uncertain campaign message in the outbox, not only this run's. A fast tick
//! (quiet day, nothing changed) pays for two small queries on partial indexes (migration 0012).
//!
//! A failed message stops waiting when the user cancelled it, when its customer is gone, or
//! when a later message of the same campaign to the same customer is queued, on its way or
//! sent (the customer is being reminded again, so there is nothing left to decide). An
//! uncertain message always waits: only the user can tell whether it arrived.

pub use super::activation::NotConfirmed;
use super::in_flight::FAILED_AND_WAITING;
use super::plan::ExclusionReason;
use super::run::RunReport;
use super::CampaignResult;
use super::{parse_send_key, thanks};
use crate::mail::attention::{account_attention, AccountAttention};
use crate::mail::outbox::{sending_paused, MessageState, CANCELLED_REASON};
use crate::store::json_ids;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::BTreeMap;

/// A reason the outbox holds no text for.
const NO_REASON: &str = "no reason recorded";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub date: NaiveDate,
    pub dry_run: bool,
    /// Delivered by this run, per campaign and step.
    pub sent: Vec<SentCount>,
    /// What failed in this run (refused by the server, or the email could not be prepared),
    /// one entry per distinct reason, most frequent first.
    pub failed: Vec<ReasonCount>,
    /// Campaign messages still queued after the run.
    pub deferred: Option<Deferred>,
    /// The server paused sending for the account: `sending paused until TIME: <its words>`.
    pub paused: Option<String>,
    /// What the account's daily limit held back: the delivery's line ("deferred: daily limit
    /// of N reached: M message(s) wait until …") and the customers the plans deferred.
    pub daily_limit: Vec<String>,
    /// Messages a runner that died had left being sent, which this run marked uncertain.
    pub recovered: usize,
    /// Every failed and uncertain campaign message waiting for a decision, per state and reason.
    pub waiting: Vec<Waiting>,
    /// Active campaigns that send nothing because their activation was never confirmed.
    pub not_confirmed: Vec<NotConfirmed>,
    /// The account cannot send (the server refused the login, or the sign-in is gone): every
    /// message waits queued until the person fixes it.
    pub account: Option<AccountAttention>,
    pub attention: Attention,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentCount {
    pub campaign_id: i64,
    /// None when the campaign was deleted since the message was queued.
    pub campaign: Option<String>,
    /// The step, or [`thanks::THANKS_STEP`] for thank-yous.
    pub step: i64,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    pub reason: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiting {
    /// Failed or uncertain.
    pub state: MessageState,
    pub reason: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deferred {
    pub queued: i64,
    /// The earliest next attempt still in the future; None: due now (for the next run).
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// What the user has to do. Uncertain outranks failed: an uncertain message may have been
/// delivered, so resending it blindly could email a customer twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attention {
    /// Nothing needs the user.
    Clear,
    /// A message failed (in this run or earlier) and waits for a decision.
    Failed,
    /// The account cannot send until the person signs in again or fixes the password.
    Account,
    /// A message is uncertain.
    Uncertain,
}

impl RunSummary {
    /// How many messages in `state` wait for a decision.
    pub fn waiting_in(&self, state: MessageState) -> i64 {
        self.waiting
            .iter()
            .filter(|w| w.state == state)
            .map(|w| w.count)
            .sum()
    }
}

/// The summary of a tick for `date`: `report` is the run's (None for a tick that ended without
/// planning), `recovered` the messages the tick marked uncertain before it planned.
pub fn summarize(
    conn: &Connection,
    date: NaiveDate,
    report: Option<&RunReport>,
    recovered: &[i64],
) -> CampaignResult<RunSummary> {
    let delivery = report.and_then(|r| r.delivery.as_ref());
    let sent = sent_counts(conn, delivery.map_or(&[], |d| &d.sent))?;
    let unprepared = report
        .into_iter()
        .flat_map(|r| &r.campaigns)
        .flat_map(|c| c.failed.iter().map(|(_, reason)| reason.clone()));
    let failed = failed_reasons(conn, delivery.map_or(&[], |d| &d.failed), unprepared)?;
    let waiting = waiting(conn)?;
    let account = account_attention(conn)?;
    let attention = if waiting.iter().any(|w| w.state == MessageState::Uncertain) {
        Attention::Uncertain
    } else if account.is_some() {
        Attention::Account
    } else if !failed.is_empty() || !waiting.is_empty() {
        Attention::Failed
    } else {
        Attention::Clear
    };
    Ok(RunSummary {
        date,
        dry_run: report.is_some_and(|r| r.dry_run),
        sent,
        failed,
        deferred: deferred(conn)?,
        paused: sending_paused(conn, Utc::now())?.map(|p| p.describe()),
        daily_limit: daily_limit_lines(report),
        recovered: recovered.len() + delivery.map_or(0, |d| d.recovered.len()),
        waiting,
        not_confirmed: super::activation::not_confirmed(conn)?,
        account,
        attention,
    })
}

/// The delivery's daily-limit line and, per reason, the customers the plans deferred.
fn daily_limit_lines(report: Option<&RunReport>) -> Vec<String> {
    let Some(report) = report else {
        return Vec::new();
    };
    let mut lines: Vec<String> = report
        .delivery
        .as_ref()
        .and_then(|d| d.daily_limit.clone())
        .into_iter()
        .collect();
    let mut deferred: BTreeMap<&str, usize> = BTreeMap::new();
    for e in report.campaigns.iter().flat_map(|c| &c.plan.excluded) {
        if e.reason == ExclusionReason::DailyLimit {
            *deferred.entry(e.detail.as_str()).or_default() += 1;
        }
    }
    lines.extend(
        deferred
            .into_iter()
            .map(|(detail, n)| format!("{n} customer(s) {detail}")),
    );
    lines
}

fn sent_counts(conn: &Connection, ids: &[i64]) -> CampaignResult<Vec<SentCount>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Option<String>, Option<String>)> = conn
        .prepare_cached(
            "SELECT m.send_key, c.name FROM messages m LEFT JOIN campaigns c ON c.id = m.campaign_id
             WHERE m.id IN (SELECT value FROM json_each(?1))",
        )?
        .query_map([json_ids(ids)], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut counts: BTreeMap<(i64, i64), SentCount> = BTreeMap::new();
    for (key, name) in rows {
        let Some((campaign_id, step)) = key.as_deref().and_then(|k| {
            parse_send_key(k)
                .map(|(campaign, step, _, _)| (campaign, step))
                .or_else(|| thanks::parse_thanks_key(k).map(|c| (c, thanks::THANKS_STEP)))
        }) else {
            continue;
        };
        counts
            .entry((campaign_id, step))
            .or_insert(SentCount {
                campaign_id,
                campaign: name,
                step,
                count: 0,
            })
            .count += 1;
    }
    Ok(counts.into_values().collect())
}

/// This run's failures grouped by reason: the delivery's from the outbox, and the emails
/// that could not be prepared (their reason is the outbox's too).
fn failed_reasons(
    conn: &Connection,
    ids: &[i64],
    unprepared: impl Iterator<Item = String>,
) -> CampaignResult<Vec<ReasonCount>> {
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    if !ids.is_empty() {
        let rows: Vec<(Option<String>, i64)> = conn
            .prepare_cached(
                "SELECT failure_reason, count(*) FROM messages
                 WHERE id IN (SELECT value FROM json_each(?1)) GROUP BY failure_reason",
            )?
            .query_map([json_ids(ids)], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (reason, n) in rows {
            *counts.entry(reason_text(reason)).or_default() += n;
        }
    }
    for reason in unprepared {
        *counts.entry(reason).or_default() += 1;
    }
    let mut out: Vec<ReasonCount> = counts
        .into_iter()
        .map(|(reason, count)| ReasonCount { reason, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
    Ok(out)
}

fn reason_text(reason: Option<String>) -> String {
    reason
        .filter(|r| !r.trim().is_empty())
        .unwrap_or_else(|| NO_REASON.to_string())
}

/// Failed and uncertain campaign messages waiting for the user, per state and reason. The
/// state condition matches migration 0012's partial index, so SQLite reads only those rows.
fn waiting(conn: &Connection) -> CampaignResult<Vec<Waiting>> {
    let rows: Vec<(String, Option<String>, i64)> = conn
        .prepare_cached(&format!(
            "SELECT m.state, m.failure_reason, count(*) FROM messages m
                 WHERE m.state IN ('failed', 'uncertain') AND m.send_key LIKE 'campaign:%'
                   AND (m.state = 'uncertain' OR (m.state = 'failed' AND {FAILED_AND_WAITING}))
                 GROUP BY m.state, m.failure_reason"
        ))?
        .query_map([CANCELLED_REASON], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    // Keyed uncertain first (the more urgent decision); NULL and blank reasons fold together.
    let mut counts: BTreeMap<(bool, String), i64> = BTreeMap::new();
    for (state, reason, n) in rows {
        *counts
            .entry((
                state != MessageState::Uncertain.as_str(),
                reason_text(reason),
            ))
            .or_default() += n;
    }
    let mut out: Vec<Waiting> = counts
        .into_iter()
        .map(|((failed, reason), count)| Waiting {
            state: if failed {
                MessageState::Failed
            } else {
                MessageState::Uncertain
            },
            reason,
            count,
        })
        .collect();
    // Then the most frequent reason first (the sort is stable).
    out.sort_by(|a, b| {
        (a.state == MessageState::Failed)
            .cmp(&(b.state == MessageState::Failed))
            .then_with(|| b.count.cmp(&a.count))
    });
    Ok(out)
}

/// Campaign messages still queued, and the earliest next attempt still to come. The state
/// condition repeats the partial index messages_state's.
fn deferred(conn: &Connection) -> CampaignResult<Option<Deferred>> {
    let now = Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let (queued, next): (i64, Option<String>) = conn
        .prepare_cached(
            "SELECT count(*), min(CASE WHEN next_attempt_at > ?1 THEN next_attempt_at END)
             FROM messages
             WHERE state IN ('queued', 'sending', 'uncertain') AND state = 'queued'
               AND send_key LIKE 'campaign:%'",
        )?
        .query_row(params![now], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok((queued > 0).then(|| Deferred {
        queued,
        next_attempt_at: next
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc)),
    }))
}
