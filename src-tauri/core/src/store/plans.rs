//! Payment plans (migration 23): open invoices of one customer turned into instalments that add
//! up to their balance to the cent. A plan's standing comes from the payments recorded on its
//! invoices since it was agreed ([`crate::model::plan::standing`]), like a promise's.

use crate::model::plan::{self, Instalment, PaymentPlan, PlanInvoice, PlanStatus, MAX_INSTALMENTS};
use crate::model::text::clean_line;
use crate::model::validation::{optional_text, FieldError};
use crate::model::{Currency, InvoiceKind, InvoiceStatus, Money};
use crate::store::{activity, check_invoices_belong, invoices, now_timestamp, DbError, DbResult};
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;

/// At most this many invoices in one plan: a plan is agreed over a handful, not a ledger.
pub const MAX_PLAN_INVOICES: usize = 200;

/// How the instalments are made: an equal monthly split, or amounts and dates typed one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanSplit {
    Equal { count: usize, first: NaiveDate },
    Custom { instalments: Vec<InstalmentInput> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalmentInput {
    pub due_date: NaiveDate,
    /// A decimal in the invoices' currency: "250.00".
    pub amount: String,
}

/// A plan as the user enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInput {
    pub customer_id: i64,
    pub invoice_ids: Vec<i64>,
    pub split: PlanSplit,
    pub note: String,
}

/// One instalment of a plan not agreed yet (see [`schedule`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ScheduledInstalment {
    pub due_date: NaiveDate,
    pub amount_minor: i64,
}

/// The instalments [`create`] would record for `input`, checked the same way (the same field
/// errors), writing nothing: the plan dialog's preview.
pub fn schedule(
    conn: &Connection,
    input: &PlanInput,
    today: NaiveDate,
) -> DbResult<Vec<ScheduledInstalment>> {
    let (_, instalments) = checked(conn, input, today)?;
    Ok(instalments
        .into_iter()
        .map(|(due_date, amount_minor)| ScheduledInstalment {
            due_date,
            amount_minor,
        })
        .collect())
}

/// Checks and records a plan; returns its id. Nothing is written when anything is wrong.
pub fn create(conn: &Connection, input: &PlanInput, today: NaiveDate) -> DbResult<i64> {
    let note =
        optional_text("note", "The note", Some(&clean_line(&input.note)), 500)?.unwrap_or_default();
    let ((currency, total, numbers), instalments) = checked(conn, input, today)?;
    let now = now_timestamp();
    conn.prepare_cached(
        "INSERT INTO payment_plans (customer_id, currency, total_minor, agreed_on, note, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![input.customer_id, currency.code(), total, today.to_string(), note, now])?;
    let id = conn.last_insert_rowid();
    let mut link = conn.prepare_cached(
        "INSERT OR IGNORE INTO payment_plan_invoices (plan_id, invoice_id) VALUES (?1, ?2)",
    )?;
    for invoice_id in &input.invoice_ids {
        link.execute([id, *invoice_id])?;
    }
    let mut add = conn.prepare_cached(
        "INSERT INTO payment_plan_instalments (plan_id, seq, due_date, amount_minor)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (seq, (due, amount)) in (1i64..).zip(&instalments) {
        add.execute(params![id, seq, due.to_string(), amount])?;
    }
    let summary = format!(
        "Payment plan agreed for {}: {} instalment(s) of {} from {}",
        numbers.join(", "),
        instalments.len(),
        Money::new(total, currency.clone()).decimal_string(),
        instalments[0].0
    );
    activity::record(conn, input.customer_id, None, "payment_plan", &summary)?;
    Ok(id)
}

/// The plan's invoices (see [`plan_invoices`]) and its instalments, each checked.
#[allow(clippy::type_complexity)] // private: the two parts create() writes
fn checked(
    conn: &Connection,
    input: &PlanInput,
    today: NaiveDate,
) -> DbResult<((Currency, i64, Vec<String>), Vec<(NaiveDate, i64)>)> {
    let (currency, total, numbers) = plan_invoices(conn, input, today)?;
    let instalments = instalments(&input.split, &currency, total)?;
    check_instalments(&instalments, total, &currency, today)?;
    Ok(((currency, total, numbers), instalments))
}

/// The invoices' currency, open balance and numbers, after checking they can make a plan.
fn plan_invoices(
    conn: &Connection,
    input: &PlanInput,
    today: NaiveDate,
) -> DbResult<(Currency, i64, Vec<String>)> {
    let field = |message: String| DbError::from(FieldError::new("invoice_ids", message));
    if input.invoice_ids.is_empty() || input.invoice_ids.len() > MAX_PLAN_INVOICES {
        return Err(field(format!(
            "Choose from 1 to {MAX_PLAN_INVOICES} open invoices for the plan"
        )));
    }
    check_invoices_belong(conn, input.customer_id, &input.invoice_ids)?;
    let running = running_invoice_ids(conn, today)?;
    let (mut currency, mut total, mut numbers) = (None::<Currency>, 0i64, Vec::new());
    for id in &input.invoice_ids {
        let invoice = invoices::get(conn, *id)?;
        let open = invoice.open_minor();
        if invoice.status != InvoiceStatus::Open
            || invoice.kind != InvoiceKind::Invoice
            || open <= 0
        {
            return Err(field(format!(
                "Invoice {} has nothing open to plan",
                invoice.number
            )));
        }
        if let Some(plan_id) = running.get(id) {
            return Err(field(format!(
                "Invoice {} is already on payment plan {plan_id}",
                invoice.number
            )));
        }
        match &currency {
            Some(c) if *c != invoice.total.currency => {
                return Err(field("The invoices of one plan share one currency".into()));
            }
            _ => currency = Some(invoice.total.currency.clone()),
        }
        total = total.saturating_add(open);
        numbers.push(invoice.number);
    }
    let currency = currency.ok_or_else(|| field("Choose the invoices for the plan".into()))?;
    Ok((currency, total, numbers))
}

/// The instalments (date, minor units) the split gives.
fn instalments(
    split: &PlanSplit,
    currency: &Currency,
    total: i64,
) -> DbResult<Vec<(NaiveDate, i64)>> {
    let field = |message: String| DbError::from(FieldError::new("instalments", message));
    match split {
        PlanSplit::Equal { count, first } => {
            let amounts = (1..=MAX_INSTALMENTS)
                .contains(count)
                .then(|| plan::split_equal(total, *count))
                .flatten()
                .ok_or_else(|| field(format!("Give from 1 to {MAX_INSTALMENTS} instalments")))?;
            let dates = plan::monthly_dates(*first, *count)
                .ok_or_else(|| field("The dates run past the calendar".into()))?;
            Ok(dates.into_iter().zip(amounts).collect())
        }
        PlanSplit::Custom { instalments } => instalments
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                Money::parse_decimal(&entry.amount, currency)
                    .map(|m| (entry.due_date, m.minor))
                    .map_err(|e| field(format!("Instalment {}: {e}", i + 1)))
            })
            .collect(),
    }
}

