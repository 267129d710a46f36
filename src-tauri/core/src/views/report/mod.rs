//! Reports read from the stored invoices and payments.

pub mod aging;
pub mod kpis;
mod ledger;
pub mod shown;
pub mod trends;
