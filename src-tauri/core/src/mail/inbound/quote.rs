//! The reply's own words: the body without the message it quotes.
//!
//! Mail clients quote in a few ways: `>` before each quoted line (most plain-text clients),
//! an attribution line and then the quote ("On 12 Jan 2026, Dana wrote:", Gmail and Apple
//! Mail; "Am … schrieb", "Le … a écrit :", "El … escribió:"), or a separator and a header
//! block below the reply (Outlook: "-----Original Message-----", or a line of underscores and
//! "From: … Sent: …", in the user's language). Everything from the first of these on is
//! someone else's text — usually our own reminder, whose words must not count as the reply's.

/// Characters of the one-line snippet a task or a list shows.
const SNIPPET_CHARS: usize = 200;

/// Words an attribution line ends with, lower-case ("… wrote:").
const ATTRIBUTION_ENDS: &[&str] = &["wrote:", "schrieb:", "a écrit :", "a écrit:", "escribió:"];
/// Words an attribution line starts with.
const ATTRIBUTION_STARTS: &[&str] = &["on ", "am ", "le ", "el "];
/// Separator lines Outlook writes above the quoted message ("-----Original Message-----").
const SEPARATORS: &[&str] = &[
    "original message",
    "ursprüngliche nachricht",
    "message d'origine",
    "mensaje original",
    "forwarded message",
    "weitergeleitete nachricht",
];
/// The first field of Outlook's quoted header block, and the fields that follow it.
const HEADER_FIRST: &[&str] = &["from:", "von:", "de :", "de:"];
const HEADER_NEXT: &[&str] = &[
    "sent:",
    "gesendet:",
    "envoyé :",
    "envoyé:",
    "enviado:",
    "date:",
    "datum:",
    "fecha:",
    "to:",
    "an:",
    "à :",
    "para:",
    "subject:",
    "betreff:",
    "objet :",
    "asunto:",
];

/// The lines of `text` before the first quote marker, without `>` lines, trimmed.
pub fn own_text(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut own = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        if starts_quote(&lines[n..]) {
            break;
        }
        if !line.trim_start().starts_with('>') {
            own.push(*line);
        }
    }
    own.join("\n").trim().to_string()
}

/// The first words of the reply's own text, on one line.
pub fn snippet(own: &str) -> String {
    let line = crate::model::text::clean_line(own);
    match line.char_indices().nth(SNIPPET_CHARS) {
        Some((cut, _)) => format!("{}…", line[..cut].trim_end()),
        None => line,
    }
}

/// Whether the quoted message starts at the first of `lines`.
fn starts_quote(lines: &[&str]) -> bool {
    let Some(first) = lines.first() else {
        return false;
    };
    let line = first.trim().to_lowercase();
    is_separator(&line) || is_attribution(&line, lines.get(1)) || is_header_block(&line, lines)
}

fn is_separator(line: &str) -> bool {
    (line.starts_with("-----") && SEPARATORS.iter().any(|s| line.contains(s)))
        || (line.len() >= 10 && line.chars().all(|c| c == '_'))
}

/// "On … wrote:", on one line or wrapped onto the next (Gmail wraps long ones).
fn is_attribution(line: &str, next: Option<&&str>) -> bool {
    if !ATTRIBUTION_STARTS.iter().any(|s| line.starts_with(s)) {
        return false;
    }
    let ends = |l: &str| ATTRIBUTION_ENDS.iter().any(|e| l.ends_with(e));
    ends(line) || next.is_some_and(|n| ends(&n.trim().to_lowercase()))
}

fn is_header_block(line: &str, lines: &[&str]) -> bool {
    HEADER_FIRST.iter().any(|h| line.starts_with(h))
        && lines.iter().skip(1).take(3).any(|l| {
            let l = l.trim().to_lowercase();
            HEADER_NEXT.iter().any(|h| l.starts_with(h))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_of_each_style_are_cut() {
        let gmail = "Paid yesterday.\n\nOn Mon, Jan 12, 2026 at 10:00 AM Northwind <\nar@northwind.example> wrote:\n> Your invoice is overdue";
        assert_eq!(own_text(gmail), "Paid yesterday.");
        let outlook = "Wrong amount.\n\n________________________________\nFrom: Northwind\nSent: Monday\nunpaid";
        assert_eq!(own_text(outlook), "Wrong amount.");
        let german = "Erledigt.\nVon: Northwind\nGesendet: Montag\nBetreff: unbezahlt";
        assert_eq!(own_text(german), "Erledigt.");
        let inline = "> Can you pay?\nYes, today.\n> Thanks";
        assert_eq!(own_text(inline), "Yes, today.");
        assert_eq!(own_text("From: me, with thanks"), "From: me, with thanks");
    }

    #[test]
    fn a_snippet_is_one_short_line() {
        assert_eq!(snippet("Hi,\n\npaid."), "Hi, paid.");
        assert_eq!(snippet(&"x ".repeat(300)).chars().count(), 200);
    }
}
