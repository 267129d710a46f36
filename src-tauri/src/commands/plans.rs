//! Payment plans on the customer screen: agree one over open invoices, cancel it. The plans
//! themselves come with the customer's detail.

use crate::commands::parse_date;
use crate::error::CommandResult;
use crate::state::AppState;
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::store::plans::{
    self, InstalmentInput, PlanInput, PlanSplit, ScheduledInstalment,
};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

/// One instalment as the form sends it: `due_date` `YYYY-MM-DD`, `amount` a decimal.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct InstalmentForm {
    pub due_date: String,
    pub amount: String,
}

/// A plan as the form sends it: an equal monthly split (`count` from `first`), or `instalments`
/// typed one by one when `count` is null.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct PlanForm {
    pub customer_id: i64,
    pub invoice_ids: Vec<i64>,
    pub count: Option<usize>,
    pub first: String,
    pub instalments: Vec<InstalmentForm>,
    pub note: String,
}

/// Agrees a payment plan; the core checks it adds up to the invoices' balance to the cent and
/// that the invoices are the customer's. Returns the plan's id.
#[tauri::command]
pub async fn create_payment_plan(state: State<'_, AppState>, plan: PlanForm) -> CommandResult<i64> {
    let input = input_of(plan)?;
    let today = SystemClock.today();
    state.write(|conn| plans::create(conn, &input, today))
}

/// The instalments the plan as typed so far would have, checked as agreeing it checks (the
/// same field errors); nothing is written. The dialog's preview.
#[tauri::command]
pub async fn payment_plan_schedule(
    state: State<'_, AppState>,
    plan: PlanForm,
) -> CommandResult<Vec<ScheduledInstalment>> {
    let input = input_of(plan)?;
    let today = SystemClock.today();
    state.with_db(|db| Ok(plans::schedule(db.conn(), &input, today)?))
}

fn input_of(plan: PlanForm) -> CommandResult<PlanInput> {
    let split = match plan.count {
        Some(count) => PlanSplit::Equal {
            count,
            first: parse_date("first", "The first instalment's date", &plan.first)?,
        },
        None => PlanSplit::Custom {
            instalments: plan
                .instalments
                .iter()
                .map(|i| {
                    Ok(InstalmentInput {
                        due_date: parse_date("instalments", "An instalment's date", &i.due_date)?,
                        amount: i.amount.clone(),
                    })
                })
                .collect::<CommandResult<_>>()?,
        },
    };
    Ok(PlanInput {
        customer_id: plan.customer_id,
        invoice_ids: plan.invoice_ids,
        split,
        note: plan.note,
    })
}

/// Ends a plan by hand (the customer's own plan only): its invoices are chased again.
#[tauri::command]
pub async fn cancel_payment_plan(
    state: State<'_, AppState>,
    customer_id: i64,
    plan_id: i64,
) -> CommandResult<()> {
    state.write(|conn| plans::cancel(conn, customer_id, plan_id))
}
