//! Opening a connection: DNS, TCP, greeting, TLS and login, each failure named by its stage.

use super::diagnose::{auth_hint, error_text, find_io, find_rustls, reply, tls_error, LoginKind};
use super::implicit_tls;
use super::tcp;
use super::*;
use lettre::transport::smtp::authentication::Mechanism;
use std::sync::Arc;

/// Why a login did not work, and whether a fresh token may fix it.
enum Retry {
    No(MailError),
    WithNewToken(Arc<TokenSource>),
}

impl SmtpMailer {
    /// A connection ready to send: open, encrypted as configured, logged in.
    pub(super) async fn connect(&self) -> Result<AsyncSmtpConnection, MailError> {
        let mut conn = self.open().await?;
        match self.log_in(&mut conn).await {
            Ok(()) => Ok(conn),
            Err(Retry::WithNewToken(tokens)) => {
                // The token was refused (expired early, revoked by a policy): one fresh token,
                // on a fresh connection, before calling the login refused.
                abort(&mut conn).await;
                let token = tokens.refused().await?;
                let mut conn = self.open().await?;
                let login =
                    Credentials::new(tokens.mailbox().to_string(), token.expose().to_string());
                match self
                    .authenticate(&mut conn, &[Mechanism::Xoauth2], &login)
                    .await
                {
                    Ok(()) => Ok(conn),
                    Err(e) => {
                        abort(&mut conn).await;
                        Err(e)
                    }
                }
            }
            Err(Retry::No(e)) => {
                abort(&mut conn).await;
                Err(e)
            }
        }
    }

    /// DNS, TCP, the greeting and TLS (implicit or STARTTLS), not yet logged in.
    async fn open(&self) -> Result<AsyncSmtpConnection, MailError> {
        let t = &self.options.timeouts;
        let tcp = tcp::connect(&self.host, self.port, t.connect).await?;
        let mut conn = match &self.implicit_tls {
            Some(config) => {
                let tls = self.implicit_handshake(tcp, Arc::clone(config)).await?;
                let greeting =
                    AsyncSmtpConnection::connect_with_transport(Box::new(tls), &self.hello);
                self.greeted(t.command, greeting).await?
            }
            None => {
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
        Ok(conn)
    }

    /// The TLS handshake of an implicit-TLS connection, its failure said like lettre's would be.
    async fn implicit_handshake(
        &self,
        tcp: tokio::net::TcpStream,
        config: Arc<rustls::ClientConfig>,
    ) -> Result<implicit_tls::TlsSocket, MailError> {
        let t = &self.options.timeouts;
        let handshake = implicit_tls::handshake(tcp, &self.host, config);
        match tokio::time::timeout(t.command, handshake).await {
            Err(_) => Err(MailError::Timeout {
                stage: Stage::Tls,
                hint: self.port_hint(),
            }),
            Ok(Err(e)) => Err(self
                .classify_io(&e)
                .unwrap_or_else(|| tls_error(&e, self.port))),
            Ok(Ok(tls)) => Ok(tls),
        }
    }

    /// Logs in with the password, or with XOAUTH2 and the sign-in's current token.
    async fn log_in(&self, conn: &mut AsyncSmtpConnection) -> Result<(), Retry> {
        match &self.login {
            Login::Password(credentials) => self
                .authenticate(conn, &[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(Retry::No),
            Login::OAuth(tokens) => {
                let token = tokens
                    .access_token()
                    .await
                    .map_err(|e| Retry::No(e.into()))?;
                let login =
                    Credentials::new(tokens.mailbox().to_string(), token.expose().to_string());
                match self.authenticate(conn, &[Mechanism::Xoauth2], &login).await {
                    Err(MailError::Auth { .. }) => Err(Retry::WithNewToken(Arc::clone(tokens))),
                    other => other.map_err(Retry::No),
                }
            }
        }
    }

    async fn authenticate(
        &self,
        conn: &mut AsyncSmtpConnection,
        mechanisms: &[Mechanism],
        credentials: &Credentials,
    ) -> Result<(), MailError> {
        let t = &self.options.timeouts;
        match tokio::time::timeout(t.command, conn.auth(mechanisms, credentials)).await {
            Err(_) => Err(MailError::Timeout {
                stage: Stage::Auth,
                hint: None,
            }),
            Ok(Err(e)) => Err(match reply(&e) {
                Some((code, text)) if (400..500).contains(&code) => MailError::Rejected {
                    code,
                    reply: text,
                    stage: Stage::Auth,
                },
                Some((code, text)) => {
                    let reply = format!("{code} {text}");
                    let kind = match mechanisms.contains(&Mechanism::Xoauth2) {
                        true => LoginKind::OAuth2,
                        false => LoginKind::Password,
                    };
                    MailError::Auth {
                        hint: auth_hint(&self.host, &reply, kind),
                        reply,
                    }
                }
                None if e.is_client() => MailError::Auth {
                    reply: format!(
                        "the server offers no login method Duebook can use here ({})",
                        mechanisms
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                    hint: (self.security == Security::None).then(|| {
                        "servers usually offer login only over an encrypted connection".into()
                    }),
                },
                None => MailError::Connection {
                    stage: Stage::Auth,
                    detail: error_text(&e),
                },
            }),
            Ok(Ok(_)) => Ok(()),
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
        tcp::classify_io(io, &self.host, self.port)
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
}

pub(super) async fn abort(conn: &mut AsyncSmtpConnection) {
    let _ = tokio::time::timeout(Duration::from_secs(2), conn.abort()).await;
}
