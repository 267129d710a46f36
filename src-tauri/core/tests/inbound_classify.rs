//! Inbound mail, read and classified: each fixture (written from the RFCs and what Outlook,
//! Gmail, Apple Mail, Exchange, Postfix, Exim and qmail send) gives the right kind, status,
//! returned Message-ID, return date and paid hint; anything at all is read without a panic
//! into clean text.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::mail::inbound::{classify, parse, Classification, Kind, ParseError};
use duebook_core::test_support::inbound::{fixture, REMINDER_ID};
use proptest::prelude::*;

fn classified(name: &str) -> Classification {
    classify(&parse(&fixture(name)).unwrap())
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

#[test]
fn replies_in_three_quoting_styles_are_human_and_only_the_own_words_hint_at_payment() {
    for (name, paid, snippet_start) in [
        (
            "reply-outlook.eml",
            false,
            "Hi Dana, The amount on INV-2001 is wrong",
        ),
        (
            "reply-gmail-paid.eml",
            true,
            "Hi Dana, Paid yesterday, remittance attached.",
        ),
        (
            "reply-apple.eml",
            false,
            "Could you send me a copy of the invoice?",
        ),
    ] {
        let c = classified(name);
        assert_eq!(c.kind, Kind::HumanReply, "{name}");
        assert_eq!(
            c.paid_hint, paid,
            "{name}: the quoted reminder says unpaid/paid/remittance"
        );
        assert!(
            c.snippet.starts_with(snippet_start),
            "{name}: {}",
            c.snippet
        );
        assert!(
            !c.snippet.contains("Dear Acme"),
            "{name}: the quote is not the reply"
        );
    }
}

#[test]
fn a_reply_is_read_with_its_threading_sender_and_attachment() {
    let m = parse(&fixture("reply-gmail-paid.eml")).unwrap();
    assert_eq!(m.in_reply_to, [REMINDER_ID]);
    assert_eq!(m.references, [REMINDER_ID]);
    let from = m.from.as_ref().unwrap();
    assert_eq!(
        (from.email.as_str(), from.name.as_deref()),
        ("jordan@acme.example", Some("Jordan Smith"))
    );
    assert_eq!(from.domain().as_deref(), Some("acme.example"));
    assert_eq!(m.to[0].email, "ar@northwind.example");
    assert_eq!(m.subject, "Re: Reminder: invoice INV-2001 is overdue");
    assert_eq!(m.sent_on(), Some(date("2026-01-13")));
    let pdf = &m.attachments[0];
    assert_eq!(pdf.name.as_deref(), Some("Remittance_Advice_INV-2001.pdf"));
    assert_eq!(
        (pdf.content_type.as_str(), pdf.size),
        ("application/pdf", 142)
    );
    assert!(m.message_id.unwrap().ends_with("@mail.gmail.com>"));
}

#[test]
fn out_of_office_replies_in_four_languages_with_a_stated_return_date() {
    for (name, return_date) in [
        ("ooo-en.eml", Some(date("2026-01-19"))),
        ("ooo-de.eml", Some(date("2026-01-16"))),
        ("ooo-fr.eml", None),
        ("ooo-es.eml", None),
    ] {
        let c = classified(name);
        assert_eq!(c.kind, Kind::AutoReply { return_date }, "{name}");
        assert!(!c.paid_hint, "{name}");
    }
    // Subjects decoded from RFC 2047 in two charsets.
    let fr = parse(&fixture("ooo-fr.eml")).unwrap();
    assert_eq!(
        fr.subject,
        "Réponse automatique : Relance : facture FA-2026-117"
    );
    assert!(fr.text.contains("accès limité à ma messagerie"));
    let es = parse(&fixture("ooo-es.eml")).unwrap();
    assert_eq!(
        es.subject,
        "Respuesta automática: Recordatorio: factura INV-2001 vencida"
    );
}

fn bounce(name: &str) -> (bool, Option<String>, Option<String>, Option<String>, String) {
    match classified(name).kind {
        Kind::Bounce {
            hard,
            status,
            original_message_id,
            failed_recipient,
            diagnostic,
        } => (
            hard,
            status,
            original_message_id,
            failed_recipient,
            diagnostic.unwrap_or_default(),
        ),
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn delivery_reports_from_postfix_exchange_and_gmail() {
    let gmail_hard_id = "<mb9x8y7z.0a1b2c3d4e5f60718293a4b5c6d7e8f9@northwind.example>";
    for (name, hard, status, original, recipient, diagnostic) in [
        ("dsn-postfix-hard.eml", true, "5.1.1", REMINDER_ID, "jordan@acme.example",
         "550 5.1.1 <jordan@acme.example>: Recipient address rejected: User unknown in virtual mailbox table"),
        ("dsn-exchange-hard.eml", true, "5.1.10", REMINDER_ID, "ap@contoso.example",
         "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"),
        ("dsn-gmail-hard.eml", true, "5.1.1", gmail_hard_id, "no.such.person@gmail.com",
         "550-5.1.1 The email account that you tried to reach does not exist."),
        ("dsn-gmail-soft.eml", false, "4.2.2", REMINDER_ID, "ana@bigbox.example",
         "452 4.2.2 The email account that you tried to reach is over quota."),
    ] {
        let (h, s, o, r, d) = bounce(name);
        assert_eq!(h, hard, "{name}");
        assert_eq!(s.as_deref(), Some(status), "{name}");
        assert_eq!(o.as_deref(), Some(original), "{name}");
        assert_eq!(r.as_deref(), Some(recipient), "{name}");
        assert!(d.starts_with(diagnostic), "{name}: {d}");
    }
}

#[test]
fn a_report_without_the_returned_message_names_it_in_its_own_fields() {
    let raw = String::from_utf8(fixture("dsn-gmail-soft.eml")).unwrap();
    let without_copy = raw
        .split("--00000000000009f8e7060b5e1c2a\nContent-Type: message/rfc822")
        .next()
        .unwrap();
    let m = parse(without_copy.as_bytes()).unwrap();
    assert_eq!(m.report.original_message_id, None);
    match classify(&m).kind {
        Kind::Bounce {
            original_message_id,
            hard,
            ..
        } => {
            assert_eq!(
                original_message_id.as_deref(),
                Some(REMINDER_ID),
                "X-Original-Message-ID"
            );
            assert!(!hard);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bounces_without_a_report_part_are_read_from_their_text() {
    let (hard, status, original, recipient, diagnostic) = bounce("bounce-exim-nodsn.eml");
    assert!(hard);
    assert_eq!(status.as_deref(), Some("5.1.1"));
    assert_eq!(original.as_deref(), Some(REMINDER_ID));
    assert_eq!(recipient.as_deref(), Some("jordan@acme.example"));
    assert_eq!(
        diagnostic,
        "550 5.1.1 <jordan@acme.example>: Recipient address rejected: User unknown"
    );

    let (hard, status, original, recipient, diagnostic) = bounce("bounce-qmail-nodsn.eml");
    assert!(hard);
    assert_eq!(status.as_deref(), Some("5.1.1"));
    assert_eq!(
        original.as_deref(),
        Some("<mbq1w2e3.99887766554433221100ffeeddccbbaa@northwind.example>")
    );
    assert_eq!(recipient.as_deref(), Some("billing@oldhost.example"));
    assert_eq!(diagnostic, "Sorry, no mailbox here by that name. (#5.1.1)");
}

#[test]
fn each_automatic_header_alone_makes_an_automatic_reply() {
    let plain = |header: &str| {
        let raw = format!(
            "From: Jordan Smith <jordan@acme.example>\r\nSubject: Re: Reminder\r\n{header}\r\n\
             Content-Type: text/plain\r\n\r\nThank you for your message.\r\n"
        );
        classify(&parse(raw.as_bytes()).unwrap()).kind
    };
    let auto = Kind::AutoReply { return_date: None };
    for header in [
        "Auto-Submitted: auto-replied (vacation)",
        "Auto-Submitted: auto-generated",
        "X-Autoreply: yes",
        "X-Autorespond: Thank you",
        "Precedence: auto_reply",
    ] {
        assert_eq!(plain(header), auto, "{header}");
    }
    for header in [
        "Auto-Submitted: no",
        "Precedence: bulk",
        "X-Mailer: Outlook",
    ] {
        assert_eq!(plain(header), Kind::HumanReply, "{header}");
    }
}

#[test]
fn machine_reports_that_are_no_failure_are_automatic_replies() {
    let delivered = String::from_utf8(fixture("dsn-postfix-hard.eml"))
        .unwrap()
        .replace("Action: failed", "Action: delivered")
        .replace("Status: 5.1.1", "Status: 2.0.0")
        .replace("Auto-Submitted: auto-replied\n", "");
    let read_receipt = "From: Jordan Smith <jordan@acme.example>\r\nSubject: Read: Reminder\r\n\
        Content-Type: multipart/report; report-type=disposition-notification; boundary=\"b\"\r\n\r\n\
        --b\r\nContent-Type: text/plain\r\n\r\nYour message was read on 13 January 2026.\r\n\
        --b\r\nContent-Type: message/disposition-notification\r\n\r\n\
        Final-Recipient: rfc822;jordan@acme.example\r\n\
        Disposition: manual-action/MDN-sent-manually; displayed\r\n--b--\r\n";
    for raw in [delivered.as_str(), read_receipt] {
        let c = classify(&parse(raw.as_bytes()).unwrap());
        assert_eq!(c.kind, Kind::AutoReply { return_date: None }, "{raw}");
    }
}

#[test]
fn a_malformed_message_is_read_as_far_as_it_goes_into_clean_text() {
    let m = parse(&fixture("malformed.eml")).unwrap();
    assert_eq!(
        m.subject,
        "Re: Invoice [31mINV-2001 paid Bcc: eve@evil.example"
    );
    assert_eq!(m.in_reply_to, [REMINDER_ID]);
    assert_eq!(m.date, None, "25:61:99 +9999 is no time");
    let from = m.from.as_ref().unwrap();
    assert_eq!(from.name.as_deref(), Some("Jordan [2J Smith"));
    for text in [&m.subject, &m.text, from.name.as_ref().unwrap()] {
        assert!(clean(text), "{text:?}");
    }
    let c = classify(&m);
    assert_eq!(c.kind, Kind::HumanReply);
    assert!(clean(&c.snippet));
}

#[test]
fn a_reply_with_a_20_mb_attachment_is_read_with_its_size_and_a_bounded_body() {
    use base64::Engine;
    let pdf = vec![0x25u8; 20 * 1024 * 1024];
    let encoded = base64::engine::general_purpose::STANDARD.encode(&pdf);
    let mut lines = String::with_capacity(encoded.len() * 78 / 76);
    for chunk in encoded.as_bytes().chunks(76) {
        lines.push_str(std::str::from_utf8(chunk).unwrap());
        lines.push_str("\r\n");
    }
    let long_body = "paid. ".repeat(50_000);
    let raw = format!(
        "From: Jordan Smith <jordan@acme.example>\r\nSubject: Re: scan\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{long_body}\r\n--b\r\n\
         Content-Type: application/pdf; name=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         {lines}--b--\r\n"
    );
    let m = parse(raw.as_bytes()).unwrap();
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].size, pdf.len());
    assert!(m.text.len() <= duebook_core::mail::inbound::parse::MAX_TEXT);
    assert!(m.text.len() > 90_000, "{}", m.text.len());
    assert!(classify(&m).paid_hint);
}

#[test]
fn too_large_and_headerless_messages_are_refused_with_a_reason() {
    let huge = vec![b'a'; duebook_core::mail::inbound::parse::MAX_RAW + 1];
    assert!(matches!(parse(&huge), Err(ParseError::TooLarge { .. })));
    assert_eq!(parse(b""), Err(ParseError::NoHeaders));
}

/// No control character (but the body's line breaks) and no bidi override.
fn clean(text: &str) -> bool {
    !text.chars().any(|c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

fn one_line(text: &str) -> bool {
    clean(text) && !text.contains('\n')
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_bytes_are_read_or_refused_without_a_panic(raw in proptest::collection::vec(any::<u8>(), 0..2000)) {
        if let Ok(m) = parse(&raw) {
            let c = classify(&m);
            prop_assert!(one_line(&m.subject) && one_line(&c.snippet) && clean(&m.text));
        }
    }

    #[test]
    fn any_subject_and_body_come_out_clean(subject in any::<String>(), body in any::<String>(), encoded in any::<bool>()) {
        let subject_header = if encoded {
            format!("=?utf-8?B?{}?=", base64_of(&subject))
        } else {
            subject.replace(['\r', '\n'], " ")
        };
        let raw = format!(
            "From: a@b.example\r\nSubject: {subject_header}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
        );
        let m = parse(raw.as_bytes()).unwrap();
        let c = classify(&m);
        prop_assert!(one_line(&m.subject), "{:?}", m.subject);
        prop_assert!(one_line(&c.snippet), "{:?}", c.snippet);
        prop_assert!(clean(&m.text));
    }
}

fn base64_of(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}
