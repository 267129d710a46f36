//! The message as bytes: mail headers built from stored text without ever panicking, and the
//! RFC 5322 message with our own Message-ID.
//!
//! Names and subjects come from imported files and from whoever used the laptop. lettre
//! panics when a display name holds CR or LF (its `Display` for `Mailbox` fails and its header
//! code unwraps that), and it writes a subject word such as `=?utf-8?b?...?=` as it is, which
//! mail clients then decode into text nobody typed. So every display name passes through
//! [`super::compose::mailbox`] (one clean line), every header is tried with
//! [`super::compose::mailbox_text`] before lettre sees it, and a subject holding `=?` is
//! encoded as a whole.

use super::compose::{mailbox_text, ComposeError, OutgoingEmail};
use super::thread::valid_message_id;
use crate::model::text::is_clean_line;
use email_encoding::headers::{rfc2047, writer::EmailWriter};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;

/// The Subject header. lettre leaves ASCII words as they are, so a word that looks like an
/// RFC 2047 encoded word would be decoded by the reader's mail client; such a subject is
/// encoded as a whole, which decodes back to exactly the text we meant.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Subject(String);

impl Header for Subject {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Subject")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Subject(s.to_string()))
    }

    fn display(&self) -> HeaderValue {
        if !self.0.contains("=?") {
            return lettre::message::header::Subject::from(self.0.clone()).display();
        }
        let mut encoded = String::new();
        {
            let mut writer = EmailWriter::new(&mut encoded, "Subject: ".len(), 0, false);
            // Writing into a String cannot fail.
            let _ = rfc2047::encode(&self.0, &mut writer);
        }
        HeaderValue::dangerous_new_pre_encoded(Self::name(), self.0.clone(), encoded)
    }
}

/// A fresh Message-ID in our sender's domain: `<lz3k9a.5f1e...@acme.example>`.
pub fn new_message_id(from: &Mailbox) -> String {
    let domain = from.email.domain();
    let millis = chrono::Utc::now().timestamp_millis().max(0) as u64;
    format!(
        "<{}.{:016x}{:016x}@{}>",
        radix36(millis),
        fastrand::u64(..),
        fastrand::u64(..),
        domain
    )
}

fn radix36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Every header of `email` checked: a typed error instead of a panic inside lettre.
fn check_headers(email: &OutgoingEmail) -> Result<(), ComposeError> {
    mailbox_text("From", &email.from)?;
    if let Some(reply_to) = &email.reply_to {
        mailbox_text("Reply-To", reply_to)?;
    }
    for to in &email.to {
        mailbox_text("To", to)?;
    }
    if let Some(thread) = &email.thread {
        let ids = std::iter::once(&thread.in_reply_to).chain(&thread.references);
        if let Some(bad) = ids.into_iter().find(|id| valid_message_id(id).is_none()) {
            return Err(ComposeError::Header {
                field: "References",
                detail: format!("{bad:?} is not a Message-ID"),
            });
        }
    }
    if !is_clean_line(&email.subject) {
        return Err(ComposeError::Header {
            field: "Subject",
            detail: "the subject is not one clean line".into(),
        });
    }
    Ok(())
}

/// The complete RFC 5322 message: multipart/alternative (text + HTML), inside multipart/mixed
/// when there are attachments. A header that cannot be built is [`ComposeError::Header`].
pub fn build_mime(email: &OutgoingEmail, message_id: &str) -> Result<Vec<u8>, ComposeError> {
    check_headers(email)?;
    let mut builder = Message::builder()
        .from(email.from.clone())
        .header(Subject(email.subject.clone()))
        .message_id(Some(message_id.to_string()))
        .date_now();
    if let Some(reply_to) = &email.reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    for to in &email.to {
        builder = builder.to(to.clone());
    }
    if let Some(thread) = &email.thread {
        builder = builder
            .in_reply_to(thread.in_reply_to.clone())
            .references(thread.references_line());
    }
    let alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(email.text.clone()))
        .singlepart(SinglePart::html(email.html.clone()));
    let message = if email.attachments.is_empty() {
        builder.multipart(alternative)
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for a in &email.attachments {
            let content_type = ContentType::parse(&a.content_type).unwrap_or(
                ContentType::parse("application/octet-stream")
                    .map_err(|e| ComposeError::Invalid(e.to_string()))?,
            );
            mixed = mixed.singlepart(
                MimeAttachment::new(a.file_name.clone()).body(a.bytes.clone(), content_type),
            );
        }
        builder.multipart(mixed)
    };
    let message =
        message.map_err(|e| ComposeError::Invalid(format!("the message cannot be built: {e}")))?;
    Ok(message.formatted())
}

