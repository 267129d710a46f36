//! Email: the user's SMTP account, templates, composing, the durable outbox and sending.
//!
//! The path of one reminder, as the app and `duebook send` take it:
//! 1. [`compose::prepare`] renders a template for a customer ([`templates`], fields from
//!    [`context`], branding from [`company`], sender from [`account`]) into a [`compose::PreparedEmail`]
//!    whose `preview` is exactly what will be sent;
//! 2. [`outbox::enqueue_prepared`] stores it as `queued` with a unique send key, our own
//!    Message-ID and the final MIME bytes ([`mime`]: headers that cannot be built are a typed
//!    error, never a panic) — before any network I/O; a campaign email that cannot be prepared
//!    is stored as `failed` with the reason ([`outbox::record_unprepared`]);
//! 3. [`outbox::deliver`] hands queued messages to a [`smtp::Mailer`] ([`smtp::SmtpMailer`] for the
//!    real account, built by [`account_mailer`]) and records sent / failed / uncertain.
//!
//! Statements go out the same way ([`statements`]: the statement-cover template with the PDF).
//!
//! At startup call [`outbox::recover_interrupted`]: a message a crashed process left `sending`
//! becomes `uncertain` for the user to resolve; nothing is ever resent on its own.

pub mod account;
pub mod attachments;
pub mod compose;
pub mod context;
pub mod limits;
pub mod mime;
pub mod oauth;
pub mod outbox;
pub mod presets;
mod setup;
pub mod smtp;
pub mod statements;
pub mod templates;

pub use setup::{account_mailer, mailer_with};

use crate::secrets::SecretStore;
use account::{AccountError, AccountSettings};
use compose::OutgoingEmail;
use smtp::{MailError, Mailer, MailerOptions, SmtpMailer};

#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// The stored account as a mailer, its password read from the keychain.
pub fn mailer_for_account(
    conn: &rusqlite::Connection,
    secrets: &dyn SecretStore,
    options: MailerOptions,
) -> Result<SmtpMailer, MailSetupError> {
    let settings = account::require(conn)?;
    let password = account::password(&settings, secrets)?;
    Ok(SmtpMailer::new(&settings, &password, options)?)
}

/// "Send test email": a short message through `mailer` to `to`, outside the outbox (nothing is
/// stored). Ok carries the server's reply.
pub async fn send_test_email(
    mailer: &SmtpMailer,
    settings: &AccountSettings,
    to: &str,
) -> Result<String, String> {
    let to = to
        .trim()
        .parse()
        .map_err(|e| format!("{:?} is not an email address ({e})", to.trim()))?;
    let from = settings.from_mailbox().map_err(|e| e.to_string())?;
    let email = OutgoingEmail {
        reply_to: settings.reply_to_mailbox().map_err(|e| e.to_string())?,
        to: vec![to],
        subject: "Duebook test email".into(),
        text: format!(
            "This is a test email from Duebook.\n\nIt was sent through {}:{} as {}.\n",
            settings.host, settings.port, settings.username
        ),
        html: format!(
            "<p>This is a test email from Duebook.</p><p>It was sent through {}:{} as {}.</p>",
            templates::escape_html(&settings.host),
            settings.port,
            templates::escape_html(&settings.username)
        ),
        attachments: Vec::new(),
        from,
    };
    let id = compose::new_message_id(&email.from);
    let raw = compose::build_mime(&email, &id).map_err(|e| e.to_string())?;
    let envelope = lettre::address::Envelope::new(
        Some(email.from.email.clone()),
        email.to.iter().map(|m| m.email.clone()).collect(),
    )
    .map_err(|e| e.to_string())?;
    mailer
        .send(&envelope, &raw)
        .await
        .map_err(|e| e.to_string())
}
