//! The collector's "Today" list: open call tasks due today or earlier, most urgent first, with
//! what is needed on the phone (who to ask for, the number, what they owe, what happened last),
//! and [`log_outcome`], which records a call's result in one go: the task is completed, a
//! promise or dispute is recorded (which stops the campaigns for it: their rules read both),
//! and the next follow-up call is scheduled (`outcome.rs`); `csv.rs` writes the list out.
//!
//! Priority: customers whose latest promise or payment plan is broken come first, then the open amount (all
//! currencies at face value) times the days the oldest invoice is overdue.

use crate::model::plan::PlanStatus;
use crate::model::{format_minor, Currency, Promise, PromiseStatus};
use crate::store::{plans, promises, DbResult};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

mod csv;
mod outcome;

pub use csv::today_csv;
pub use outcome::{log_outcome, suggest_follow_up, LoggedOutcome, OutcomeInput};

/// Longest last note shown in a row; the customer screen has the rest.
const NOTE_PREVIEW_CHARS: usize = 200;

/// What happened on the call; the numbers are the keys the Today view uses (1–6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CallOutcome {
    Reached,
    Promise,
    Dispute,
    LeftVoicemail,
    NoAnswer,
    WrongNumber,
}

impl CallOutcome {
    pub fn label(self) -> &'static str {
        match self {
            CallOutcome::Reached => "Reached",
            CallOutcome::Promise => "Promise to pay",
            CallOutcome::Dispute => "Dispute",
            CallOutcome::LeftVoicemail => "Left voicemail",
            CallOutcome::NoAnswer => "No answer",
            CallOutcome::WrongNumber => "Wrong number",
        }
    }
}

/// One open amount, e.g. "1,200.00" in "EUR".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CallBalance {
    pub currency: String,
    pub open_decimal: String,
}

/// The last email to the customer, as the row shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LastEmail {
    pub subject: String,
    /// queued, sent, failed, uncertain ...
    pub state: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CallRow {
    pub task_id: i64,
    pub task_title: String,
    pub due_date: NaiveDate,
    pub customer_id: i64,
    pub customer_name: String,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    /// The number was reported wrong on an earlier call (and has not been changed since).
    pub phone_flagged: bool,
    pub balances: Vec<CallBalance>,
    /// Days the oldest open invoice is past due (0 when none is).
    pub days_overdue: i64,
    pub last_note: Option<String>,
    pub last_email: Option<LastEmail>,
    /// The newest promise still pending.
    pub open_promise: Option<Promise>,
    /// The customer's latest promise is broken: such rows come first.
    pub broken_promise: bool,
    /// The customer's latest payment plan is broken: such rows come first too.
    pub broken_plan: bool,
}

/// Open call tasks due on or before `today`, most urgent first.
pub fn today(conn: &Connection, today: NaiveDate) -> DbResult<Vec<CallRow>> {
    let mut rows = Vec::new();
    for task in open_call_tasks(conn, today)? {
        let (row, weight) = build_row(conn, task, today)?;
        let key = (
            !(row.broken_promise || row.broken_plan),
            std::cmp::Reverse(weight),
            row.due_date,
            row.task_id,
        );
        rows.push((key, row));
    }
    rows.sort_by_key(|(key, _)| *key);
    Ok(rows.into_iter().map(|(_, row)| row).collect())
}

struct OpenTask {
    id: i64,
    title: String,
    due_date: NaiveDate,
    customer_id: i64,
    customer_name: String,
    oldest_open_due: Option<NaiveDate>,
    /// Open amount over all currencies at face value, in thousandths of a major unit.
    open_sort_key: i64,
}

