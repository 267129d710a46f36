//! The HTTP client the token requests go through: never follows redirects (a token endpoint
//! that redirects is refused, so a code or refresh token is never replayed to another host),
//! bounded in time and size, TLS by rustls with the ring provider lettre already uses.

use oauth2::{HttpRequest, HttpResponse};
use std::time::Duration;

/// The largest token response read (real ones are a few kilobytes).
const MAX_RESPONSE: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{0}")]
    Transport(String),
    #[error("the answer was larger than {MAX_RESPONSE} bytes")]
    TooLarge,
}

pub fn client() -> Result<reqwest::Client, HttpError> {
    // Err: a provider is installed already (ours or the host's), which is all we need.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(20))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| HttpError::Transport(describe(&e)))
}

/// Sends one of oauth2's requests through `client` (a cheap handle; owned, so the future
/// borrows nothing and can cross threads inside the mailer's futures).
pub async fn send(
    client: reqwest::Client,
    request: HttpRequest,
) -> Result<HttpResponse, HttpError> {
    let (parts, body) = request.into_parts();
    let mut reply = client
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .map_err(|e| HttpError::Transport(describe(&e)))?;
    let mut response = oauth2::http::Response::builder().status(reply.status());
    for (name, value) in reply.headers() {
        response = response.header(name, value);
    }
    let mut body = Vec::new();
    while let Some(chunk) = reply
        .chunk()
        .await
        .map_err(|e| HttpError::Transport(describe(&e)))?
    {
        if body.len() + chunk.len() > MAX_RESPONSE {
            return Err(HttpError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    response
        .body(body)
        .map_err(|e| HttpError::Transport(e.to_string()))
}

/// reqwest's error with its causes (the endpoint's URL carries no secret).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}
