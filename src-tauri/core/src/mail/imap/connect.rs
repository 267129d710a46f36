//! Opening an IMAP connection: DNS and TCP (shared with SMTP, Nagle off), TLS from the first
//! byte or after STARTTLS, and the server's greeting — each failure named by its stage.

use super::super::account::ImapSettings;
use super::super::security::Security;
use super::super::smtp::{
    classify_io, client_config, error_text, tcp_connect, tls_error_with, tls_stream, MailError,
    MailerOptions, Stage,
};
use async_imap::Client;
use std::fmt::Debug;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// What to check when the server did not answer with TLS.
const NOT_TLS: &str =
    "check that the port and security setting belong together (993 = TLS, 143 = STARTTLS)";

/// Any byte stream a client can run over: TCP, or TLS over it.
pub(super) trait Io: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> Io for T {}
pub(super) type Stream = Box<dyn Io>;

/// A connection ready to log in: open, greeted and encrypted as configured.
pub(super) async fn open(
    settings: &ImapSettings,
    options: &MailerOptions,
) -> Result<Client<Stream>, MailError> {
    let limit = options.timeouts.command;
    let tcp = tcp_connect(&settings.host, settings.port, options.timeouts.connect)
        .await
        .map_err(with_imap_ports)?;
    match settings.security {
        Security::ImplicitTls => {
            let tls = handshake(tcp, settings, options).await?;
            greeted(Client::new(Box::new(tls) as Stream), limit).await
        }
        Security::StartTls => {
            let mut client = greeted(Client::new(tcp), limit).await?;
            starttls(&mut client, settings, limit).await?;
            let tls = handshake(client.into_inner(), settings, options).await?;
            // No greeting after STARTTLS (RFC 3501 6.2.1).
            Ok(Client::new(Box::new(tls) as Stream))
        }
        Security::None => greeted(Client::new(Box::new(tcp) as Stream), limit).await,
    }
}

/// SMTP's "refused" names SMTP's ports; IMAP's are others.
fn with_imap_ports(e: MailError) -> MailError {
    match e {
        MailError::Refused { host, port } => MailError::Unreachable {
            host,
            port,
            detail: "the connection was refused; check the IMAP port (993 for TLS, 143 for STARTTLS) and any firewall".into(),
        },
        other => other,
    }
}

/// Waits for the server's untagged greeting.
async fn greeted<T: Io>(mut client: Client<T>, limit: Duration) -> Result<Client<T>, MailError> {
    match tokio::time::timeout(limit, client.read_response()).await {
        Err(_) => Err(MailError::Timeout {
            stage: Stage::Greeting,
            hint: Some(NOT_TLS.into()),
        }),
        Ok(Err(e)) => Err(MailError::Connection {
            stage: Stage::Greeting,
            detail: format!("{} ({NOT_TLS})", error_text(&e)),
        }),
        Ok(Ok(None)) => Err(MailError::Connection {
            stage: Stage::Greeting,
            detail: "the server closed the connection without a greeting".into(),
        }),
        Ok(Ok(Some(_))) => Ok(client),
    }
}

async fn starttls(
    client: &mut Client<TcpStream>,
    settings: &ImapSettings,
    limit: Duration,
) -> Result<(), MailError> {
    match tokio::time::timeout(limit, client.run_command_and_check_ok("STARTTLS", None)).await {
        Err(_) => Err(MailError::Timeout {
            stage: Stage::Tls,
            hint: None,
        }),
        Ok(Err(e)) => Err(MailError::Tls {
            detail: format!(
                "{} does not offer STARTTLS ({})",
                settings.host,
                error_text(&e)
            ),
            hint: Some(
                "choose TLS (usually port 993) or ask your provider for the right settings".into(),
            ),
        }),
        Ok(Ok(())) => Ok(()),
    }
}

/// The TLS handshake, checked for the server's name with SMTP's trust settings.
async fn handshake(
    tcp: TcpStream,
    settings: &ImapSettings,
    options: &MailerOptions,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, MailError> {
    let config = client_config(options)?;
    let handshake = tls_stream(tcp, &settings.host, config);
    match tokio::time::timeout(options.timeouts.command, handshake).await {
        Err(_) => Err(MailError::Timeout {
            stage: Stage::Tls,
            hint: Some(NOT_TLS.into()),
        }),
        Ok(Err(e)) => Err(classify_io(&e, &settings.host, settings.port)
            .map(with_imap_ports)
            .unwrap_or_else(|| tls_error_with(&e, NOT_TLS))),
        Ok(Ok(tls)) => Ok(tls),
    }
}
