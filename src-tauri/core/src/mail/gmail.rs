//! Sending through the Gmail API for a signed-in Google mailbox that keeps SMTP off (a Workspace
//! admin who blocks it, or a person who would rather): the outbox's own MIME bytes go to the
//! media upload of `users.messages.send` (`message/rfc822`, up to 35 MB, where the JSON `raw`
//! field stops at 5 MB: statements carry PDFs), so the Message-ID and every durable state stay
//! as with SMTP. Google's answers are said in SMTP's terms as [`super::http_api`] reads them,
//! plus Google's own: a 403 whose reason is a rate limit pauses the account like a 429.

use super::http_api::{Answer, ApiError, HttpApi, Refusal};
use super::smtp::SendError;
use crate::model::text::clean_line;

/// What to do when Google refuses the sign-in.
const SIGN_IN_FIX: &str =
    "sign in again with Google with the Gmail API chosen (it needs the gmail.send permission)";
/// Google's reasons for a 403 that means "slow down", not "not allowed".
const RATE_LIMITS: &[&str] = &[
    "rateLimitExceeded",
    "userRateLimitExceeded",
    "dailyLimitExceeded",
];
/// The most of a message id kept in the reply (Google's are 16 hex digits).
const MAX_ID: usize = 64;

/// The name messages and errors give the API.
pub(super) const API_NAME: &str = "Gmail API";

/// Sends the outbox's own MIME bytes. Gmail reads the recipients from the message's To/Cc
/// headers, which the outbox wrote from the same addresses as the envelope.
pub(super) async fn send(api: &HttpApi, raw: &[u8]) -> Result<String, SendError> {
    verdict(&api.post("message/rfc822", raw).await?)
}

/// Google's answer to a request it received.
fn verdict(answer: &Answer) -> Result<String, SendError> {
    let status = answer.status.as_u16();
    if answer.status.is_success() {
        return Ok(format!(
            "{status} Sent by Gmail as message {}",
            message_id(&answer.body)
        ));
    }
    let error = ApiError::parse(&answer.body);
    let refusal = match status {
        403 if RATE_LIMITS.contains(&error.reason.as_str()) => Refusal::SlowDown,
        other => Refusal::of(other),
    };
    Err(answer.refused(refusal, &error.line(&answer.body), SIGN_IN_FIX))
}

/// The id of the sent message in `{"id", "threadId", "labelIds"}`, as one short clean word.
fn message_id(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let id = parsed
        .as_ref()
        .and_then(|v| v.get("id"))
        .and_then(|v| v.as_str())
        .map(clean_line)
        .unwrap_or_default();
    match id.is_empty() {
        true => "(no id given)".into(),
        false => id.chars().take(MAX_ID).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reply_names_gmail_and_the_message_id() {
        let body = r#"{"id":"18c2f0a1b2c3d4e5","threadId":"18c2f0a1b2c3d4e5","labelIds":["SENT"]}"#;
        assert_eq!(message_id(body), "18c2f0a1b2c3d4e5");
        assert_eq!(message_id("{}"), "(no id given)");
        assert_eq!(
            message_id(&format!(r#"{{"id":"{}"}}"#, "a".repeat(500))).len(),
            MAX_ID
        );
    }
}
