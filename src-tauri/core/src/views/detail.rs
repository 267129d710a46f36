//! The customer screen's read model: everything about one customer in one call.

use crate::model::plan::PaymentPlan;
use crate::model::{
    Balance, Contact, Customer, Dispute, InvoiceRow, Note, Promise, PromiseStatus, Task,
};
use crate::store::DbResult;
use crate::{
    store::contacts, store::customers, store::disputes, store::invoices, store::notes,
    store::offers, store::plans, store::promises, store::tasks, views::customer_list,
    views::report::paying,
};
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

/// How many recent notes the screen opens with.
pub const RECENT_NOTES: u32 = 20;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CustomerDetail {
    pub customer: Customer,
    /// Open and overdue amounts per currency.
    pub balances: Vec<Balance>,
    pub oldest_days_overdue: Option<i64>,
    pub last_contact_at: Option<String>,
    pub next_follow_up: Option<NaiveDate>,
    pub contacts: Vec<Contact>,
    pub invoices: Vec<InvoiceRow>,
    /// Invoices with an open dispute, and with a pending promise: the screen shows them as
    /// "disputed" / "promised".
    pub disputed_invoice_ids: Vec<i64>,
    pub promised_invoice_ids: Vec<i64>,
    pub notes: Vec<Note>,
    pub tasks: Vec<Task>,
    pub promises: Vec<Promise>,
    pub disputes: Vec<Dispute>,
    /// Payment plans, newest first, as they stand today.
    pub plans: Vec<PaymentPlan>,
    /// The latest early-payment offer on each invoice that had one, and where it stands.
    pub offers: Vec<offers::InvoiceOffer>,
    /// Average days to pay and late per currency, over the invoices paid in full (see
    /// [`paying`]).
    pub pay_habits: Vec<paying::PayHabit>,
}

pub fn customer_detail(conn: &Connection, id: i64, as_of: NaiveDate) -> DbResult<CustomerDetail> {
    let customer = customers::get(conn, id)?;
    let row = customer_list::rows_for(conn, &[id], as_of)?.pop();
    let promises = promises::for_customer(conn, id, as_of)?;
    let disputes = disputes::for_customer(conn, id)?;
    Ok(CustomerDetail {
        balances: row.as_ref().map(|r| r.balances.clone()).unwrap_or_default(),
        oldest_days_overdue: row.as_ref().and_then(|r| r.oldest_days_overdue),
        last_contact_at: row.as_ref().and_then(|r| r.last_contact_at.clone()),
        next_follow_up: row.and_then(|r| r.next_follow_up),
        contacts: contacts::for_customer(conn, id)?,
        invoices: invoices::for_customer(conn, id, as_of)?,
        disputed_invoice_ids: disputes
            .iter()
            .filter(|d| d.resolved_at.is_none())
            .filter_map(|d| d.invoice_id)
            .collect(),
        promised_invoice_ids: promises
            .iter()
            .filter(|p| p.status == PromiseStatus::Pending)
            .filter_map(|p| p.invoice_id)
            .collect(),
        notes: notes::recent_for_customer(conn, id, RECENT_NOTES)?,
        tasks: tasks::for_customer(conn, id)?,
        promises,
        disputes,
        plans: plans::for_customer(conn, id, as_of)?,
        offers: offers::for_customer(conn, id, as_of)?,
        pay_habits: paying::customer_habits(conn, id)?,
        customer,
    })
}
