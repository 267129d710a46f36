//! Sending through the user's SMTP server with lettre's async SMTP client, rustls and the
//! platform certificate verifier, over a small pool of reused connections.
//!
//! Why not `AsyncSmtpTransport`: its errors do not say *when* they happened. A connection that
//! drops while greeting and one that drops after the message body was sent both come back as a
//! network/response error, yet the first means "not sent, safe to retry" and the second "may have
//! been delivered" (`uncertain`). So this module drives lettre's [`AsyncSmtpConnection`] itself —
//! DNS, TCP, TLS, AUTH, MAIL/RCPT/DATA as separate steps — and every failure carries its stage.
//! Connections are kept in a pool and reused (a stale one is replaced before DATA, never after).

use super::account::{AccountSettings, Security};
use crate::secrets::Password;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use serde::Serialize;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use ts_rs::TS;

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
    #[error("{0}")]
    Invalid(String),
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
            _ => false,
        }
    }

    /// The server refused the login: every message would fail the same way, and each new
    /// attempt risks the provider locking the account, so sending stops at once.
    pub fn is_login_refused(&self) -> bool {
        matches!(self, MailError::Auth { .. })
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

/// The user's SMTP account as a [`Mailer`].
pub struct SmtpMailer {
    host: String,
    port: u16,
    security: Security,
    credentials: Credentials,
    tls: Option<TlsParameters>,
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

impl SmtpMailer {
    pub fn new(
        settings: &AccountSettings,
        password: &Password,
        options: MailerOptions,
    ) -> Result<SmtpMailer, MailError> {
        let settings = settings
            .validated()
            .map_err(|e| MailError::Invalid(e.to_string()))?;
        let tls = match settings.security {
            Security::None => None,
            Security::StartTls | Security::ImplicitTls => {
                let mut builder = TlsParameters::builder(settings.host.clone());
                for pem in &options.extra_roots_pem {
                    let cert = Certificate::from_pem(pem).map_err(|e| {
                        MailError::Invalid(format!("an extra root certificate cannot be read: {e}"))
                    })?;
                    builder = builder.add_root_certificate(cert);
                }
                Some(builder.build().map_err(|e| MailError::Tls {
                    detail: error_text(&e),
                    hint: None,
                })?)
            }
        };
        let hello = match &options.hello_name {
            Some(name) => ClientId::Domain(name.clone()),
            None => ClientId::default(),
        };
        Ok(SmtpMailer {
            credentials: Credentials::new(settings.username.clone(), password.expose().to_string()),
            host: settings.host,
            port: settings.port,
            security: settings.security,
            tls,
            hello,
            options,
            idle: Mutex::new(Vec::new()),
            logging_in: tokio::sync::Mutex::new(()),
            login_refused: Mutex::new(None),
        })
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Idle>> {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Connects, sets up TLS and logs in, then says goodbye: what "Test connection" does.
    pub async fn test_connection(&self) -> Result<ConnectionReport, MailError> {
        let mut conn = self.connect().await?;
        let encrypted = conn.is_encrypted();
        let _ = tokio::time::timeout(self.options.timeouts.command, conn.quit()).await;
        Ok(ConnectionReport {
            host: self.host.clone(),
            port: self.port,
            encrypted,
            authenticated: true,
        })
    }

    /// Closes the pooled connections politely (QUIT).
    pub async fn close(&self) {
        let idle: Vec<Idle> = std::mem::take(&mut *self.idle());
        for mut i in idle {
            let _ = tokio::time::timeout(Duration::from_secs(2), i.conn.quit()).await;
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, MailError> {
        let t = &self.options.timeouts;
        let lookup = tokio::net::lookup_host((self.host.as_str(), self.port));
        let addrs: Vec<SocketAddr> = match tokio::time::timeout(t.connect, lookup).await {
            Err(_) => {
                return Err(MailError::Timeout {
                    stage: Stage::Dns,
                    hint: None,
                })
            }
            Ok(Err(e)) => {
                return Err(MailError::Dns {
                    host: self.host.clone(),
                    detail: e.to_string(),
                })
            }
            Ok(Ok(addrs)) => addrs.collect(),
        };
        if addrs.is_empty() {
            return Err(MailError::Dns {
                host: self.host.clone(),
                detail: "no address".into(),
            });
        }
        let mut conn = match self.security {
            Security::ImplicitTls => {
                let connecting = AsyncSmtpConnection::connect_tokio1(
                    &addrs[..],
                    Some(t.connect),
                    &self.hello,
                    self.tls.clone(),
                    None,
                );
                self.greeted(t.connect + t.command, connecting).await?
            }
            _ => {
                let tcp = self.connect_tcp(&addrs).await?;
                let greeting =
                    AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello);
                self.greeted(t.command, greeting).await?
            }
        };
        if self.security == Security::StartTls {
            if !conn.can_starttls() {
                abort(&mut conn).await;
                return Err(MailError::NoStartTls {
                    host: self.host.clone(),
                });
            }
            let Some(tls) = self.tls.clone() else {
                return Err(MailError::Invalid("TLS is not configured".into()));
            };
            match tokio::time::timeout(t.command, conn.starttls(tls, &self.hello)).await {
                Err(_) => {
                    drop(conn);
                    return Err(MailError::Timeout {
                        stage: Stage::Tls,
                        hint: None,
                    });
                }
                Ok(Err(e)) => {
                    // No QUIT: after a failed TLS upgrade lettre's stream is gone, and writing
                    // to it panics. Dropping the connection closes the socket.
                    drop(conn);
                    return Err(match reply(&e) {
                        Some((code, text)) => MailError::Rejected {
                            code,
                            reply: text,
                            stage: Stage::Tls,
                        },
                        None => tls_error(&e, self.port),
                    });
                }
                Ok(Ok(())) => {}
            }
        }
        let mechanisms = [Mechanism::Plain, Mechanism::Login];
        match tokio::time::timeout(t.command, conn.auth(&mechanisms, &self.credentials)).await {
            Err(_) => {
                abort(&mut conn).await;
                Err(MailError::Timeout {
                    stage: Stage::Auth,
                    hint: None,
                })
            }
            Ok(Err(e)) => {
                abort(&mut conn).await;
                Err(match reply(&e) {
                    Some((code, text)) if (400..500).contains(&code) => MailError::Rejected {
                        code,
                        reply: text,
                        stage: Stage::Auth,
                    },
                    Some((code, text)) => {
                        let reply = format!("{code} {text}");
                        MailError::Auth {
                            hint: auth_hint(&self.host, &reply),
                            reply,
                        }
                    }
                    None if e.is_client() => MailError::Auth {
                        reply:
                            "the server offers no login method Duebook supports (PLAIN or LOGIN)"
                                .into(),
                        hint: (self.security == Security::None).then(|| {
                            "servers usually offer login only over an encrypted connection".into()
                        }),
                    },
                    None => MailError::Connection {
                        stage: Stage::Auth,
                        detail: error_text(&e),
                    },
                })
            }
            Ok(Ok(_)) => Ok(conn),
        }
    }

    fn port_hint(&self) -> Option<String> {
        match (self.security, self.port) {
            (Security::StartTls, 465) => Some(
                "port 465 normally expects TLS from the start: choose TLS instead of STARTTLS"
                    .into(),
            ),
            (Security::ImplicitTls, 587 | 25) => Some(format!(
                "port {} normally uses STARTTLS: choose STARTTLS instead of TLS",
                self.port
            )),
            _ => None,
        }
    }

    /// A TCP connection to the first address that answers, with Nagle's algorithm off: lettre
    /// ends each message with a small write, which Nagle holds back until the server has
    /// acknowledged the previous segment, and servers delay that acknowledgement (~40 ms) while
    /// they wait for the rest of the data — every message stalled that long. Implicit TLS keeps
    /// lettre's own connect, which takes no socket options; plain and STARTTLS connections are
    /// opened here. (The TLS upgrade keeps the socket, and the option with it.)
    async fn connect_tcp(&self, addrs: &[SocketAddr]) -> Result<tokio::net::TcpStream, MailError> {
        let mut last = None;
        for addr in addrs {
            match tokio::time::timeout(
                self.options.timeouts.connect,
                tokio::net::TcpStream::connect(addr),
            )
            .await
            {
                Ok(Ok(tcp)) => {
                    // Without the option the connection still works, only slower.
                    let _ = tcp.set_nodelay(true);
                    return Ok(tcp);
                }
                Ok(Err(e)) => last = Some(e),
                Err(_) => last = Some(std::io::ErrorKind::TimedOut.into()),
            }
        }
        let e = last.unwrap_or_else(|| std::io::Error::other("no address"));
        Err(self
            .classify_io(&e)
            .unwrap_or_else(|| MailError::Unreachable {
                host: self.host.clone(),
                port: self.port,
                detail: e.to_string(),
            }))
    }

    /// Waits for the greeting (and EHLO) of a connection being opened.
    async fn greeted(
        &self,
        limit: Duration,
        connecting: impl Future<Output = Result<AsyncSmtpConnection, lettre::transport::smtp::Error>>,
    ) -> Result<AsyncSmtpConnection, MailError> {
        match tokio::time::timeout(limit, connecting).await {
            Err(_) => Err(MailError::Timeout {
                stage: Stage::Greeting,
                hint: self.port_hint(),
            }),
            Ok(Err(e)) => Err(self.classify_connect(&e)),
            Ok(Ok(conn)) => Ok(conn),
        }
    }

    /// A refused or timed-out connection, said plainly.
    fn classify_io(&self, io: &std::io::Error) -> Option<MailError> {
        match io.kind() {
            std::io::ErrorKind::ConnectionRefused => Some(MailError::Refused {
                host: self.host.clone(),
                port: self.port,
            }),
            std::io::ErrorKind::TimedOut => Some(MailError::Timeout {
                stage: Stage::Connect,
                hint: None,
            }),
            _ => None,
        }
    }

    fn classify_connect(&self, e: &lettre::transport::smtp::Error) -> MailError {
        if let Some((code, text)) = reply(e) {
            return MailError::Rejected {
                code,
                reply: text,
                stage: Stage::Greeting,
            };
        }
        if find_rustls(e).is_some() {
            return tls_error(e, self.port);
        }
        if let Some(io) = find_io(e) {
            if let Some(error) = self.classify_io(io) {
                return error;
            }
            if io.kind() == std::io::ErrorKind::InvalidData
                && self.security == Security::ImplicitTls
            {
                return tls_error(e, self.port);
            }
        }
        if e.is_response() || e.to_string().contains("network error") {
            return MailError::Connection {
                stage: Stage::Greeting,
                detail: format!(
                    "{}{}",
                    error_text(e),
                    self.port_hint()
                        .map(|h| format!(" ({h})"))
                        .unwrap_or_default()
                ),
            };
        }
        MailError::Unreachable {
            host: self.host.clone(),
            port: self.port,
            detail: error_text(e),
        }
    }

    /// A pooled connection (reused: true) or a new one.
    async fn checkout(&self) -> Result<(AsyncSmtpConnection, bool), MailError> {
        loop {
            let idle = self.idle().pop();
            match idle {
                Some(i)
                    if i.since.elapsed() < self.options.idle_timeout && !i.conn.has_broken() =>
                {
                    return Ok((i.conn, true))
                }
                Some(mut i) => abort(&mut i.conn).await,
                None => return Ok((self.connect_once_refused_never().await?, false)),
            }
        }
    }

    /// A new logged-in connection, unless the server refused our login before: a wrong
    /// password costs one login attempt per mailer, not one per message.
    async fn connect_once_refused_never(&self) -> Result<AsyncSmtpConnection, MailError> {
        let _one_at_a_time = self.logging_in.lock().await;
        let refused = || {
            self.login_refused
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(e) = refused().clone() {
            return Err(e);
        }
        let connected = self.connect().await;
        if let Err(e) = &connected {
            if e.is_login_refused() {
                *refused() = Some(e.clone());
            }
        }
        connected
    }

    async fn checkin(&self, mut conn: AsyncSmtpConnection) {
        if conn.has_broken() {
            return;
        }
        let full = {
            let mut idle = self.idle();
            if idle.len() < self.options.pool_size {
                idle.push(Idle {
                    conn,
                    since: Instant::now(),
                });
                return;
            }
            true
        };
        if full {
            let _ = tokio::time::timeout(Duration::from_secs(2), conn.quit()).await;
        }
    }

    async fn send_once(
        &self,
        conn: &mut AsyncSmtpConnection,
        envelope: &Envelope,
        raw: &[u8],
    ) -> Result<String, (Stage, Option<lettre::transport::smtp::Error>)> {
        let t = &self.options.timeouts;
        let mut options = Vec::new();
        if non_ascii(envelope) {
            if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
                return Err((Stage::MailFrom, None));
            }
            options.push(MailParameter::SmtpUtfEight);
        }
        if !raw.is_ascii() && conn.server_info().supports_feature(Extension::EightBitMime) {
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let step = |stage: Stage, r: Result<Result<_, lettre::transport::smtp::Error>, _>| match r {
            Err(_) => Err((stage, None)),
            Ok(Err(e)) => Err((stage, Some(e))),
            Ok(Ok(v)) => Ok(v),
        };
        step(
            Stage::MailFrom,
            tokio::time::timeout(
                t.command,
                conn.command(Mail::new(envelope.from().cloned(), options)),
            )
            .await,
        )?;
        for to in envelope.to() {
            step(
                Stage::RcptTo,
                tokio::time::timeout(t.command, conn.command(Rcpt::new(to.clone(), vec![]))).await,
            )?;
        }
        step(
            Stage::Data,
            tokio::time::timeout(t.command, conn.command(Data)).await,
        )?;
        let response = step(
            Stage::AfterData,
            tokio::time::timeout(t.data, conn.message(raw)).await,
        )?;
        let text: Vec<&str> = response.message().collect();
        Ok(format!("{} {}", response.code(), text.join(" "))
            .trim()
            .to_string())
    }
}

impl Mailer for SmtpMailer {
    async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<String, SendError> {
        // A reused connection the server closed while idle fails before DATA: replace it once.
        let mut tries = 0;
        loop {
            tries += 1;
            let (mut conn, reused) = self.checkout().await.map_err(SendError::NotSent)?;
            match self.send_once(&mut conn, envelope, raw).await {
                Ok(reply) => {
                    self.checkin(conn).await;
                    return Ok(reply);
                }
                Err((stage, error)) => {
                    abort(&mut conn).await;
                    let code = error.as_ref().and_then(reply);
                    if let Some((code, text)) = code {
                        // The server answered: a definite "no", whatever the stage.
                        return Err(SendError::NotSent(MailError::Rejected {
                            code,
                            reply: text,
                            stage,
                        }));
                    }
                    if stage == Stage::AfterData {
                        let detail = match &error {
                            Some(e) => error_text(e),
                            None => format!(
                                "no reply within {} s",
                                self.options.timeouts.data.as_secs()
                            ),
                        };
                        return Err(SendError::Unknown(MailError::Connection { stage, detail }));
                    }
                    if reused && tries == 1 {
                        continue;
                    }
                    return Err(SendError::NotSent(match error {
                        None if stage == Stage::MailFrom && non_ascii(envelope) => {
                            MailError::Invalid(
                                "an address has non-ASCII characters and the server does not support SMTPUTF8".into(),
                            )
                        }
                        None => MailError::Timeout { stage, hint: None },
                        Some(e) => MailError::Connection {
                            stage,
                            detail: error_text(&e),
                        },
                    }));
                }
            }
        }
    }
}

fn non_ascii(envelope: &Envelope) -> bool {
    let ascii = |a: &lettre::Address| AsRef::<str>::as_ref(a).is_ascii();
    !envelope.from().is_none_or(ascii) || !envelope.to().iter().all(ascii)
}

async fn abort(conn: &mut AsyncSmtpConnection) {
    let _ = tokio::time::timeout(Duration::from_secs(2), conn.abort()).await;
}

/// The SMTP reply code and text of an error that came from the server.
fn reply(e: &lettre::transport::smtp::Error) -> Option<(u16, String)> {
    let code = e.status()?;
    let code: u16 = code.to_string().parse().ok()?;
    let text = std::error::Error::source(e)
        .map(|s| s.to_string())
        .unwrap_or_default();
    Some((code, text.trim().to_string()))
}

/// An error and its causes as one line, e.g. "Connection error: connection refused".
fn error_text(e: &dyn std::error::Error) -> String {
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

fn find_io<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a std::io::Error> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        current = err.source();
    }
    None
}

fn find_rustls<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
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

fn tls_error(e: &lettre::transport::smtp::Error, port: u16) -> MailError {
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
            Some(match port {
                587 | 25 => "this port usually uses STARTTLS: choose STARTTLS instead of TLS".to_string(),
                _ => "check that the port and security setting belong together (465 = TLS, 587 = STARTTLS)".to_string(),
            }),
        ),
        rustls::Error::AlertReceived(alert) => (
            format!("the server ended the secure connection ({alert:?})"),
            None,
        ),
        other => (other.to_string(), None),
    };
    MailError::Tls { detail, hint }
}

/// Advice for the login failures users meet most.
pub fn auth_hint(host: &str, reply: &str) -> Option<String> {
    let host = host.to_ascii_lowercase();
    let r = reply.to_ascii_lowercase();
    if r.contains("5.7.139")
        || r.contains("5.7.30")
        || r.contains("basic authentication is disabled")
    {
        return Some("Microsoft 365 has basic authentication (SMTP AUTH with a password) turned off for this mailbox or tenant: an administrator must enable SMTP AUTH for it, or Duebook must sign in with OAuth2 (planned)".into());
    }
    if host.contains("office365") || host.contains("outlook") || host.contains("hotmail") {
        return Some("for Microsoft 365 / Outlook, SMTP AUTH must be enabled for the mailbox, and accounts with two-step verification need an app password".into());
    }
    if host.contains("gmail")
        || host.contains("google")
        || r.contains("application-specific password")
        || r.contains("5.7.9")
    {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_the_provider_problem() {
        let m365 = auth_hint(
            "smtp.office365.com",
            "535 5.7.139 Authentication unsuccessful, basic authentication is disabled",
        )
        .unwrap();
        assert!(m365.contains("basic authentication"), "{m365}");
        let gmail = auth_hint(
            "smtp.gmail.com",
            "535 5.7.8 Username and Password not accepted",
        )
        .unwrap();
        assert!(gmail.contains("app password"), "{gmail}");
        assert!(auth_hint("mail.example.com", "535 bad")
            .unwrap()
            .contains("user name"));
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