fn check_instalments(
    instalments: &[(NaiveDate, i64)],
    total: i64,
    currency: &Currency,
    today: NaiveDate,
) -> DbResult<()> {
    let field = |message: String| DbError::from(FieldError::new("instalments", message));
    if instalments.is_empty() || instalments.len() > MAX_INSTALMENTS {
        return Err(field(format!(
            "Give from 1 to {MAX_INSTALMENTS} instalments"
        )));
    }
    if instalments[0].0 < today {
        return Err(field(format!(
            "The first instalment, {}, is in the past",
            instalments[0].0
        )));
    }
    for (i, pair) in instalments.windows(2).enumerate() {
        if pair[1].0 <= pair[0].0 {
            return Err(field(format!(
                "Instalment {} must come after instalment {}",
                i + 2,
                i + 1
            )));
        }
    }
    if let Some(i) = instalments.iter().position(|(_, amount)| *amount <= 0) {
        return Err(field(format!(
            "Instalment {} must be more than zero",
            i + 1
        )));
    }
    let sum = instalments
        .iter()
        .fold(0i64, |sum, (_, amount)| sum.saturating_add(*amount));
    if sum != total {
        let money = |minor| Money::new(minor, currency.clone()).decimal_string();
        return Err(field(format!(
            "The instalments add up to {}; the invoices' balance is {}",
            money(sum),
            money(total)
        )));
    }
    Ok(())
}

