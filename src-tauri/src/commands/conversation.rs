//! The customer's conversation on the customer screen: both directions as threads, one
//! message read (its text, and its HTML in a sandboxed frame served by
//! [`super::mail_preview`] with remote content blocked), an attachment opened in the desktop's
//! program for its type. Reply goes through the composer ([`super::mail_send`]).

use super::mail_preview::HtmlPreviews;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use duebook_core::mail::inbound::attachment::{self, AttachmentError};
use duebook_core::views::conversation::{self, Conversation};
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

impl From<AttachmentError> for CommandError {
    fn from(e: AttachmentError) -> Self {
        match e {
            AttachmentError::NotFound(_) => CommandError::NotFound(e.to_string()),
            AttachmentError::Db(db) => db.into(),
            AttachmentError::Io(_) => CommandError::Io(e.to_string()),
            AttachmentError::NotKept | AttachmentError::Unreadable => {
                CommandError::InvalidInput(e.to_string())
            }
        }
    }
}

/// The customer's emails in both directions, newest thread first.
#[tauri::command]
pub async fn customer_conversation(
    state: State<'_, AppState>,
    customer_id: i64,
) -> CommandResult<Conversation> {
    state.with_db(|db| Ok(conversation::for_customer(db.conn(), customer_id)?))
}

/// One message to read.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MessageReading {
    pub text: String,
    /// Where a sandboxed frame shows the HTML body (remote content blocked); None: text only.
    pub html_url: Option<String>,
}

/// The bodies of one of the customer's messages.
#[tauri::command]
pub async fn read_message(
    state: State<'_, AppState>,
    previews: State<'_, HtmlPreviews>,
    customer_id: i64,
    message_id: i64,
) -> CommandResult<MessageReading> {
    let bodies = state
        .with_db(|db| Ok(conversation::bodies(db.conn(), customer_id, message_id)?))?
        .ok_or_else(|| {
            CommandError::NotFound(format!(
                "there is no message {message_id} for this customer"
            ))
        })?;
    Ok(MessageReading {
        text: bodies.text,
        html_url: bodies.html.map(|html| previews.publish(html)),
    })
}

/// "Open" beside an attachment: written to a private file in the app's cache folder and opened
/// with the desktop's program for its type. Returns the file's name.
#[tauri::command]
pub async fn open_message_attachment(
    app: AppHandle,
    state: State<'_, AppState>,
    customer_id: i64,
    attachment_id: i64,
) -> CommandResult<String> {
    let file =
        state.with_db(|db| Ok(attachment::extract(db.conn(), customer_id, attachment_id)?))?;
    let dir = app.path().app_cache_dir()?.join("attachments");
    let path = attachment::save_privately(&dir, &file)?;
    crate::dialogs::open_on_desktop(&path).map_err(|e| {
        CommandError::Io(format!(
            "{} was saved to {} but could not be opened: {e}",
            file.file_name,
            path.display()
        ))
    })?;
    Ok(file.file_name)
}

/// End-to-end tests only (feature `e2e-hooks`): keeps one raw message as the mailbox sync
/// does (read, classify, match, record) and returns what happened. Without the feature — every
/// release build — it refuses.
#[tauri::command]
pub async fn e2e_receive_message(
    app: AppHandle,
    state: State<'_, AppState>,
    raw: String,
) -> CommandResult<String> {
    #[cfg(feature = "e2e-hooks")]
    {
        use duebook_core::clock::{Clock, SystemClock};
        use duebook_core::mail::inbound::{decide, record};
        let recorded = state.with_db(|db| {
            let conn = db.conn();
            let decision = decide(conn, raw.as_bytes())
                .map_err(|e| CommandError::InvalidInput(e.to_string()))?;
            let recorded = record(conn, &decision, raw.as_bytes(), SystemClock.today())
                .map_err(|e| CommandError::Database(e.to_string()))?;
            Ok(format!("{recorded:?}"))
        })?;
        // The window reloads as after a sync, which writes on its own connection (so the file
        // watcher tells it): the open customer (contacts, tasks, the reply hold) and its emails.
        let _ = tauri::Emitter::emit(&app, crate::watch::DB_CHANGED_EVENT, ());
        crate::delivery::notify(&app);
        Ok(recorded)
    }
    #[cfg(not(feature = "e2e-hooks"))]
    {
        let _ = (app, state, raw);
        Err(CommandError::NotFound(
            "this command exists only in the end-to-end test build".into(),
        ))
    }
}
