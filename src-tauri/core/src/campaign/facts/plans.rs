//! Invoices on a running payment plan: the campaign does not chase them invoice by invoice while
//! the plan is kept, and says so in the plan with what is due next.

use super::super::CampaignResult;
use crate::model::plan::PlanStatus;
use crate::store::plans as store;
use chrono::NaiveDate;
use rusqlite::Connection;
use std::collections::HashMap;

/// Invoice id → "invoice INV-1 is on payment plan 3: next instalment 100.00 EUR on 2027-01-31".
pub(super) fn running(conn: &Connection, today: NaiveDate) -> CampaignResult<HashMap<i64, String>> {
    let mut planned = HashMap::new();
    for plan in store::all_standing(conn, today)? {
        if plan.status != PlanStatus::Active {
            continue;
        }
        let next = plan.next_instalment().map_or(String::new(), |i| {
            let owed = i.amount.minor - i.covered.minor;
            let owed = crate::model::Money::new(owed, i.amount.currency.clone());
            format!(
                ": next instalment {} {} on {}",
                owed.decimal_string(),
                owed.currency.code(),
                i.due_date
            )
        });
        for invoice in &plan.invoices {
            let detail = format!(
                "invoice {} is on payment plan {}{next}",
                invoice.number, plan.id
            );
            planned.insert(invoice.id, detail);
        }
    }
    Ok(planned)
}
