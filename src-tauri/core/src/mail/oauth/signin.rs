//! The sign-in: [`begin_sign_in`] makes the authorization URL (PKCE S256, a random `state`, the
//! loopback redirect) for the caller to open in the system browser; [`PendingSignIn::finish`]
//! waits for the browser's answer, exchanges the code and keeps the refresh token (and the
//! client secret, when the provider issued one) in the keychain.

use super::client_secret;
use super::http::{self, HttpError};
use super::loopback::Loopback;
use super::provider::{Endpoints, OAuthSettings};
use super::tokens::{self, Grant, TokenSource};
use super::OAuthError;
use crate::secrets::{Password, SecretStore};
use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope,
};
use std::time::Duration;

/// A sign-in waiting for the browser.
pub struct PendingSignIn {
    settings: OAuthSettings,
    endpoints: Endpoints,
    loopback: Loopback,
    url: String,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
    client_secret: Option<Password>,
}

/// Starts a sign-in: listens on the loopback and returns the URL to open. `login_hint` (the
/// mailbox address) spares the person typing it again at the provider.
pub async fn begin_sign_in(
    settings: &OAuthSettings,
    login_hint: Option<&str>,
) -> Result<PendingSignIn, OAuthError> {
    let settings = settings.validated()?;
    let endpoints = settings.endpoints()?;
    let loopback = Loopback::bind().await?;
    let client = BasicClient::new(ClientId::new(settings.client_id.clone()))
        .set_auth_uri(AuthUrl::from_url(endpoints.auth_url.clone()))
        .set_redirect_uri(redirect(&loopback)?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .add_scopes(endpoints.scopes.iter().cloned().map(Scope::new));
    for (name, value) in &endpoints.extra {
        request = request.add_extra_param(*name, *value);
    }
    if let Some(hint) = login_hint.map(str::trim).filter(|h| !h.is_empty()) {
        request = request.add_extra_param("login_hint", hint);
    }
    let (url, state) = request.url();
    Ok(PendingSignIn {
        settings,
        endpoints,
        loopback,
        url: url.to_string(),
        state,
        verifier,
        client_secret: None,
    })
}

impl PendingSignIn {
    /// The page to open in the browser.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The registered app's client secret (Google's Desktop app clients have one; see
    /// [`client_secret::for_sign_in`]). Kept in the keychain once the sign-in succeeds; a
    /// sign-in without one removes a stored one.
    pub fn with_client_secret(self, secret: Option<Password>) -> PendingSignIn {
        PendingSignIn {
            client_secret: secret,
            ..self
        }
    }

    /// Waits up to `patience` for the browser, exchanges the code, and stores the refresh token
    /// (and the client secret) for `mailbox` in `secrets`. The returned source already holds a
    /// fresh access token.
    pub async fn finish(
        self,
        patience: Duration,
        mailbox: &str,
        secrets: impl SecretStore + 'static,
    ) -> Result<TokenSource, OAuthError> {
        let code = tokio::time::timeout(patience, self.loopback.wait_for_code(self.state.secret()))
            .await
            .map_err(|_| OAuthError::TimedOut {
                seconds: patience.as_secs(),
            })??;
        let secret = self.client_secret.as_ref();
        let client = client_secret::token_client(&self.settings, &self.endpoints.token_url, secret)
            .set_redirect_uri(redirect(&self.loopback)?);
        let http_client = http::client().map_err(|e| network(&self.settings, &e))?;
        let response: BasicTokenResponse = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(self.verifier)
            .request_async(&|request| http::send(http_client.clone(), request))
            .await
            .map_err(|e| tokens::token_error(&self.settings, mailbox, e))?;
        let grant = Grant::from_response(&response).ok_or_else(|| OAuthError::Refused {
            provider: self.settings.provider.label().into(),
            reason: "no refresh token was given (the scopes must include offline access)".into(),
        })?;
        client_secret::keep(mailbox, secret, &secrets)?;
        TokenSource::signed_in(self.settings, mailbox, secrets, grant)
    }
}

fn redirect(loopback: &Loopback) -> Result<RedirectUrl, OAuthError> {
    RedirectUrl::new(loopback.redirect_uri().to_string())
        .map_err(|e| OAuthError::Loopback(e.to_string()))
}

pub(super) fn network(settings: &OAuthSettings, error: &HttpError) -> OAuthError {
    OAuthError::Network {
        provider: settings.provider.label().into(),
        detail: error.to_string(),
    }
}
