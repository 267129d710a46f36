//! Building the mailer the way every sender does (the app's delivery loop and campaign runs,
//! its account screen, the CLI): the account's settings, its password from the system keychain
//! and the transport options, with a CA certificate from the environment when one is given; the
//! account screen's test email; the IMAP test and the mailbox sync.

use super::account::{self, AccountError, AccountSettings, ImapSettings};
use super::compose::OutgoingEmail;
use super::imap::{self, ImapLogin, ImapReport, SyncError, SyncOptions, SyncReport};
use super::oauth::{AuthMethod, OAuthSettings, SendVia, TokenSource};
use super::smtp::{MailError, Mailer, MailerOptions, SmtpMailer};
use super::transport::AccountMailer;
use super::{mime, templates};
use crate::secrets::{KeychainStore, Password, SecretStore};
use rusqlite::Connection;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// The stored account as a mailer: its password read from `secrets`, or, for an account signed
/// in with OAuth2, its tokens from the sign-in in the OS keychain.
pub fn mailer_for_account(
    conn: &Connection,
    secrets: &dyn SecretStore,
    options: MailerOptions,
) -> Result<AccountMailer, MailSetupError> {
    let settings = account::require(conn)?;
    mailer_logged_in(&settings, || account::password(&settings, secrets), options)
}

/// A mailer for `settings`: Microsoft Graph, the Gmail API or SMTP with XOAUTH2 for an OAuth2
/// account (its tokens from the sign-in in the OS keychain), else SMTP with the password
/// `password` gives.
fn mailer_logged_in(
    settings: &AccountSettings,
    password: impl FnOnce() -> Result<Password, AccountError>,
    options: MailerOptions,
) -> Result<AccountMailer, MailSetupError> {
    let AuthMethod::OAuth2(oauth) = &settings.auth else {
        return Ok(AccountMailer::Smtp(SmtpMailer::new(
            settings,
            &password()?,
            options,
        )?));
    };
    let tokens = Arc::new(TokenSource::new(
        oauth.clone(),
        &settings.username,
        KeychainStore::default(),
    ));
    Ok(signed_in_mailer(settings, tokens, options)?)
}

/// The mailer of a signed-in account: the way out its sign-in chose (`send_via`), with the
/// tokens of `tokens`.
pub fn signed_in_mailer(
    settings: &AccountSettings,
    tokens: Arc<TokenSource>,
    options: MailerOptions,
) -> Result<AccountMailer, MailError> {
    Ok(match tokens.settings().send_via {
        SendVia::MicrosoftGraph => AccountMailer::graph(tokens)?,
        SendVia::GmailApi => AccountMailer::gmail(tokens)?,
        SendVia::Smtp => AccountMailer::Smtp(SmtpMailer::with_tokens(settings, tokens, options)?),
    })
}

/// "Send test email": a short message through `mailer` to `to`, outside the outbox (nothing is
/// stored). Ok carries the server's reply.
pub async fn send_test_email(
    mailer: &impl Mailer,
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
        thread: None,
        from,
    };
    let id = mime::new_message_id(&email.from);
    let raw = mime::build_mime(&email, &id).map_err(|e| e.to_string())?;
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

/// The stored account as a mailer, its password read from the system keychain.
pub fn account_mailer(conn: &Connection) -> Result<AccountMailer, MailSetupError> {
    mailer_for_account(conn, &KeychainStore::default(), options()?)
}

/// A mailer for `settings` not stored yet (the account screen's "Test connection"): with the
/// password the person typed, or else the one in the system keychain (or the OAuth2 sign-in).
pub fn mailer_with(
    settings: &AccountSettings,
    typed: Option<Password>,
) -> Result<AccountMailer, MailSetupError> {
    let password = || match typed.filter(|p| !p.is_empty()) {
        Some(p) => Ok(p),
        None => account::password(settings, &KeychainStore::default()),
    };
    mailer_logged_in(settings, password, options()?)
}

/// Tests the account's IMAP server (see [`imap::test_connection`]): logged in with the
/// sign-in's token for an OAuth2 account (from the OS keychain), else with `typed` (a password
/// typed in Settings, not yet saved), the IMAP password or the SMTP one from `secrets`.
pub async fn test_imap_connection(
    settings: &AccountSettings,
    typed: Option<Password>,
    secrets: &dyn SecretStore,
    options: &MailerOptions,
) -> Result<ImapReport, MailSetupError> {
    let (server, login) = imap_login(settings, typed, secrets)?;
    Ok(imap::test_connection(server, &login, options).await?)
}

