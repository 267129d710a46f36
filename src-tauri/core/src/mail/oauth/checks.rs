//! The checks every sign-in setting passes before it is stored or put in an address: a Microsoft
//! tenant or client ID cannot leave the URL path it goes into, endpoints are https (plain http
//! only for this computer), and control characters never reach a stored value.

use super::OAuthError;
use crate::mail::security::is_local_host;
use crate::model::text::clean_line;
use url::Url;

/// The text with control characters removed; None when nothing is left.
pub(super) fn optional(text: Option<&str>) -> Option<String> {
    text.map(clean_line).filter(|t| !t.is_empty())
}

/// A Microsoft tenant: `common`, `organizations`, a domain or a directory ID, nothing that could
/// leave the path it is put in.
pub(super) fn check_tenant(text: &str) -> Result<(), OAuthError> {
    let fine = text.len() <= 256
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && !text.starts_with('.');
    match fine {
        true => Ok(()),
        false => Err(OAuthError::Invalid(format!(
            "the tenant {:?} is not valid (use common, organizations, your domain or the directory ID)",
            text.chars().take(80).collect::<String>()
        ))),
    }
}

/// Microsoft's sign-in address: a plain https origin (and path), nothing after it.
pub(super) fn check_authority(text: &str) -> Result<(), OAuthError> {
    let url = parse_url("sign-in address", text)?;
    match url.query().is_none() && url.fragment().is_none() && url.username().is_empty() {
        true => Ok(()),
        false => Err(OAuthError::Invalid(format!(
            "the sign-in address {text:?} must be a plain address such as https://login.microsoftonline.us"
        ))),
    }
}

/// A client ID or scope: printable, no spaces, of a sane length.
pub(super) fn check_token_word(what: &str, text: &str) -> Result<(), OAuthError> {
    let fine = !text.is_empty()
        && text.len() <= 256
        && text
            .chars()
            .all(|c| c.is_ascii_graphic() && !"\"'<>\\`".contains(c));
    match fine {
        true => Ok(()),
        false => Err(OAuthError::Invalid(format!(
            "the {what} {:?} is not valid (letters, digits and URL punctuation only, at most 256)",
            text.chars().take(80).collect::<String>()
        ))),
    }
}

/// An endpoint: https anywhere, plain http only on this computer (a local test server).
pub(super) fn parse_url(what: &str, text: &str) -> Result<Url, OAuthError> {
    let url = Url::parse(text)
        .map_err(|e| OAuthError::Invalid(format!("the {what} {text:?} is not a URL ({e})")))?;
    let local = url.host_str().is_some_and(is_local_host);
    match url.scheme() {
        "https" => Ok(url),
        "http" if local => Ok(url),
        _ => Err(OAuthError::Invalid(format!(
            "the {what} {text:?} must start with https:// (plain http only for this computer)"
        ))),
    }
}
