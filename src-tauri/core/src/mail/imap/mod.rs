//! Reading the account's mailbox over IMAP (RFC 3501) with `async-imap` on tokio, TLS by rustls
//! with the same trust as SMTP (the platform's verifier plus the extra roots of
//! [`MailerOptions`]). Read-only by design: folders are opened with EXAMINE, messages fetched
//! with `BODY.PEEK[]`; nothing is flagged, moved or deleted. The one write, only when the
//! account asks for it, adds our own sent messages to the Sent folder (`sync/file_sent.rs`).
//! The connection test logs in, lists the folders (the Sent folder by SPECIAL-USE `\Sent`, else
//! by its usual names), looks at INBOX for its size and UIDVALIDITY, and logs out.
//!
//! - [`connect`]: DNS, TCP, TLS (implicit or STARTTLS) and the greeting;
//! - [`login`]: the password (LOGIN) or the sign-in's token (XOAUTH2), with advice when refused;
//! - [`folders`]: the Sent folder and INBOX;
//! - [`sync`]: reading what is new in INBOX and the Sent folder into the database;
//! - [`idle`]: waiting for new mail (IDLE) between syncs.
//!
//! Failures are [`MailError`]s, so "Test connection" names the failed step (DNS, connect, TLS,
//! token, login) in the same words as for SMTP.

mod connect;
mod folders;
mod idle;
mod login;
pub mod sync;

pub use folders::sent_folder;
pub use idle::wait_for_new_mail;
pub use sync::{sync_mailbox, FolderReport, FolderRole, SyncError, SyncOptions, SyncReport};

use super::account::ImapSettings;
use super::oauth::TokenSource;
use super::security::Security;
use super::smtp::{FailedStep, MailError, MailerOptions};
use crate::secrets::Password;
use serde::Serialize;
use std::sync::Arc;
use ts_rs::TS;

/// How IMAP logs in.
pub enum ImapLogin {
    /// LOGIN with this user name and password.
    Password {
        username: String,
        password: Password,
    },
    /// XOAUTH2 with a token from the mailbox's sign-in (the same source SMTP uses).
    OAuth(Arc<TokenSource>),
}

/// What the IMAP connection test found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImapReport {
    pub host: String,
    pub port: u16,
    pub encrypted: bool,
    /// How it logged in: "password" or "OAuth2 (XOAUTH2)".
    pub auth_method: String,
    /// The folder sent messages are kept in, if one was found.
    pub sent_folder: Option<String>,
    pub inbox_messages: u32,
    /// INBOX's UIDVALIDITY: while it stays the same, a message's UID names it for good.
    pub inbox_uid_validity: Option<u32>,
}

/// The step an IMAP test stopped at, in IMAP's words: [`FailedStep`] names SMTP's (SMTP AUTH,
/// sending) where IMAP has its login and its folders.
pub fn describe_step(step: FailedStep) -> &'static str {
    match step {
        FailedStep::Login | FailedStep::LoginOffForOrganisation => "IMAP login",
        FailedStep::Sending => "reading the folders",
        other => other.describe(),
    }
}

/// Connects to `settings`' server, logs in with `login`, finds the Sent folder and looks at
/// INBOX without changing anything, and logs out.
pub async fn test_connection(
    settings: &ImapSettings,
    login: &ImapLogin,
    options: &MailerOptions,
) -> Result<ImapReport, MailError> {
    let settings = settings
        .validated()
        .map_err(|e| MailError::Invalid(e.to_string()))?;
    let mut session = login::log_in(&settings, login, options).await?;
    let limit = options.timeouts.command;
    let looked = folders::look(&mut session, limit).await;
    // Logging out is a courtesy: the answer is in hand either way.
    let _ = tokio::time::timeout(limit, session.logout()).await;
    let (sent_folder, inbox) = looked?;
    Ok(ImapReport {
        host: settings.host.clone(),
        port: settings.port,
        encrypted: settings.security != Security::None,
        auth_method: match login {
            ImapLogin::Password { .. } => "password".into(),
            ImapLogin::OAuth(_) => "OAuth2 (XOAUTH2)".into(),
        },
        sent_folder,
        inbox_messages: inbox.exists,
        inbox_uid_validity: inbox.uid_validity,
    })
}
