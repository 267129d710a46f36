//! What the mail APIs (Microsoft Graph's `sendMail`, the Gmail API's `users.messages.send`)
//! share: posting the outbox's message with the sign-in's bearer token (one fresh token after a
//! 401), and saying the answer in SMTP's terms, which the outbox and its retry rules speak:
//!
//! | HTTP | outbox |
//! |---|---|
//! | 401 (after one fresh token) / 403 | sign-in refused: sending stops, the account asks to sign in |
//! | 429 with Retry-After | "slow down" (421 4.7.0): the account pauses |
//! | 5xx | passing trouble (451): tried again later |
//! | other 4xx | refused for good (550) with the API's words |
//! | no answer after the request went out | uncertain: never sent twice on its own |
//!
//! Each API adds its own readings over these (Graph's 503 throttle, Gmail's 403 rate limits).

use super::oauth::{http, TokenSource};
use super::smtp::{ConnectionReport, MailError, SendError, Stage};
use crate::model::text::clean_line;
use crate::secrets::Password;
use std::sync::Arc;
use std::time::Duration;

/// The most of an API's error text kept.
const MAX_REASON: usize = 300;
/// The most of an answer's body read (answers are small JSON; a larger one is cut).
const MAX_BODY: usize = 64 * 1024;
/// Time for the request beyond its upload: an answer takes seconds.
const BASE_TIMEOUT: Duration = Duration::from_secs(60);
/// The slowest upload allowed for, in bytes a second (a 35 MB message gets about six minutes).
const SLOWEST_UPLOAD: u64 = 100_000;

/// One mail API for one signed-in mailbox.
pub struct HttpApi {
    /// The API's name, for messages: "Microsoft Graph", "Gmail".
    pub name: &'static str,
    tokens: Arc<TokenSource>,
    url: url::Url,
    client: reqwest::Client,
}

/// What the API answered.
pub struct Answer {
    /// The API that answered, for messages.
    pub api: &'static str,
    pub status: reqwest::StatusCode,
    pub body: String,
    retry_after: Option<u64>,
}

/// How a refusal reads in SMTP's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    SignIn,
    SlowDown,
    Passing,
    Refused,
}

impl Refusal {
    /// The reading every API shares; each refines it (see the module's table).
    pub fn of(status: u16) -> Refusal {
        match status {
            401 | 403 => Refusal::SignIn,
            429 => Refusal::SlowDown,
            500..=599 => Refusal::Passing,
            _ => Refusal::Refused,
        }
    }
}

impl std::fmt::Debug for HttpApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpApi")
            .field("name", &self.name)
            .field("url", &self.url.as_str())
            .finish()
    }
}

impl HttpApi {
    /// The API the sign-in's settings send through (`send_via`, `api_url`).
    pub fn new(name: &'static str, tokens: Arc<TokenSource>) -> Result<HttpApi, MailError> {
        let invalid = |e: &dyn std::fmt::Display| MailError::Invalid(e.to_string());
        let url = tokens
            .settings()
            .api_send_url()
            .map_err(|e| invalid(&e))?
            .ok_or_else(|| {
                MailError::Invalid(format!("the sign-in is not set to send through {name}"))
            })?;
        let client = http::client().map_err(|e| invalid(&e))?;
        Ok(HttpApi {
            name,
            tokens,
            url,
            client,
        })
    }

    /// What "Test connection" can check without sending: a token for the API is issued.
    pub async fn test_connection(&self) -> Result<ConnectionReport, MailError> {
        self.tokens.access_token().await?;
        Ok(ConnectionReport {
            host: self.url.host_str().unwrap_or_default().to_string(),
            port: self.url.port_or_known_default().unwrap_or(443),
            encrypted: self.url.scheme() == "https",
            authenticated: true,
            auth_method: format!("OAuth2 ({})", self.name),
        })
    }