/// Syncs the stored account's mailbox into `conn` (see [`imap::sync_mailbox`]), logged in as
/// [`test_imap_connection`] does with the saved passwords: what `duebook inbox sync` and the
/// app call.
pub async fn sync_account_mailbox(
    conn: &Connection,
    secrets: &dyn SecretStore,
    mail_options: &MailerOptions,
    options: &SyncOptions,
) -> Result<SyncReport, SyncError> {
    let settings = account::require(conn)?;
    let (server, login) = imap_login(&settings, None, secrets)?;
    imap::sync_mailbox(conn, server, &login, mail_options, options).await
}

/// Waits up to `wait` for new mail in the stored account's INBOX (see
/// [`imap::wait_for_new_mail`]): the app's loop between two [`sync_account_mailbox`] calls.
pub async fn wait_for_account_mail(
    conn: &Connection,
    secrets: &dyn SecretStore,
    mail_options: &MailerOptions,
    wait: Duration,
) -> Result<bool, SyncError> {
    let settings = account::require(conn)?;
    let (server, login) = imap_login(&settings, None, secrets)?;
    Ok(imap::wait_for_new_mail(server, &login, mail_options, wait).await?)
}

/// The account's IMAP server and how to log in to it: the sign-in's token for an OAuth2
/// account, else `typed`, the IMAP password or the SMTP one from `secrets`.
fn imap_login<'a>(
    settings: &'a AccountSettings,
    typed: Option<Password>,
    secrets: &dyn SecretStore,
) -> Result<(&'a ImapSettings, ImapLogin), MailSetupError> {
    let Some(server) = &settings.imap else {
        return Err(AccountError::Invalid(
            "no IMAP server is set up (`duebook account set --imap-host ...`)".into(),
        )
        .into());
    };
    let login = match &settings.auth {
        AuthMethod::OAuth2(oauth) if !sign_in_covers_imap(oauth) => ImapLogin::Password {
            // A sign-in for a mail API only (Graph's Mail.Send, the Gmail API's gmail.send)
            // holds no IMAP permission: IMAP needs a password of its own.
            username: server.login_name(settings).to_string(),
            password: match typed.filter(|p| !p.is_empty()) {
                Some(p) => p,
                None => secrets
                    .get(&server.secret_account(settings))
                    .map_err(AccountError::from)?
                    .ok_or_else(|| AccountError::Invalid(api_sign_in_without_imap(oauth)))?,
            },
        },
        AuthMethod::OAuth2(oauth) => ImapLogin::OAuth(Arc::new(TokenSource::new(
            oauth.clone(),
            &settings.username,
            KeychainStore::default(),
        ))),
        AuthMethod::Password => ImapLogin::Password {
            username: server.login_name(settings).to_string(),
            password: match typed.filter(|p| !p.is_empty()) {
                Some(p) => p,
                None => account::imap_password(settings, server, secrets)?,
            },
        },
    };
    Ok((server, login))
}

/// Whether the sign-in's token may log in to IMAP: a sign-in for SMTP asks for IMAP too; one
/// for a mail API only when its scopes were given with IMAP's.
fn sign_in_covers_imap(oauth: &OAuthSettings) -> bool {
    match oauth.send_via {
        SendVia::Smtp => true,
        SendVia::MicrosoftGraph | SendVia::GmailApi => oauth
            .scopes
            .iter()
            .any(|s| s.ends_with("/IMAP.AccessAsUser.All") || s == "https://mail.google.com/"),
    }
}

/// Why replies cannot be read with an API-only sign-in, and what to do.
fn api_sign_in_without_imap(oauth: &OAuthSettings) -> String {
    let (api, switch) = match oauth.send_via {
        SendVia::GmailApi => ("the Gmail API", "Send through the Gmail API"),
        _ => ("Microsoft Graph", "Send through Microsoft Graph"),
    };
    format!(
        "the sign-in sends through {api} and gives no access to the mailbox over IMAP: to read \
         replies, sign in again with \"{switch}\" off (that sign-in covers SMTP and IMAP), or \
         give IMAP a password of its own (an app password)"
    )
}

impl From<MailSetupError> for SyncError {
    fn from(e: MailSetupError) -> Self {
        match e {
            MailSetupError::Account(e) => SyncError::Account(e),
            MailSetupError::Mail(e) => SyncError::Mail(e),
        }
    }
}

/// The transport options every sender uses: the defaults, with the CA of the environment.
pub fn options() -> Result<MailerOptions, MailSetupError> {
    Ok(MailerOptions::default().with_env_ca()?)
}
