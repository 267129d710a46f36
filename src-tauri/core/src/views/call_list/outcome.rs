//! Recording a call's result: the task completed, a promise or dispute recorded, a wrong number
//! flagged, and the next call scheduled.

use super::{phone_contact, CallOutcome};
use crate::model::validation::{optional_text, FieldError};
use crate::model::{Task, TaskKind};
use crate::store::promises::{self, PromiseInput};
use crate::store::tasks::{self, NewTask};
use crate::store::{self, activity, disputes, DbError, DbResult};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

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
