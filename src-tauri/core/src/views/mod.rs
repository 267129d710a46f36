//! Read models: what the screens and the CLI show, each read straight from the store.
//!
//! Views only read (the call list also records an outcome, and the list's bulk owner assignment
//! writes, through the store's modules); nothing below them imports a view.

pub mod call_list;
pub mod conversation;
pub mod customer_list;
pub mod detail;
pub mod diagnostics;
pub mod export;
pub mod owner_assign;
pub mod report;
pub mod search;
pub mod search_match;
pub mod timeline;
