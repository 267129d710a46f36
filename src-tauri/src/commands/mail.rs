//! Settings → Email: the SMTP account (password to the OS keychain, never back to the window),
//! and "Test connection" / "Send test email" with a precise reason when they fail. The company
//! profile is in [`super::company`], the template editor in [`super::templates`].
//!
//! Keychain and network calls run off the async runtime's workers or on it as futures; SQLite
//! goes through the window's connection like every other command.

use super::blocking;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use duebook_core::mail::account::{self, AccountError, AccountSettings, AccountView};
use duebook_core::mail::compose::ComposeError;
use duebook_core::mail::outbox::OutboxError;
use duebook_core::mail::presets::{self, ProviderPreset};
use duebook_core::mail::smtp::{ConnectionReport, FailedStep, MailError, Stage};
use duebook_core::mail::transport::AccountMailer;
use duebook_core::mail::{self as core_mail, MailSetupError};
use duebook_core::secrets::{KeychainStore, Password, SecretError};
use serde::Serialize;
use tauri::{AppHandle, Manager};
use ts_rs::TS;

impl From<AccountError> for CommandError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Db(e) => e.into(),
            AccountError::Field(e) => CommandError::InvalidField(e),
            e @ AccountError::Secret(_) => CommandError::Io(e.to_string()),
            e => CommandError::InvalidInput(e.to_string()),
        }
    }
}

impl From<ComposeError> for CommandError {
    fn from(error: ComposeError) -> Self {
        match error {
            ComposeError::Account(e) => e.into(),
            ComposeError::Template(e) => e.into(),
            ComposeError::Company(e) => e.into(),
            ComposeError::Db(e) => e.into(),
            e @ ComposeError::Attachment { .. } => CommandError::Io(e.to_string()),
            e @ (ComposeError::Invalid(_) | ComposeError::Header { .. }) => {
                CommandError::InvalidInput(e.to_string())
            }
        }
    }
}

impl From<OutboxError> for CommandError {
    fn from(error: OutboxError) -> Self {
        match error {
            OutboxError::Db(e) => e.into(),
            e @ OutboxError::NotFound(_) => CommandError::NotFound(e.to_string()),
            e => CommandError::InvalidInput(e.to_string()),
        }
    }
}

impl From<SecretError> for CommandError {
    fn from(error: SecretError) -> Self {
        CommandError::Io(error.to_string())
    }
}

/// What Settings → Email shows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EmailSettings {
    /// None until an account is saved.
    pub account: Option<AccountView>,
    pub presets: Vec<ProviderPreset>,
    /// Why passwords cannot be stored on this computer (no keychain, locked); None when fine.
    pub keychain_problem: Option<String>,
}

#[tauri::command]
pub async fn email_settings(app: AppHandle) -> CommandResult<EmailSettings> {
    blocking(move || {
        let keychain_problem = KeychainStore::check_available()
            .err()
            .map(|e| e.to_string());
        let account = app
            .state::<AppState>()
            .with_db(|db| Ok(account::view(db.conn(), &KeychainStore::default())?))?;
        Ok(EmailSettings {
            account,
            presets: presets::PRESETS.to_vec(),
            keychain_problem,
        })
    })
    .await
}

/// Saves the account; `password` None keeps the stored one, and `imap_password` (when IMAP is
/// set up) is IMAP's own, else IMAP logs in with the SMTP password. Passwords go to the keychain
/// only and are never sent back.
#[tauri::command]
pub async fn save_email_account(
    app: AppHandle,
    settings: AccountSettings,
    password: Option<Password>,
    imap_password: Option<Password>,
) -> CommandResult<AccountView> {
    // The new settings are read at once: replies from the (new) mailbox, or none.
    let app_inbox = app.clone();
    let app_inbox = move || app_inbox.state::<crate::inbox::Inbox>().wake();
    blocking(move || {
        app.state::<AppState>().with_db(|db| {
            let keychain = KeychainStore::default();
            let view = account::save(db.conn(), &keychain, &settings, password.as_ref())?;
            if let (Some(imap), Some(typed)) = (&view.settings.imap, imap_password) {
                account::save_imap_password(&view.settings, imap, &keychain, &typed)?;
            }
            Ok(view)
        })
    })
    .await
    .inspect(|_| app_inbox())
}

/// Deletes the account's settings and its keychain password; false when there was none.
#[tauri::command]
pub async fn remove_email_account(app: AppHandle) -> CommandResult<bool> {
    blocking(move || {
        app.state::<AppState>()
            .with_db(|db| Ok(account::remove(db.conn(), &KeychainStore::default())?))
    })
    .await
}

