//! Email HTML previews, served to a sandboxed frame from a protocol of their own.
//!
//! An email's HTML is styled with inline `style` attributes, which the app's own strict CSP
//! (`style-src 'self'`) forbids — and a `srcdoc` frame inherits that CSP, so the preview would
//! lose its layout. Served from `mailpreview:` instead, the document gets its own CSP: inline
//! styles and embedded images only, no scripts, no requests, sandboxed. The app's CSP allows
//! frames from this protocol only (`frame-src`); the window cannot fetch it.
//!
//! Remote content is blocked: a template from someone else can hold tracking pixels, and
//! loading one tells its sender that the preview was opened, and from which address. The person
//! may allow remote images (only images) for one preview with [`load_remote_images`]; that
//! choice is kept here, with the preview, not in its address, so the previewed HTML cannot give
//! it to itself by navigating its frame.

use crate::error::{CommandError, CommandResult};
use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use tauri::http::{header, Request, Response, StatusCode};
use tauri::State;

pub const SCHEME: &str = "mailpreview";
/// The frame's own policy: the email's inline styles and embedded images (`data:`, `blob:`);
/// nothing that runs, connects or loads from elsewhere — images, fonts, style sheets, media and
/// CSS `url()`s pointing at the network are all refused.
const BLOCKED_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data: blob:; sandbox";
/// [`BLOCKED_CSP`] with images from https addresses, once the person asked for them.
const REMOTE_IMAGES_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data: blob: https:; sandbox";
/// Previews kept for the frames that show them (the composer, the template editor, a few stale).
const KEPT: usize = 8;

/// The HTML of the latest previews, by number.
#[derive(Default)]
pub struct HtmlPreviews(Mutex<Previews>);

#[derive(Default)]
struct Previews {
    next: u64,
    kept: VecDeque<(u64, Preview)>,
}

#[derive(Clone)]
struct Preview {
    html: String,
    remote_images: bool,
}

impl HtmlPreviews {
    /// Keeps `html` (remote content blocked) and returns the address a frame loads it from.
    pub fn publish(&self, html: String) -> String {
        self.keep(Preview {
            html,
            remote_images: false,
        })
    }

    /// Publishes the preview at `url` again with remote images allowed; returns its new address.
    pub fn with_remote_images(&self, url: &str) -> Option<String> {
        let id = url.strip_prefix(&url_prefix())?.parse().ok()?;
        let preview = self.get(id)?;
        Some(self.keep(Preview {
            remote_images: true,
            ..preview
        }))
    }

    fn keep(&self, preview: Preview) -> String {
        let mut previews = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        previews.next += 1;
        let id = previews.next;
        previews.kept.push_back((id, preview));
        while previews.kept.len() > KEPT {
            previews.kept.pop_front();
        }
        preview_url(id)
    }

    fn get(&self, id: u64) -> Option<Preview> {
        let previews = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        previews
            .kept
            .iter()
            .find(|(kept, _)| *kept == id)
            .map(|(_, preview)| preview.clone())
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
        let (status, body, csp) = match found {
            Some(Preview {
                html,
                remote_images,
            }) => {
                let csp = if remote_images {
                    REMOTE_IMAGES_CSP
                } else {
                    BLOCKED_CSP
                };
                (StatusCode::OK, html.into_bytes(), csp)
            }
            None => (
                StatusCode::NOT_FOUND,
                b"This preview is gone.".to_vec(),
                BLOCKED_CSP,
            ),
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
            header::HeaderValue::from_static(csp),
        );
        headers.insert(
            header::REFERRER_POLICY,
            header::HeaderValue::from_static("no-referrer"),
        );
        // A link's host name looked up ahead of a click would reach the sender's name server.
        headers.insert(
            header::X_DNS_PREFETCH_CONTROL,
            header::HeaderValue::from_static("off"),
        );
        response
    }
}

/// "Load remote images" under a preview: the address of the same preview with images from
/// https addresses allowed (still no scripts, fonts, style sheets or other requests).
#[tauri::command]
pub async fn load_remote_images(
    previews: State<'_, HtmlPreviews>,
    url: String,
) -> CommandResult<String> {
    previews.with_remote_images(&url).ok_or_else(|| {
        CommandError::NotFound("This preview is gone; preview the message again.".into())
    })
}

/// The address of preview `id`.
fn preview_url(id: u64) -> String {
    format!("{}{id}", url_prefix())
}

/// Windows and Android reach custom protocols as http://<scheme>.localhost.
fn url_prefix() -> String {
    if cfg!(any(windows, target_os = "android")) {
        format!("http://{SCHEME}.localhost/")
    } else {
        format!("{SCHEME}://localhost/")
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

    /// The sources of `directive` in the policy `url` is served with.
    fn sources(previews: &HtmlPreviews, url: &str, directive: &str) -> Vec<String> {
        let response = get(previews, url);
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        csp.split(';')
            .map(|d| d.split_whitespace().collect::<Vec<_>>())
            .find(|d| d.first() == Some(&directive))
            .map(|d| {
                d[1..]
                    .iter()
                    .map(std::string::ToString::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn remote_content_is_blocked_unless_the_person_loads_remote_images_for_that_preview() {
        let previews = HtmlPreviews::default();
        let html = r#"<img src="https://tracker.example/p.gif"><p style="background:url(https://tracker.example/b)">Hi</p>"#;
        let blocked = previews.publish(html.into());
        assert_eq!(sources(&previews, &blocked, "img-src"), ["data:", "blob:"]);
        assert_eq!(sources(&previews, &blocked, "default-src"), ["'none'"]);
        assert_eq!(
            sources(&previews, &blocked, "style-src"),
            ["'unsafe-inline'"]
        );
        for fetching in ["font-src", "media-src", "connect-src", "script-src"] {
            assert!(
                sources(&previews, &blocked, fetching).is_empty(),
                "{fetching}"
            );
        }
        // Nothing in the address itself can lift the block.
        let asked_by_address = format!("{blocked}?remote_images=1");
        assert_eq!(
            sources(&previews, &asked_by_address, "img-src"),
            ["data:", "blob:"]
        );

        let remote = previews.with_remote_images(&blocked).unwrap();
        assert_ne!(remote, blocked);
        assert_eq!(get(&previews, &remote).body(), html.as_bytes());
        assert_eq!(
            sources(&previews, &remote, "img-src"),
            ["data:", "blob:", "https:"]
        );
        assert_eq!(sources(&previews, &remote, "default-src"), ["'none'"]);
        assert_eq!(
            sources(&previews, &remote, "style-src"),
            ["'unsafe-inline'"]
        );
        assert_eq!(
            sources(&previews, &blocked, "img-src"),
            ["data:", "blob:"],
            "the first address stays blocked"
        );
        assert!(previews
            .with_remote_images("mailpreview://localhost/999")
            .is_none());
        assert!(previews
            .with_remote_images("https://tracker.example/1")
            .is_none());
    }
}
