//! How the connection to the SMTP server is protected, and the one place a connection
//! without encryption is allowed (a server on this computer).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (usually port 587). TLS is required.
    StartTls,
    /// TLS from the first byte (usually port 465).
    ImplicitTls,
    /// No encryption: only accepted for a server on this computer (localhost).
    None,
}

impl Security {
    pub fn as_str(self) -> &'static str {
        match self {
            Security::StartTls => "starttls",
            Security::ImplicitTls => "tls",
            Security::None => "none",
        }
    }

    pub fn parse(text: &str) -> Result<Security, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "starttls" | "start_tls" => Ok(Security::StartTls),
            "tls" | "ssl" | "implicit_tls" | "implicit-tls" | "smtps" => Ok(Security::ImplicitTls),
            "none" | "plain" => Ok(Security::None),
            other => Err(format!(
                "{other:?} is not a security mode (use starttls, tls or none)"
            )),
        }
    }
}

/// Whether `host` names this computer (the only place an unencrypted connection is allowed).
pub fn is_local_host(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}