/// What went wrong talking to the server, for the settings screen to show plainly.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionProblem {
    /// dns, refused, unreachable, tls, no_starttls, auth, sign_in (no token: the OAuth2 sign-in
    /// is gone or its server out of reach), timeout, rejected, connection, invalid.
    pub kind: String,
    /// The step that failed, and the same in words ("TLS (setting up encryption)").
    pub step: FailedStep,
    pub step_label: String,
    /// The whole explanation, e.g. "the server refused the login: 535 5.7.8 …".
    pub message: String,
    /// The server's own words, when it said something.
    pub server_reply: Option<String>,
    /// What to do about it (app passwords for Gmail, SMTP AUTH for Microsoft 365 …).
    pub hint: Option<String>,
    pub stage: Option<Stage>,
}

impl From<&MailError> for ConnectionProblem {
    fn from(error: &MailError) -> Self {
        let (kind, server_reply, stage) = match error {
            MailError::Dns { .. } => ("dns", None, Some(Stage::Dns)),
            MailError::Refused { .. } => ("refused", None, Some(Stage::Connect)),
            MailError::Unreachable { .. } => ("unreachable", None, Some(Stage::Connect)),
            MailError::Tls { .. } => ("tls", None, Some(Stage::Tls)),
            MailError::NoStartTls { .. } => ("no_starttls", None, Some(Stage::Tls)),
            MailError::Auth { reply, .. } => ("auth", Some(reply.clone()), Some(Stage::Auth)),
            MailError::Timeout { stage, .. } => ("timeout", None, Some(*stage)),
            MailError::Rejected { reply, stage, code } => {
                ("rejected", Some(format!("{code} {reply}")), Some(*stage))
            }
            MailError::Connection { stage, .. } => ("connection", None, Some(*stage)),
            MailError::SignIn { .. } => ("sign_in", None, Some(Stage::Auth)),
            MailError::Invalid(_) => ("invalid", None, None),
        };
        let step = error.failed_step();
        ConnectionProblem {
            kind: kind.into(),
            step,
            step_label: step.describe().into(),
            message: error.to_string(),
            server_reply,
            hint: error.fix(),
            stage,
        }
    }
}

/// "Test connection" / "Send test email": what happened.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionTest {
    pub report: Option<ConnectionReport>,
    pub problem: Option<ConnectionProblem>,
    /// The server's reply to the test email, when one was sent.
    pub test_email_reply: Option<String>,
    /// Where the test email went.
    pub test_email_to: Option<String>,
    pub warnings: Vec<String>,
}

/// Connects, sets up TLS and logs in with the settings as typed (`password` None: the stored
/// one); with `send_test_email`, also sends a short email to the From address. Nothing is saved.
#[tauri::command]
pub async fn test_email_account(
    settings: AccountSettings,
    password: Option<Password>,
    send_test_email: bool,
) -> CommandResult<ConnectionTest> {
    let settings = settings.validated()?;
    let mailer = {
        let settings = settings.clone();
        blocking(move || mailer_for(&settings, password)).await?
    };
    let mut outcome = ConnectionTest {
        report: None,
        problem: None,
        test_email_reply: None,
        test_email_to: None,
        warnings: settings.warnings(),
    };
    match mailer.test_connection().await {
        Ok(report) => outcome.report = Some(report),
        Err(e) => outcome.problem = Some(ConnectionProblem::from(&e)),
    }
    if send_test_email && outcome.problem.is_none() {
        let to = settings.from_address.clone();
        let reply = core_mail::send_test_email(&mailer, &settings, &to).await;
        outcome.test_email_to = Some(to);
        match reply {
            Ok(reply) => outcome.test_email_reply = Some(reply),
            Err(message) => {
                outcome.problem = Some(ConnectionProblem {
                    kind: "rejected".into(),
                    step: FailedStep::Sending,
                    step_label: FailedStep::Sending.describe().into(),
                    message,
                    server_reply: None,
                    hint: None,
                    stage: None,
                });
            }
        }
    }
    mailer.close().await;
    Ok(outcome)
}

fn mailer_for(settings: &AccountSettings, typed: Option<Password>) -> CommandResult<AccountMailer> {
    Ok(core_mail::mailer_with(settings, typed)?)
}

/// Setting up a mailer failed: the account's own error, or settings the transport refuses.
impl From<MailSetupError> for CommandError {
    fn from(e: MailSetupError) -> Self {
        match e {
            MailSetupError::Account(e) => e.into(),
            MailSetupError::Mail(e) => CommandError::InvalidInput(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use duebook_core::mail::smtp::{auth_hint, LoginKind};

    #[test]
    fn a_refused_login_keeps_the_servers_reply_and_the_app_password_hint() {
        let reply = "535 5.7.8 Username and Password not accepted";
        let problem = ConnectionProblem::from(&MailError::Auth {
            reply: reply.into(),
            hint: auth_hint("smtp.gmail.com", reply, LoginKind::Password),
        });
        assert_eq!(problem.kind, "auth");
        assert_eq!(problem.stage, Some(Stage::Auth));
        assert_eq!(problem.step_label, "SMTP AUTH (logging in)");
        assert_eq!(problem.server_reply.as_deref(), Some(reply));
        assert!(problem.message.contains(reply), "{}", problem.message);
        assert!(problem.hint.unwrap_or_default().contains("app password"));
    }
}
