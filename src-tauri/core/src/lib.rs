//! Duebook's core: everything that is not UI.
//!
//! Layers, each importing only the ones before it (`tests/layers.rs` checks this):
//! [`model`] (domain types, no I/O) ← [`sandbox`] (user templates rendered with limits)
//! ← [`store`] (the SQLite file, one query module per table) ← [`company`] (profile, logo, money
//! and date formats, recipients, template fields) ← [`statement`] (PDFs) ← [`mail`] (email
//! templates, accounts, outbox, SMTP, statements by email) ← [`campaign`] (plans, runs). [`views`] are
//! read models over the store; [`import`] and [`demo`] write through it. The Tauri shell and the
//! `duebook` CLI are thin adapters over these modules. ARCHITECTURE.md draws the picture.

pub mod campaign;
pub mod clock;
pub mod company;
pub mod demo;
pub mod import;
pub mod logs;
pub mod mail;
pub mod model;
pub mod paths;
pub mod private_fs;
pub mod sandbox;
pub mod secrets;
pub mod statement;
pub mod store;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
pub mod views;

/// Duebook's version: the workspace's, the one the app, the CLI and the packages show.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The app identifier: Tauri's `identifier` and the name of the data directory.
pub const APP_IDENTIFIER: &str = "app.duebook.desktop";
