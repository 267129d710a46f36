//! Instalment reminders (issue 20, part 4): while a payment plan is kept, its invoices take no
//! campaign step (the plan says "on a payment plan", see `facts::plans`); instead each instalment
//! gets one reminder, the `instalment-reminder` template, from [`REMIND_DAYS_BEFORE`] days before
//! its date until the date itself, on a weekday (the window always holds two). It is part of the plan, not of a campaign: one reminder per
//! instalment however many campaigns reach the customer, under the send key
//! [`instalment_key`], so a rerun never sends it twice. A missed instalment breaks the plan
//! (`model::plan::standing`); the invoices then age into the campaigns' steps again.

use super::{queue_with_meta, renderer_of, CampaignResult, Queued};
use crate::mail::account::AccountSettings;
use crate::mail::outbox::MessageMeta;
use crate::model::plan::{InstalmentState, PaymentPlan, PlanStatus};
use crate::model::TaskKind;
use crate::store::activity;
use crate::store::tasks::{self, NewTask};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// The shipped template an instalment reminder is written with.
pub const INSTALMENT_TEMPLATE: &str = "instalment-reminder";

/// How many days before an instalment's date its reminder may go.
pub const REMIND_DAYS_BEFORE: u64 = 3;

/// The send key of the reminder of one instalment: the outbox refuses a second message under it.
pub fn instalment_key(plan_id: i64, seq: i64) -> String {
    format!("plan:{plan_id}:instalment:{seq}")
}

/// An instalment reminder the run sends today, or why it does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedInstalment {
    pub customer_id: i64,
    pub customer_name: String,
    pub plan_id: i64,
    pub seq: i64,
    pub due_date: NaiveDate,
    /// What is still to pay of it, with its currency ("100.00 EUR").
    pub amount: String,
    pub send_key: String,
    /// None: it goes today. Some: why not (no email address, do not contact).
    pub skipped: Option<String>,
}

/// The instalments of the `standing` plans (see [`crate::store::plans::all_standing`]) whose
/// reminder is due on `today` and not sent yet. Reads only.
pub fn plan_reminders(
    conn: &Connection,
    standing: &[PaymentPlan],
    today: NaiveDate,
) -> CampaignResult<Vec<PlannedInstalment>> {
    let mut due = Vec::new();
    if matches!(today.weekday(), Weekday::Sat | Weekday::Sun) {
        return Ok(due);
    }
    for plan in standing {
        if plan.status != PlanStatus::Active {
            continue;
        }
        let Some(next) = plan.next_instalment() else {
            continue;
        };
        let window_opens = next
            .due_date
            .checked_sub_days(Days::new(REMIND_DAYS_BEFORE));
        if today > next.due_date || window_opens.is_some_and(|day| today < day) {
            continue;
        }
        let send_key = instalment_key(plan.id, next.seq);
        if already_sent(conn, &send_key)? {
            continue;
        }
        let (customer_name, has_email, do_not_contact) = customer(conn, plan.customer_id)?;
        let owed = next.amount.minor - next.covered.minor;
        let owed = crate::model::Money::new(owed, next.amount.currency.clone());
        due.push(PlannedInstalment {
            customer_id: plan.customer_id,
            customer_name,
            plan_id: plan.id,
            seq: next.seq,
            due_date: next.due_date,
            amount: format!("{} {}", owed.decimal_string(), owed.currency.code()),
            send_key,
            skipped: match (do_not_contact, has_email) {
                (true, _) => Some("do not contact".into()),
                (false, false) => Some("no email address".into()),
                (false, true) => None,
            },
        });
    }
    Ok(due)
}

/// Queues the reminders `planned` sends (not the skipped ones).
pub(in crate::campaign) fn queue_reminders(
    conn: &Connection,
    planned: &[PlannedInstalment],
    today: NaiveDate,
    account: &AccountSettings,
) -> CampaignResult<Queued> {
    let mut done = Queued::default();
    let sending: Vec<&PlannedInstalment> = planned.iter().filter(|p| p.skipped.is_none()).collect();
    if sending.is_empty() {
        return Ok(done);
    }
    let renderer = renderer_of(conn, INSTALMENT_TEMPLATE)?;
    for reminder in sending {
        let meta = MessageMeta {
            customer_id: Some(reminder.customer_id),
            send_key: Some(reminder.send_key.clone()),
            template_key: Some(INSTALMENT_TEMPLATE.to_string()),
            campaign_id: None,
            step_id: None,
            invoice_ids: plan_invoice_ids(conn, reminder.plan_id)?,
        };
        match queue_with_meta(conn, &meta, (&renderer, account), today)? {
            Ok(id) => done.messages.push(id),
            Err(reason) => done.failed.push((reminder.customer_id, reason)),
        }
    }
    Ok(done)
}

/// Plans found broken on or before `today` and not flagged yet: each gets a call task on the
/// Today list (like a broken promise, it comes first there) and a line in the customer's
/// history, once. Returns the tasks created.
pub(in crate::campaign) fn flag_broken(
    conn: &Connection,
    standing: &[PaymentPlan],
    today: NaiveDate,
) -> CampaignResult<Vec<i64>> {
    let mut created = Vec::new();
    for plan in standing {
        let (PlanStatus::Broken, Some(broken_on)) = (plan.status, plan.broken_on) else {
            continue;
        };
        let tx = conn.unchecked_transaction()?;
        let claimed = tx
            .prepare_cached(
                "UPDATE payment_plans SET broken_flagged_on = ?2
                 WHERE id = ?1 AND broken_flagged_on IS NULL",
            )?
            .execute(params![plan.id, today.to_string()])?;
        if claimed == 0 {
            continue;
        }
        let missed = plan
            .instalments
            .iter()
            .find(|i| i.state == InstalmentState::Missed)
            .map_or(String::new(), |i| {
                format!(
                    ": instalment {} (due {}, {} {}) missed",
                    i.seq,
                    i.due_date,
                    i.amount.decimal_string(),
                    i.amount.currency.code()
                )
            });
        let (name, ..) = customer(&tx, plan.customer_id)?;
        let summary = format!("Payment plan {} broken on {broken_on}{missed}", plan.id);
        activity::record(&tx, plan.customer_id, None, "payment_plan", &summary)?;
        let title = format!("Call {name}: payment plan {} broken{missed}", plan.id);
        let title: String = title.chars().take(200).collect();
        let task = NewTask {
            customer_id: plan.customer_id,
            kind: TaskKind::Call,
            title: &title,
            due_date: today,
        };
        created.push(tasks::add(&tx, &task)?);
        tx.commit()?;
    }
    Ok(created)
}

/// A reminder under `key` was queued (sent, on its way, or failed in delivery: never twice);
/// one that could not even be prepared is tried again by the next run.
fn already_sent(conn: &Connection, key: &str) -> CampaignResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM messages WHERE send_key = ?1 AND NOT (state = 'failed' AND raw_mime IS NULL)",
        )?
        .query_row([key], |_| Ok(()))
        .optional()?
        .is_some())
}

fn customer(conn: &Connection, id: i64) -> CampaignResult<(String, bool, bool)> {
    Ok(conn
        .prepare_cached("SELECT name, has_email, do_not_contact FROM customers WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?)
}

fn plan_invoice_ids(conn: &Connection, plan_id: i64) -> CampaignResult<Vec<i64>> {
    Ok(conn
        .prepare_cached("SELECT invoice_id FROM payment_plan_invoices WHERE plan_id = ?1")?
        .query_map(params![plan_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}
