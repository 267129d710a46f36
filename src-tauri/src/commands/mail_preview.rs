//! Email HTML previews, served to a sandboxed frame from a protocol of their own.
//!
//! An email's HTML is styled with inline `style` attributes, which the app's own strict CSP
//! (`style-src 'self'`) forbids — and a `srcdoc` frame inherits that CSP, so the preview would
//! lose its layout. Served from `mailpreview:` instead, the document gets its own CSP: inline
//! styles and remote images only, no scripts, no requests, sandboxed. The app's CSP allows frames
//! from this protocol only (`frame-src`); the window cannot fetch it.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use tauri::http::{header, Request, Response, StatusCode};

pub const SCHEME: &str = "mailpreview";
/// The frame's own policy: the email's inline styles and images, nothing that runs or connects.
const PREVIEW_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; sandbox";
/// Previews kept for the frames that show them (the composer, the template editor, a few stale).
const KEPT: usize = 8;

/// The HTML of the latest previews, by number.
#[derive(Default)]
pub struct HtmlPreviews(Mutex<Previews>);

#[derive(Default)]
struct Previews {
    next: u64,
    kept: VecDeque<(u64, String)>,
}

impl HtmlPreviews {
    /// Keeps `html` and returns the address a frame loads it from.
    pub fn publish(&self, html: String) -> String {
        let mut previews = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        previews.next += 1;
        let id = previews.next;
        previews.kept.push_back((id, html));
        while previews.kept.len() > KEPT {
            previews.kept.pop_front();
        }
        preview_url(id)
    }

    fn get(&self, id: u64) -> Option<String> {
        let previews = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        previews
            .kept
            .iter()
            .find(|(kept, _)| *kept == id)
            .map(|(_, html)| html.clone())
    }

    /// Answers a frame's request for `mailpreview://localhost/<id>`.
    pub fn serve(&self, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
        let found = request
            .uri()
            .path()
            .trim_start_matches('/')
            .parse()
            .ok()
            .and_then(|id| self.get(id));
        let (status, body) = match found {
            Some(html) => (StatusCode::OK, html.into_bytes()),
            None => (StatusCode::NOT_FOUND, b"This preview is gone.".to_vec()),
        };
        let mut response = Response::new(body);
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static(PREVIEW_CSP),
        );
        headers.insert(
            header::REFERRER_POLICY,
            header::HeaderValue::from_static("no-referrer"),
        );
        response
    }
}

/// Windows and Android reach custom protocols as http://<scheme>.localhost.
fn preview_url(id: u64) -> String {
    if cfg!(any(windows, target_os = "android")) {
        format!("http://{SCHEME}.localhost/{id}")
    } else {
        format!("{SCHEME}://localhost/{id}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(previews: &HtmlPreviews, url: &str) -> Response<Vec<u8>> {
        let request = Request::builder().uri(url).body(Vec::new()).unwrap();
        previews.serve(&request)
    }

    #[test]
    fn a_published_preview_is_served_with_its_own_strict_policy_and_old_ones_expire() {
        let previews = HtmlPreviews::default();
        let first = previews.publish("<p style=\"color:red\">Hello</p>".into());
        let response = get(&previews, &first);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.body(), b"<p style=\"color:red\">Hello</p>");
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("sandbox"),
            "{csp}"
        );
        assert!(!csp.contains("script"), "{csp}");

        for n in 0..KEPT {
            previews.publish(format!("<p>{n}</p>"));
        }
        assert_eq!(get(&previews, &first).status(), StatusCode::NOT_FOUND);
        assert_eq!(
            get(&previews, "mailpreview://localhost/x").status(),
            StatusCode::NOT_FOUND
        );
    }
}
