//! "Paid yesterday, remittance attached": a hint that a reply says the money is on its way.
//!
//! Only a suggestion for the user (the reply's task says so); a payment is recorded only from
//! the accounting data or by the user. The hint reads the reply's own words (never the quoted
//! reminder, which talks about payment itself) and the names of its attachments, in English,
//! German, French and Spanish, and a word right after a negation ("not paid yet", "noch nicht
//! bezahlt", "pas encore payé", "no he pagado") does not count.

use super::parse::Attachment;
use regex::Regex;
use std::sync::LazyLock;

/// Bytes before a payment word searched for a negation.
const NEGATION_REACH: usize = 16;
const NEGATIONS: &[&str] = &["not ", "n't ", "nicht ", "kein", "pas ", "no ", "jamais "];

/// Words that say the money was sent, whole words, lower-case.
static PAID_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)\b(?:
            paid | payment\s+(?:was\s+|has\s+been\s+)?(?:sent|made) | remittance | settled
          | bezahlt | überwiesen | beglichen | zahlungsavis
          | payé | payée | réglé | réglée | virement\s+effectué
          | pagado | pagada | pago\s+realizado | transferencia\s+realizada
        )\b",
    )
    .expect("a constant pattern")
});

/// Parts of attachment names that say "proof of payment" (separators read as spaces).
const ATTACHMENT_WORDS: &[&str] = &[
    "remittance",
    "remit advice",
    "payment advice",
    "proof of payment",
    "payment confirmation",
    "zahlungsavis",
    "zahlungsbestätigung",
    "überweisung",
    "avis de paiement",
    "avis de virement",
    "preuve de paiement",
    "comprobante",
    "justificante de pago",
];

/// Whether the reply's own text or its attachments suggest it was paid.
pub fn paid_hint(own_text: &str, attachments: &[Attachment]) -> bool {
    attachments.iter().any(remittance_attachment) || says_paid(own_text)
}

fn remittance_attachment(attachment: &Attachment) -> bool {
    let Some(name) = &attachment.name else {
        return false;
    };
    let name: String = name
        .to_lowercase()
        .chars()
        .map(|c| if matches!(c, '_' | '-' | '.') { ' ' } else { c })
        .collect();
    ATTACHMENT_WORDS.iter().any(|w| name.contains(w))
}

fn says_paid(text: &str) -> bool {
    let text = text.to_lowercase();
    PAID_WORDS.find_iter(&text).any(|m| {
        let mut from = m.start().saturating_sub(NEGATION_REACH);
        while !text.is_char_boundary(from) {
            from += 1;
        }
        let before = &text[from..m.start()];
        !NEGATIONS.iter().any(|n| before.contains(n))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Attachment {
        Attachment {
            name: Some(name.into()),
            content_type: "application/pdf".into(),
            size: 1,
        }
    }

    #[test]
    fn payment_words_count_unless_negated() {
        for yes in [
            "Paid yesterday.",
            "Payment was sent on Friday",
            "Wir haben es gestern bezahlt",
            "Facture réglée hier",
            "Ya está pagado",
        ] {
            assert!(says_paid(yes), "{yes}");
        }
        for no in [
            "We have not paid yet",
            "Haven't paid, the amount is wrong",
            "noch nicht bezahlt",
            "Je n'ai pas encore payé",
            "Your invoice is unpaid?",
            "Can you resend it?",
        ] {
            assert!(!says_paid(no), "{no}");
        }
    }

    #[test]
    fn remittance_attachments_count() {
        assert!(paid_hint("", &[named("Remittance_Advice_INV-2001.pdf")]));
        assert!(paid_hint("", &[named("zahlungsavis-0112.pdf")]));
        assert!(!paid_hint("", &[named("invoice-2001.pdf")]));
    }
}
