//! A customer's account owner: the person at the company who looks after the customer (a sales
//! rep, a client success manager). Files and forms give one cell, `Name <email>`, an email or a
//! name, read here so an import, the customer screen and the command line agree.

use super::text::clean_line;
use super::validation::{email, FieldError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The longest owner name kept; longer is a broken column.
const MAX_NAME_CHARS: usize = 120;

/// A name, an email, or both; never neither (that is no owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Owner {
    pub name: Option<String>,
    pub email: Option<String>,
}

impl Owner {
    /// Reads `Name <email>`, `email` or `Name`; a blank cell is no owner. `field` names the
    /// form field or column in the error.
    pub fn parse(field: &str, text: &str) -> Result<Option<Owner>, FieldError> {
        let text = clean_line(text);
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let (name, address) = match text.strip_suffix('>').and_then(|t| t.rsplit_once('<')) {
            Some((name, address)) => (name.trim().trim_matches('"').trim(), Some(address)),
            None if text.contains('@') => ("", Some(text)),
            None => (text, None),
        };
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(FieldError::new(
                field,
                format!("The owner's name is longer than {MAX_NAME_CHARS} characters"),
            ));
        }
        let email = email(field, address)?;
        let name = Some(name.to_string()).filter(|n| !n.is_empty());
        Ok((name.is_some() || email.is_some()).then_some(Owner { name, email }))
    }

    /// As the list and messages show it: `Priya Shah <priya@example.com>`, or the one part set.
    pub fn display(&self) -> String {
        match (&self.name, &self.email) {
            (Some(name), Some(email)) => format!("{name} <{email}>"),
            (Some(one), None) | (None, Some(one)) => one.clone(),
            (None, None) => String::new(),
        }
    }

    /// The two stored columns (name, email) of `owner`; no owner is both empty.
    pub fn columns(owner: Option<&Owner>) -> (Option<&str>, Option<&str>) {
        owner.map_or((None, None), |o| (o.name.as_deref(), o.email.as_deref()))
    }

    /// From the two stored columns; both empty is no owner.
    pub fn from_columns(name: Option<String>, email: Option<String>) -> Option<Owner> {
        (name.is_some() || email.is_some()).then_some(Owner { name, email })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn owner(name: Option<&str>, email: Option<&str>) -> Option<Owner> {
        Some(Owner {
            name: name.map(str::to_string),
            email: email.map(str::to_string),
        })
    }

    #[test]
    fn reads_the_three_forms_and_blank() {
        let parse = |t| Owner::parse("owner", t).unwrap();
        assert_eq!(
            parse(" Priya Shah <priya@acme.example> "),
            owner(Some("Priya Shah"), Some("priya@acme.example"))
        );
        assert_eq!(
            parse("\"Shah, Priya\" <priya@acme.example>"),
            owner(Some("Shah, Priya"), Some("priya@acme.example"))
        );
        assert_eq!(
            parse("<priya@acme.example>"),
            owner(None, Some("priya@acme.example"))
        );
        assert_eq!(
            parse("priya@acme.example"),
            owner(None, Some("priya@acme.example"))
        );
        assert_eq!(parse("Priya Shah"), owner(Some("Priya Shah"), None));
        assert_eq!(parse("  \t "), None);
    }

    #[test]
    fn refuses_a_broken_address_and_a_long_name() {
        assert!(Owner::parse("owner", "Priya <priya@>").is_err());
        assert!(Owner::parse("owner", "priya@nowhere").is_err());
        assert!(Owner::parse("owner", &"x".repeat(121)).is_err());
    }

    #[test]
    fn displays_what_is_set() {
        let both = owner(Some("Priya"), Some("p@a.example")).unwrap();
        assert_eq!(both.display(), "Priya <p@a.example>");
        assert_eq!(Owner::parse("o", &both.display()).unwrap(), Some(both));
    }

    proptest! {
        #[test]
        fn any_text_reads_without_panicking(text in "\\PC{0,200}") {
            let _ = Owner::parse("owner", &text);
        }
    }
}
