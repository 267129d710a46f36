//! Who signs the person in: Microsoft (Entra ID), Google, or a custom authorization server, with
//! the client ID of a registered public app. Duebook ships no client secret (Google's, issued
//! with a Desktop app client, is the person's and stays in the keychain: [`super::client_secret`]);
//! a build may carry default client IDs (`DUEBOOK_MICROSOFT_CLIENT_ID`,
//! `DUEBOOK_GOOGLE_CLIENT_ID` at build time).

use super::checks::{check_authority, check_tenant, check_token_word, optional, parse_url};
use super::OAuthError;
use crate::model::text::clean_line;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

/// Microsoft's scopes for sending (and, for the inbound side, reading) over SMTP and IMAP;
/// `offline_access` yields the refresh token.
const MICROSOFT_SCOPES: &[&str] = &[
    "https://outlook.office.com/SMTP.Send",
    "https://outlook.office.com/IMAP.AccessAsUser.All",
    "offline_access",
];
/// Microsoft Graph's scope for `sendMail`: another resource than Outlook's SMTP, so a sign-in
/// asks for one or the other.
const GRAPH_SCOPES: &[&str] = &["https://graph.microsoft.com/Mail.Send", "offline_access"];
/// Where Microsoft signs people in (the global cloud).
const MICROSOFT_AUTHORITY: &str = "https://login.microsoftonline.com";
/// Microsoft Graph, where `me/sendMail` takes a whole MIME message.
const GRAPH_URL: &str = "https://graph.microsoft.com/v1.0";
/// Google's one scope for IMAP, POP and SMTP.
const GOOGLE_SCOPES: &[&str] = &["https://mail.google.com/"];
/// The Gmail API's scope for `users.messages.send` only (Google's refresh token comes from
/// `access_type=offline`, not from a scope).
const GMAIL_API_SCOPES: &[&str] = &["https://www.googleapis.com/auth/gmail.send"];
/// The Gmail API, whose media upload of `users.messages.send` takes the raw message (up to
/// 35 MB, where the JSON `raw` field stops at 5 MB).
const GMAIL_URL: &str = "https://gmail.googleapis.com";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Provider {
    Microsoft,
    Google,
    Custom,
}

impl Provider {
    pub fn parse(text: &str) -> Result<Provider, OAuthError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "microsoft" | "m365" | "office365" | "outlook" => Ok(Provider::Microsoft),
            "google" | "gmail" | "workspace" => Ok(Provider::Google),
            "custom" => Ok(Provider::Custom),
            other => Err(OAuthError::Invalid(format!(
                "{other:?} is not a sign-in provider (use microsoft, google or custom)"
            ))),
        }
    }

    /// The provider's name as people know it, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Provider::Microsoft => "Microsoft",
            Provider::Google => "Google",
            Provider::Custom => "the sign-in server",
        }
    }

    /// The client ID this build carries for the provider, if any.
    pub fn built_in_client_id(self) -> Option<&'static str> {
        match self {
            Provider::Microsoft => option_env!("DUEBOOK_MICROSOFT_CLIENT_ID"),
            Provider::Google => option_env!("DUEBOOK_GOOGLE_CLIENT_ID"),
            Provider::Custom => None,
        }
        .filter(|id| !id.trim().is_empty())
    }
}

/// How messages leave a signed-in mailbox: SMTP with XOAUTH2, Microsoft Graph's `sendMail` for
/// an organisation that has switched SMTP AUTH off (`5.7.139 SmtpClientAuthentication is
/// disabled`), or the Gmail API for a Google mailbox that keeps SMTP off. The outbox is the same
/// either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SendVia {
    #[default]
    Smtp,
    MicrosoftGraph,
    GmailApi,
}

/// How the mailbox signs in with OAuth2. Stored with the account (no secret in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OAuthSettings {
    pub provider: Provider,
    pub client_id: String,
    /// Microsoft's directory: `common` (any work or personal account), `organizations`, or the
    /// organisation's tenant ID or domain.
    pub tenant: Option<String>,
    /// Microsoft's sign-in address, for a national cloud (`https://login.microsoftonline.us`)
    /// or a test server; default `https://login.microsoftonline.com`.
    #[serde(default)]
    pub authority: Option<String>,
    /// For `custom`: the authorization and token endpoints and the scopes to ask for.
    pub auth_url: Option<String>,
    pub token_url: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub send_via: SendVia,
    /// The mail API's address: Graph (default `https://graph.microsoft.com/v1.0`) or Gmail
    /// (default `https://gmail.googleapis.com`); a test server or a national cloud.
    #[serde(default, alias = "graph_url")]
    pub api_url: Option<String>,
}

