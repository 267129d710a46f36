//! Tokens for one mailbox: the refresh token lives in the OS keychain (entry
//! [`refresh_token_key`], beside the password entry), the access token only in memory, renewed
//! a little before it expires and whenever the server refuses it. A rotated refresh token is
//! stored before its access token is used, so a crash never leaves the keychain with a spent one.

use super::client_secret;
use super::http::{self, HttpError};
use super::provider::OAuthSettings;
use super::signin::network;
use super::{plain_reason, OAuthError};
use crate::secrets::{Password, SecretError, SecretStore};
use oauth2::basic::{BasicErrorResponse, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{RefreshToken, RequestTokenError, Scope, TokenResponse};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// An access token this close to its end is renewed before use: a message must not start on a
/// token that runs out mid-send.
const RENEW_BEFORE: Duration = Duration::from_secs(120);
/// Assumed lifetime when the provider does not say (Entra and Google give 3,600 s).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3000);

/// The keychain entry holding `mailbox`'s refresh token.
pub fn refresh_token_key(mailbox: &str) -> String {
    format!("oauth:{}", mailbox.trim().to_lowercase())
}

/// Forgets the mailbox's sign-in: the refresh token and the client secret (access tokens die
/// with the process).
pub fn sign_out(mailbox: &str, secrets: &dyn SecretStore) -> Result<(), SecretError> {
    secrets.delete(&refresh_token_key(mailbox))?;
    client_secret::keep(mailbox, None, secrets)
}

/// What a token endpoint gave.
pub(super) struct Grant {
    access: Password,
    expires_at: Instant,
    refresh: Option<Password>,
}

impl Grant {
    /// The grant in a response; None when a first sign-in brought no refresh token.
    pub(super) fn from_response(response: &BasicTokenResponse) -> Option<Grant> {
        let grant = Grant::renewed(response);
        grant.refresh.is_some().then_some(grant)
    }

    fn renewed(response: &BasicTokenResponse) -> Grant {
        Grant {
            access: Password::new(response.access_token().secret().clone()),
            expires_at: Instant::now() + response.expires_in().unwrap_or(DEFAULT_LIFETIME),
            refresh: response
                .refresh_token()
                .map(|t| Password::new(t.secret().clone())),
        }
    }
}

struct Access {
    token: Password,
    expires_at: Instant,
}

/// Access tokens for one signed-in mailbox, for SMTP and IMAP alike.
pub struct TokenSource {
    settings: OAuthSettings,
    mailbox: String,
    secrets: Box<dyn SecretStore>,
    access: Mutex<Option<Access>>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("provider", &self.settings.provider)
            .field("mailbox", &self.mailbox)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// The source for a mailbox signed in earlier (its refresh token in `secrets`).
    pub fn new(
        settings: OAuthSettings,
        mailbox: &str,
        secrets: impl SecretStore + 'static,
    ) -> TokenSource {
        TokenSource {
            settings,
            mailbox: mailbox.trim().to_string(),
            secrets: Box::new(secrets),
            access: Mutex::new(None),
        }
    }

    pub(super) fn signed_in(
        settings: OAuthSettings,
        mailbox: &str,
        secrets: impl SecretStore + 'static,
        grant: Grant,
    ) -> Result<TokenSource, OAuthError> {
        let source = TokenSource::new(settings, mailbox, secrets);
        let access = source.keep(grant)?;
        Ok(TokenSource {
            access: Mutex::new(Some(access)),
            ..source
        })
    }

    pub fn mailbox(&self) -> &str {
        &self.mailbox
    }

    pub fn settings(&self) -> &OAuthSettings {
        &self.settings
    }

    /// A usable access token: the one in hand, or a fresh one when it is about to expire.
    pub async fn access_token(&self) -> Result<Password, OAuthError> {
        let mut access = self.access.lock().await;
        if let Some(a) = access
            .as_ref()
            .filter(|a| a.expires_at > Instant::now() + RENEW_BEFORE)
        {
            return Ok(Password::new(a.token.expose()));
        }
        *access = None;
        let token = self.renew().await?;
        *access = Some(token);
        Ok(Password::new(
            access.as_ref().map_or("", |a| a.token.expose()),
        ))
    }

    /// A new access token after the server refused the one we had (expired early, revoked).
    pub async fn refused(&self) -> Result<Password, OAuthError> {
        self.access.lock().await.take();
        self.access_token().await
    }

    /// Trades the stored refresh token for a new access token. If the provider says the grant
    /// is spent but the keychain has a newer one (another Duebook process rotated it meanwhile),
    /// that one is tried once before asking the person to sign in again.
    async fn renew(&self) -> Result<Access, OAuthError> {
        let key = refresh_token_key(&self.mailbox);
        let stored = self.stored_refresh(&key)?;
        match self.exchange(&stored).await {
            Err(e) if e.needs_sign_in() => match self.secrets.get(&key)? {
                Some(newer) if newer.expose() != stored.expose() => self.exchange(&newer).await,
                _ => Err(e),
            },
            other => other,
        }
    }

    fn stored_refresh(&self, key: &str) -> Result<Password, OAuthError> {
        self.secrets
            .get(key)?
            .ok_or_else(|| OAuthError::NotSignedIn {
                account: self.mailbox.clone(),
            })
    }

    async fn exchange(&self, refresh: &Password) -> Result<Access, OAuthError> {
        let endpoints = self.settings.endpoints()?;
        // Read at every refresh: a later process has no other copy.
        let secret = client_secret::stored(&self.mailbox, self.secrets.as_ref())?;
        let client =
            client_secret::token_client(&self.settings, &endpoints.token_url, secret.as_ref());
        let http_client = http::client().map_err(|e| network(&self.settings, &e))?;
        let token = RefreshToken::new(refresh.expose().to_string());
        let response = client
            .exchange_refresh_token(&token)
            // Entra issues a token for one resource: name it (SMTP or Graph) every time.
            .add_scopes(endpoints.scopes.into_iter().map(Scope::new))
            .request_async(&|request| http::send(http_client.clone(), request))
            .await
            .map_err(|e| token_error(&self.settings, &self.mailbox, e))?;
        self.keep(Grant::renewed(&response))
    }

    /// Stores a rotated refresh token (first), then holds the access token.
    fn keep(&self, grant: Grant) -> Result<Access, OAuthError> {
        if let Some(refresh) = &grant.refresh {
            self.secrets
                .set(&refresh_token_key(&self.mailbox), refresh)?;
        }
        Ok(Access {
            token: grant.access,
            expires_at: grant.expires_at,
        })
    }
}

/// A token endpoint's failure as what the person must do: sign in again (the grant is gone),
/// fix the registration (the provider refused), or wait (the network).
pub(super) fn token_error(
    settings: &OAuthSettings,
    mailbox: &str,
    error: RequestTokenError<HttpError, BasicErrorResponse>,
) -> OAuthError {
    let provider = settings.provider.label().to_string();
    match error {
        RequestTokenError::ServerResponse(response) => {
            let reason = plain_reason(
                response.error().as_ref(),
                response.error_description().map(String::as_str),
            );
            match response.error() {
                BasicErrorResponseType::InvalidGrant => OAuthError::NeedsSignIn {
                    provider,
                    account: mailbox.to_string(),
                    reason,
                },
                _ => OAuthError::Refused { provider, reason },
            }
        }
        RequestTokenError::Request(e) => network(settings, &e),
        // The body may hold tokens: it is never shown.
        RequestTokenError::Parse(..) => OAuthError::Refused {
            provider,
            reason: "its answer could not be read".into(),
        },
        RequestTokenError::Other(text) => OAuthError::Refused {
            provider,
            reason: crate::model::text::clean_line(&text),
        },
    }
}
