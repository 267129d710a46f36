//! The customer screen's read model: everything about one customer in one call.

use crate::db::DbResult;
use crate::model::{Contact, Customer, InvoiceRow, Note};
use crate::{contacts, customers, invoices, notes};
use chrono::NaiveDate;
use serde::Serialize;
use ts_rs::TS;

/// How many recent notes the screen opens with.
pub const RECENT_NOTES: u32 = 20;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CustomerDetail {
    pub customer: Customer,
    pub contacts: Vec<Contact>,
    pub invoices: Vec<InvoiceRow>,
    pub notes: Vec<Note>,
}

pub fn customer_detail(
    conn: &rusqlite::Connection,
    id: i64,
    as_of: NaiveDate,
) -> DbResult<CustomerDetail> {
    Ok(CustomerDetail {
        customer: customers::get(conn, id)?,
        contacts: contacts::for_customer(conn, id)?,
        invoices: invoices::for_customer(conn, id, as_of)?,
        notes: notes::recent_for_customer(conn, id, RECENT_NOTES)?,
    })
}
