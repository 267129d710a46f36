//! Delivery failures: standard reports (RFC 3464) and the plain-text bounces older servers send.
//!
//! A report (`multipart/report; report-type=delivery-status`) says per recipient what happened:
//! `Action: failed` or `delayed`, `Status: 5.1.1` (5: permanent, a hard bounce; 4: temporary,
//! a soft one), `Final-Recipient`, `Diagnostic-Code`; the returned message (or its headers)
//! carries our Message-ID. A report that says delivered is no failure. Without a report part,
//! a message from MAILER-DAEMON or postmaster with a bounce subject ("Undeliverable:", "Mail
//! delivery failed", ...), or one with `X-Failed-Recipients` (Exim, Gmail), is a bounce read
//! from its text: the first enhanced status code in it, and the returned headers below it.

use super::parse::{angle_id, one_line, InboundMessage};
use super::Kind;
use regex::Regex;
use std::sync::LazyLock;

/// Senders that only ever write about delivery, by local part (lower-case).
const DAEMONS: &[&str] = &["mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"];
/// Subjects of bounces without a report part, lower-case, as the common servers write them.
const BOUNCE_SUBJECTS: &[&str] = &[
    "undeliverable",
    "undelivered mail",
    "delivery status notification",
    "mail delivery failed",
    "delivery failure",
    "delivery has failed",
    "failure notice",
    "returned mail",
    "unzustellbar",
    "nicht zustellbar",
    "non remis",
    "non distribuable",
    "no se puede entregar",
    "no entregado",
];
/// Words in a bounce subject that say delivery is only delayed (a soft bounce).
const DELAY_WORDS: &[&str] = &["delay", "warning", "verzögert", "retardé", "retrasad"];

/// An enhanced status code (RFC 3463): class 4 (temporary) or 5 (permanent).
static STATUS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[45]\.\d{1,3}\.\d{1,3}\b").expect("a constant pattern"));
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+").expect("a constant pattern")
});
/// A `Message-ID:` line of returned headers, or Gmail's `X-Original-Message-ID:` field.
static MESSAGE_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?im)^\s*(?:x-original-)?message-id:\s*(<[^<>\s]+>)").expect("a constant pattern")
});

/// The bounce this message is, or None when it is not one.
pub fn bounce(message: &InboundMessage) -> Option<Kind> {
    match &message.report.delivery_status {
        Some(status) => from_report(message, status),
        None if message.report.report_type.as_deref() == Some("delivery-status")
            || looks_like_bounce(message) =>
        {
            Some(from_text(message))
        }
        None => None,
    }
}

/// One recipient's fields of a delivery-status part (names lower-case).
#[derive(Default)]
struct Recipient {
    action: Option<String>,
    status: Option<String>,
    recipient: Option<String>,
    diagnostic: Option<String>,
}

fn from_report(message: &InboundMessage, status: &str) -> Option<Kind> {
    let recipients = recipients(status);
    let failed = |r: &&Recipient| matches!(r.action.as_deref(), Some("failed" | "delayed"));
    let chosen = recipients
        .iter()
        .find(failed)
        .or_else(|| recipients.iter().find(|r| r.action.is_none()));
    let Some(r) = chosen else {
        // Every recipient delivered, relayed or expanded: a success report, no failure.
        return (recipients.is_empty()).then(|| from_text(message));
    };
    let hard = match r.status.as_deref().and_then(|s| s.chars().next()) {
        Some('4') => false,
        Some('5') => true,
        _ => r.action.as_deref() != Some("delayed"),
    };
    Some(Kind::Bounce {
        hard,
        status: r.status.clone(),
        original_message_id: original_id(message),
        failed_recipient: r.recipient.clone().or_else(|| failed_recipient(message)),
        diagnostic: r.diagnostic.clone(),
    })
}

/// The per-recipient blocks of a delivery-status text: blocks are separated by blank lines and
/// the first one is about the message; a block without a recipient is skipped.
fn recipients(status: &str) -> Vec<Recipient> {
    let mut out = Vec::new();
    for block in status.split("\n\n") {
        let mut r = Recipient::default();
        for line in block.lines() {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            // "rfc822; ann@example.com", "smtp; 550 5.1.1 ...": the type before `;` goes.
            let typed = || one_line(value.split_once(';').map_or(value, |(_, v)| v));
            match name.trim().to_ascii_lowercase().as_str() {
                "action" => r.action = Some(value.to_ascii_lowercase()),
                "status" => r.status = STATUS.find(value).map(|m| m.as_str().to_string()),
                "final-recipient" => r.recipient = address_only(&typed()).or(r.recipient),
                "original-recipient" if r.recipient.is_none() => {
                    r.recipient = address_only(&typed());
                }
                "diagnostic-code" => r.diagnostic = Some(typed()),
                _ => {}
            }
        }
        if r.recipient.is_some() {
            out.push(r);
        }
    }
    out
}

/// The address of a recipient field ("<ann@example.com>"), None when it is empty.
fn address_only(text: &str) -> Option<String> {
    let address = text
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    (!address.is_empty()).then(|| address.to_string())
}

/// A message from a mail system about a failed delivery, without a report part.
fn looks_like_bounce(message: &InboundMessage) -> bool {
    let from_daemon = message
        .from
        .as_ref()
        .is_some_and(|f| DAEMONS.contains(&f.local_part().as_str()));
    let subject = message.subject.to_lowercase();
    let bounce_subject = BOUNCE_SUBJECTS.iter().any(|s| subject.contains(s));
    (from_daemon && bounce_subject) || message.auto_headers.x_failed_recipients.is_some()
}

fn from_text(message: &InboundMessage) -> Kind {
    let status = STATUS.find(&message.text);
    let subject = message.subject.to_lowercase();
    let hard = match status.map(|s| s.as_str().starts_with('5')) {
        Some(hard) => hard,
        None => !DELAY_WORDS.iter().any(|w| subject.contains(w)),
    };
    let diagnostic = status.map(|s| {
        let line_start = message.text[..s.start()].rfind('\n').map_or(0, |n| n + 1);
        let line_end = message.text[s.end()..]
            .find('\n')
            .map_or(message.text.len(), |n| s.end() + n);
        one_line(&message.text[line_start..line_end])
    });
    Kind::Bounce {
        hard,
        status: status.map(|s| s.as_str().to_string()),
        original_message_id: original_id(message),
        failed_recipient: failed_recipient(message),
        diagnostic,
    }
}

/// The returned message's ID: from its attached copy, else the report's own field, else a
/// `Message-ID:` line in the text.
fn original_id(message: &InboundMessage) -> Option<String> {
    let status = message.report.delivery_status.as_deref();
    let found_in = |text: &str| {
        let found = MESSAGE_ID.captures(text)?.get(1)?;
        angle_id(found.as_str())
    };
    message
        .report
        .original_message_id
        .clone()
        .or_else(|| status.and_then(found_in))
        .or_else(|| found_in(&message.text))
}

/// `X-Failed-Recipients`, else the first address in the text that is neither ours (the bounce
/// is addressed to us) nor the mail system's.
fn failed_recipient(message: &InboundMessage) -> Option<String> {
    let header = message.auto_headers.x_failed_recipients.as_deref();
    if let Some(first) = header.and_then(|h| ADDRESS.find(h)) {
        return Some(first.as_str().to_string());
    }
    let known: Vec<String> = message
        .to
        .iter()
        .chain(&message.from)
        .map(|a| a.email.to_lowercase())
        .collect();
    ADDRESS
        .find_iter(&message.text)
        .map(|m| m.as_str())
        .find(|a| !known.contains(&a.to_lowercase()))
        .map(String::from)
}
