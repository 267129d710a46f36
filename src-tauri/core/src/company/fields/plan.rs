//! The `plan` field: the customer's running payment plan as templates see it (the instalment
//! reminder, statements, any reminder that wants to mention it).

use crate::company::{format_date, format_money};
use crate::model::plan::{Instalment, InstalmentState, PaymentPlan, PlanStatus};
use crate::model::Money;
use crate::store::{plans, DbResult};
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct PlanFields {
    pub total: String,
    pub paid: String,
    pub remaining: String,
    pub instalment_count: usize,
    /// The first instalment not fully paid.
    pub next: Option<InstalmentFields>,
    pub instalments: Vec<InstalmentFields>,
    /// The invoice numbers the plan covers, joined: "INV-1, INV-2".
    pub invoice_numbers: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstalmentFields {
    pub number: i64,
    pub due_date: String,
    pub due_date_iso: String,
    pub amount: String,
    pub amount_number: String,
    /// What is still to pay of it.
    pub open: String,
    /// "paid", "part", "due" or "missed".
    pub state: &'static str,
}

/// The customer's running plan on `as_of`, or None.
pub(super) fn plan(
    conn: &Connection,
    customer_id: i64,
    as_of: NaiveDate,
) -> DbResult<Option<PlanFields>> {
    let running = plans::for_customer(conn, customer_id, as_of)?
        .into_iter()
        .find(|p| p.status == PlanStatus::Active);
    Ok(running.as_ref().map(plan_fields))
}

pub(super) fn plan_fields(plan: &PaymentPlan) -> PlanFields {
    let remaining = Money::new(
        plan.total.minor - plan.paid.minor.min(plan.total.minor),
        plan.total.currency.clone(),
    );
    let numbers: Vec<&str> = plan.invoices.iter().map(|i| i.number.as_str()).collect();
    PlanFields {
        total: format_money(&plan.total),
        paid: format_money(&plan.paid),
        remaining: format_money(&remaining),
        instalment_count: plan.instalments.len(),
        next: plan.next_instalment().map(instalment_fields),
        instalments: plan.instalments.iter().map(instalment_fields).collect(),
        invoice_numbers: numbers.join(", "),
    }
}

fn instalment_fields(i: &Instalment) -> InstalmentFields {
    let open = Money::new(i.amount.minor - i.covered.minor, i.amount.currency.clone());
    InstalmentFields {
        number: i.seq,
        due_date: format_date(i.due_date),
        due_date_iso: i.due_date.to_string(),
        amount: format_money(&i.amount),
        amount_number: i.amount.decimal_string(),
        open: format_money(&open),
        state: match i.state {
            InstalmentState::Paid => "paid",
            InstalmentState::Part => "part",
            InstalmentState::Due => "due",
            InstalmentState::Missed => "missed",
        },
    }
}