    /// Posts `body` as `content_type`; a 401 gets one fresh token (expired early, or revoked by
    /// a policy) before the answer stands. Err: no token, or no answer.
    pub async fn post(&self, content_type: &str, body: &[u8]) -> Result<Answer, SendError> {
        let not_sent = |e: MailError| SendError::NotSent(e);
        let token = (self.tokens.access_token().await).map_err(|e| not_sent(e.into()))?;
        let mut reply = self.post_once(content_type, body, &token).await;
        if matches!(&reply, Ok(r) if r.status() == reqwest::StatusCode::UNAUTHORIZED) {
            let token = (self.tokens.refused().await).map_err(|e| not_sent(e.into()))?;
            reply = self.post_once(content_type, body, &token).await;
        }
        match reply {
            Ok(response) => Ok(read_answer(self.name, response).await),
            Err(e) => Err(unanswered(&e, &self.url)),
        }
    }

    async fn post_once(
        &self,
        content_type: &str,
        body: &[u8],
        token: &Password,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let upload = Duration::from_secs(body.len() as u64 / SLOWEST_UPLOAD);
        self.client
            .post(self.url.clone())
            .bearer_auth(token.expose())
            .header("Content-Type", content_type)
            .timeout(BASE_TIMEOUT + upload)
            .body(body.to_vec())
            .send()
            .await
    }
}

impl Answer {
    /// A refusal as the outbox's error: `reason` in the API's words, `sign_in_fix` what to do
    /// when the sign-in is refused.
    pub fn refused(&self, refusal: Refusal, reason: &str, sign_in_fix: &str) -> SendError {
        let said = format!("{} answered {}: {reason}", self.api, self.status);
        SendError::NotSent(match refusal {
            Refusal::SignIn => MailError::SignIn {
                detail: format!("{said}; {sign_in_fix}"),
                transient: false,
            },
            Refusal::SlowDown => MailError::Rejected {
                code: 421,
                reply: format!(
                    "4.7.0 {said}: try again in {} seconds",
                    self.retry_after.unwrap_or(60)
                ),
                stage: Stage::MailFrom,
            },
            Refusal::Passing => MailError::Rejected {
                code: 451,
                reply: format!("4.3.0 {said}"),
                stage: Stage::MailFrom,
            },
            Refusal::Refused => MailError::Rejected {
                code: 550,
                reply: format!("5.0.0 {said}"),
                stage: Stage::AfterData,
            },
        })
    }
}

/// The status, Retry-After (seconds) and the start of the body.
async fn read_answer(api: &'static str, mut response: reqwest::Response) -> Answer {
    let retry_after = response
        .headers()
        .get("Retry-After")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let status = response.status();
    let mut body = Vec::new();
    // A body that breaks off is read as far as it came: the status is the answer.
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() >= MAX_BODY {
            body.truncate(MAX_BODY);
            break;
        }
    }
    Answer {
        api,
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
        retry_after,
    }
}

/// An API's error body, Graph's `{"error":{"code","message"}}` or Google's
/// `{"error":{"code":403,"message","errors":[{"reason"}]}}`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ApiError {
    /// Graph's error code (Google's numeric one repeats the status and is left out).
    pub code: String,
    pub message: String,
    /// Google's machine-readable reason (`rateLimitExceeded`, `insufficientPermissions`...).
    pub reason: String,
}

impl ApiError {
    pub fn parse(body: &str) -> ApiError {
        let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
        let error = parsed.as_ref().and_then(|v| v.get("error"));
        let text = |v: Option<&serde_json::Value>| {
            v.and_then(|v| v.as_str()).unwrap_or_default().to_string()
        };
        let first = error.and_then(|e| e.get("errors")).and_then(|e| e.get(0));
        ApiError {
            code: text(error.and_then(|e| e.get("code"))),
            message: text(error.and_then(|e| e.get("message"))),
            reason: text(first.and_then(|e| e.get("reason"))),
        }
    }

