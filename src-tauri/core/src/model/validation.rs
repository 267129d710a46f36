//! Checks on what a person typed, each failing with the field it concerns so the UI can show
//! the message next to it.

use serde::Serialize;
use std::str::FromStr;
use ts_rs::TS;

/// A rejected value: which field, and a sentence that says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
#[ts(export)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// Trimmed text that must not be empty and must fit `max_chars`.
pub fn required_text(
    field: &str,
    label: &str,
    text: &str,
    max_chars: usize,
) -> Result<String, FieldError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, format!("{label} cannot be empty")));
    }
    optional_text(field, label, Some(trimmed), max_chars)
        .map(std::option::Option::unwrap_or_default)
}

/// Trimmed text or None when blank; too long is an error.
pub fn optional_text(
    field: &str,
    label: &str,
    text: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, FieldError> {
    let Some(trimmed) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let chars = trimmed.chars().count();
    if chars > max_chars {
        return Err(FieldError::new(
            field,
            format!("{label} is {chars} characters long; at most {max_chars} fit"),
        ));
    }
    Ok(Some(trimmed.to_string()))
}

/// One email address, as the mail parser Duebook sends with (lettre) reads it, plus the typo
/// checks that parser lets through: a dotted domain, no quoted or bracketed parts, no spaces.
/// Deliverability is the mail server's to judge. Imports and the edit forms both check here, so
/// an address either is one everywhere or nowhere.
pub fn email(field: &str, text: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(address) = optional_text(field, "Email", text, 254)? else {
        return Ok(None);
    };
    let several = address
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|part| part.contains('@'))
        .count();
    if several > 1 {
        return Err(FieldError::new(
            field,
            format!(
                "{address:?} is not an email address: it holds {several} addresses (one per cell)"
            ),
        ));
    }
    if !is_plain_address(&address) || lettre::Address::from_str(&address).is_err() {
        return Err(FieldError::new(
            field,
            format!("{address:?} is not an email address (expected name@example.com)"),
        ));
    }
    Ok(Some(address))
}

/// The typos a real parser accepts because some mail system somewhere allows them: quoted local
/// parts (`"a b"@x.com`), IP-literal and dotless domains (`a@[1.2.3.4]`, `a@localhost`).
fn is_plain_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let bad_char = |c: char| c.is_whitespace() || c.is_control() || "<>()[],;:\"@\\".contains(c);
    !local.is_empty()
        && !local.chars().any(bad_char)
        && !domain.chars().any(bad_char)
        && domain.contains('.')
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
}

/// A phone number as people write it: digits with spaces, dashes, dots, parentheses, a
/// leading +, and an optional extension ("x123" / "ext. 123").
pub fn phone(field: &str, text: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(number) = optional_text(field, "Phone", text, 40)? else {
        return Ok(None);
    };
    let lower = number.to_lowercase();
    let main = lower
        .split_once("ext")
        .or_else(|| lower.split_once('x'))
        .map_or(lower.as_str(), |(main, _)| main);
    let digits = main.chars().filter(char::is_ascii_digit).count();
    let allowed = |c: char| c.is_ascii_digit() || " -.()/+".contains(c);
    let plus_ok = main
        .trim_start()
        .strip_prefix('+')
        .unwrap_or(main)
        .chars()
        .all(|c| c != '+');
    if !(6..=15).contains(&digits) || !main.chars().all(allowed) || !plus_ok {
        return Err(FieldError::new(
            field,
            format!("{number:?} is not a phone number (expected digits, e.g. +1 555 010 0199)"),
        ));
    }
    Ok(Some(number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            email("e", Some(" ann@acme.example ")).unwrap().as_deref(),
            Some("ann@acme.example")
        );
        assert_eq!(email("e", Some("  ")).unwrap(), None);
        for good in [
            "first.last+tag@sub.example.co.uk",
            "ünï@exämple.de",
            "o'brien@acme.example",
        ] {
            assert!(email("e", Some(good)).is_ok(), "{good}");
        }
        for bad in [
            "ann",
            "ann@",
            "@acme.com",
            "ann@acme",
            "a b@acme.com",
            "ann@acme..com",
            "<a@b.com>",
            ".ann@acme.com",
            "ann.@acme.com",
            "a..b@acme.com",
            "ann@-acme.com",
            "\"a b\"@acme.com",
            "ann@[192.0.2.1]",
            "a@b@acme.com",
            "ann@acme.com\u{0}",
            &format!("{}@acme.com", "a".repeat(65)),
        ] {
            let err = email("email", Some(bad)).unwrap_err();
            assert_eq!(err.field, "email");
            assert!(
                err.message
                    .ends_with("is not an email address (expected name@example.com)"),
                "{bad}: {}",
                err.message
            );
        }
        for several in [
            "a@b.com, c@d.com",
            "a@b.com\nBcc: x@y.com",
            "a@b.com c@d.com",
        ] {
            let err = email("email", Some(several)).unwrap_err();
            assert!(
                err.message
                    .ends_with("is not an email address: it holds 2 addresses (one per cell)"),
                "{several}: {}",
                err.message
            );
        }
    }

    #[test]
    fn phones() {
        for good in [
            "+1 555 010 0199",
            "(020) 7946 0018",
            "555-0100 x12",
            "0171.234.5678 ext. 9",
        ] {
            assert!(phone("p", Some(good)).is_ok(), "{good}");
        }
        for bad in ["12", "call me", "+1 555 +0100", "555-0100-0000-0000-0000"] {
            assert!(phone("phone", Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_limits() {
        assert!(required_text("name", "Name", "   ", 10)
            .unwrap_err()
            .message
            .contains("cannot be empty"));
        assert!(required_text("name", "Name", &"x".repeat(11), 10)
            .unwrap_err()
            .message
            .contains("at most 10"));
        assert_eq!(required_text("name", "Name", " Acme ", 10).unwrap(), "Acme");
    }
}
