//! The connection pool and sending one message over it.

use super::connect::abort;
use super::diagnose::{error_text, non_ascii, reply};
use super::*;
use crate::mail::account::AccountSettings;
use crate::secrets::Password;
use lettre::transport::smtp::client::Certificate;
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{Extension, MailBodyParameter, MailParameter};
use std::sync::Arc;

/// TLS for `host`: the platform's roots and the extra ones in `options`.
fn tls_parameters(host: &str, options: &MailerOptions) -> Result<TlsParameters, MailError> {
    let mut builder = TlsParameters::builder(host.to_string());
    for pem in &options.extra_roots_pem {
        let cert = Certificate::from_pem(pem).map_err(|e| {
            MailError::Invalid(format!("an extra root certificate cannot be read: {e}"))
        })?;
        builder = builder.add_root_certificate(cert);
    }
    builder.build().map_err(|e| MailError::Tls {
        detail: error_text(&e),
        hint: None,
    })
}

impl SmtpMailer {
    /// A mailer that logs in with `password`.
    pub fn new(
        settings: &AccountSettings,
        password: &Password,
        options: MailerOptions,
    ) -> Result<SmtpMailer, MailError> {
        let login = Login::Password(Credentials::new(
            settings.username.trim().to_string(),
            password.expose().to_string(),
        ));
        SmtpMailer::build(settings, login, options)
    }

    /// A mailer that logs in with XOAUTH2, its tokens from `tokens`.
    pub fn with_tokens(
        settings: &AccountSettings,
        tokens: Arc<TokenSource>,
        options: MailerOptions,
    ) -> Result<SmtpMailer, MailError> {
        SmtpMailer::build(settings, Login::OAuth(tokens), options)
    }

    fn build(
        settings: &AccountSettings,
        login: Login,
        options: MailerOptions,
    ) -> Result<SmtpMailer, MailError> {
        let settings = settings
            .validated()
            .map_err(|e| MailError::Invalid(e.to_string()))?;
        let (tls, implicit_tls) = match settings.security {
            Security::None => (None, None),
            Security::StartTls => (Some(tls_parameters(&settings.host, &options)?), None),
            Security::ImplicitTls => (None, Some(super::implicit_tls::client_config(&options)?)),
        };
        let hello = match &options.hello_name {
            Some(name) => ClientId::Domain(name.clone()),
            None => ClientId::default(),
        };
        Ok(SmtpMailer {
            login,
            host: settings.host,
            port: settings.port,
            security: settings.security,
            tls,
            implicit_tls,
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
        // lettre sees an implicit-TLS connection as a plain stream: the TLS is ours.
        let encrypted = conn.is_encrypted() || self.implicit_tls.is_some();
        let _ = tokio::time::timeout(self.options.timeouts.command, conn.quit()).await;
        Ok(ConnectionReport {
            host: self.host.clone(),
            port: self.port,
            encrypted,
            authenticated: true,
            auth_method: match self.login {
                Login::Password(_) => "password".into(),
                Login::OAuth(_) => "OAuth2 (XOAUTH2)".into(),
            },
        })
    }

    /// Closes the pooled connections politely (QUIT).
    pub async fn close(&self) {
        let idle: Vec<Idle> = std::mem::take(&mut *self.idle());
        for mut i in idle {
            let _ = tokio::time::timeout(Duration::from_secs(2), i.conn.quit()).await;
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
