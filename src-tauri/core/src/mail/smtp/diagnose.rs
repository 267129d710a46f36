//! Reading lettre's errors: the server's reply, the cause chain, TLS problems and login advice.

use super::MailError;
use lettre::address::Envelope;

pub(super) fn non_ascii(envelope: &Envelope) -> bool {
    let ascii = |a: &lettre::Address| AsRef::<str>::as_ref(a).is_ascii();
    !envelope.from().is_none_or(ascii) || !envelope.to().iter().all(ascii)
}

/// The SMTP reply code and text of an error that came from the server.
pub(super) fn reply(e: &lettre::transport::smtp::Error) -> Option<(u16, String)> {
    let code = e.status()?;
    let code: u16 = code.to_string().parse().ok()?;
    let text = std::error::Error::source(e)
        .map(std::string::ToString::to_string)
        .unwrap_or_default();
    Some((code, text.trim().to_string()))
}

/// An error and its causes as one line, e.g. "Connection error: connection refused".
pub(crate) fn error_text(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

pub(super) fn find_io<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a std::io::Error> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        current = err.source();
    }
    None
}

pub(super) fn find_rustls<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::Error> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if let Some(r) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                return Some(r);
            }
        }
        current = err.source();
    }
    None
}

pub(super) fn tls_error(e: &(dyn std::error::Error + 'static), port: u16) -> MailError {
    tls_error_with(
        e,
        match port {
            587 | 25 => "this port usually uses STARTTLS: choose STARTTLS instead of TLS",
            _ => "check that the port and security setting belong together (465 = TLS, 587 = STARTTLS)",
        },
    )
}

/// A TLS failure in words; `not_tls`: what to check when the server did not answer with TLS
/// (the ports of the protocol: SMTP's or IMAP's).
pub(crate) fn tls_error_with(e: &(dyn std::error::Error + 'static), not_tls: &str) -> MailError {
    use rustls::CertificateError as C;
    let Some(r) = find_rustls(e) else {
        return MailError::Tls {
            detail: error_text(e),
            hint: None,
        };
    };
    let (detail, hint) = match r {
        rustls::Error::InvalidCertificate(cert) => match cert {
            // A self-signed certificate comes back as BadSignature from the platform verifier.
            C::UnknownIssuer | C::BadSignature => (
                "the server's certificate is not signed by an authority this computer trusts".to_string(),
                Some("a self-signed or company certificate must be added to the operating system's trusted certificates".to_string()),
            ),
            C::NotValidForName | C::NotValidForNameContext { .. } => (
                "the server's certificate is for a different server name".to_string(),
                Some("use the exact server name your provider gives (e.g. smtp.example.com, not an alias or IP address)".to_string()),
            ),
            C::Expired | C::ExpiredContext { .. } => (
                "the server's certificate has expired".to_string(),
                Some("tell your mail provider; also check this computer's clock".to_string()),
            ),
            C::NotValidYet | C::NotValidYetContext { .. } => (
                "the server's certificate is not valid yet".to_string(),
                Some("check this computer's date and time".to_string()),
            ),
            C::Revoked => ("the server's certificate has been revoked".to_string(), None),
            other => (format!("the server's certificate was rejected ({other:?})"), None),
        },
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => (
            format!("the server did not answer with TLS ({r})"),
            Some(not_tls.to_string()),
        ),
        rustls::Error::AlertReceived(alert) => (
            format!("the server ended the secure connection ({alert:?})"),
            None,
        ),
        other => (other.to_string(), None),
    };
    MailError::Tls { detail, hint }
}

/// How the refused login was tried: the password, or an OAuth2 sign-in's token (XOAUTH2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginKind {
    Password,
    OAuth2,
}

/// The organisation (the Microsoft 365 tenant) has switched SMTP AUTH off: no login works.
pub(super) fn smtp_auth_off(reply: &str) -> bool {
    reply
        .to_ascii_lowercase()
        .contains("smtpclientauthentication is disabled")
}

/// Advice for the login failures users meet most.
pub fn auth_hint(host: &str, reply: &str, kind: LoginKind) -> Option<String> {
    if smtp_auth_off(reply) {
        return Some("your organisation has switched SMTP AUTH off altogether: choose \"Send through Microsoft Graph\" and sign in with Microsoft (Settings → Email, or `duebook account login --provider microsoft --send-via graph`), or ask an administrator to enable Authenticated SMTP for this mailbox".into());
    }
    match kind {
        LoginKind::Password => {
            password_hint(&host.to_ascii_lowercase(), &reply.to_ascii_lowercase())
        }
        LoginKind::OAuth2 => Some(oauth_hint(&host.to_ascii_lowercase())),
    }
}

/// The server took a fresh token and still said no: the sign-in is fine, the mailbox's SMTP
/// login is not allowed, or the user name is not the signed-in mailbox.
fn oauth_hint(host: &str) -> String {
    if is_microsoft(host) {
        return "Microsoft 365 accepted the sign-in but refused the SMTP login for this mailbox: an administrator must turn on Authenticated SMTP for it (Microsoft 365 admin center → Users → the mailbox → Mail → Manage email apps), or choose \"Send through Microsoft Graph\" and sign in again".into();
    }
    if is_google(host) {
        return "Google refused the signed-in login: the user name must be the address you signed in with; sign in again with that address".into();
    }
    "the server refused the signed-in login (XOAUTH2): check that the user name is the mailbox you signed in with and that the server accepts OAuth2 sign-ins".into()
}

/// A Microsoft 365 / Outlook mail host (`host` in lower case).
pub(crate) fn is_microsoft(host: &str) -> bool {
    host.contains("office365") || host.contains("outlook") || host.contains("hotmail")
}

/// A Gmail / Google Workspace mail host (`host` in lower case).
pub(crate) fn is_google(host: &str) -> bool {
    host.contains("gmail") || host.contains("google")
}

fn password_hint(host: &str, r: &str) -> Option<String> {
    if r.contains("5.7.139")
        || r.contains("5.7.30")
        || r.contains("basic authentication is disabled")
    {
        return Some("Microsoft 365 has password login (basic authentication) turned off for this mailbox: sign in with Microsoft instead (Settings → Email, or `duebook account login --provider microsoft`); if SMTP AUTH is off for the whole organisation, choose \"Send through Microsoft Graph\"".into());
    }
    if is_microsoft(host) {
        return Some("for Microsoft 365 / Outlook, SMTP AUTH must be enabled for the mailbox, and accounts with two-step verification need an app password".into());
    }
    if is_google(host) || r.contains("application-specific password") || r.contains("5.7.9") {
        return Some("Gmail and Google Workspace refuse your normal password here: turn on 2-Step Verification and create an app password (Google Account → Security → App passwords), then use that".into());
    }
    if host.contains("icloud")
        || host.contains("me.com")
        || host.contains("yahoo")
        || host.contains("fastmail")
        || host.contains("zoho")
    {
        return Some(
            "this provider needs an app-specific password created in its account security settings"
                .into(),
        );
    }
    if r.starts_with("535") {
        return Some("check the user name (often the full email address) and the password".into());
    }
    None
}