/// Ends a plan by hand; the customer's invoices are chased again by the campaigns.
pub fn cancel(conn: &Connection, customer_id: i64, plan_id: i64) -> DbResult<()> {
    let owner: Option<(i64, Option<String>)> = conn
        .prepare_cached("SELECT customer_id, cancelled_at FROM payment_plans WHERE id = ?1")?
        .query_row([plan_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    match owner {
        None => Err(DbError::NotFound(format!("payment plan {plan_id}"))),
        Some((owner, _)) if owner != customer_id => Err(DbError::OtherCustomer {
            record: "payment plan",
            id: plan_id,
        }),
        Some((_, Some(_))) => Err(FieldError::new("plan", "The plan is already cancelled").into()),
        Some(_) => {
            conn.prepare_cached("UPDATE payment_plans SET cancelled_at = ?2 WHERE id = ?1")?
                .execute(params![plan_id, now_timestamp()])?;
            let summary =
                format!("Payment plan {plan_id} cancelled: reminders follow the invoices again");
            activity::record(conn, customer_id, None, "payment_plan", &summary)?;
            Ok(())
        }
    }
}

/// The customer's plans, newest first, as they stand on `as_of`.
pub fn for_customer(
    conn: &Connection,
    customer_id: i64,
    as_of: NaiveDate,
) -> DbResult<Vec<PaymentPlan>> {
    load(
        conn,
        "WHERE customer_id = ?1 ORDER BY id DESC",
        customer_id,
        as_of,
    )
}

/// Every plan not cancelled, as it stands on `as_of` (campaign plans and the call list).
pub fn all_standing(conn: &Connection, as_of: NaiveDate) -> DbResult<Vec<PaymentPlan>> {
    load(
        conn,
        "WHERE cancelled_at IS NULL AND ?1 = ?1 ORDER BY id",
        0,
        as_of,
    )
}

/// Invoice id → the running plan it is on.
fn running_invoice_ids(conn: &Connection, as_of: NaiveDate) -> DbResult<HashMap<i64, i64>> {
    Ok(all_standing(conn, as_of)?
        .into_iter()
        .filter(|p| p.status == PlanStatus::Active)
        .flat_map(|p| p.invoices.into_iter().map(move |i| (i.id, p.id)))
        .collect())
}

fn load(
    conn: &Connection,
    filter: &str,
    first: i64,
    as_of: NaiveDate,
) -> DbResult<Vec<PaymentPlan>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, customer_id, currency, total_minor, agreed_on, note, cancelled_at, created_at
         FROM payment_plans {filter}"
    ))?;
    let rows = stmt.query_map([first], |r| {
        Ok((
            (
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ),
            (
                r.get::<_, i64>(3)?,
                r.get::<_, NaiveDate>(4)?,
                r.get::<_, String>(5)?,
            ),
            (r.get::<_, Option<String>>(6)?, r.get::<_, String>(7)?),
        ))
    })?;
    let mut plans = Vec::new();
    for row in rows {
        let ((id, customer_id, code), (total, agreed_on, note), (cancelled, created)) = row?;
        let currency = Currency::parse(&code)
            .map_err(|_| DbError::NotFound(format!("currency {code:?} of payment plan {id}")))?;
        let parts = Parts {
            id,
            currency,
            created: &created,
            cancelled: cancelled.is_some(),
        };
        let (invoices, instalments, status, broken_on, paid) = parts.read(conn, as_of)?;
        let (total, paid) = (
            Money::new(total, parts.currency.clone()),
            Money::new(paid, parts.currency.clone()),
        );
        plans.push(PaymentPlan {
            id,
            customer_id,
            total_decimal: total.decimal_string(),
            paid_decimal: paid.decimal_string(),
            total,
            paid,
            agreed_on,
            note,
            invoices,
            instalments,
            status,
            broken_on,
        });
    }
    Ok(plans)
}

/// What a plan's other tables and its payments say.
struct Parts<'p> {
    id: i64,
    currency: Currency,
    created: &'p str,
    cancelled: bool,
}

type Read = (
    Vec<PlanInvoice>,
    Vec<Instalment>,
    PlanStatus,
    Option<NaiveDate>,
    i64,
);

impl Parts<'_> {
    fn read(&self, conn: &Connection, as_of: NaiveDate) -> DbResult<Read> {
        let invoices = conn
            .prepare_cached(
                "SELECT i.id, i.number FROM payment_plan_invoices p JOIN invoices i ON i.id = p.invoice_id
                 WHERE p.plan_id = ?1 ORDER BY i.due_date, i.id",
            )?
            .query_map([self.id], |r| Ok(PlanInvoice { id: r.get(0)?, number: r.get(1)? }))?
            .collect::<Result<Vec<_>, _>>()?;
        let dated: Vec<(NaiveDate, i64)> = conn
            .prepare_cached(
                "SELECT due_date, amount_minor FROM payment_plan_instalments WHERE plan_id = ?1 ORDER BY seq",
            )?
            .query_map([self.id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let payments: Vec<(NaiveDate, i64)> = conn
            .prepare_cached(
                "SELECT pay.paid_on, pay.amount_minor FROM payment_plan_invoices p
                 JOIN payments pay ON pay.invoice_id = p.invoice_id
                 WHERE p.plan_id = ?1 AND pay.created_at >= ?2",
            )?
            .query_map(params![self.id, self.created], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<Result<_, _>>()?;
        let (status, broken_on, states) = plan::standing(&dated, &payments, as_of);
        let paid = payments
            .iter()
            .filter(|(on, _)| *on <= as_of)
            .fold(0i64, |sum, (_, amount)| sum.saturating_add(*amount));
        let money = |minor| Money::new(minor, self.currency.clone());
        let instalments = (1i64..)
            .zip(dated.iter().zip(states))
            .map(|(seq, ((due_date, amount), (covered, state)))| Instalment {
                seq,
                due_date: *due_date,
                amount_decimal: money(*amount).decimal_string(),
                amount: money(*amount),
                covered: money(covered),
                state,
            })
            .collect();
        let status = if self.cancelled {
            PlanStatus::Cancelled
        } else {
            status
        };
        Ok((invoices, instalments, status, broken_on, paid))
    }
}
