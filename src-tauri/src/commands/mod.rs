//! Tauri commands, one module per screen area. Each is async, takes typed arguments, calls one
//! function of `duebook_core` and returns `Result<T, CommandError>`.

pub mod customers;
pub mod database;
pub mod diagnostics;
pub mod import;
