//! The collector's "Today" list: open call tasks due today or earlier, most urgent first, with
//! what is needed on the phone (who to ask for, the number, what they owe, what happened last),
//! and [`log_outcome`], which records a call's result in one go: the task is completed, a
//! promise or dispute is recorded (which stops the campaigns for it: their rules read both),
//! and the next follow-up call is scheduled.
//!
//! Priority: customers whose latest promise is broken come first, then the open amount (all
//! currencies at face value) times the days the oldest invoice is overdue.

use crate::model::validation::{optional_text, FieldError};
use crate::model::{format_minor, Currency, Promise, PromiseStatus, Task, TaskKind};
use crate::store::promises::{self, PromiseInput};
use crate::store::tasks::{self, NewTask};
use crate::store::{self, DbError, DbResult};
use crate::views::export::{neutralise, ExportError};
use crate::{store::activity, store::disputes};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::io::Write;
use ts_rs::TS;

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
}

/// Open call tasks due on or before `today`, most urgent first.
pub fn today(conn: &Connection, today: NaiveDate) -> DbResult<Vec<CallRow>> {
    let mut rows = Vec::new();
    for task in open_call_tasks(conn, today)? {
        let (row, weight) = build_row(conn, task, today)?;
        let key = (
            !row.broken_promise,
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
    };
    Ok((row, weight))
}

/// Who to ask for and the number: a contact with a phone not reported wrong, billing first.
fn phone_contact(
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

/// When to call again after `outcome` (None: no follow-up). `promised_date` is the promise's.
pub fn suggest_follow_up(
    outcome: CallOutcome,
    today: NaiveDate,
    promised_date: Option<NaiveDate>,
) -> Option<NaiveDate> {
    match outcome {
        CallOutcome::NoAnswer | CallOutcome::LeftVoicemail => Some(add_business_days(today, 2)),
        CallOutcome::Promise => promised_date.and_then(|d| d.succ_opt()),
        CallOutcome::Reached | CallOutcome::Dispute => today.checked_add_days(Days::new(7)),
        CallOutcome::WrongNumber => None,
    }
}

fn add_business_days(from: NaiveDate, days: u32) -> NaiveDate {
    let mut date = from;
    let mut left = days;
    while left > 0 {
        date = date.succ_opt().unwrap_or(date);
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    date
}

/// A call's result as the Today view sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeInput {
    pub task_id: i64,
    pub outcome: CallOutcome,
    /// Anything else worth keeping with the task ("will pay after the board meeting").
    pub comment: Option<String>,
    /// For a promise: amount (decimal), currency and date. For a dispute: `invoice_id` is the
    /// invoice contested (default: the oldest open one not yet disputed).
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub promised_date: Option<NaiveDate>,
    pub invoice_id: Option<i64>,
    pub reason: Option<String>,
    /// The next call's date as the person left it; None takes [`suggest_follow_up`]'s.
    pub follow_up: Option<NaiveDate>,
}

/// What [`log_outcome`] recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LoggedOutcome {
    pub promise_id: Option<i64>,
    pub dispute_id: Option<i64>,
    pub follow_up_task_id: Option<i64>,
    pub follow_up_date: Option<NaiveDate>,
}

/// Records a call's outcome: completes the task (its outcome lands in the timeline), records the
/// promise or dispute, flags a wrong number, and schedules the next call. Run it inside one
/// transaction ([`crate::store::Database::write`]): a refused value changes nothing.
pub fn log_outcome(
    conn: &Connection,
    input: &OutcomeInput,
    today: NaiveDate,
) -> DbResult<LoggedOutcome> {
    let task = tasks::get(conn, input.task_id)?;
    if task.kind != TaskKind::Call {
        return Err(FieldError::new("outcome", "Only call tasks take a call outcome").into());
    }
    if task.done_at.is_some() {
        return Err(FieldError::new("outcome", "This call is already logged").into());
    }
    let comment = optional_text("comment", "The comment", input.comment.as_deref(), 1_000)?;
    let mut logged = LoggedOutcome {
        promise_id: None,
        dispute_id: None,
        follow_up_task_id: None,
        follow_up_date: None,
    };
    let mut summary = input.outcome.label().to_string();
    match input.outcome {
        CallOutcome::Promise => {
            let (id, text) = record_promise(conn, task.customer_id, input, today)?;
            logged.promise_id = Some(id);
            summary = text;
        }
        CallOutcome::Dispute => {
            let (id, text) = record_dispute(conn, task.customer_id, input)?;
            logged.dispute_id = Some(id);
            summary = text;
        }
        CallOutcome::WrongNumber => summary = flag_wrong_number(conn, task.customer_id)?,
        _ => {}
    }
    if let Some(comment) = comment {
        summary = format!("{summary} — {comment}");
    }
    tasks::complete(conn, task.id, &summary)?;
    let suggested = suggest_follow_up(input.outcome, today, input.promised_date);
    let follow_up = match input.outcome {
        CallOutcome::WrongNumber => None,
        _ => input.follow_up.or(suggested),
    };
    if let Some(date) = follow_up {
        logged.follow_up_task_id =
            Some(schedule_follow_up(conn, &task, input.outcome, date, today)?);
        logged.follow_up_date = Some(date);
    }
    Ok(logged)
}

fn record_promise(
    conn: &Connection,
    customer_id: i64,
    input: &OutcomeInput,
    today: NaiveDate,
) -> DbResult<(i64, String)> {
    let amount = input.amount.clone().unwrap_or_default();
    if amount.trim().is_empty() {
        return Err(
            FieldError::new("amount", "How much did they promise? Enter the amount").into(),
        );
    }
    let Some(promised_date) = input.promised_date else {
        return Err(FieldError::new("promised_date", "By when? Pick the promised date").into());
    };
    let currency = match input.currency.clone().filter(|c| !c.trim().is_empty()) {
        Some(c) => c,
        None => main_currency(conn, customer_id)?,
    };
    let promise = PromiseInput {
        customer_id,
        invoice_id: input.invoice_id,
        amount,
        currency,
        promised_date,
    };
    let id = promises::add_entered(conn, &promise, today)?;
    let text = format!(
        "Promise to pay {} {} by {promised_date}",
        promise.amount.trim(),
        promise.currency.trim().to_uppercase()
    );
    Ok((id, text))
}

/// The currency of the customer's largest open balance (promises are per currency).
fn main_currency(conn: &Connection, customer_id: i64) -> DbResult<String> {
    conn.prepare_cached(
        "SELECT currency FROM customer_balances WHERE customer_id = ?1
         ORDER BY open_minor DESC LIMIT 1",
    )?
    .query_row([customer_id], |r| r.get(0))
    .optional()?
    .ok_or_else(|| FieldError::new("currency", "Pick the currency of the promise").into())
}

fn record_dispute(
    conn: &Connection,
    customer_id: i64,
    input: &OutcomeInput,
) -> DbResult<(i64, String)> {
    let invoice_id = match input.invoice_id {
        Some(id) => {
            store::check_invoices_belong(conn, customer_id, &[id])?;
            id
        }
        None => oldest_undisputed_invoice(conn, customer_id)?,
    };
    let reason = input.reason.clone().unwrap_or_default();
    let id = disputes::open(conn, invoice_id, &reason)?;
    let dispute = disputes::get(conn, id)?;
    let number = dispute.invoice_number.unwrap_or_default();
    Ok((id, format!("Disputed invoice {number}: {}", dispute.reason)))
}

fn oldest_undisputed_invoice(conn: &Connection, customer_id: i64) -> DbResult<i64> {
    conn.prepare_cached(
        "SELECT i.id FROM invoices i
         WHERE i.customer_id = ?1 AND i.status = 'open' AND i.kind = 'invoice'
           AND NOT EXISTS (SELECT 1 FROM disputes d WHERE d.invoice_id = i.id AND d.resolved_at IS NULL)
         ORDER BY i.due_date, i.id LIMIT 1",
    )?
    .query_row([customer_id], |r| r.get(0))
    .optional()?
    .ok_or_else(|| {
        FieldError::new("invoice_id", "This customer has no open invoice left to dispute").into()
    })
}

/// Marks the number called as wrong (until the contact's phone is changed) and says so in the
/// timeline.
fn flag_wrong_number(conn: &Connection, customer_id: i64) -> DbResult<String> {
    let (contact_name, phone, _) = phone_contact(conn, customer_id)?;
    let Some(phone) = phone else {
        return Ok(CallOutcome::WrongNumber.label().to_string());
    };
    conn.prepare_cached(
        "UPDATE contacts SET wrong_phone = phone WHERE customer_id = ?1 AND phone = ?2",
    )?
    .execute(params![customer_id, phone])?;
    let who = contact_name.map(|n| format!(" ({n})")).unwrap_or_default();
    let summary = format!("Wrong number: {phone}{who}");
    activity::record(conn, customer_id, None, "wrong_number", &summary)?;
    Ok(summary)
}

fn schedule_follow_up(
    conn: &Connection,
    task: &Task,
    outcome: CallOutcome,
    date: NaiveDate,
    today: NaiveDate,
) -> DbResult<i64> {
    if date < today {
        return Err(FieldError::new(
            "follow_up",
            format!("{date} is in the past; the next call is today or later"),
        )
        .into());
    }
    let name: String = conn
        .prepare_cached("SELECT name FROM customers WHERE id = ?1")?
        .query_row([task.customer_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| DbError::NotFound(format!("customer {}", task.customer_id)))?;
    let title: String = format!("Call {name} again (last call: {})", outcome.label())
        .chars()
        .take(200)
        .collect();
    tasks::add(
        conn,
        &NewTask {
            customer_id: task.customer_id,
            kind: TaskKind::Call,
            title: &title,
            due_date: date,
        },
    )
}

/// The Today list as CSV, in its order. Returns how many rows were written.
pub fn today_csv(
    conn: &Connection,
    as_of: NaiveDate,
    out: impl Write,
) -> Result<usize, ExportError> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record([
        "Customer",
        "Contact",
        "Phone",
        "Open",
        "Days overdue",
        "Broken promise",
        "Open promise",
        "Last note",
        "Last email",
        "Task",
        "Due",
    ])?;
    let rows = today(conn, as_of)?;
    for row in &rows {
        let open = row
            .balances
            .iter()
            .map(|b| format!("{} {}", b.open_decimal, b.currency))
            .collect::<Vec<_>>()
            .join("; ");
        let promise = row
            .open_promise
            .as_ref()
            .map(|p| {
                format!(
                    "{} {} by {}",
                    p.amount_decimal, p.amount.currency, p.promised_date
                )
            })
            .unwrap_or_default();
        let email = row
            .last_email
            .as_ref()
            .map(|e| format!("{} ({}, {})", e.subject, e.state, e.at))
            .unwrap_or_default();
        csv.write_record([
            neutralise(&row.customer_name).as_str(),
            &neutralise(row.contact_name.as_deref().unwrap_or("")),
            &neutralise(row.phone.as_deref().unwrap_or("")),
            &open,
            &row.days_overdue.to_string(),
            if row.broken_promise { "yes" } else { "" },
            &promise,
            &neutralise(row.last_note.as_deref().unwrap_or("")),
            &neutralise(&email),
            &neutralise(&row.task_title),
            &row.due_date.to_string(),
        ])?;
    }
    csv.flush().map_err(csv::Error::from)?;
    Ok(rows.len())
}
