//! The store: the one SQLite file and a query module per table.
//!
//! [`Database`] opens (and migrates) the file. Each table has a module of small functions that
//! take a `rusqlite::Connection` and return domain types from [`crate::model`]. Writes that
//! change balances call [`derived::refresh_customers`] inside the same transaction, so the list
//! screen reads per-customer balances without aggregating a million invoices.
//!
//! The store knows nothing above it: no company profile, statements, mail or campaigns.

mod clean_text;
mod database;
mod migrate;
mod owner;

pub mod activity;
pub mod contacts;
pub mod customers;
pub mod derived;
pub mod disputes;
pub mod invoices;
pub mod notes;
pub mod payments;
pub mod promises;
pub mod settings;
pub mod tasks;

pub(crate) use database::json_ids;
pub use database::{now_timestamp, Database, DbError, DbResult};
pub use migrate::{schema_version, LATEST_VERSION};
pub use owner::check_invoices_belong;
