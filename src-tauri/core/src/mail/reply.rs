//! "Reply" on a message the customer sent: the composed email becomes an answer to it — subject
//! "Re: theirs", threading headers naming their message ([`ThreadHeaders`]), and addressed to
//! the person who wrote when that person is one of the customer's contacts.
//!
//! Who it goes to: the sender's address when it is a contact of this customer with a usable
//! address (case aside); otherwise the customer's usual recipient, with a warning in the
//! preview. A message matched by its sender's domain or an invoice number may come from anyone
//! in that company, and a reminder carries the customer's balances: it goes only to an address
//! the user put on the customer.
//!
//! A reply is a template rendered for the customer, or the user's own words
//! ([`prepare_own_words`]): plain text as typed, and the same text as escaped HTML paragraphs.

use super::account::{self, AccountSettings};
use super::compose::{self, mailbox, mailbox_text, ComposeError, OutgoingEmail, PreparedEmail};
use super::thread::ThreadHeaders;
use crate::model::text::{clean_line, clean_lines};
use crate::sandbox::escape_html;
use rusqlite::{params, Connection, OptionalExtension};

/// The template key a reply in the user's own words is stored under: it names no template.
pub const OWN_WORDS: &str = "own-words";
/// Longest reply typed, in characters.
const MAX_WORDS: usize = 20_000;

/// An email to `customer_id` in the user's own `words` (no template), from the account —
/// required when `sending`; the composer's preview also works before one is set up. Give it
/// its subject with [`make_reply`].
pub fn prepare_own_words(
    conn: &Connection,
    customer_id: i64,
    words: &str,
    sending: bool,
) -> Result<PreparedEmail, ComposeError> {
    let account = if sending {
        account::require(conn)?
    } else {
        account::load(conn)?.unwrap_or_else(AccountSettings::not_set_up)
    };
    let text: String = clean_lines(words).trim().chars().take(MAX_WORDS).collect();
    if sending && text.is_empty() {
        return Err(ComposeError::Invalid("write your reply first".into()));
    }
    let (_, to) = compose::recipient(conn, customer_id)?;
    let from = account.from_mailbox()?;
    let email = OutgoingEmail {
        from: mailbox(from.name.as_deref(), from.email),
        reply_to: account.reply_to_mailbox()?,
        to: vec![to],
        subject: String::new(),
        html: html_paragraphs(&text),
        text,
        attachments: Vec::new(),
        thread: None,
    };
    let mut prepared = PreparedEmail::of(email, customer_id, OWN_WORDS)?;
    prepared.preview.warnings = account.warnings();
    Ok(prepared)
}