/// The endpoints and scopes a sign-in uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub auth_url: Url,
    pub token_url: Url,
    pub scopes: Vec<String>,
    /// Extra authorization parameters (Google needs `access_type=offline` for a refresh token).
    pub extra: Vec<(&'static str, &'static str)>,
}

impl OAuthSettings {
    /// Cleans and checks every field: the client ID is required (a built-in one is used when
    /// none is given), URLs must be https (or http on this computer), scopes must be plain words.
    pub fn validated(&self) -> Result<OAuthSettings, OAuthError> {
        let client_id = match clean_line(&self.client_id) {
            id if id.is_empty() => self
                .provider
                .built_in_client_id()
                .map(str::to_string)
                .ok_or_else(|| OAuthError::Invalid(missing_client_id(self.provider)))?,
            id => id,
        };
        check_token_word("client ID", &client_id)?;
        let tenant = optional(self.tenant.as_deref());
        if let Some(t) = &tenant {
            check_tenant(t)?;
        }
        let settings = OAuthSettings {
            provider: self.provider,
            client_id,
            tenant,
            authority: optional(self.authority.as_deref()),
            auth_url: optional(self.auth_url.as_deref()),
            token_url: optional(self.token_url.as_deref()),
            send_via: self.send_via,
            api_url: optional(self.api_url.as_deref()),
            scopes: self
                .scopes
                .iter()
                .map(|s| clean_line(s))
                .filter(|s| !s.is_empty())
                .collect(),
        };
        for scope in &settings.scopes {
            check_token_word("scope", scope)?;
        }
        if let Some(authority) = &settings.authority {
            check_authority(authority)?;
        }
        if settings.authority.is_some() && self.provider != Provider::Microsoft {
            return Err(OAuthError::Invalid(
                "a sign-in address (--authority) is for Microsoft only; a custom server takes --auth-url and --token-url".into(),
            ));
        }
        check_send_via(self.provider, self.send_via)?;
        settings.endpoints()?;
        if let Some(url) = &settings.api_url {
            parse_url("API URL", url)?;
        }
        settings.api_send_url()?;
        Ok(settings)
    }

    /// Where to send the person and where to fetch tokens, with the scopes to ask for.
    pub fn endpoints(&self) -> Result<Endpoints, OAuthError> {
        let scopes = |fixed: &[&str]| match self.scopes.is_empty() {
            true => fixed.iter().map(|s| (*s).to_string()).collect(),
            false => self.scopes.clone(),
        };
        match self.provider {
            Provider::Microsoft => {
                let tenant = self.tenant.as_deref().unwrap_or("common");
                let authority = self.authority.as_deref().unwrap_or(MICROSOFT_AUTHORITY);
                let authority = authority.trim_end_matches('/');
                let base = format!("{authority}/{tenant}/oauth2/v2.0");
                Ok(Endpoints {
                    auth_url: parse_url("authorize URL", &format!("{base}/authorize"))?,
                    token_url: parse_url("token URL", &format!("{base}/token"))?,
                    scopes: scopes(match self.send_via {
                        SendVia::MicrosoftGraph => GRAPH_SCOPES,
                        _ => MICROSOFT_SCOPES,
                    }),
                    extra: Vec::new(),
                })
            }
            Provider::Google => Ok(Endpoints {
                auth_url: parse_url(
                    "authorize URL",
                    "https://accounts.google.com/o/oauth2/v2/auth",
                )?,
                token_url: parse_url("token URL", "https://oauth2.googleapis.com/token")?,
                scopes: scopes(match self.send_via {
                    SendVia::GmailApi => GMAIL_API_SCOPES,
                    _ => GOOGLE_SCOPES,
                }),
                extra: vec![("access_type", "offline"), ("prompt", "consent")],
            }),
            Provider::Custom => self.custom_endpoints(),
        }
    }

    /// Where the chosen mail API takes a message to send: Graph's `.../me/sendMail`, or the
    /// Gmail API's media upload of `users.messages.send`. None: the mailbox sends over SMTP.
    pub fn api_send_url(&self) -> Result<Option<Url>, OAuthError> {
        let (default, path) = match self.send_via {
            SendVia::Smtp => return Ok(None),
            SendVia::MicrosoftGraph => (GRAPH_URL, "me/sendMail"),
            SendVia::GmailApi => (
                GMAIL_URL,
                "upload/gmail/v1/users/me/messages/send?uploadType=media",
            ),
        };
        let base = self.api_url.as_deref().unwrap_or(default);
        let url = format!("{}/{path}", base.trim_end_matches('/'));
        parse_url("API URL", &url).map(Some)
    }

