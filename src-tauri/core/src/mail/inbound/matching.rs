//! Which customer an inbound message is about, and by which rule.
//!
//! The rules, strongest first; the first that names exactly one customer decides:
//! 1. `In-Reply-To`, then `References` (newest first), against our outbox's Message-IDs: the
//!    customer of the reminder that was answered;
//! 2. for a bounce, the returned message's ID against the outbox, then the failed recipient
//!    against the contacts' addresses;
//! 3. the sender's address against the contacts' addresses (case-insensitive);
//! 4. the sender's domain, when exactly one customer has contacts there and it is not a public
//!    mail provider's (gmail.com, gmx.de ...);
//! 5. numbers of open invoices in the subject.
//!
//! A rule that finds several customers (an accountant writing for two clients) decides nothing
//! and the next one is tried. The sender rules (3, 4) are skipped for a bounce: a mail system
//! wrote it, not the customer.

use super::domains;
use super::parse::InboundMessage;
use super::Kind;
use crate::mail::outbox::{self, OutboxError};
use crate::store::{contacts, invoices, DbError};
use rusqlite::Connection;

/// Tokens of a subject tried as invoice numbers; a subject with more is not a reply's.
const MAX_NUMBER_TOKENS: usize = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchRule {
    /// In-Reply-To or References named one of our messages.
    ReplyHeaders,
    /// A bounce returned one of our messages.
    BouncedMessage,
    /// A bounce named a contact's address as the failed recipient.
    BouncedRecipient,
    SenderAddress,
    SenderDomain,
    InvoiceNumber,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerMatch {
    pub customer_id: i64,
    pub rule: MatchRule,
    /// Our outbox message the rule found (rules 1 and 2 by Message-ID).
    pub outbox_message_id: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error("could not read the outbox to match a message: {0}")]
    Outbox(#[from] OutboxError),
    #[error("could not read contacts or invoices to match a message: {0}")]
    Db(#[from] DbError),
}

/// The customer `message` (classified as `kind`) is about, or None.
pub fn match_customer(
    conn: &Connection,
    message: &InboundMessage,
    kind: &Kind,
) -> Result<Option<CustomerMatch>, MatchError> {
    let answered = message
        .in_reply_to
        .iter()
        .chain(message.references.iter().rev());
    if let Some(found) = by_message_ids(conn, answered, MatchRule::ReplyHeaders)? {
        return Ok(Some(found));
    }
    if let Kind::Bounce {
        original_message_id,
        failed_recipient,
        ..
    } = kind
    {
        if let Some(found) = by_message_ids(conn, original_message_id, MatchRule::BouncedMessage)? {
            return Ok(Some(found));
        }
        if let Some(address) = failed_recipient {
            let ids = contacts::customers_with_email(conn, address)?;
            if let Some(found) = only(ids, MatchRule::BouncedRecipient) {
                return Ok(Some(found));
            }
        }
    } else if let Some(found) = by_sender(conn, message)? {
        return Ok(Some(found));
    }
    by_invoice_numbers(conn, &message.subject)
}

fn by_message_ids<'a>(
    conn: &Connection,
    ids: impl IntoIterator<Item = &'a String>,
    rule: MatchRule,
) -> Result<Option<CustomerMatch>, MatchError> {
    for id in ids {
        if let Some((message, Some(customer_id))) = outbox::find_by_rfc_id(conn, id)? {
            return Ok(Some(CustomerMatch {
                customer_id,
                rule,
                outbox_message_id: Some(message),
            }));
        }
    }
    Ok(None)
}

fn by_sender(
    conn: &Connection,
    message: &InboundMessage,
) -> Result<Option<CustomerMatch>, MatchError> {
    let Some(from) = &message.from else {
        return Ok(None);
    };
    let exact = contacts::customers_with_email(conn, &from.email)?;
    if let Some(found) = only(exact, MatchRule::SenderAddress) {
        return Ok(Some(found));
    }
    match from.domain() {
        Some(domain) if !domains::is_public(&domain) => Ok(only(
            contacts::customers_at_domain(conn, &domain)?,
            MatchRule::SenderDomain,
        )),
        _ => Ok(None),
    }
}

fn by_invoice_numbers(
    conn: &Connection,
    subject: &str,
) -> Result<Option<CustomerMatch>, MatchError> {
    let mut customers = Vec::new();
    for token in number_tokens(subject) {
        for id in invoices::customers_with_open_number(conn, token)? {
            if !customers.contains(&id) {
                customers.push(id);
            }
        }
    }
    Ok(only(customers, MatchRule::InvoiceNumber))
}

/// Words of a subject that may be invoice numbers: split at spaces and punctuation that no
/// number carries ("Re: Invoice #INV-2001 (overdue)" gives "INV-2001"), each with a digit.
fn number_tokens(subject: &str) -> Vec<&str> {
    let mut tokens: Vec<&str> = Vec::new();
    let separators = |c: char| c.is_whitespace() || ",;:()[]{}<>\"'#!?".contains(c);
    for token in subject.split(separators) {
        let token = token.trim_matches(['.', '-', '/', '_']);
        if token.chars().any(|c| c.is_ascii_digit())
            && token.len() <= 64
            && !tokens.contains(&token)
        {
            tokens.push(token);
        }
        if tokens.len() == MAX_NUMBER_TOKENS {
            break;
        }
    }
    tokens
}

/// A match when `customers` names exactly one.
fn only(customers: Vec<i64>, rule: MatchRule) -> Option<CustomerMatch> {
    match customers.as_slice() {
        [customer_id] => Some(CustomerMatch {
            customer_id: *customer_id,
            rule,
            outbox_message_id: None,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_tokens_that_may_be_numbers() {
        assert_eq!(
            number_tokens("Re: Invoice #INV-2001 (overdue), 2002. Thanks"),
            ["INV-2001", "2002"]
        );
        assert!(number_tokens("Re: Your reminder").is_empty());
    }
}
