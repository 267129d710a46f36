//! The threading headers of a reply (RFC 5322 §3.6.4): `In-Reply-To` names the message
//! answered, `References` that message's own References followed by its Message-ID, so every
//! mail program files the answer under the same conversation.
//!
//! The ids come from the customer's message, stored as it gave them: each is checked again
//! here (angle brackets, printable ASCII, no spaces, bounded), and one that is not a
//! Message-ID is left out rather than written into our header.

/// Longest Message-ID written (RFC 5322 lines stay under 998 characters; real ids are < 100).
const MAX_ID: usize = 250;
/// Message-IDs kept in References: the oldest (the thread's start) and the newest, as
/// RFC 5322 suggests when trimming a long thread.
const MAX_REFERENCES: usize = 20;

/// What makes our message a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadHeaders {
    /// The Message-ID of the message answered, e.g. `<CA+abc@mail.example>`.
    pub in_reply_to: String,
    /// The thread, oldest first, ending with `in_reply_to`.
    pub references: Vec<String>,
}

impl ThreadHeaders {
    /// The headers of a reply to the message `their_id` whose References were `their_references`
    /// (space-separated, as stored). None when `their_id` is not a valid Message-ID: the reply
    /// is then sent without threading headers rather than with a forged one.
    pub fn answering(their_id: &str, their_references: Option<&str>) -> Option<ThreadHeaders> {
        let in_reply_to = valid_message_id(their_id)?;
        let mut references: Vec<String> = their_references
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(valid_message_id)
            .filter(|id| *id != in_reply_to)
            .collect();
        if references.len() >= MAX_REFERENCES {
            let keep_newest = MAX_REFERENCES - 2;
            references.drain(1..references.len() - keep_newest);
        }
        references.push(in_reply_to.clone());
        Some(ThreadHeaders {
            in_reply_to,
            references,
        })
    }

    /// The References header's value: the ids separated by single spaces.
    pub fn references_line(&self) -> String {
        self.references.join(" ")
    }
}

/// `id` when it is one Message-ID in angle brackets: `<left@right>` of printable ASCII with no
/// space or further bracket, at most [`MAX_ID`] characters.
pub fn valid_message_id(id: &str) -> Option<String> {
    let id = id.trim();
    let inner = id.strip_prefix('<')?.strip_suffix('>')?;
    let ok = id.len() <= MAX_ID
        && !inner.is_empty()
        && inner.contains('@')
        && inner
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>');
    ok.then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_names_the_message_and_continues_its_references() {
        let t = ThreadHeaders::answering(
            "<their.1@client.example>",
            Some("<ours.1@acme.example> <their.0@client.example>"),
        )
        .unwrap();
        assert_eq!(t.in_reply_to, "<their.1@client.example>");
        assert_eq!(
            t.references_line(),
            "<ours.1@acme.example> <their.0@client.example> <their.1@client.example>"
        );
        let first = ThreadHeaders::answering("<a@b>", None).unwrap();
        assert_eq!(first.references, ["<a@b>"]);
    }

    #[test]
    fn ids_that_are_not_message_ids_are_left_out() {
        for bad in [
            "",
            "a@b",
            "<>",
            "<a b@c>",
            "<a@b>\r\nBcc: eve@evil.example",
            "<a<b@c>",
            "<nobody>",
            "<é@c>",
        ] {
            assert_eq!(valid_message_id(bad), None, "{bad:?}");
            assert!(ThreadHeaders::answering(bad, None).is_none(), "{bad:?}");
        }
        let long = format!("<{}@c>", "a".repeat(MAX_ID));
        assert_eq!(valid_message_id(&long), None);
        let t = ThreadHeaders::answering("<x@y>", Some("junk <ok@y> <bad id> \r\n<x@y>")).unwrap();
        assert_eq!(t.references, ["<ok@y>", "<x@y>"]);
    }

    #[test]
    fn a_long_thread_keeps_its_first_and_newest_ids() {
        let refs: Vec<String> = (0..50).map(|n| format!("<m{n}@x>")).collect();
        let t = ThreadHeaders::answering("<last@x>", Some(&refs.join(" "))).unwrap();
        assert_eq!(t.references.len(), MAX_REFERENCES);
        assert_eq!(t.references[0], "<m0@x>");
        assert_eq!(t.references[MAX_REFERENCES - 2], "<m49@x>");
        assert_eq!(t.references.last().unwrap(), "<last@x>");
    }
}