    fn custom_endpoints(&self) -> Result<Endpoints, OAuthError> {
        let need = |what: &str, value: &Option<String>| {
            value.clone().ok_or_else(|| {
                OAuthError::Invalid(format!(
                    "a custom sign-in needs the {what} (--{})",
                    what.replace(' ', "-")
                ))
            })
        };
        let endpoints = Endpoints {
            auth_url: parse_url("auth URL", &need("auth url", &self.auth_url)?)?,
            token_url: parse_url("token URL", &need("token url", &self.token_url)?)?,
            scopes: self.scopes.clone(),
            extra: Vec::new(),
        };
        if endpoints.scopes.is_empty() {
            return Err(OAuthError::Invalid(
                "a custom sign-in needs at least one scope (--scope)".into(),
            ));
        }
        Ok(endpoints)
    }
}

/// Graph is Microsoft's and the Gmail API Google's (a custom server may stand in for either).
fn check_send_via(provider: Provider, send_via: SendVia) -> Result<(), OAuthError> {
    match (provider, send_via) {
        (Provider::Google, SendVia::MicrosoftGraph) => Err(OAuthError::Invalid(
            "Microsoft Graph sends only for Microsoft accounts; a Google account sends over SMTP \
             or the Gmail API"
                .into(),
        )),
        (Provider::Microsoft, SendVia::GmailApi) => Err(OAuthError::Invalid(
            "the Gmail API sends only for Google accounts; a Microsoft account sends over SMTP \
             or Microsoft Graph"
                .into(),
        )),
        _ => Ok(()),
    }
}

