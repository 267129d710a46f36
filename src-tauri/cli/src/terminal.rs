//! Everything the CLI prints that came from the database or from a user's file (names,
//! subjects, server replies, file names, errors quoting them) goes through [`for_terminal`]: a
//! customer named `Evil\x1b]0;pwned\x07\x1b[2J` shows as `Evil\u{1b}]0;pwned...` instead of
//! retitling and clearing the terminal. Text of several lines (an email body, an error) keeps its
//! lines, each escaped. JSON output needs none of this: serde escapes control characters.

pub use duebook_core::model::text::for_terminal;
use std::path::Path;

/// `text` line by line through [`for_terminal`], each line ended by a newline.
pub fn lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    for line in text.lines() {
        out.push_str(&for_terminal(line));
        out.push('\n');
    }
    out
}

/// A file name or folder as it may be printed.
pub fn path(path: &Path) -> String {
    for_terminal(&path.display().to_string()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn acts_on_a_terminal(c: char) -> bool {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    }

    #[test]
    fn lines_keep_their_breaks_and_lose_their_escapes() {
        assert_eq!(
            lines("Dear Evil\u{1b}]0;pwned\u{7}\r\nCorp,\n\tpay\r"),
            "Dear Evil\\u{1b}]0;pwned\\u{7}\nCorp,\n\\tpay\\r\n"
        );
        assert_eq!(lines(""), "");
    }

    proptest! {
        #[test]
        fn printed_lines_hold_no_control_characters(text in any::<String>()) {
            let printed = lines(&text);
            prop_assert!(!printed.chars().any(acts_on_a_terminal), "{printed:?}");
            prop_assert_eq!(printed.matches('\n').count(), text.lines().count());
        }
    }
}
