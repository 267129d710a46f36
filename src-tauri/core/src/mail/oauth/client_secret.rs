//! The registered app's client secret, for providers that issue one even to a desktop app:
//! Google's "Desktop app" clients come with a secret its token endpoint requires (Google does
//! not treat it as confidential for installed apps). Duebook ships none: the person gives the
//! one of their own registration, and it lives only in the OS keychain (entry
//! [`client_secret_key`], beside the refresh token), sent in the form body of the code exchange
//! and of every refresh.

use super::provider::OAuthSettings;
use super::{AuthMethod, OAuthError};
use crate::secrets::{Password, SecretError, SecretStore};
use oauth2::basic::BasicClient;
use oauth2::{AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, TokenUrl};

/// The longest client secret taken (Google's are 35 characters).
const MAX_LEN: usize = 512;

/// A client that can call the token endpoint (a code exchange or a refresh).
pub(super) type TokenClient =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The keychain entry holding the client secret `mailbox` signed in with.
pub fn client_secret_key(mailbox: &str) -> String {
    format!("oauth-client-secret:{}", mailbox.trim().to_lowercase())
}

/// The secret a new sign-in uses: the one given, else the stored one when the sign-in is with
/// the same client (provider and client ID) as `before` — a secret belongs to its client, and
/// Microsoft refuses one sent for a public client. The window never sees a stored secret, so
/// signing in again must not need it typed again.
pub fn for_sign_in(
    given: Option<Password>,
    before: &AuthMethod,
    next: &OAuthSettings,
    mailbox: &str,
    secrets: &dyn SecretStore,
) -> Result<Option<Password>, OAuthError> {
    if let Some(secret) = given {
        check(&secret)?;
        return Ok(Some(secret));
    }
    let next = next.validated()?;
    match before {
        AuthMethod::OAuth2(b) if b.provider == next.provider && b.client_id == next.client_id => {
            Ok(secrets.get(&client_secret_key(mailbox))?)
        }
        _ => Ok(None),
    }
}

/// Printable, one line, of a sane length; the message never shows the secret.
fn check(secret: &Password) -> Result<(), OAuthError> {
    let text = secret.expose();
    let fine =
        !text.is_empty() && text.len() <= MAX_LEN && text.chars().all(|c| c.is_ascii_graphic());
    match fine {
        true => Ok(()),
        false => Err(OAuthError::Invalid(format!(
            "the client secret is not valid (letters, digits and punctuation, no spaces, at most \
             {MAX_LEN}): paste only the secret of the OAuth client"
        ))),
    }
}

/// The stored secret, if the mailbox signed in with one.
pub(super) fn stored(
    mailbox: &str,
    secrets: &dyn SecretStore,
) -> Result<Option<Password>, SecretError> {
    secrets.get(&client_secret_key(mailbox))
}

/// Keeps the sign-in's secret, or removes a stored one the new sign-in does without.
pub(super) fn keep(
    mailbox: &str,
    secret: Option<&Password>,
    secrets: &dyn SecretStore,
) -> Result<(), SecretError> {
    let key = client_secret_key(mailbox);
    match secret {
        Some(s) => secrets.set(&key, s),
        None => secrets.delete(&key),
    }
}

/// A token-endpoint client for `settings`, with the secret (if any) in the form body, where
/// Google wants it.
pub(super) fn token_client(
    settings: &OAuthSettings,
    token_url: &url::Url,
    secret: Option<&Password>,
) -> TokenClient {
    let client = BasicClient::new(ClientId::new(settings.client_id.clone()))
        .set_token_uri(TokenUrl::from_url(token_url.clone()))
        .set_auth_type(AuthType::RequestBody);
    match secret {
        Some(s) => client.set_client_secret(ClientSecret::new(s.expose().to_string())),
        None => client,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::oauth::{Provider, SendVia};
    use crate::secrets::MemoryStore;

    fn google(client_id: &str) -> OAuthSettings {
        OAuthSettings {
            provider: Provider::Google,
            client_id: client_id.into(),
            tenant: None,
            authority: None,
            auth_url: None,
            token_url: None,
            scopes: Vec::new(),
            send_via: SendVia::Smtp,
            api_url: None,
        }
    }

    #[test]
    fn a_stored_secret_is_reused_only_by_the_same_client() {
        let store = MemoryStore::new();
        store
            .set(
                &client_secret_key("A@b.example"),
                &Password::new("GOCSPX-1"),
            )
            .unwrap();
        let before = AuthMethod::OAuth2(google("one"));
        let reuse = |next: &OAuthSettings| {
            for_sign_in(None, &before, next, "a@b.example", &store)
                .unwrap()
                .map(|p| p.expose().to_string())
        };
        assert_eq!(reuse(&google("one")).as_deref(), Some("GOCSPX-1"));
        assert_eq!(reuse(&google("two")), None);
        let microsoft = OAuthSettings {
            provider: Provider::Microsoft,
            ..google("one")
        };
        assert_eq!(reuse(&microsoft), None);
        let given = for_sign_in(
            Some(Password::new("GOCSPX-2")),
            &before,
            &google("two"),
            "a@b.example",
            &store,
        )
        .unwrap();
        assert_eq!(given.unwrap().expose(), "GOCSPX-2");
    }

    #[test]
    fn a_malformed_secret_is_refused_without_being_repeated() {
        for bad in ["", "two words", "line\nbreak", &"x".repeat(600)] {
            let err = for_sign_in(
                Some(Password::new(bad)),
                &AuthMethod::Password,
                &google("one"),
                "a@b.example",
                &MemoryStore::new(),
            )
            .unwrap_err()
            .to_string();
            assert!(err.contains("client secret"), "{err}");
            assert!(bad.is_empty() || !err.contains(bad), "{err}");
        }
    }
}
