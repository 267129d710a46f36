//! Settings → Email → **Sign in with Microsoft / Google**: the OAuth2 sign-in in the system
//! browser (PKCE, loopback redirect), after which the account sends with XOAUTH2; and signing
//! out. The tokens and the client secret stay in the core and the OS keychain: nothing of them
//! reaches the window.

use super::blocking;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use duebook_core::mail::account::{self, AccountView};
use duebook_core::mail::oauth::{self, OAuthError, OAuthSettings};
use duebook_core::secrets::{KeychainStore, Password};
use std::time::Duration;
use tauri::{AppHandle, Manager};

/// How long the browser has to come back.
const PATIENCE: Duration = Duration::from_secs(300);

impl From<OAuthError> for CommandError {
    fn from(error: OAuthError) -> Self {
        match error {
            e @ (OAuthError::Network { .. }
            | OAuthError::Loopback(_)
            | OAuthError::NoBrowser(_)
            | OAuthError::Secret(_)) => CommandError::Io(e.to_string()),
            e => CommandError::InvalidInput(e.to_string()),
        }
    }
}

/// Opens the provider's sign-in page, waits for the browser (five minutes at most), keeps the
/// refresh token (and `client_secret`, Google's, when given; None keeps the one stored for the
/// same client) in the keychain and switches the account to OAuth2.
#[tauri::command]
pub async fn sign_in_email_account(
    app: AppHandle,
    oauth_settings: OAuthSettings,
    client_secret: Option<Password>,
) -> CommandResult<AccountView> {
    let state = app.clone();
    let current = blocking(move || {
        state
            .state::<AppState>()
            .with_db(|db| Ok(account::require(db.conn())?))
    })
    .await?;
    let mailbox = current.username;
    let typed = client_secret.filter(|s| !s.is_empty());
    let secret = oauth::client_secret::for_sign_in(
        typed,
        &current.auth,
        &oauth_settings,
        &mailbox,
        &KeychainStore::default(),
    )?;
    let pending = oauth::begin_sign_in(&oauth_settings, Some(&mailbox))
        .await?
        .with_client_secret(secret);
    oauth::open_in_browser(pending.url())?;
    pending
        .finish(PATIENCE, &mailbox, KeychainStore::default())
        .await?;
    blocking(move || {
        app.state::<AppState>().with_db(|db| {
            account::use_oauth(db.conn(), oauth_settings.validated()?)?;
            view(db.conn())
        })
    })
    .await
}

/// Forgets the sign-in (the refresh token and the client secret); the account keeps its OAuth2
/// settings, so signing in again is one click (and the client secret typed again).
#[tauri::command]
pub async fn sign_out_email_account(app: AppHandle) -> CommandResult<AccountView> {
    blocking(move || {
        app.state::<AppState>().with_db(|db| {
            let settings = account::require(db.conn())?;
            oauth::sign_out(&settings.username, &KeychainStore::default())
                .map_err(|e| CommandError::Io(e.to_string()))?;
            view(db.conn())
        })
    })
    .await
}

fn view(conn: &rusqlite::Connection) -> CommandResult<AccountView> {
    account::view(conn, &KeychainStore::default())?
        .ok_or_else(|| CommandError::InvalidInput("no email account is set up".into()))
}
