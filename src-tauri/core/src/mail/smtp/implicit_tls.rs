//! Implicit TLS (SMTPS, usually port 465) on a socket opened here, with TCP_NODELAY like the
//! plain and STARTTLS paths. lettre's own implicit-TLS connect opens its socket without the
//! option, and then every message stalls about 40 ms: the last small TLS record of a command
//! waits for the server's delayed ACK of the one before (Nagle). lettre takes any stream for a
//! connection, so the TLS handshake is done here and the finished stream handed over.
//!
//! Trust is as for STARTTLS: the platform's verifier with the extra roots of [`MailerOptions`].

use super::diagnose::error_text;
use super::MailError;
use super::MailerOptions;
use lettre::transport::smtp::client::AsyncTokioStream;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::ClientConfig;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// A TLS stream over our own socket, as lettre's transport.
#[derive(Debug)]
pub(super) struct TlsSocket(TlsStream<TcpStream>);

impl AsyncTokioStream for TlsSocket {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for TlsSocket {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsSocket {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// The TLS client settings: ring, the platform verifier and the extra roots.
pub(crate) fn client_config(options: &MailerOptions) -> Result<Arc<ClientConfig>, MailError> {
    let invalid = |e: &dyn std::error::Error| MailError::Tls {
        detail: error_text(e),
        hint: None,
    };
    let mut roots = Vec::new();
    for pem in &options.extra_roots_pem {
        for cert in CertificateDer::pem_slice_iter(pem) {
            roots.push(cert.map_err(|e| {
                MailError::Invalid(format!("an extra root certificate cannot be read: {e}"))
            })?);
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier =
        rustls_platform_verifier::Verifier::new_with_extra_roots(roots, Arc::clone(&provider))
            .map_err(|e| invalid(&e))?;
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(&e))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// TLS from the first byte over `tcp`, the certificate checked for `host`.
pub(super) async fn handshake(
    tcp: TcpStream,
    host: &str,
    config: Arc<ClientConfig>,
) -> io::Result<TlsSocket> {
    Ok(TlsSocket(tls_stream(tcp, host, config).await?))
}

/// The TLS handshake over `tcp` (also IMAP's, implicit or after STARTTLS), the certificate
/// checked for `host`.
pub(crate) async fn tls_stream(
    tcp: TcpStream,
    host: &str,
    config: Arc<ClientConfig>,
) -> io::Result<TlsStream<TcpStream>> {
    let name = ServerName::try_from(host.to_string())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    TlsConnector::from(config).connect(name, tcp).await
}
