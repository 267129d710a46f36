//! Signing in to a Microsoft 365 or Google mailbox with OAuth2, for SMTP (and IMAP) XOAUTH2.
//!
//! - [`provider`]: who signs the person in (endpoints, scopes, the registered client ID);
//! - [`signin`]: the authorization-code flow with PKCE (S256) in the system browser, answered
//!   on a loopback redirect (`http://127.0.0.1:<random port>`) with `state` checked;
//! - [`tokens`]: the refresh token in the OS keychain (beside, never instead of, the password
//!   entry), the short-lived access token in memory, refreshed before it expires;
//! - [`client_secret`]: the registered app's secret where the provider issues one (Google's
//!   Desktop app clients), only in the OS keychain.
//!
//! A leaf of `mail`: it knows nothing of accounts, outboxes or SMTP, so SMTP and IMAP both use
//! one [`tokens::TokenSource`].

mod browser;
mod checks;
pub mod client_secret;
pub(crate) mod http;
mod loopback;
pub mod provider;
pub mod signin;
pub mod tokens;

pub use browser::{open_in_browser, open_with_desktop};
pub use provider::{OAuthSettings, Provider, SendVia};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How the account logs in to the mail server: the password (or app password) in the keychain,
/// or an OAuth2 sign-in whose refresh token is in the keychain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "oauth", rename_all = "snake_case")]
#[ts(export)]
pub enum AuthMethod {
    #[default]
    Password,
    #[serde(rename = "oauth2")]
    OAuth2(OAuthSettings),
}
pub use client_secret::client_secret_key;
pub use signin::{begin_sign_in, PendingSignIn};
pub use tokens::{refresh_token_key, sign_out, TokenSource};

/// What can go wrong signing in or getting a token, each with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("{0}")]
    Invalid(String),
    #[error("{account} is not signed in: sign in again in Settings → Email (or `duebook account login`)")]
    NotSignedIn { account: String },
    /// The provider no longer honours the stored grant (revoked, expired, password changed).
    #[error("{provider} asks you to sign in again for {account}: {reason}. Sign in again in Settings → Email (or `duebook account login`)")]
    NeedsSignIn {
        provider: String,
        account: String,
        reason: String,
    },
    #[error("the sign-in was not completed in the browser: {0}")]
    Declined(String),
    #[error(
        "the sign-in in the browser was not finished within {seconds} seconds; start it again"
    )]
    TimedOut { seconds: u64 },
    #[error("{provider} refused the sign-in: {reason}")]
    Refused { provider: String, reason: String },
    #[error(
        "cannot reach {provider}'s sign-in server ({detail}); check the connection and try again"
    )]
    Network { provider: String, detail: String },
    #[error("cannot listen for the browser's answer on this computer: {0}")]
    Loopback(String),
    #[error("could not start a browser ({0}): open the sign-in address yourself")]
    NoBrowser(String),
    #[error(transparent)]
    Secret(#[from] crate::secrets::SecretError),
}

impl OAuthError {
    /// Whether trying again later, unchanged, may work (the network was down).
    pub fn is_transient(&self) -> bool {
        matches!(self, OAuthError::Network { .. })
    }

    /// Whether the person must sign in again before anything can be sent.
    pub fn needs_sign_in(&self) -> bool {
        matches!(
            self,
            OAuthError::NeedsSignIn { .. } | OAuthError::NotSignedIn { .. }
        )
    }
}

/// A provider's error (`error` code and description) in plain words. Entra's descriptions
/// start "AADSTSnnnn: ..." and end in trace lines; the code picks the explanation.
pub(crate) fn plain_reason(error: &str, description: Option<&str>) -> String {
    let first_line = description
        .and_then(|d| d.lines().next())
        .map(crate::model::text::clean_line)
        .unwrap_or_default();
    let code = first_line
        .strip_prefix("AADSTS")
        .and_then(|rest| rest.split(':').next())
        .unwrap_or("");
    let meaning = match code {
        "50173" | "700082" | "70008" | "50133" | "700084" => {
            "the sign-in has expired or was revoked (for example after a password change)"
        }
        "50011" => "the app registration does not allow Duebook's redirect: add http://127.0.0.1 as a \"Mobile and desktop applications\" redirect URI",
        "700016" => "the client ID is not registered in this directory: check the client ID and the tenant",
        "7000218" => "the app registration is not a public client: turn on \"Allow public client flows\" in Entra ID",
        "65001" => "an administrator must consent to Duebook's access to mail for this organisation",
        "65004" => "you declined Duebook's access to the mailbox",
        "53003" => "your organisation's Conditional Access policy blocked the sign-in",
        "50076" | "50079" => "your organisation requires multi-factor authentication: sign in again",
        _ => match error {
            "invalid_grant" => "the sign-in is no longer valid",
            "access_denied" => "access was declined",
            "invalid_client" | "unauthorized_client" => "the client ID or its client secret is not accepted: check both (a Google \"Desktop app\" client needs its client secret)",
            "invalid_request" if first_line.contains("client_secret") => "the client secret is missing: give the one issued with the client ID",
            _ => "",
        },
    };
    match (meaning.is_empty(), first_line.is_empty()) {
        (true, true) => error.to_string(),
        (true, false) => first_line,
        (false, true) => meaning.to_string(),
        (false, false) => format!("{meaning} ({first_line})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entra_codes_are_explained_and_trace_lines_dropped() {
        let reason = plain_reason(
            "invalid_grant",
            Some("AADSTS50173: The provided grant has expired due to it being revoked.\r\nTrace ID: 123\r\nCorrelation ID: 9"),
        );
        assert!(
            reason.starts_with("the sign-in has expired or was revoked"),
            "{reason}"
        );
        assert!(reason.contains("AADSTS50173"), "{reason}");
        assert!(!reason.contains("Trace ID"), "{reason}");
        assert_eq!(
            plain_reason("invalid_grant", None),
            "the sign-in is no longer valid"
        );
        assert_eq!(plain_reason("server_error", Some("busy")), "busy");
        let wrong = plain_reason("invalid_client", Some("Unauthorized"));
        assert!(wrong.contains("client secret"), "{wrong}");
    }

    #[test]
    fn control_characters_in_a_description_do_not_reach_the_message() {
        let reason = plain_reason("x", Some("bad\u{1b}[31m thing\u{202e}"));
        assert!(!reason.chars().any(char::is_control), "{reason:?}");
    }
}
