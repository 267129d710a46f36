//! The composer on the customer screen and the outbox: choose a template, preview the exact
//! message, attach files and invoice copies, send (queued in the outbox, then delivered in the
//! background by [`crate::delivery`]), as a new message or a Reply; Resend / Mark as sent for
//! the ones that need a decision (the customer's messages are in [`super::conversation`]).

use super::mail_preview::HtmlPreviews;
use crate::delivery::{self, DeliveryStatus};
use crate::dialogs;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::test_hooks::Dialog;
use duebook_core::clock::{Clock, SystemClock};
use duebook_core::mail::attachments::{self, InvoiceCopyChoice};
use duebook_core::mail::compose::{self, Attachment, EmailPreview, PreparedEmail, SendRequest};
use duebook_core::mail::outbox::{self, MessageState, OutboxMessage};
use duebook_core::mail::{account, attention, reply, templates};
use duebook_core::store::Database;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use tauri::{AppHandle, Manager, State, Window};
use ts_rs::TS;

/// Most messages the outbox list shows.
const ATTENTION_LIMIT: usize = 50;

/// The files picked with "Attach file…": the composer may attach and link only these, so the
/// window cannot make the shell read arbitrary files.
#[derive(Default)]
pub struct PickedFiles(Mutex<HashSet<PathBuf>>);

impl PickedFiles {
    fn add(&self, path: PathBuf) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path);
    }

    fn get(&self, shown: &str) -> CommandResult<PathBuf> {
        let path = PathBuf::from(shown);
        if self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&path)
        {
            return Ok(path);
        }
        Err(CommandError::InvalidInput(format!(
            "{shown} was not picked with \"Attach file…\"; pick it again"
        )))
    }
}

/// A template the composer and the campaign editor offer.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TemplateChoice {
    pub key: String,
    pub name: String,
    /// The template attaches copies of the overdue invoices by default.
    pub attach_overdue_copies: bool,
}

/// Every template written to customers, for the composer and for campaign steps.
pub(crate) fn template_choices(conn: &rusqlite::Connection) -> CommandResult<Vec<TemplateChoice>> {
    templates::list(conn)?
        .into_iter()
        .filter(|t| !templates::INTERNAL_KEYS.contains(&t.key.as_str()))
        .map(|t| {
            let options = attachments::template_options(conn, &t.key)?;
            Ok(TemplateChoice {
                attach_overdue_copies: options.attach_overdue_copies,
                key: t.key,
                name: t.name,
            })
        })
        .collect()
}

/// What the composer needs to open.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ComposeOptions {
    pub templates: Vec<TemplateChoice>,
    /// The customer's open invoices, oldest due first, with their copies.
    pub invoices: Vec<InvoiceCopyChoice>,
    /// An email account is set up (without one nothing can be sent; the preview still works).
    pub account_ready: bool,
}

#[tauri::command]
pub async fn compose_options(
    state: State<'_, AppState>,
    customer_id: i64,
) -> CommandResult<ComposeOptions> {
    let today = SystemClock.today();
    state.with_db(|db| {
        let conn = db.conn();
        Ok(ComposeOptions {
            templates: template_choices(conn)?,
            invoices: attachments::invoice_copy_choices(conn, customer_id, today)?,
            account_ready: account::load(conn)?.is_some(),
        })
    })
}

/// A file picked to attach.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PickedFile {
    /// Pass back unchanged in [`ComposeRequest::files`] or to [`link_invoice_file`].
    pub path: String,
    pub file_name: String,
    pub size_bytes: u64,
}

/// "Attach file…": any file, picked with the native dialog. None when cancelled.
#[tauri::command]
pub async fn choose_attachment(
    window: Window,
    picked: State<'_, PickedFiles>,
) -> CommandResult<Option<PickedFile>> {
    let dialog = dialogs::OpenDialog {
        title: "Attach a file",
        filter_name: "",
        extensions: &[],
    };
    let Some(path) = dialogs::open_path(&window, Dialog::Attachment, dialog).await else {
        return Ok(None);
    };
    let attachment = Attachment::from_file(&path)?;
    picked.add(path.clone());
    Ok(Some(PickedFile {
        path: path.to_string_lossy().into_owned(),
        file_name: attachment.file_name,
        size_bytes: attachment.bytes.len() as u64,
    }))
}

/// "Use as the copy of this invoice": the picked file is offered for the invoice (one of the
/// customer's being emailed) from now on.
#[tauri::command]
pub async fn link_invoice_file(
    state: State<'_, AppState>,
    picked: State<'_, PickedFiles>,
    customer_id: i64,
    invoice_id: i64,
    path: String,
) -> CommandResult<()> {
    let path = picked.get(&path)?;
    state.with_db(|db| {
        Ok(attachments::link_invoice_file(
            db.conn(),
            customer_id,
            invoice_id,
            &path,
        )?)
    })
}

/// The message the person is composing.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ComposeRequest {
    pub customer_id: i64,
    pub template_key: String,
    /// [`PickedFile::path`]s.
    pub files: Vec<String>,
    /// Invoices whose copies to attach.
    pub invoice_copies: Vec<i64>,
    /// "Reply": the customer's message this answers (subject "Re: …", In-Reply-To and
    /// References naming it, sent to its writer when they are a contact).
    pub replying_to: Option<i64>,
    /// A reply in the person's own words instead of `template_key`'s template.
    pub own_words: Option<String>,
}

