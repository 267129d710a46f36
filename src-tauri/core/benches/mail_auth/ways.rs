//! The five ways of sending the same messages: Duebook's `SmtpMailer` with a password over
//! STARTTLS, with XOAUTH2 over STARTTLS and with a password over implicit TLS, and a bare lettre
//! pool with a password over STARTTLS and over implicit TLS (lettre's `Tls::Wrapper`).

use crate::services::{Message, Services};
use duebook_core::mail::account::AccountSettings;
use duebook_core::mail::oauth::TokenSource;
use duebook_core::mail::security::Security;
use duebook_core::mail::smtp::{Mailer, SmtpMailer};
use duebook_core::secrets::Password;
use duebook_core::test_support::mail::{self as support, SmtpServer, PASSWORD, USER};
use futures_util::StreamExt;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    Password587,
    OAuth587,
    Password465,
    Lettre587,
    Lettre465,
}

impl Way {
    pub const ALL: [Way; 5] = [
        Way::Password587,
        Way::OAuth587,
        Way::Password465,
        Way::Lettre587,
        Way::Lettre465,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Way::Password587 => "Duebook, password, STARTTLS (\"587\")",
            Way::OAuth587 => "Duebook, XOAUTH2, STARTTLS (\"587\")",
            Way::Password465 => "Duebook, password, implicit TLS (\"465\")",
            Way::Lettre587 => "bare lettre pool, password, STARTTLS",
            Way::Lettre465 => "bare lettre pool, password, Tls::Wrapper",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Way::Password587 => "password/587",
            Way::OAuth587 => "xoauth2/587",
            Way::Password465 => "password/465",
            Way::Lettre587 => "lettre/587",
            Way::Lettre465 => "lettre/465",
        }
    }

    pub fn is_lettre(self) -> bool {
        matches!(self, Way::Lettre587 | Way::Lettre465)
    }

    fn implicit_tls(self) -> bool {
        matches!(self, Way::Password465 | Way::Lettre465)
    }
}

/// What one way of sending took in one round.
pub struct Taken {
    pub time: Duration,
    /// Logins the server saw (one per connection: the pool is used).
    pub logins: usize,
}

/// Sends the messages each way, each time over a fresh pool of `pool_size` connections.
pub struct Senders<'a> {
    pub services: &'a Services,
    pub tokens: Arc<TokenSource>,
    pub rt: &'a Runtime,
    pub pool_size: usize,
}

impl Senders<'_> {
    /// Sends every message `way` and times it from the first connection to the last reply.
    pub fn send(&self, way: Way, messages: &[Message]) -> Taken {
        let server = self.server(way);
        let logins_before = server.auth_count();
        let time = match way {
            _ if way.is_lettre() => self.bare_lettre(way, messages),
            _ => self.ours(way, messages),
        };
        Taken {
            time,
            logins: server.auth_count() - logins_before,
        }
    }

    fn server(&self, way: Way) -> &SmtpServer {
        if way.implicit_tls() {
            &self.services.implicit
        } else {
            &self.services.starttls
        }
    }

    /// The test account on the way's server (host `localhost`, the test certificate's name).
    fn account(&self, way: Way) -> AccountSettings {
        let security = if way.implicit_tls() {
            Security::ImplicitTls
        } else {
            Security::StartTls
        };
        support::account(self.server(way).port, security)
    }

    /// Duebook's mailer, as the outbox uses it: its own pool, a login per new connection.
    fn ours(&self, way: Way, messages: &[Message]) -> Duration {
        let settings = self.account(way);
        let options = support::mailer_options();
        let mailer = match way {
            Way::OAuth587 => SmtpMailer::with_tokens(&settings, Arc::clone(&self.tokens), options),
            _ => SmtpMailer::new(&settings, &Password::new(PASSWORD), options),
        }
        .expect("mailer");
        let started = Instant::now();
        self.rt.block_on(send_all(messages, self.pool_size, |m| {
            mailer.send(&m.envelope, &m.raw)
        }));
        let took = started.elapsed();
        self.rt.block_on(mailer.close());
        took
    }

    /// lettre's own transport and pool, its TLS its own (implicit TLS on lettre's socket).
    /// The pool lives in the runtime: it spawns its reaper there, and its closing when dropped.
    fn bare_lettre(&self, way: Way, messages: &[Message]) -> Duration {
        let _runtime = self.rt.enter();
        let root = Certificate::from_pem(&support::cert_pem()).expect("certificate");
        let account = self.account(way);
        let tls = TlsParameters::builder(account.host.clone())
            .add_root_certificate(root)
            .build()
            .expect("TLS parameters");
        let tls = if way.implicit_tls() {
            Tls::Wrapper(tls)
        } else {
            Tls::Required(tls)
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(account.host)
            .port(account.port)
            .tls(tls)
            .hello_name(ClientId::Domain("lettre.bench".into()))
            .credentials(Credentials::new(USER.into(), PASSWORD.into()))
            .pool_config(PoolConfig::new().max_size(self.pool_size as u32))
            .build();
        let started = Instant::now();
        self.rt.block_on(send_all(messages, self.pool_size, |m| {
            transport.send_raw(&m.envelope, &m.raw)
        }));
        started.elapsed()
    }
}

/// Sends every message, `concurrency` at a time; each one must be accepted.
async fn send_all<'a, F, Fut, T, E>(messages: &'a [Message], concurrency: usize, send: F)
where
    F: FnMut(&'a Message) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: Display,
{
    let refused: Vec<String> = futures_util::stream::iter(messages)
        .map(send)
        .buffer_unordered(concurrency)
        .filter_map(|r| std::future::ready(r.err().map(|e| e.to_string())))
        .collect()
        .await;
    assert!(
        refused.is_empty(),
        "{} of {} messages not accepted, first: {}",
        refused.len(),
        messages.len(),
        refused[0]
    );
}
