//! What kind of message came in: a delivery failure, an automatic reply, or a person's reply.
//!
//! Failures are recognised first (many bounces also carry `Auto-Submitted`), then automatic
//! replies: RFC 3834's `Auto-Submitted` with anything but `no`, the `X-Autoreply` and
//! `X-Autorespond` headers some servers add instead, `Precedence: auto_reply`, any other
//! machine report (a read receipt, RFC 8098, or a delivery report that says delivered), and
//! the out-of-office wording of subjects and first lines in English, German, French and
//! Spanish (Exchange and many webmail vacation replies carry no header at all). Everything
//! else is a person writing.

use super::parse::InboundMessage;
use super::{bounce, dates, paid, quote, Kind};

/// Subject words of out-of-office and other automatic replies, lower-case.
const AUTO_SUBJECTS: &[&str] = &[
    "out of office",
    "out of the office",
    "automatic reply",
    "auto-reply",
    "autoreply",
    "auto reply",
    "abwesenheitsnotiz",
    "automatische antwort",
    "réponse automatique",
    "reponse automatique",
    "absence du bureau",
    "absent du bureau",
    "respuesta automática",
    "respuesta automatica",
    "fuera de la oficina",
];
/// Out-of-office sentences, lower-case, looked for in the message's own text.
const AUTO_PHRASES: &[&str] = &[
    "i am out of the office",
    "i'm out of the office",
    "i am currently out of",
    "i'm currently out of",
    "i will be out of the office",
    "out of the office until",
    "ich bin derzeit nicht im büro",
    "ich bin nicht im büro",
    "bin ich nicht im büro",
    "ich bin abwesend",
    "bin ich abwesend",
    "je suis absent",
    "je suis actuellement absent",
    "je serai absent",
    "estoy fuera de la oficina",
    "estaré fuera de la oficina",
    "me encuentro fuera de la oficina",
    "estoy ausente",
];

/// A message, classified. `snippet` is the start of its own text on one line; `paid_hint`
/// only suggests (see [`paid`]) and is only ever set for a person's reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub kind: Kind,
    pub paid_hint: bool,
    pub snippet: String,
}

pub fn classify(message: &InboundMessage) -> Classification {
    let own = quote::own_text(&message.text);
    let snippet = quote::snippet(&own);
    if let Some(kind) = bounce::bounce(message) {
        return Classification {
            kind,
            paid_hint: false,
            snippet,
        };
    }
    if is_automatic(message, &own) {
        let stated = format!("{}\n{own}", message.subject);
        let return_date = dates::return_date(&stated, message.sent_on());
        return Classification {
            kind: Kind::AutoReply { return_date },
            paid_hint: false,
            snippet,
        };
    }
    Classification {
        kind: Kind::HumanReply,
        paid_hint: paid::paid_hint(&own, &message.attachments),
        snippet,
    }
}

fn is_automatic(message: &InboundMessage, own: &str) -> bool {
    let h = &message.auto_headers;
    let not_no = |v: &Option<String>| {
        v.as_deref().is_some_and(|v| {
            let token = v.split(';').next().unwrap_or("").trim();
            !token.eq_ignore_ascii_case("no")
        })
    };
    let subject = message.subject.to_lowercase();
    let own = own.to_lowercase();
    not_no(&h.auto_submitted)
        || not_no(&h.x_autoreply)
        || not_no(&h.x_autorespond)
        || h.precedence
            .as_deref()
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("auto_reply"))
        || message.report.report_type.is_some()
        || AUTO_SUBJECTS.iter().any(|s| subject.contains(s))
        || AUTO_PHRASES.iter().any(|p| own.contains(p))
}
