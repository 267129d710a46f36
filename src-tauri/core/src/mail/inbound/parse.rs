//! One raw message from the mailbox, read into the facts classification and matching need.
//!
//! Everything that leaves here is bounded and clean: the subject and names are one line
//! ([`clean_line`]), the body is at most [`MAX_TEXT`] bytes of plain lines ([`clean_lines`]).
//! Malformed MIME is read as far as it goes (mail-parser recovers what it can and never
//! panics); only a message too large or without a single header is refused.

use crate::model::text::{clean_line, clean_lines, is_clean_line};
use chrono::{DateTime, FixedOffset, NaiveDate};
use mail_parser::{HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType};

/// Larger messages are refused before parsing: a mailbox's 50 MB limit is the usual ceiling,
/// and reading more would hold the whole sync's memory for one message.
pub const MAX_RAW: usize = 50 * 1024 * 1024;
/// The body text kept: far more than any reply's own words, small enough for every message.
pub const MAX_TEXT: usize = 100 * 1024;
/// The HTML body kept (before sanitising): a long formatted reply with quoted history fits.
pub const MAX_HTML: usize = 512 * 1024;
/// Header values (a subject, a name, a status line) are cut to this many characters.
const MAX_LINE: usize = 1000;
/// Attachments listed; a message with more lists only the first ones.
const MAX_ATTACHMENTS: usize = 100;
/// Message-IDs kept from References (the newest): enough for any real thread.
const MAX_REFERENCES: usize = 100;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("the message is {size} bytes; messages over {limit} bytes are not read")]
    TooLarge { size: usize, limit: usize },
    #[error("not an email message: no header could be read")]
    NoHeaders,
}

/// An address as the message gives it: `email` is trimmed, `name` cleaned into one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub email: String,
    pub name: Option<String>,
}

impl Address {
    /// The part after the last `@`, lower-case; None when there is none.
    pub fn domain(&self) -> Option<String> {
        let (_, domain) = self.email.rsplit_once('@')?;
        (!domain.is_empty()).then(|| domain.to_ascii_lowercase())
    }

    /// The part before the last `@`, lower-case.
    pub fn local_part(&self) -> String {
        let local = self.email.rsplit_once('@').map_or(&*self.email, |(l, _)| l);
        local.to_ascii_lowercase()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name the sender gave, cleaned; None for an unnamed part.
    pub name: Option<String>,
    /// `type/subtype`, lower-case.
    pub content_type: String,
    /// Decoded size in bytes.
    pub size: usize,
}

/// Header fields that say a message was written by a machine, as given (one line each).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AutoHeaders {
    /// RFC 3834: anything but `no` means "sent automatically".
    pub auto_submitted: Option<String>,
    pub x_autoreply: Option<String>,
    pub x_autorespond: Option<String>,
    pub precedence: Option<String>,
    /// Exim and Gmail name the addresses that failed here.
    pub x_failed_recipients: Option<String>,
}

/// What a delivery report (RFC 3464) carries beside its human-readable text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportParts {
    /// The `report-type` of a top-level `multipart/report`, lower-case: `delivery-status`
    /// (a bounce, RFC 3464) or `disposition-notification` (a read receipt, RFC 8098) ...
    pub report_type: Option<String>,
    /// The text of the `message/delivery-status` part (bounded).
    pub delivery_status: Option<String>,
    /// The Message-ID of the returned message, from a `message/rfc822` or
    /// `text/rfc822-headers` part, in angle brackets.
    pub original_message_id: Option<String>,
}

/// One inbound message, read. Message-IDs are kept in angle brackets, as the outbox stores ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub from: Option<Address>,
    pub to: Vec<Address>,
    pub subject: String,
    pub date: Option<DateTime<FixedOffset>>,
    /// The plain-text body (or the text of the HTML body), clean lines, at most [`MAX_TEXT`].
    pub text: String,
    /// The first HTML body as the sender wrote it, at most [`MAX_HTML`] bytes; None for a
    /// message without one. Unsafe to show: it is sanitised before it is kept.
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    pub auto_headers: AutoHeaders,
    pub report: ReportParts,
}

impl InboundMessage {
    /// The day the sender wrote it, in the sender's own time zone.
    pub fn sent_on(&self) -> Option<NaiveDate> {
        self.date.map(|d| d.date_naive())
    }
}

/// Reads one raw message. Refuses one over [`MAX_RAW`] bytes or without any header.
pub fn parse(raw: &[u8]) -> Result<InboundMessage, ParseError> {
    if raw.len() > MAX_RAW {
        return Err(ParseError::TooLarge {
            size: raw.len(),
            limit: MAX_RAW,
        });
    }
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(ParseError::NoHeaders)?;
    Ok(InboundMessage {
        message_id: message.message_id().and_then(angle_id),
        in_reply_to: ids(message.in_reply_to()),
        references: ids(message.references()),
        from: message.from().and_then(|a| a.first()).and_then(address),
        to: message
            .to()
            .map(|a| a.iter().filter_map(address).collect())
            .unwrap_or_default(),
        subject: one_line(message.subject().unwrap_or("")),
        date: message.date().and_then(date_time),
        text: body_text(&message),
        html: body_html(&message),
        attachments: attachments(&message),
        auto_headers: auto_headers(&message),
        report: report_parts(&message),
    })
}

/// `text` cleaned into one line of at most [`MAX_LINE`] characters.
pub(super) fn one_line(text: &str) -> String {
    let mut line = clean_line(text);
    if let Some((cut, _)) = line.char_indices().nth(MAX_LINE) {
        line.truncate(cut);
    }
    line
}

