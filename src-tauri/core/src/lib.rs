//! Duebook's core: everything that is not UI.
//!
//! How it fits together: [`db::Database`] opens (and migrates) the one SQLite file whose path
//! [`paths`] decides. Each table has a query module (`customers`, `invoices`, ...) with small
//! functions that take a `rusqlite::Connection` and return domain types from [`model`]. Writes
//! that change balances call [`derived::refresh_customers`] inside the same transaction, so the
//! list screen can read per-customer balances and the search index without aggregating a million
//! invoices. [`import`] turns accounting exports into those writes, [`report`] reads them back,
//! [`demo`] fills a file with realistic data. The Tauri shell and the `duebook` CLI are thin
//! adapters over these functions.

pub mod activity;
pub mod call_list;
pub mod campaign;
pub mod clock;
pub mod contacts;
pub mod customer_list;
pub mod customers;
pub mod db;
pub mod demo;
pub mod derived;
pub mod detail;
pub mod disputes;
pub mod export;
pub mod import;
pub mod invoices;
pub mod mail;
pub mod model;
pub mod notes;
pub mod paths;
pub mod payments;
pub mod private_fs;
pub mod promises;
pub mod report;
pub mod search;
pub mod search_match;
pub mod secrets;
pub mod settings;
pub mod statement;
pub mod tasks;
pub mod timeline;

/// The app identifier: Tauri's `identifier` and the name of the data directory.
pub const APP_IDENTIFIER: &str = "app.duebook.desktop";
