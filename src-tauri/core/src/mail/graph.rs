//! Sending through Microsoft Graph (`POST /me/sendMail` with the whole MIME message, base64) for
//! a signed-in Microsoft 365 mailbox whose organisation has switched SMTP AUTH off. The message
//! is the outbox's own bytes, so its Message-ID and every durable state stay as with SMTP; Graph's
//! answers are said in SMTP's terms (the outbox and its retry rules speak them):
//!
//! | Graph | outbox |
//! |---|---|
//! | 202 Accepted | sent |
//! | 401 (after one fresh token) / 403 | sign-in refused: sending stops, the account asks to sign in |
//! | 429, 503 with Retry-After | "slow down" (421 4.7.0): the account pauses |
//! | 5xx | passing trouble (451): tried again later |
//! | other 4xx | refused for good (550) with Graph's words |
//! | no answer after the request went out | uncertain: never sent twice on its own |

use super::oauth::{http, TokenSource};
use super::smtp::{ConnectionReport, MailError, Mailer, SendError, Stage};
use crate::model::text::clean_line;
use crate::secrets::Password;
use base64::Engine;
use lettre::address::Envelope;
use std::sync::Arc;

/// The most of Graph's error text kept.
const MAX_REASON: usize = 300;

pub struct GraphMailer {
    tokens: Arc<TokenSource>,
    url: url::Url,
    client: reqwest::Client,
}

impl std::fmt::Debug for GraphMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphMailer")
            .field("url", &self.url.as_str())
            .finish()
    }
}

impl GraphMailer {
    pub fn new(tokens: Arc<TokenSource>) -> Result<GraphMailer, MailError> {
        let url = tokens
            .settings()
            .graph_send_url()
            .map_err(|e| MailError::Invalid(e.to_string()))?;
        let client = http::client().map_err(|e| MailError::Invalid(e.to_string()))?;
        Ok(GraphMailer {
            tokens,
            url,
            client,
        })
    }

    /// What "Test connection" can check without sending: a token for Graph is issued.
    pub async fn test_connection(&self) -> Result<ConnectionReport, MailError> {
        self.tokens.access_token().await?;
        Ok(ConnectionReport {
            host: self.url.host_str().unwrap_or_default().to_string(),
            port: self.url.port_or_known_default().unwrap_or(443),
            encrypted: self.url.scheme() == "https",
            authenticated: true,
            auth_method: "OAuth2 (Microsoft Graph)".into(),
        })
    }

    async fn post(
        &self,
        raw: &[u8],
        token: &Password,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let body = base64::engine::general_purpose::STANDARD.encode(raw);
        self.client
            .post(self.url.clone())
            .bearer_auth(token.expose())
            .header("Content-Type", "text/plain")
            .body(body)
            .send()
            .await
    }

    async fn send_message(&self, raw: &[u8]) -> Result<String, SendError> {
        let not_sent = |e: MailError| SendError::NotSent(e);
        let token = self
            .tokens
            .access_token()
            .await
            .map_err(|e| not_sent(e.into()))?;
        let mut reply = self.post(raw, &token).await;
        if matches!(&reply, Ok(r) if r.status() == reqwest::StatusCode::UNAUTHORIZED) {
            // Expired early or revoked by a policy: one fresh token before giving up.
            let token = self
                .tokens
                .refused()
                .await
                .map_err(|e| not_sent(e.into()))?;
            reply = self.post(raw, &token).await;
        }
        match reply {
            Ok(response) => verdict(response).await,
            Err(e) => Err(unanswered(&e, &self.url)),
        }
    }
}

impl Mailer for GraphMailer {
    fn send(
        &self,
        _envelope: &Envelope,
        raw: &[u8],
    ) -> impl std::future::Future<Output = Result<String, SendError>> + Send {
        // Graph reads the recipients from the message's own To/Cc headers, which the outbox
        // wrote from the same addresses as the envelope.
        self.send_message(raw)
    }
}

/// Graph's answer to a request it received.
async fn verdict(response: reqwest::Response) -> Result<String, SendError> {
    let status = response.status();
    if status == reqwest::StatusCode::ACCEPTED {
        return Ok("202 Accepted by Microsoft Graph".into());
    }
    let wait = response
        .headers()
        .get("Retry-After")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let reason = graph_reason(&response.text().await.unwrap_or_default());
    let said = format!("Microsoft Graph answered {status}: {reason}");
    let code = status.as_u16();
    Err(SendError::NotSent(match code {
        401 | 403 => MailError::SignIn {
            detail: format!("{said}; sign in again with Microsoft Graph chosen (it needs the Mail.Send permission)"),
            transient: false,
        },
        429 | 503 => MailError::Rejected {
            code: 421,
            reply: format!("4.7.0 {said}: try again in {} seconds", wait.unwrap_or(60)),
            stage: Stage::MailFrom,
        },
        500..=599 => MailError::Rejected {
            code: 451,
            reply: format!("4.3.0 {said}"),
            stage: Stage::MailFrom,
        },
        _ => MailError::Rejected {
            code: 550,
            reply: format!("5.0.0 {said}"),
            stage: Stage::AfterData,
        },
    }))
}

/// Graph's error body (`{"error":{"code","message"}}`) as one clean, bounded line.
fn graph_reason(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let error = parsed.as_ref().and_then(|v| v.get("error"));
    let part = |key: &str| {
        error
            .and_then(|e| e.get(key))
            .and_then(|v| v.as_str())
            .unwrap_or("")
    };
    let text = match (part("code"), part("message")) {
        ("", "") => body.to_string(),
        (code, message) => format!("{code} {message}"),
    };
    clean_line(&text).chars().take(MAX_REASON).collect()
}

/// No answer: before the request left (not sent, safe to retry) or after (it may have arrived).
fn unanswered(error: &reqwest::Error, url: &url::Url) -> SendError {
    if error.is_connect() || error.is_builder() {
        return SendError::NotSent(MailError::Unreachable {
            host: url.host_str().unwrap_or_default().to_string(),
            port: url.port_or_known_default().unwrap_or(443),
            detail: clean_line(&error.to_string()),
        });
    }
    SendError::Unknown(MailError::Connection {
        stage: Stage::AfterData,
        detail: clean_line(&error.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_errors_become_one_bounded_clean_line() {
        let body = r#"{"error":{"code":"ErrorInvalidRecipients","message":"At least one recipient is not valid.\u001b[31m"}}"#;
        assert_eq!(
            graph_reason(body),
            "ErrorInvalidRecipients At least one recipient is not valid. [31m"
        );
        assert_eq!(graph_reason(&"x".repeat(1000)).len(), MAX_REASON);
        assert_eq!(graph_reason("not json\n"), "not json");
    }
}