/// A Message-ID in angle brackets, or None when nothing is left of it.
pub(super) fn angle_id(id: &str) -> Option<String> {
    let id = id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    let clean = !id.is_empty() && id.len() <= MAX_LINE && is_clean_line(id) && !id.contains(' ');
    clean.then(|| format!("<{id}>"))
}

fn ids(value: &HeaderValue) -> Vec<String> {
    let list: Vec<&str> = match value {
        HeaderValue::Text(id) => vec![id.as_ref()],
        HeaderValue::TextList(ids) => ids.iter().map(AsRef::as_ref).collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = list.into_iter().filter_map(angle_id).collect();
    // References lists the oldest first: the newest, which matter most, are kept.
    out.drain(..out.len().saturating_sub(MAX_REFERENCES));
    out
}

fn address(addr: &mail_parser::Addr) -> Option<Address> {
    let email = one_line(addr.address()?);
    (!email.is_empty()).then(|| Address {
        email,
        name: addr.name().map(one_line).filter(|n| !n.is_empty()),
    })
}

fn date_time(d: &mail_parser::DateTime) -> Option<DateTime<FixedOffset>> {
    let offset = (i32::from(d.tz_hour) * 3600 + i32::from(d.tz_minute) * 60)
        * if d.tz_before_gmt { -1 } else { 1 };
    NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())?
        .and_hms_opt(d.hour.into(), d.minute.into(), d.second.into())?
        .and_local_timezone(FixedOffset::east_opt(offset)?)
        .single()
}

/// The text bodies in order (HTML ones as text), joined and bounded.
fn body_text(message: &Message) -> String {
    let mut text = String::new();
    for n in 0..message.text_body_count() {
        if text.len() >= MAX_TEXT {
            break;
        }
        if let Some(part) = message.body_text(n) {
            text.push_str(&part);
            text.push('\n');
        }
    }
    bounded_lines(&text, MAX_TEXT)
}

/// The first HTML body part (a text part shown as HTML does not count), bounded.
fn body_html(message: &Message) -> Option<String> {
    let part = message.html_part(0)?;
    let PartType::Html(html) = &part.body else {
        return None;
    };
    let mut end = html.len().min(MAX_HTML);
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    Some(html[..end].to_string())
}

/// `text` as clean lines, cut at a character boundary to at most `limit` bytes.
fn bounded_lines(text: &str, limit: usize) -> String {
    let mut end = text.len().min(limit);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    clean_lines(&text[..end]).trim().to_string()
}

fn attachments(message: &Message) -> Vec<Attachment> {
    message
        .attachments()
        .take(MAX_ATTACHMENTS)
        .map(|part| Attachment {
            name: part
                .attachment_name()
                .map(one_line)
                .filter(|n| !n.is_empty()),
            content_type: content_type(part).unwrap_or_else(|| "application/octet-stream".into()),
            size: part.len(),
        })
        .collect()
}

/// The part's `type/subtype`, lower-case.
fn content_type(part: &MessagePart) -> Option<String> {
    let ct = part.content_type()?;
    let full = match ct.subtype() {
        Some(sub) => format!("{}/{}", ct.ctype(), sub),
        None => ct.ctype().to_string(),
    };
    Some(one_line(&full).to_ascii_lowercase())
}

fn auto_headers(message: &Message) -> AutoHeaders {
    let text = |name: &'static str| -> Option<String> {
        let value = message.header(name)?;
        let text = match value {
            HeaderValue::Text(t) => t.to_string(),
            HeaderValue::TextList(list) => list.join(", "),
            HeaderValue::Address(a) => a
                .iter()
                .filter_map(|a| a.address())
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        };
        Some(one_line(&text))
    };
    AutoHeaders {
        auto_submitted: text("Auto-Submitted"),
        x_autoreply: text("X-Autoreply"),
        x_autorespond: text("X-Autorespond"),
        precedence: text("Precedence"),
        x_failed_recipients: text("X-Failed-Recipients"),
    }
}

fn report_parts(message: &Message) -> ReportParts {
    let root = message.root_part();
    let report_type = root
        .content_type()
        .filter(|_| is_type(root, "multipart", "report"))
        .and_then(|ct| ct.attribute("report-type"))
        .map(|t| one_line(t).to_ascii_lowercase());
    let mut report = ReportParts {
        report_type,
        ..ReportParts::default()
    };
    for part in &message.parts {
        if is_type(part, "message", "delivery-status")
            || is_type(part, "message", "global-delivery-status")
        {
            let text = unfold(&String::from_utf8_lossy(part.contents()));
            report
                .delivery_status
                .get_or_insert_with(|| bounded_lines(&text, MAX_TEXT));
        } else if report.original_message_id.is_none() {
            report.original_message_id = original_message_id(part);
        }
    }
    report
}

/// Header-style fields with their continuation lines joined (RFC 5322 unfolding), so a long
/// `Diagnostic-Code` stays one field once each line is cleaned.
fn unfold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.starts_with([' ', '\t']) && !line.trim().is_empty() && !out.is_empty() {
            out.push(' ');
            out.push_str(line.trim_start());
        } else {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        }
    }
    out
}

fn is_type(part: &MessagePart, ctype: &str, subtype: &str) -> bool {
    part.is_content_type(ctype, subtype)
}

/// The Message-ID of a returned message: a nested `message/rfc822` (parsed already) or the
/// headers alone in `text/rfc822-headers` (parsed here).
fn original_message_id(part: &MessagePart) -> Option<String> {
    match &part.body {
        PartType::Message(nested) => nested.message_id().and_then(angle_id),
        PartType::Text(headers) if is_type(part, "text", "rfc822-headers") => {
            MessageParser::default()
                .parse_headers(headers.as_bytes())?
                .message_id()
                .and_then(angle_id)
        }
        _ => None,
    }
}