    /// One clean, bounded line: the code and message (the reason after them), or the body as
    /// it came when it is not the API's error shape.
    pub fn line(&self, body: &str) -> String {
        let words = [self.code.as_str(), self.message.as_str()]
            .into_iter()
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let text = match (words.is_empty(), self.reason.is_empty()) {
            (true, true) => body.to_string(),
            (true, false) => self.reason.clone(),
            (false, true) => words,
            (false, false) => format!("{words} ({})", self.reason),
        };
        clean_line(&text).chars().take(MAX_REASON).collect()
    }
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
    fn graph_and_google_errors_become_one_bounded_clean_line() {
        let graph = r#"{"error":{"code":"ErrorInvalidRecipients","message":"At least one recipient is not valid.\u001b[31m"}}"#;
        assert_eq!(
            ApiError::parse(graph).line(graph),
            "ErrorInvalidRecipients At least one recipient is not valid. [31m"
        );
        let google = r#"{"error":{"code":403,"message":"Rate Limit Exceeded","errors":[{"message":"Rate Limit Exceeded","domain":"usageLimits","reason":"rateLimitExceeded"}],"status":"PERMISSION_DENIED"}}"#;
        let parsed = ApiError::parse(google);
        assert_eq!(parsed.reason, "rateLimitExceeded");
        assert_eq!(
            parsed.line(google),
            "Rate Limit Exceeded (rateLimitExceeded)"
        );
        let long = "x".repeat(1000);
        assert_eq!(ApiError::parse(&long).line(&long).len(), MAX_REASON);
        assert_eq!(ApiError::parse("not json\n").line("not json\n"), "not json");
        assert_eq!(ApiError::parse("[1,2]"), ApiError::default());
    }

    fn answer(status: u16, retry_after: Option<u64>) -> Answer {
        Answer {
            api: "Gmail",
            status: reqwest::StatusCode::from_u16(status).unwrap(),
            body: String::new(),
            retry_after,
        }
    }

    /// The SMTP reply code and whether the outbox may try again, or the sign-in detail.
    fn verdict(status: u16, refusal: Refusal) -> (Option<u16>, String) {
        match answer(status, Some(7)).refused(refusal, "why", "sign in again") {
            SendError::NotSent(MailError::Rejected { code, reply, .. }) => (Some(code), reply),
            SendError::NotSent(MailError::SignIn { detail, transient }) => {
                assert!(!transient);
                (None, detail)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refusals_become_smtp_replies_the_outbox_knows() {
        let (code, reply) = verdict(429, Refusal::SlowDown);
        assert_eq!(code, Some(421));
        assert!(
            reply.starts_with("4.7.0 Gmail answered 429 Too Many Requests: why"),
            "{reply}"
        );
        assert!(reply.ends_with("try again in 7 seconds"), "{reply}");
        assert_eq!(verdict(502, Refusal::Passing).0, Some(451));
        assert_eq!(verdict(400, Refusal::Refused).0, Some(550));
        let (code, detail) = verdict(403, Refusal::SignIn);
        assert_eq!(code, None);
        assert_eq!(detail, "Gmail answered 403 Forbidden: why; sign in again");
        let default_wait = answer(429, None).refused(Refusal::SlowDown, "", "");
        assert!(
            default_wait.to_string().contains("60 seconds"),
            "{default_wait}"
        );
    }

    #[test]
    fn statuses_read_as_smtp_verdicts() {
        assert_eq!(Refusal::of(401), Refusal::SignIn);
        assert_eq!(Refusal::of(403), Refusal::SignIn);
        assert_eq!(Refusal::of(429), Refusal::SlowDown);
        assert_eq!(Refusal::of(500), Refusal::Passing);
        assert_eq!(Refusal::of(503), Refusal::Passing);
        assert_eq!(Refusal::of(400), Refusal::Refused);
        assert_eq!(Refusal::of(413), Refusal::Refused);
    }
}
