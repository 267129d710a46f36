//! Sending through the user's SMTP server with lettre's async SMTP client, rustls and the
//! platform certificate verifier, over a small pool of reused connections.
//!
//! Why not `AsyncSmtpTransport`: its errors do not say *when* they happened. A connection that
//! drops while greeting and one that drops after the message body was sent both come back as a
//! network/response error, yet the first means "not sent, safe to retry" and the second "may have
//! been delivered" (`uncertain`). So this module drives lettre's [`AsyncSmtpConnection`] itself —
//! DNS, TCP, TLS, AUTH, MAIL/RCPT/DATA as separate steps — and every failure carries its stage.
//! Connections are kept in a pool and reused (a stale one is replaced before DATA, never after).

mod connect;
mod diagnose;
mod failed_step;
mod implicit_tls;
mod mailer;
mod tcp;
mod throttle;

pub use diagnose::{auth_hint, LoginKind};
pub use failed_step::FailedStep;
pub use throttle::{classify as classify_throttle, stated_wait, Throttle};
// Shared with IMAP (`mail::imap`): one way to connect, trust servers and say what failed.
pub(crate) use diagnose::{error_text, is_google, is_microsoft, tls_error_with};
pub(crate) use implicit_tls::{client_config, tls_stream};
pub(crate) use tcp::{classify_io, connect as tcp_connect};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use serde::Serialize;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use ts_rs::TS;

use super::oauth::TokenSource;
use super::security::Security;

/// Where in the conversation something went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Stage {
    Dns,
    Connect,
    Greeting,
    Tls,
    Auth,
    MailFrom,
    RcptTo,
    Data,
    /// After the message body was sent: the outcome is unknown unless the server replied.
    AfterData,
}

impl Stage {
    fn describe(self) -> &'static str {
        match self {
            Stage::Dns => "looking up the server",
            Stage::Connect => "connecting",
            Stage::Greeting => "waiting for the server's greeting",
            Stage::Tls => "setting up encryption",
            Stage::Auth => "logging in",
            Stage::MailFrom => "giving the sender address",
            Stage::RcptTo => "giving the recipient addresses",
            Stage::Data => "starting the message",
            Stage::AfterData => "waiting for the server to accept the message",
        }
    }
}

/// What went wrong, in words a person can act on. Never contains the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("the server name {host} could not be found ({detail}); check the spelling and your internet connection")]
    Dns { host: String, detail: String },
    #[error("{host} refused the connection on port {port}; check the port (587 for STARTTLS, 465 for TLS) and any firewall")]
    Refused { host: String, port: u16 },
    #[error("could not connect to {host}:{port}: {detail}")]
    Unreachable {
        host: String,
        port: u16,
        detail: String,
    },
    #[error("secure connection failed: {detail}{}", hint_suffix(.hint))]
    Tls {
        detail: String,
        hint: Option<String>,
    },
    #[error("{host} does not offer STARTTLS; choose TLS (usually port 465) or ask your provider for the right settings")]
    NoStartTls { host: String },
    #[error("the server refused the login: {reply}{}", hint_suffix(.hint))]
    Auth { reply: String, hint: Option<String> },
    #[error("timed out while {}{}", .stage.describe(), hint_suffix(.hint))]
    Timeout { stage: Stage, hint: Option<String> },
    #[error("the server replied {code} while {}: {reply}", .stage.describe())]
    Rejected {
        code: u16,
        reply: String,
        stage: Stage,
    },
    #[error("the connection failed while {}: {detail}", .stage.describe())]
    Connection { stage: Stage, detail: String },
    /// No token to log in with: the sign-in is gone (`needs_sign_in`) or the provider could not
    /// be reached (`transient`).
    #[error("{detail}")]
    SignIn { detail: String, transient: bool },
    #[error("{0}")]
    Invalid(String),
}

impl From<crate::mail::oauth::OAuthError> for MailError {
    fn from(e: crate::mail::oauth::OAuthError) -> MailError {
        MailError::SignIn {
            transient: e.is_transient(),
            detail: e.to_string(),
        }
    }
}

/// "check …" as the start of a sentence.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn hint_suffix(hint: &Option<String>) -> String {
    hint.as_deref()
        .map(|h| format!(". {h}"))
        .unwrap_or_default()
}

impl MailError {
    /// Trying again later may work, and cannot deliver twice: a 4xx reply, or the server out of
    /// reach (refused, not found, unreachable, timed out or dropped) before the message body
    /// was sent. An outage costs a delay, never a failed reminder.
    pub fn is_transient(&self) -> bool {
        match self {
            MailError::Rejected { code, .. } => (400..500).contains(code),
            MailError::Refused { .. } | MailError::Unreachable { .. } | MailError::Dns { .. } => {
                true
            }
            MailError::Connection { stage, .. } | MailError::Timeout { stage, .. } => {
                *stage != Stage::AfterData
            }
            MailError::SignIn { transient, .. } => *transient,
            _ => false,
        }
    }

    /// The server refused the login: every message would fail the same way, and each new
    /// attempt risks the provider locking the account, so sending stops at once.
    pub fn is_login_refused(&self) -> bool {
        matches!(
            self,
            MailError::Auth { .. }
                | MailError::SignIn {
                    transient: false,
                    ..
                }
        )
    }

    /// What the person does about a refused login, for the attention notice: the fix, and
    /// that nothing is lost meanwhile.
    pub fn login_fix(&self) -> String {
        let fix = self.fix().unwrap_or_default();
        format!(
            "{}; queued messages stay queued and go out on the next run once the login works.",
            capitalised(&fix)
        )
    }
}

/// The outcome of handing one message to the server when it was not a clear "250 accepted".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Certainly not accepted (the server said no, or the message body was never sent).
    #[error("{0}")]
    NotSent(MailError),
    /// The message body went out but no verdict came back: it may have been delivered.
    #[error("{0}")]
    Unknown(MailError),
}