fn open_call_tasks(conn: &Connection, today: NaiveDate) -> DbResult<Vec<OpenTask>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.title, t.due_date, c.id, c.name, c.oldest_open_due, c.open_sort_key
         FROM tasks t JOIN customers c ON c.id = t.customer_id
         WHERE t.done_at IS NULL AND t.kind = 'call' AND t.due_date <= ?1",
    )?;
    let rows = stmt.query_map([today.to_string()], |r| {
        Ok(OpenTask {
            id: r.get(0)?,
            title: r.get(1)?,
            due_date: r.get(2)?,
            customer_id: r.get(3)?,
            customer_name: r.get(4)?,
            oldest_open_due: r
                .get::<_, Option<String>>(5)?
                .and_then(|d| d.get(..10).and_then(|d| d.parse().ok())),
            open_sort_key: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The row and its weight (amount × days overdue) for ordering.
fn build_row(conn: &Connection, task: OpenTask, today: NaiveDate) -> DbResult<(CallRow, i128)> {
    let days_overdue = task
        .oldest_open_due
        .map_or(0, |d| (today - d).num_days().max(0));
    let weight = i128::from(task.open_sort_key) * i128::from(days_overdue);
    let promises = promises::for_customer(conn, task.customer_id, today)?;
    let broken_promise = promises
        .first()
        .is_some_and(|p| p.status == PromiseStatus::Broken);
    let open_promise = promises
        .into_iter()
        .find(|p| p.status == PromiseStatus::Pending);
    let broken_plan = plans::for_customer(conn, task.customer_id, today)?
        .first()
        .is_some_and(|p| p.status == PlanStatus::Broken);
    let (contact_name, phone, phone_flagged) = phone_contact(conn, task.customer_id)?;
    let row = CallRow {
        task_id: task.id,
        task_title: task.title,
        due_date: task.due_date,
        customer_id: task.customer_id,
        customer_name: task.customer_name,
        contact_name,
        phone,
        phone_flagged,
        balances: balances(conn, task.customer_id)?,
        days_overdue,
        last_note: last_note(conn, task.customer_id)?,
        last_email: last_email(conn, task.customer_id)?,
        open_promise,
        broken_promise,
        broken_plan,
    };
    Ok((row, weight))
}

/// Who to ask for and the number: a contact with a phone not reported wrong, billing first.
pub(super) fn phone_contact(
    conn: &Connection,
    customer_id: i64,
) -> DbResult<(Option<String>, Option<String>, bool)> {
    Ok(conn
        .prepare_cached(
            "SELECT name, phone, coalesce(wrong_phone = phone, 0) AS flagged FROM contacts
             WHERE customer_id = ?1 AND phone IS NOT NULL AND trim(phone) != ''
             ORDER BY flagged, is_billing DESC, id LIMIT 1",
        )?
        .query_row([customer_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .map_or((None, None, false), |(name, phone, flagged)| {
            (name, Some(phone), flagged)
        }))
}

fn balances(conn: &Connection, customer_id: i64) -> DbResult<Vec<CallBalance>> {
    let mut stmt = conn.prepare_cached(
        "SELECT currency, open_minor FROM customer_balances
         WHERE customer_id = ?1 AND open_minor != 0 ORDER BY currency",
    )?;
    let rows = stmt.query_map([customer_id], |r| {
        let currency: String = r.get(0)?;
        let decimals = Currency::parse(&currency).map_or(2, |c| c.decimals());
        Ok(CallBalance {
            open_decimal: format_minor(r.get(1)?, decimals),
            currency,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn last_note(conn: &Connection, customer_id: i64) -> DbResult<Option<String>> {
    let body: Option<String> = conn
        .prepare_cached(
            "SELECT body FROM notes WHERE customer_id = ?1 ORDER BY created_at DESC, id DESC LIMIT 1",
        )?
        .query_row([customer_id], |r| r.get(0))
        .optional()?;
    Ok(body.map(|b| b.chars().take(NOTE_PREVIEW_CHARS).collect()))
}

fn last_email(conn: &Connection, customer_id: i64) -> DbResult<Option<LastEmail>> {
    Ok(conn
        .prepare_cached(
            "SELECT subject, state, coalesce(sent_at, created_at) AS at FROM messages
             WHERE customer_id = ?1 AND direction = 'out' ORDER BY at DESC, id DESC LIMIT 1",
        )?
        .query_row([customer_id], |r| {
            Ok(LastEmail {
                subject: r.get(0)?,
                state: r.get(1)?,
                at: r.get(2)?,
            })
        })
        .optional()?)
}