/// The composed message — the template rendered, or (replying) the person's own words — with
/// the picked files and invoice copies; `sending` needs the email account
/// ([`compose::prepare`]), a preview does not ([`compose::prepare_preview`]).
fn prepare(
    db: &Database,
    picked: &PickedFiles,
    request: &ComposeRequest,
    sending: bool,
) -> CommandResult<PreparedEmail> {
    let today = SystemClock.today();
    let conn = db.conn();
    let files = request
        .files
        .iter()
        .map(|f| picked.get(f))
        .collect::<CommandResult<Vec<_>>>()?;
    let mut prepared = match (&request.own_words, request.replying_to) {
        (Some(words), Some(_)) => {
            let mut own = reply::prepare_own_words(conn, request.customer_id, words, sending)?;
            let files = files.iter().map(|f| Attachment::from_file(f));
            compose::attach(&mut own, files.collect::<Result<_, _>>()?)?;
            own
        }
        (Some(_), None) => {
            return Err(CommandError::InvalidInput(
                "an email in your own words is a reply: choose Reply on the customer's message"
                    .into(),
            ))
        }
        (None, _) => {
            let send = SendRequest {
                customer_id: request.customer_id,
                template_key: request.template_key.clone(),
                attachments: files,
            };
            let make = if sending {
                compose::prepare
            } else {
                compose::prepare_preview
            };
            make(conn, &send, today)?
        }
    };
    attachments::attach_invoice_copies(conn, &mut prepared, &request.invoice_copies, today)?;
    if let Some(message_id) = request.replying_to {
        reply::make_reply(conn, &mut prepared, request.customer_id, message_id)?;
    }
    Ok(prepared)
}

/// The exact message Send would queue, and where a frame shows its HTML.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ComposePreview {
    pub email: EmailPreview,
    /// The HTML body's address for a sandboxed frame (see [`super::mail_preview`]).
    pub html_url: String,
}

/// The exact message Send would queue: recipients, subject, both bodies, attachments.
#[tauri::command]
pub async fn preview_email(
    state: State<'_, AppState>,
    picked: State<'_, PickedFiles>,
    previews: State<'_, HtmlPreviews>,
    request: ComposeRequest,
) -> CommandResult<ComposePreview> {
    let email = state.with_db(|db| Ok(prepare(db, &picked, &request, false)?.preview))?;
    Ok(ComposePreview {
        html_url: previews.publish(email.html.clone()),
        email,
    })
}

/// Queues the message (stored before any network I/O) and starts background delivery.
#[tauri::command]
pub async fn send_email(
    app: AppHandle,
    state: State<'_, AppState>,
    picked: State<'_, PickedFiles>,
    request: ComposeRequest,
) -> CommandResult<OutboxMessage> {
    let message = state.with_db(|db| {
        let prepared = prepare(db, &picked, &request, true)?;
        let id = outbox::enqueue_prepared(db.conn(), &prepared, None)?;
        Ok(outbox::get(db.conn(), id)?)
    })?;
    delivery::kick(&app);
    Ok(message)
}

/// "Resend" for a failed or uncertain message: queued again with the same Message-ID.
#[tauri::command]
pub async fn resend_message(
    app: AppHandle,
    state: State<'_, AppState>,
    message_id: i64,
) -> CommandResult<OutboxMessage> {
    let message = state.with_db(|db| Ok(outbox::resend(db.conn(), message_id)?))?;
    delivery::kick(&app);
    Ok(message)
}

/// "Mark as sent" for an uncertain message the person knows arrived.
#[tauri::command]
pub async fn mark_message_sent(
    app: AppHandle,
    state: State<'_, AppState>,
    message_id: i64,
) -> CommandResult<OutboxMessage> {
    let message = state.with_db(|db| Ok(outbox::mark_sent(db.conn(), message_id)?))?;
    delivery::notify(&app);
    Ok(message)
}

/// What the top bar's outbox indicator shows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OutboxAttention {
    /// Failed and uncertain messages, newest first (at most 50).
    pub messages: Vec<OutboxMessage>,
    /// All failed and uncertain messages.
    pub total: i64,
    /// Waiting to be sent.
    pub queued: i64,
    pub delivery: DeliveryStatus,
    /// The server refused the login: sending waits until the password is fixed.
    pub account: Option<attention::AccountAttention>,
}

/// The window shows a database (at start or after opening another file): messages a crashed
/// sender left `sending` become `uncertain`, and what is queued goes out.
#[tauri::command]
pub async fn resume_delivery(app: AppHandle) -> CommandResult<()> {
    delivery::resume(&app);
    Ok(())
}

const NEEDS_DECISION: [MessageState; 2] = [MessageState::Uncertain, MessageState::Failed];

#[tauri::command]
pub async fn outbox_attention(app: AppHandle) -> CommandResult<OutboxAttention> {
    let delivery = app.state::<delivery::Delivery>().status();
    app.state::<AppState>().with_db(|db| {
        let conn = db.conn();
        let mut messages = Vec::new();
        for state in NEEDS_DECISION {
            messages.extend(outbox::list_by_state(conn, state)?);
        }
        messages.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        messages.truncate(ATTENTION_LIMIT);
        Ok(OutboxAttention {
            messages,
            total: outbox::count_in_states(conn, &NEEDS_DECISION)?,
            queued: outbox::count_in_states(conn, &[MessageState::Queued])?,
            delivery,
            account: attention::account_attention(conn)?,
        })
    })
}