/// What "Test connection" found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ConnectionReport {
    pub host: String,
    pub port: u16,
    pub encrypted: bool,
    pub authenticated: bool,
    /// How it logged in: "password" or "OAuth2 (XOAUTH2)".
    pub auth_method: String,
}

/// Anything that can hand a finished message to a mail server.
pub trait Mailer: Send + Sync {
    /// Sends `raw` (a complete RFC 5322 message) to the envelope's recipients. Ok carries the
    /// server's reply, e.g. "250 2.0.0 Ok: queued as 4F2A1".
    fn send(
        &self,
        envelope: &Envelope,
        raw: &[u8],
    ) -> impl Future<Output = Result<String, SendError>> + Send;
}

#[derive(Debug, Clone)]
pub struct Timeouts {
    pub connect: Duration,
    pub command: Duration,
    /// For the message body and the server's verdict on it.
    pub data: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(20),
            command: Duration::from_secs(60),
            data: Duration::from_secs(180),
        }
    }
}

#[derive(Debug, Clone)]
pub struct MailerOptions {
    pub timeouts: Timeouts,
    /// Connections kept open for reuse.
    pub pool_size: usize,
    /// Idle connections older than this are closed instead of reused.
    pub idle_timeout: Duration,
    /// Extra trusted root certificates (PEM), beside the operating system's store.
    pub extra_roots_pem: Vec<Vec<u8>>,
    /// The name we greet the server with (default: this machine's host name).
    pub hello_name: Option<String>,
}

impl Default for MailerOptions {
    fn default() -> Self {
        MailerOptions {
            timeouts: Timeouts::default(),
            pool_size: 4,
            idle_timeout: Duration::from_secs(50),
            extra_roots_pem: Vec::new(),
            hello_name: None,
        }
    }
}

impl MailerOptions {
    /// Adds the PEM file named by `DUEBOOK_SMTP_CA_FILE` (if set) to the trusted roots: for an
    /// office server with a private certificate authority, or a local test server.
    pub fn with_env_ca(mut self) -> Result<MailerOptions, MailError> {
        if let Some(path) = std::env::var_os("DUEBOOK_SMTP_CA_FILE").filter(|p| !p.is_empty()) {
            let pem = std::fs::read(&path).map_err(|e| {
                MailError::Invalid(format!(
                    "cannot read the certificate {}: {e}",
                    std::path::Path::new(&path).display()
                ))
            })?;
            self.extra_roots_pem.push(pem);
        }
        Ok(self)
    }
}

struct Idle {
    conn: AsyncSmtpConnection,
    since: Instant,
}

/// How a connection logs in.
enum Login {
    Password(Credentials),
    /// XOAUTH2 with a token from the mailbox's sign-in (shared with IMAP).
    OAuth(std::sync::Arc<TokenSource>),
}

/// The user's SMTP account as a [`Mailer`].
pub struct SmtpMailer {
    host: String,
    port: u16,
    security: Security,
    login: Login,
    /// For STARTTLS.
    tls: Option<TlsParameters>,
    /// For implicit TLS (see [`implicit_tls`]).
    implicit_tls: Option<std::sync::Arc<rustls::ClientConfig>>,
    hello: ClientId,
    options: MailerOptions,
    idle: Mutex<Vec<Idle>>,
    /// One login at a time: concurrent sends must not each try a refused password.
    logging_in: tokio::sync::Mutex<()>,
    /// The server refused our login: this mailer does not try again (a new one, next run, does).
    login_refused: Mutex<Option<MailError>>,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("password", &"***")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_the_provider_problem() {
        let m365 = auth_hint(
            "smtp.office365.com",
            "535 5.7.139 Authentication unsuccessful, basic authentication is disabled",
            LoginKind::Password,
        )
        .unwrap();
        assert!(m365.contains("basic authentication"), "{m365}");
        let tenant_off = auth_hint(
            "smtp.office365.com",
            "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
            LoginKind::OAuth2,
        )
        .unwrap();
        assert!(tenant_off.contains("Microsoft Graph"), "{tenant_off}");
        let gmail = auth_hint(
            "smtp.gmail.com",
            "535 5.7.8 Username and Password not accepted",
            LoginKind::Password,
        )
        .unwrap();
        assert!(gmail.contains("app password"), "{gmail}");
        assert!(
            auth_hint("mail.example.com", "535 bad", LoginKind::Password)
                .unwrap()
                .contains("user name")
        );
        let oauth_m365 = auth_hint(
            "smtp.office365.com",
            "535 5.7.3 Authentication unsuccessful",
            LoginKind::OAuth2,
        )
        .unwrap();
        assert!(oauth_m365.contains("Authenticated SMTP"), "{oauth_m365}");
        assert!(!oauth_m365.contains("app password"), "{oauth_m365}");
    }

    #[test]
    fn transient_means_safe_to_retry() {
        let r = |code| MailError::Rejected {
            code,
            reply: String::new(),
            stage: Stage::AfterData,
        };
        assert!(r(451).is_transient());
        assert!(!r(550).is_transient());
        assert!(MailError::Refused {
            host: "h".into(),
            port: 1
        }
        .is_transient());
        assert!(MailError::Dns {
            host: "h".into(),
            detail: String::new()
        }
        .is_transient());
        assert!(!MailError::Auth {
            reply: "535".into(),
            hint: None
        }
        .is_transient());
        assert!(!MailError::Connection {
            stage: Stage::AfterData,
            detail: String::new()
        }
        .is_transient());
        assert!(MailError::Connection {
            stage: Stage::MailFrom,
            detail: String::new()
        }
        .is_transient());
    }
}
