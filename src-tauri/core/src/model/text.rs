//! Text that came from someone else — an imported file, a pasted name, the database — made safe
//! for the one place it is going: a single-line field (names, subjects, mail headers) or a
//! terminal. Every way in calls [`clean_line`]; every line the CLI prints from the database goes
//! through [`for_terminal`].

use std::borrow::Cow;
use std::fmt::Write;

/// Unicode characters that reorder the text around them (embeddings, overrides, isolates): a
/// name carrying U+202E shows the rest of itself backwards. Plain marks (LRM, RLM)
/// only nudge neutral characters and are kept: right-to-left names use them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that break a line or a header: C0 and C1 controls (CR, LF, tab, ESC ...), DEL, and
/// the Unicode line and paragraph separators.
fn is_line_breaking(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Whether `text` is already what [`clean_line`] makes of it.
pub fn is_clean_line(text: &str) -> bool {
    clean_line(text) == text
}

/// A single line of text for a name, a subject or a header: control characters (CR, LF, tab
/// and the rest) become a space, bidi overrides are removed, runs of white space fold into one
/// and the ends are trimmed.
pub fn clean_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if is_bidi_control(c) {
            continue;
        }
        if c.is_whitespace() || is_line_breaking(c) {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// Text of several lines (an email body someone else wrote): each line cleaned by
/// [`clean_line`], joined by `\n`. CR LF and lone CR end a line; nothing else that moves the
/// cursor or reorders text is left.
pub fn clean_lines(text: &str) -> String {
    text.replace("\r\n", "\n")
        .split(['\n', '\r'])
        .map(clean_line)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` as it may be written to a terminal: control characters (ESC starting a colour or
/// cursor sequence, CR rewriting the line, BEL ...) and bidi overrides are shown as `\u{..}`
/// escapes instead of acting on the screen. Newline and tab are escaped too, so one record
/// stays on one line of output. Text without any is borrowed as it is.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| is_line_breaking(c) || is_bidi_control(c) || c == '\\';
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn clean_line_folds_breaks_and_drops_overrides() {
        assert_eq!(
            clean_line("  Acme\r\nBcc: x@y.com \t "),
            "Acme Bcc: x@y.com"
        );
        assert_eq!(clean_line("Ac\u{202E}me\u{2066}"), "Acme");
        assert_eq!(clean_line("a\u{1b}[2Jb"), "a [2Jb");
        assert_eq!(clean_line("line\u{2028}sep"), "line sep");
        assert_eq!(clean_line("שלום\u{200F} Ltd"), "שלום\u{200F} Ltd");
        assert!(is_clean_line("Brightwater Dental <Group>"));
        assert!(!is_clean_line("two\nlines"));
    }

    #[test]
    fn clean_lines_keeps_line_breaks_only() {
        assert_eq!(
            clean_lines("Hi\r\n\tpaid \u{202E}x\r\n\r\nBye\u{1b}"),
            "Hi\npaid x\n\nBye"
        );
    }

    #[test]
    fn terminal_text_shows_escapes_instead_of_acting_on_them() {
        assert_eq!(for_terminal("Acme"), Cow::Borrowed("Acme"));
        assert_eq!(
            for_terminal("\u{1b}[2JEvil\rGood\n"),
            "\\u{1b}[2JEvil\\rGood\\n"
        );
        assert_eq!(for_terminal("a\\u{1b}"), "a\\\\u{1b}");
        assert_eq!(for_terminal("x\u{202E}y\u{9b}"), "x\\u{202e}y\\u{9b}");
    }

    proptest! {
        #[test]
        fn clean_line_output_is_one_clean_trimmed_line(text in any::<String>()) {
            let cleaned = clean_line(&text);
            prop_assert!(!cleaned.chars().any(|c| is_line_breaking(c) || is_bidi_control(c)));
            prop_assert_eq!(cleaned.trim(), cleaned.as_str());
            prop_assert!(!cleaned.contains("  "));
            prop_assert_eq!(clean_line(&cleaned), cleaned.clone());
        }

        #[test]
        fn terminal_text_has_no_control_characters(text in any::<String>()) {
            let shown = for_terminal(&text);
            prop_assert!(!shown.chars().any(|c| is_line_breaking(c) || is_bidi_control(c)));
        }
    }
}
