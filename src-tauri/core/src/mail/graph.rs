//! Sending through Microsoft Graph (`POST /me/sendMail` with the whole MIME message, base64) for
//! a signed-in Microsoft 365 mailbox whose organisation has switched SMTP AUTH off. The message
//! is the outbox's own bytes, so its Message-ID and every durable state stay as with SMTP; Graph's
//! answers are said in SMTP's terms as [`super::http_api`] reads them, plus Graph's throttle:
//! 202 Accepted is sent, a 503 (like a 429) with Retry-After pauses the account.

use super::http_api::{Answer, ApiError, HttpApi, Refusal};
use super::smtp::SendError;
use base64::Engine;

/// What to do when Graph refuses the sign-in.
const SIGN_IN_FIX: &str =
    "sign in again with Microsoft Graph chosen (it needs the Mail.Send permission)";

/// The name messages and errors give the API.
pub(super) const API_NAME: &str = "Microsoft Graph";

/// Sends the outbox's own MIME bytes, base64. Graph reads the recipients from the message's
/// To/Cc headers, which the outbox wrote from the same addresses as the envelope.
pub(super) async fn send(api: &HttpApi, raw: &[u8]) -> Result<String, SendError> {
    let body = base64::engine::general_purpose::STANDARD.encode(raw);
    verdict(&api.post("text/plain", body.as_bytes()).await?)
}

/// Graph's answer to a request it received.
fn verdict(answer: &Answer) -> Result<String, SendError> {
    let status = answer.status.as_u16();
    if status == 202 {
        return Ok("202 Accepted by Microsoft Graph".into());
    }
    let refusal = match status {
        503 => Refusal::SlowDown,
        other => Refusal::of(other),
    };
    let reason = ApiError::parse(&answer.body).line(&answer.body);
    Err(answer.refused(refusal, &reason, SIGN_IN_FIX))
}
