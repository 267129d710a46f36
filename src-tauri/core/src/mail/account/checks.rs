//! The checks SMTP's and IMAP's settings share: a server's name, port and security, and a typed
//! password.

use super::AccountError;
use crate::mail::security::{is_local_host, Security};
use crate::model::validation::FieldError;
use crate::secrets::Password;

/// Checks a server's name, port and security (SMTP's or IMAP's), each refusal named by its
/// field in `fields` (host, port, security).
pub(super) fn check_server(
    (host_field, port_field, security_field): (&str, &str, &str),
    host: &str,
    port: u16,
    security: Security,
) -> Result<(), FieldError> {
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !host_ok {
        return Err(FieldError::new(
            host_field,
            format!("{host:?} is not a server name (e.g. mail.example.com)"),
        ));
    }
    if port == 0 {
        return Err(FieldError::new(
            port_field,
            "the port must be between 1 and 65535",
        ));
    }
    if security == Security::None && !is_local_host(host) {
        return Err(FieldError::new(
            security_field,
            format!("an unencrypted connection is only allowed to a server on this computer, not {host}; choose STARTTLS or TLS"),
        ));
    }
    Ok(())
}

/// A typed password as the keychain may take it: not empty, one line.
pub(super) fn check_password(p: &Password) -> Result<(), AccountError> {
    if p.is_empty() {
        return Err(AccountError::Invalid("the password is empty".into()));
    }
    if p.expose().contains(['\r', '\n']) {
        return Err(AccountError::Invalid(
            "the password contains a line break; paste only the password".into(),
        ));
    }
    Ok(())
}
