//! `duebook://customer/ID` links (see `duebook_core::model::link`), read from the command line
//! without a deep-link plugin: a launcher (the desktop entry's `%u`, a mail client) starts the app
//! with the link as an argument. The link the app was started with waits for the window to ask
//! for it; one a second start hands over (through the single-instance plugin) reaches the
//! running window as an `open-link` event. The window asks [`customer_link_id`] what it names.

use crate::error::{CommandError, CommandResult};
use duebook_core::model::link::{link_argument, parse_customer_link};
use std::sync::Mutex;
use tauri::{AppHandle, Emitter, State};

/// The event a second start's link reaches the window with (payload: the link as given).
pub const OPEN_LINK_EVENT: &str = "open-link";

/// The link the app was started with, until the window takes it.
#[derive(Default)]
pub struct StartLink(Mutex<Option<String>>);

impl StartLink {
    pub fn from_args(args: &[String]) -> StartLink {
        let link = link_argument(args.iter().map(String::as_str)).map(str::to_string);
        StartLink(Mutex::new(link))
    }
}

/// Sends a second start's link, if it had one, to the running window.
pub fn hand_over(app: &AppHandle, args: &[String]) {
    if let Some(link) = link_argument(args.iter().map(String::as_str)) {
        if let Err(e) = app.emit(OPEN_LINK_EVENT, link) {
            tracing::warn!("could not hand a link to the window: {e}");
        }
    }
}

/// The link the app was started with, once (None after, or without one).
#[tauri::command]
pub fn take_start_link(state: State<'_, StartLink>) -> Option<String> {
    state.0.lock().map_or(None, |mut link| link.take())
}

/// The customer a `duebook://customer/ID` link names, or why it names none (the window then
/// looks the customer up, and says so when this database has no such customer).
#[tauri::command]
pub fn customer_link_id(link: String) -> CommandResult<i64> {
    parse_customer_link(&link).map_err(|e| CommandError::InvalidInput(e.to_string()))
}
