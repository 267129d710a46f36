//! Statements by email: the statement-cover template with the statement PDF attached, queued in
//! the outbox under one key per customer, period and statement date, so a second click (or a
//! second "send all") never queues the same statement twice.

use super::account::{self, AccountError, AccountSettings};
use super::compose::{self, Attachment, ComposeError, PreparedEmail, SendRequest};
use super::outbox::{self, OutboxError};
use super::templates::{self, Renderer, TemplateError};
use crate::statement::{
    self, statement_data, statement_file_name, statement_pdf, BulkOptions, BulkProgress,
    FailedStatement, PlannedStatement, StatementError, StatementOptions,
};
use rusqlite::Connection;
use std::sync::atomic::{AtomicBool, Ordering};

/// The template every statement email uses.
pub const COVER_TEMPLATE: &str = "statement-cover";

#[derive(Debug, thiserror::Error)]
pub enum StatementMailError {
    #[error(transparent)]
    Statement(#[from] StatementError),
    #[error(transparent)]
    Compose(#[from] ComposeError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Account(#[from] AccountError),
}

/// What one statement email renders with: the account and the compiled cover template.
pub struct StatementMailer {
    account: AccountSettings,
    renderer: Renderer,
}

impl StatementMailer {
    /// Fails when no email account is set up or the cover template does not compile.
    pub fn new(conn: &Connection) -> Result<StatementMailer, StatementMailError> {
        Ok(StatementMailer {
            account: account::require(conn)?,
            renderer: Renderer::new(&[templates::get(conn, COVER_TEMPLATE)?])?,
        })
    }

    /// The cover email with the statement PDF attached. A customer without a usable email
    /// address (or marked do-not-contact) is refused before the PDF is drawn.
    pub fn prepare(
        &self,
        conn: &Connection,
        customer_id: i64,
        options: &StatementOptions,
    ) -> Result<PreparedEmail, StatementMailError> {
        let request = SendRequest {
            customer_id,
            template_key: COVER_TEMPLATE.into(),
            attachments: Vec::new(),
        };
        let mut prepared =
            compose::prepare_with(conn, &self.renderer, &self.account, &request, options.as_of)?;
        let data = statement_data(conn, customer_id, options)?;
        let attachment = Attachment {
            file_name: statement_file_name(customer_id, &data.customer_name, options.as_of),
            content_type: "application/pdf".into(),
            bytes: statement_pdf(&data)?,
        };
        prepared.preview.attachments.push(attachment.info());
        prepared.email.attachments.push(attachment);
        Ok(prepared)
    }

    /// Prepares and queues one statement email; returns the outbox message id. Queuing the
    /// same statement again is refused with [`OutboxError::AlreadyQueued`].
    pub fn enqueue(
        &self,
        conn: &Connection,
        customer_id: i64,
        options: &StatementOptions,
    ) -> Result<i64, StatementMailError> {
        let prepared = self.prepare(conn, customer_id, options)?;
        let key = send_key(customer_id, options);
        Ok(outbox::enqueue_prepared(conn, &prepared, Some(key))?)
    }
}

/// One statement email per customer, period and statement date.
pub fn send_key(customer_id: i64, options: &StatementOptions) -> String {
    format!(
        "statement:{customer_id}:{}:{}",
        options.period_start(),
        options.as_of
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedStatement {
    pub customer_id: i64,
    pub customer_name: String,
    pub message_id: i64,
}

/// What [`enqueue_all`] did.
#[derive(Debug, Clone, Default)]
pub struct SendSummary {
    pub queued: Vec<QueuedStatement>,
    /// Already in the outbox from an earlier run: not queued again.
    pub already_queued: Vec<PlannedStatement>,
    pub failed: Vec<FailedStatement>,
    /// Customers without an email address: nothing was queued for them.
    pub without_email: Vec<PlannedStatement>,
    /// Statements that were to be sent (customers with an email address).
    pub to_send: usize,
    /// The cancel flag stopped the run before every statement was queued.
    pub cancelled: bool,
}

/// Queues the statement of every selected customer that has an email address, one message
/// each; `cancel` is checked between statements. Single failures (a customer marked
/// do-not-contact, a bad address) are listed; a missing account fails before anything.
pub fn enqueue_all(
    conn: &Connection,
    options: &BulkOptions,
    progress: &dyn Fn(BulkProgress),
    cancel: &AtomicBool,
) -> Result<SendSummary, StatementMailError> {
    let mailer = StatementMailer::new(conn)?;
    let planned = statement::plan(conn, options)?;
    let (with_email, without_email): (Vec<_>, Vec<_>) =
        planned.into_iter().partition(|p| p.email.is_some());
    let mut summary = SendSummary {
        without_email,
        to_send: with_email.len(),
        ..SendSummary::default()
    };
    for (index, item) in with_email.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            summary.cancelled = true;
            break;
        }
        match mailer.enqueue(conn, item.customer_id, &options.statement) {
            Ok(message_id) => summary.queued.push(QueuedStatement {
                customer_id: item.customer_id,
                customer_name: item.customer_name.clone(),
                message_id,
            }),
            Err(StatementMailError::Outbox(OutboxError::AlreadyQueued { .. })) => {
                summary.already_queued.push(item.clone());
            }
            Err(e) => summary.failed.push(FailedStatement {
                customer_id: item.customer_id,
                customer_name: item.customer_name.clone(),
                error: e.to_string(),
            }),
        }
        progress(BulkProgress {
            done: index + 1,
            total: with_email.len(),
            customer_id: item.customer_id,
            customer_name: item.customer_name.clone(),
        });
    }
    Ok(summary)
}
