//! Reports read from the stored invoices and payments.

pub mod aging;
pub mod collected;
pub mod conversion;
pub mod customer_aging;
pub mod forecast;
pub mod kpis;
mod ledger;
pub mod paying;
pub mod promises;
pub mod shown;
pub mod table;
pub mod top_overdue;
pub mod trends;
