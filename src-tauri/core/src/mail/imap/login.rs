//! Logging in: LOGIN with the password, or AUTHENTICATE XOAUTH2 with the sign-in's token (one
//! fresh token, on a fresh connection, when the server refuses the one in hand), and what to
//! do when the server says no.

use super::connect::{open, Stream};
use super::ImapLogin;
use crate::mail::account::ImapSettings;
use crate::mail::oauth::TokenSource;
use crate::mail::smtp::{error_text, is_google, is_microsoft, MailError, MailerOptions, Stage};
use crate::secrets::Password;
use async_imap::error::Error as ImapError;
use async_imap::{Authenticator, Client, Session};
use std::future::Future;
use std::time::Duration;

pub(super) type LoggedIn = Session<Stream>;

/// A logged-in session on a new connection.
pub(super) async fn log_in(
    settings: &ImapSettings,
    login: &ImapLogin,
    options: &MailerOptions,
) -> Result<LoggedIn, MailError> {
    let limit = options.timeouts.command;
    let client = open(settings, options).await?;
    match login {
        ImapLogin::Password { username, password } => {
            let attempt = client.login(username.trim(), password.expose());
            answered(attempt, limit, &settings.host, false).await
        }
        ImapLogin::OAuth(tokens) => {
            let token = tokens.access_token().await?;
            match xoauth2(client, tokens, &token, settings, limit).await {
                Err(MailError::Auth { .. }) => {
                    // Expired early or revoked by a policy: one fresh token before giving up.
                    let token = tokens.refused().await?;
                    let client = open(settings, options).await?;
                    xoauth2(client, tokens, &token, settings, limit).await
                }
                other => other,
            }
        }
    }
}

/// SASL XOAUTH2: the first answer carries the token; a refusal comes as a challenge (a JSON
/// error) that must be answered with an empty line before the server says NO.
struct XOAuth2 {
    first: Option<String>,
}

impl Authenticator for XOAuth2 {
    type Response = String;

    fn process(&mut self, _challenge: &[u8]) -> String {
        self.first.take().unwrap_or_default()
    }
}

async fn xoauth2(
    client: Client<Stream>,
    tokens: &TokenSource,
    token: &Password,
    settings: &ImapSettings,
    limit: Duration,
) -> Result<LoggedIn, MailError> {
    let sasl = XOAuth2 {
        first: Some(format!(
            "user={}\x01auth=Bearer {}\x01\x01",
            tokens.mailbox(),
            token.expose()
        )),
    };
    answered(
        client.authenticate("XOAUTH2", sasl),
        limit,
        &settings.host,
        true,
    )
    .await
}

/// The outcome of a login attempt, a refusal with advice for `host`.
async fn answered(
    attempt: impl Future<Output = Result<LoggedIn, (ImapError, Client<Stream>)>>,
    limit: Duration,
    host: &str,
    oauth: bool,
) -> Result<LoggedIn, MailError> {
    match tokio::time::timeout(limit, attempt).await {
        Err(_) => Err(MailError::Timeout {
            stage: Stage::Auth,
            hint: None,
        }),
        Ok(Ok(session)) => Ok(session),
        Ok(Err((ImapError::No(reply) | ImapError::Bad(reply), _))) => Err(MailError::Auth {
            reply: reply.trim().to_string(),
            hint: Some(refused_hint(&host.to_ascii_lowercase(), oauth)),
        }),
        Ok(Err((e, _))) => Err(MailError::Connection {
            stage: Stage::Auth,
            detail: error_text(&e),
        }),
    }
}

/// What to do when the IMAP login is refused: IMAP switched off for the mailbox, an app
/// password, or signing in instead.
fn refused_hint(host: &str, oauth: bool) -> String {
    match (oauth, is_microsoft(host), is_google(host)) {
        (true, true, _) => "Microsoft accepted the sign-in but refused the IMAP login: IMAP must be allowed for this mailbox (Microsoft 365 admin center → the mailbox → Mail → Manage email apps), and a sign-in made for Microsoft Graph does not cover IMAP: sign in again with SMTP (`duebook account login --provider microsoft`)".into(),
        (true, _, true) => "Google refused the signed-in IMAP login: the user name must be the address you signed in with, and a sign-in made for the Gmail API only does not cover IMAP: sign in again (`duebook account login --provider google`)".into(),
        (true, _, _) => "the server refused the signed-in IMAP login (XOAUTH2): check that it accepts OAuth2 sign-ins for IMAP and that the user name is the mailbox you signed in with".into(),
        (false, true, _) => "Outlook and Microsoft 365 refuse passwords for IMAP: sign in with Microsoft (Settings → Email, or `duebook account login --provider microsoft`); IMAP must also be allowed for the mailbox (Outlook.com: Settings → Mail → Forwarding and IMAP)".into(),
        (false, _, true) => "Gmail refuses your normal password here: sign in with Google (`duebook account login --provider google`) or use an app password (Google Account → Security → App passwords), and check that IMAP is on (Gmail → Settings → Forwarding and POP/IMAP)".into(),
        (false, _, _) => "check that IMAP is switched on in your mailbox's settings, and the IMAP user name and password (`duebook account set --imap-username ... --imap-password-stdin`); many providers want an app password".into(),
    }
}