fn missing_client_id(provider: Provider) -> String {
    format!(
        "no client ID for {}: register Duebook as a desktop app (see the README, \"Signing in \
         with Microsoft or Google\") and give its client ID (--client-id)",
        provider.label()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn custom(auth: &str, token: &str, scopes: &[&str]) -> OAuthSettings {
        OAuthSettings {
            provider: Provider::Custom,
            client_id: "duebook-test".into(),
            tenant: None,
            authority: None,
            auth_url: Some(auth.into()),
            token_url: Some(token.into()),
            scopes: scopes.iter().map(|s| (*s).to_string()).collect(),
            send_via: SendVia::Smtp,
            api_url: None,
        }
    }

    #[test]
    fn microsoft_uses_the_tenant_and_asks_for_offline_access() {
        let settings = OAuthSettings {
            tenant: Some(" contoso.onmicrosoft.com ".into()),
            provider: Provider::Microsoft,
            ..custom("", "", &[])
        }
        .validated()
        .unwrap();
        let e = settings.endpoints().unwrap();
        assert_eq!(
            e.token_url.as_str(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        assert!(e.scopes.contains(&"offline_access".to_string()));
        assert!(e
            .scopes
            .contains(&"https://outlook.office.com/SMTP.Send".to_string()));
    }

    #[test]
    fn a_national_cloud_or_test_authority_replaces_microsofts_host_only() {
        let us = OAuthSettings {
            provider: Provider::Microsoft,
            tenant: Some("contoso.us".into()),
            authority: Some(" https://login.microsoftonline.us/ ".into()),
            ..custom("", "", &[])
        };
        let e = us.validated().unwrap().endpoints().unwrap();
        assert_eq!(
            e.auth_url.as_str(),
            "https://login.microsoftonline.us/contoso.us/oauth2/v2.0/authorize"
        );
        let plain = OAuthSettings {
            authority: Some("http://login.example/".into()),
            ..us.clone()
        };
        assert!(plain
            .validated()
            .unwrap_err()
            .to_string()
            .contains("https://"));
        let query = OAuthSettings {
            authority: Some("https://login.example/?next=evil".into()),
            ..us.clone()
        };
        assert!(query
            .validated()
            .unwrap_err()
            .to_string()
            .contains("plain address"));
        let google = OAuthSettings {
            provider: Provider::Google,
            ..us
        };
        assert!(google
            .validated()
            .unwrap_err()
            .to_string()
            .contains("Microsoft only"));
    }

    #[test]
    fn graph_asks_for_its_own_scope_and_only_for_microsoft() {
        let graph = OAuthSettings {
            provider: Provider::Microsoft,
            send_via: SendVia::MicrosoftGraph,
            ..custom("", "", &[])
        };
        let e = graph.validated().unwrap().endpoints().unwrap();
        assert!(e
            .scopes
            .contains(&"https://graph.microsoft.com/Mail.Send".to_string()));
        assert!(!e.scopes.iter().any(|s| s.contains("outlook.office.com")));
        assert_eq!(
            graph.api_send_url().unwrap().unwrap().as_str(),
            "https://graph.microsoft.com/v1.0/me/sendMail"
        );
        let google = OAuthSettings {
            provider: Provider::Google,
            ..graph
        };
        assert!(google
            .validated()
            .unwrap_err()
            .to_string()
            .contains("Microsoft accounts"));
    }

    #[test]
    fn the_gmail_api_asks_for_gmail_send_and_only_for_google() {
        let gmail = OAuthSettings {
            provider: Provider::Google,
            send_via: SendVia::GmailApi,
            ..custom("", "", &[])
        };
        let e = gmail.validated().unwrap().endpoints().unwrap();
        assert_eq!(e.scopes, ["https://www.googleapis.com/auth/gmail.send"]);
        assert!(e.extra.contains(&("access_type", "offline")));
        assert_eq!(
            gmail.api_send_url().unwrap().unwrap().as_str(),
            "https://gmail.googleapis.com/upload/gmail/v1/users/me/messages/send?uploadType=media"
        );
        let microsoft = OAuthSettings {
            provider: Provider::Microsoft,
            ..gmail
        };
        let err = microsoft.validated().unwrap_err().to_string();
        assert!(err.contains("only for Google accounts"), "{err}");
    }

    #[test]
    fn settings_stored_with_a_graph_url_keep_it_as_the_api_url() {
        let stored = r#"{"provider":"microsoft","client_id":"x","tenant":null,"auth_url":null,
            "token_url":null,"send_via":"microsoft_graph","graph_url":"https://graph.example/v1.0"}"#;
        let settings: OAuthSettings = serde_json::from_str(stored).unwrap();
        assert_eq!(
            settings.api_send_url().unwrap().unwrap().as_str(),
            "https://graph.example/v1.0/me/sendMail"
        );
    }

    #[test]
    fn custom_endpoints_must_be_https_unless_local() {
        let ok = custom(
            "http://127.0.0.1:9/authorize",
            "https://id.example/token",
            &["mail"],
        );
        assert!(ok.validated().is_ok());
        let remote_http = custom(
            "http://id.example/authorize",
            "https://id.example/token",
            &["mail"],
        );
        let err = remote_http.validated().unwrap_err().to_string();
        assert!(err.contains("https://"), "{err}");
        let no_scope = custom("https://id.example/a", "https://id.example/t", &[]);
        assert!(no_scope
            .validated()
            .unwrap_err()
            .to_string()
            .contains("scope"));
    }

    #[test]
    fn a_tenant_that_could_leave_its_path_is_refused() {
        for tenant in [
            "../evil",
            "a b",
            "x\"y",
            "common/oauth2",
            "evil.example#",
            "..",
            "a?b",
        ] {
            let settings = OAuthSettings {
                provider: Provider::Microsoft,
                tenant: Some(tenant.into()),
                ..custom("", "", &[])
            };
            let err = settings.validated().unwrap_err().to_string();
            assert!(err.contains("tenant"), "{tenant:?}: {err}");
        }
    }

    proptest! {
        #[test]
        fn any_text_as_settings_is_refused_or_cleaned(id in "\\PC*", tenant in "\\PC*", scope in ".*") {
            let settings = OAuthSettings {
                provider: Provider::Microsoft,
                client_id: id,
                tenant: Some(tenant),
                authority: None,
                auth_url: None,
                token_url: None,
                scopes: vec![scope],
                send_via: SendVia::MicrosoftGraph,
                api_url: None,
            };
            if let Ok(clean) = settings.validated() {
                prop_assert!(clean.client_id.chars().all(|c| c.is_ascii_graphic()));
                let e = clean.endpoints().unwrap();
                prop_assert_eq!(e.auth_url.host_str(), Some("login.microsoftonline.com"));
                prop_assert!(e.auth_url.path().starts_with('/') && !e.auth_url.path().contains(".."));
            }
        }
    }
}