/// `text` as HTML: each paragraph (split at blank lines) a `<p>`, its lines joined by `<br>`,
/// every character escaped.
fn html_paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines: Vec<String> = p.lines().map(escape_html).collect();
            format!("<p>{}</p>", lines.join("<br>\n"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The received message a reply answers, as kept.
struct Answered {
    rfc_message_id: Option<String>,
    references: Option<String>,
    subject: String,
    from: Option<String>,
    kind: Option<String>,
}

/// Makes `prepared` (composed for `customer_id`) the reply to message `message_id`.
pub fn make_reply(
    conn: &Connection,
    prepared: &mut PreparedEmail,
    customer_id: i64,
    message_id: i64,
) -> Result<(), ComposeError> {
    let answered = answered(conn, customer_id, message_id)?;
    if answered.kind.as_deref() == Some("bounce") {
        return Err(ComposeError::Invalid(
            "a returned message (bounce) cannot be answered; write to another address".into(),
        ));
    }
    let subject = reply_subject(&answered.subject, &prepared.email.subject);
    prepared.email.subject = subject.clone();
    prepared.preview.subject = subject;
    prepared.email.thread = answered
        .rfc_message_id
        .as_deref()
        .and_then(|id| ThreadHeaders::answering(id, answered.references.as_deref()));
    if prepared.email.thread.is_none() {
        prepared
            .preview
            .warnings
            .push("their message has no usable Message-ID: the reply starts a new thread".into());
    }
    let sender = answered.from.as_deref().map(address_of);
    match sender
        .as_deref()
        .map(|s| contact_named(conn, customer_id, s))
    {
        Some(Ok(Some((name, address)))) => {
            let to = mailbox(name.as_deref(), address);
            prepared.preview.to = vec![mailbox_text("To", &to)?];
            prepared.email.to = vec![to];
        }
        Some(Err(e)) => return Err(e),
        _ => prepared.preview.warnings.push(format!(
            "{} is not one of this customer's contacts: the reply goes to {}. Add them as a \
             contact to answer them directly.",
            sender.as_deref().unwrap_or("the sender"),
            prepared.preview.to.join(", ")
        )),
    }
    Ok(())
}

fn answered(
    conn: &Connection,
    customer_id: i64,
    message_id: i64,
) -> Result<Answered, ComposeError> {
    conn.prepare_cached(
        "SELECT rfc_message_id, references_ids, subject, from_addr, inbound_kind FROM messages
         WHERE id = ?1 AND customer_id = ?2 AND direction = 'in'",
    )?
    .query_row(params![message_id, customer_id], |r| {
        Ok(Answered {
            rfc_message_id: r.get(0)?,
            references: r.get(1)?,
            subject: r.get(2)?,
            from: r.get(3)?,
            kind: r.get(4)?,
        })
    })
    .optional()?
    .ok_or_else(|| {
        ComposeError::Invalid(format!(
            "message {message_id} is not a message this customer sent"
        ))
    })
}

/// "Re: " and their subject (once, whatever "RE:"/"Re:" it already has); ours when theirs is
/// empty.
pub fn reply_subject(theirs: &str, ours: &str) -> String {
    let mut subject = clean_line(theirs);
    loop {
        let lower = subject.to_lowercase();
        let Some(rest) = ["re:", "aw:", "sv:", "re :"]
            .iter()
            .find(|p| lower.starts_with(*p))
            .and_then(|p| subject.get(p.len()..))
        else {
            break;
        };
        subject = rest.trim_start().to_string();
    }
    if subject.is_empty() {
        subject = clean_line(ours);
    }
    format!("Re: {subject}")
}

/// The address in a stored sender, "Name <a@b.example>" or "a@b.example".
fn address_of(mailbox: &str) -> String {
    match (mailbox.rfind('<'), mailbox.rfind('>')) {
        (Some(open), Some(close)) if open < close => mailbox[open + 1..close].trim().to_string(),
        _ => mailbox.trim().to_string(),
    }
}

/// The customer's contact with `address` (case aside) and a usable email, as name and address.
fn contact_named(
    conn: &Connection,
    customer_id: i64,
    address: &str,
) -> Result<Option<(Option<String>, lettre::Address)>, ComposeError> {
    let found: Option<(Option<String>, String)> = conn
        .prepare_cached(
            "SELECT name, trim(email) FROM contacts
             WHERE customer_id = ?1 AND lower(trim(email)) = lower(?2) AND email_bad = 0
             ORDER BY is_billing DESC, id LIMIT 1",
        )?
        .query_row(params![customer_id, address], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(found.and_then(|(name, email)| Some((name, email.parse().ok()?))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subject_gets_one_re() {
        assert_eq!(reply_subject("RE: Re: Invoice 7", "x"), "Re: Invoice 7");
        assert_eq!(reply_subject("AW: Rechnung", "x"), "Re: Rechnung");
        assert_eq!(
            reply_subject("Invoice 7\r\nBcc: x", "x"),
            "Re: Invoice 7 Bcc: x"
        );
        assert_eq!(
            reply_subject("  ", "Invoice 7 is overdue"),
            "Re: Invoice 7 is overdue"
        );
        assert_eq!(reply_subject("Réponse", "x"), "Re: Réponse");
    }

    #[test]
    fn own_words_become_escaped_paragraphs() {
        assert_eq!(
            html_paragraphs("Hi <Jo>,\nthanks & bye\n\n\nDana"),
            "<p>Hi &lt;Jo&gt;,<br>\nthanks &amp; bye</p>\n<p>Dana</p>"
        );
        assert_eq!(html_paragraphs(""), "");
    }

    #[test]
    fn addresses_are_read_from_stored_senders() {
        assert_eq!(
            address_of("Jordan <jordan@acme.example>"),
            "jordan@acme.example"
        );
        assert_eq!(address_of(" jordan@acme.example "), "jordan@acme.example");
    }
}
