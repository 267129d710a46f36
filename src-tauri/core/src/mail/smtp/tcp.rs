//! DNS and TCP for every mail connection (SMTP here, IMAP in `mail::imap`), each failure
//! named by its stage.

use super::{MailError, Stage};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;

/// Looks `host` up and connects to the first address that answers, with Nagle's algorithm off:
/// lettre ends each message with a small write, which Nagle holds back until the server has
/// acknowledged the previous segment, and servers delay that acknowledgement (~40 ms) while
/// they wait for the rest of the data — every message stalled that long. Every connection is
/// opened here, implicit TLS too (see `implicit_tls`); a TLS layer keeps the socket, and the
/// option with it.
pub(crate) async fn connect(
    host: &str,
    port: u16,
    limit: Duration,
) -> Result<TcpStream, MailError> {
    let lookup = tokio::net::lookup_host((host, port));
    let addrs: Vec<SocketAddr> = match tokio::time::timeout(limit, lookup).await {
        Err(_) => {
            return Err(MailError::Timeout {
                stage: Stage::Dns,
                hint: None,
            })
        }
        Ok(Err(e)) => {
            return Err(MailError::Dns {
                host: host.to_string(),
                detail: e.to_string(),
            })
        }
        Ok(Ok(addrs)) => addrs.collect(),
    };
    if addrs.is_empty() {
        return Err(MailError::Dns {
            host: host.to_string(),
            detail: "no address".into(),
        });
    }
    let mut last = None;
    for addr in &addrs {
        match tokio::time::timeout(limit, TcpStream::connect(addr)).await {
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
    Err(
        classify_io(&e, host, port).unwrap_or_else(|| MailError::Unreachable {
            host: host.to_string(),
            port,
            detail: e.to_string(),
        }),
    )
}

/// A refused or timed-out connection, said plainly.
pub(crate) fn classify_io(io: &std::io::Error, host: &str, port: u16) -> Option<MailError> {
    match io.kind() {
        std::io::ErrorKind::ConnectionRefused => Some(MailError::Refused {
            host: host.to_string(),
            port,
        }),
        std::io::ErrorKind::TimedOut => Some(MailError::Timeout {
            stage: Stage::Connect,
            hint: None,
        }),
        _ => None,
    }
}