#[cfg(test)]
mod tests {
    use super::super::compose::{mailbox, Attachment};
    use super::*;
    use lettre::Address;

    fn email_to(name: &str, subject: &str) -> OutgoingEmail {
        OutgoingEmail {
            from: "Acme <ar@acme.example>".parse().unwrap(),
            reply_to: Some("billing@acme.example".parse().unwrap()),
            to: vec![Mailbox::new(
                Some(name.into()),
                "bo@client.example".parse().unwrap(),
            )],
            subject: subject.into(),
            text: "Hello".into(),
            html: "<p>Hello</p>".into(),
            attachments: Vec::new(),
            thread: None,
        }
    }

    #[test]
    fn message_ids_are_unique_and_in_our_domain() {
        let from: Mailbox = "Acme <ar@acme.example>".parse().unwrap();
        let a = new_message_id(&from);
        let b = new_message_id(&from);
        assert_ne!(a, b);
        assert!(a.starts_with('<') && a.ends_with("@acme.example>"), "{a}");
    }

    #[test]
    fn the_mime_message_is_multipart_with_our_message_id() {
        let mut email = email_to("Bo", "Invoice INV-1 is overdue");
        email.attachments.push(Attachment {
            file_name: "INV-1.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.4 test".to_vec(),
        });
        let raw = String::from_utf8(build_mime(&email, "<x.1@acme.example>").unwrap()).unwrap();
        assert!(raw.contains("Message-ID: <x.1@acme.example>"), "{raw}");
        assert!(
            raw.contains("Subject: Invoice INV-1 is overdue\r\n"),
            "{raw}"
        );
        assert!(raw.contains("Reply-To: billing@acme.example"));
        assert!(raw.contains("multipart/mixed"));
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("filename=\"INV-1.pdf\""));
    }

    #[test]
    fn a_reply_carries_in_reply_to_and_references_and_a_forged_id_is_refused() {
        use super::super::thread::ThreadHeaders;
        let mut email = email_to("Bo", "Re: Invoice INV-1");
        email.thread =
            ThreadHeaders::answering("<their.2@client.example>", Some("<ours.1@acme.example>"));
        let raw = String::from_utf8(build_mime(&email, "<x.2@acme.example>").unwrap()).unwrap();
        assert!(
            raw.contains("In-Reply-To: <their.2@client.example>\r\n"),
            "{raw}"
        );
        assert!(
            raw.contains("References: <ours.1@acme.example> <their.2@client.example>\r\n"),
            "{raw}"
        );
        let parsed = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .unwrap();
        assert_eq!(
            parsed.in_reply_to().as_text(),
            Some("their.2@client.example")
        );

        email.thread = Some(ThreadHeaders {
            in_reply_to: "<a@b>\r\nBcc: eve@evil.example".into(),
            references: Vec::new(),
        });
        let err = build_mime(&email, "<x.3@acme.example>").unwrap_err();
        assert!(
            matches!(
                err,
                ComposeError::Header {
                    field: "References",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn a_name_with_a_line_break_is_a_typed_error_not_a_panic() {
        let email = email_to("Bo\r\nBcc: eve@evil.example", "Hi");
        let err = build_mime(&email, "<x.1@acme.example>").unwrap_err();
        assert!(
            matches!(err, ComposeError::Header { field: "To", .. }),
            "{err}"
        );
        assert!(err.to_string().contains("To header"), "{err}");
    }

    #[test]
    fn display_names_are_cleaned_into_one_line() {
        let address: Address = "bo@client.example".parse().unwrap();
        let m = mailbox(Some(" Bo\r\nBcc:\u{202E} eve "), address.clone());
        assert_eq!(m.name.as_deref(), Some("Bo Bcc: eve"));
        assert_eq!(mailbox(Some("\r\n\t"), address).name, None);
    }

    #[test]
    fn a_subject_that_looks_encoded_is_encoded_as_a_whole() {
        let forged = "=?utf-8?b?UGF5IHRvIElCQU4gWFg=?= now";
        let raw =
            String::from_utf8(build_mime(&email_to("Bo", forged), "<x@acme.example>").unwrap())
                .unwrap();
        let subject_line = raw
            .lines()
            .find(|l| l.starts_with("Subject:"))
            .expect("a Subject header");
        assert!(
            !subject_line.contains("UGF5IHRvIElCQU4gWFg="),
            "the forged word went out as it is: {subject_line}"
        );
        assert!(subject_line.starts_with("Subject: =?utf-8?b?"), "{raw}");
    }
}
