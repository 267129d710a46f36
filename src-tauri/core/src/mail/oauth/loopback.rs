//! The loopback redirect (RFC 8252 §7.3): a listener on 127.0.0.1 at a random port that waits
//! for the browser to come back with `?code=...&state=...`, answers with a short page, and hands
//! the code on. Requests without our `state` are answered and ignored (a page on another site
//! could otherwise end the sign-in or slip in its own code).

use super::OAuthError;
use crate::sandbox::escape_html;
use std::collections::HashMap;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The most read of one request from the browser.
const MAX_REQUEST: usize = 16 * 1024;

pub struct Loopback {
    listener: TcpListener,
    redirect_uri: String,
}

/// What the browser brought back.
enum Answer {
    Code(String),
    Error(String),
    /// Not ours (another path, a missing or wrong state): keep waiting.
    Ignored,
}

impl Loopback {
    pub async fn bind() -> Result<Loopback, OAuthError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| OAuthError::Loopback(e.to_string()))?;
        let port = listener
            .local_addr()
            .map_err(|e| OAuthError::Loopback(e.to_string()))?
            .port();
        Ok(Loopback {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}"),
        })
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits for the browser's answer carrying `state`; the authorization code, or why not.
    pub async fn wait_for_code(&self, state: &str) -> Result<String, OAuthError> {
        loop {
            let Ok((stream, _)) = self.listener.accept().await else {
                continue;
            };
            match answer_one(stream, state).await {
                Answer::Code(code) => return Ok(code),
                Answer::Error(reason) => return Err(OAuthError::Declined(reason)),
                Answer::Ignored => {}
            }
        }
    }
}

async fn answer_one(mut stream: TcpStream, state: &str) -> Answer {
    let Some(query) = read_request(&mut stream).await else {
        respond(&mut stream, "404 Not Found", "Nothing here.").await;
        return Answer::Ignored;
    };
    if query.get("state").map(String::as_str) != Some(state) {
        respond(
            &mut stream,
            "400 Bad Request",
            "This sign-in answer was not for Duebook's sign-in.",
        )
        .await;
        return Answer::Ignored;
    }
    if let Some(code) = query.get("code").filter(|c| !c.is_empty()) {
        respond(
            &mut stream,
            "200 OK",
            "Duebook is signed in to your mailbox. You can close this tab and go back to Duebook.",
        )
        .await;
        return Answer::Code(code.clone());
    }
    let error = query
        .get("error")
        .map_or("no code was given", String::as_str);
    let reason = super::plain_reason(error, query.get("error_description").map(String::as_str));
    respond(
        &mut stream,
        "200 OK",
        &format!("The sign-in was not completed: {reason}. Go back to Duebook to try again."),
    )
    .await;
    Answer::Error(reason)
}

/// The query of a `GET /?...` request, or None for anything else.
async fn read_request(stream: &mut TcpStream) -> Option<HashMap<String, String>> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    loop {
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 || buf.len() + n > MAX_REQUEST {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&buf) {
            Ok(httparse::Status::Complete(_)) => {
                if request.method != Some("GET") {
                    return None;
                }
                let url = url::Url::parse(&format!("http://127.0.0.1{}", request.path?)).ok()?;
                if url.path() != "/" {
                    return None;
                }
                return Some(url.query_pairs().into_owned().collect());
            }
            Ok(httparse::Status::Partial) => {}
            Err(_) => return None,
        }
    }
}

async fn respond(stream: &mut TcpStream, status: &str, message: &str) {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Duebook</title></head>\
         <body style=\"font-family:sans-serif;margin:3em\"><h1>Duebook</h1><p>{}</p></body></html>",
        escape_html(message)
    );
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n\
         Cache-Control: no-store\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    // The browser may have gone; the sign-in does not depend on it reading the page.
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(uri: &str, path: &str) -> String {
        let addr = uri.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn a_wrong_state_is_ignored_and_the_right_one_gives_the_code() {
        let lb = Loopback::bind().await.unwrap();
        let uri = lb.redirect_uri().to_string();
        let waiting = tokio::spawn(async move { lb.wait_for_code("s1").await });
        let forged = get(&uri, "/?code=evil&state=other").await;
        assert!(forged.starts_with("HTTP/1.1 400"), "{forged}");
        let favicon = get(&uri, "/favicon.ico").await;
        assert!(favicon.starts_with("HTTP/1.1 404"), "{favicon}");
        let page = get(&uri, "/?code=good%20code&state=s1").await;
        assert!(page.contains("signed in"), "{page}");
        assert!(
            page.contains("Content-Security-Policy: default-src 'none'"),
            "{page}"
        );
        assert_eq!(waiting.await.unwrap().unwrap(), "good code");
    }

    #[tokio::test]
    async fn a_declined_sign_in_is_reported_with_the_provider_text_escaped() {
        let lb = Loopback::bind().await.unwrap();
        let uri = lb.redirect_uri().to_string();
        let waiting = tokio::spawn(async move { lb.wait_for_code("s").await });
        let page = get(
            &uri,
            "/?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=s",
        )
        .await;
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("&lt;script&gt;"), "{page}");
        let err = waiting.await.unwrap().unwrap_err();
        assert!(matches!(err, OAuthError::Declined(_)), "{err:?}");
    }
}
