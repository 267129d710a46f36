//! The one stand-in for a mail server in tests: it accepts by default and keeps the messages
//! that reached it. Answers can be scripted call by call (a scripted refusal still counts as
//! reached, as a server that read the message and said no), set for every call (the server is
//! down, the login is refused: nothing reaches it), or follow markers in the recipient's address.

use crate::mail::smtp::{MailError, Mailer, SendError};
use lettre::address::Envelope;
use std::collections::VecDeque;
use std::sync::Mutex;

/// What the stub answers when no script or standing answer applies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Rules {
    /// Takes everything.
    #[default]
    AcceptAll,
    /// Refuses addresses containing "bounce" (550) or "full" (552); for "lost", no verdict.
    ByRecipient,
}

#[derive(Default)]
pub struct StubMailer {
    /// The raw messages that reached the server, in order.
    pub sent: Mutex<Vec<Vec<u8>>>,
    script: Mutex<VecDeque<Result<String, SendError>>>,
    standing: Mutex<Option<SendError>>,
    rules: Rules,
}

impl StubMailer {
    /// Answers from `replies` in order, then accepts.
    pub fn scripted(replies: Vec<Result<String, SendError>>) -> StubMailer {
        StubMailer {
            script: Mutex::new(replies.into()),
            ..StubMailer::default()
        }
    }

    /// Accepts every message except to addresses with "bounce" (refused, 550), "full"
    /// (refused, 552) or "lost" (the connection drops after the message: no verdict).
    pub fn picky() -> StubMailer {
        StubMailer {
            rules: Rules::ByRecipient,
            ..StubMailer::default()
        }
    }

    /// Answers every call with `error` from now on (None: accept again).
    pub fn answer_all(&self, error: Option<SendError>) {
        *self.standing.lock().unwrap() = error;
    }

    /// Refuses every login, as a server does after a password change.
    pub fn refusing_login() -> StubMailer {
        let mailer = StubMailer::default();
        mailer.answer_all(Some(SendError::NotSent(MailError::Auth {
            reply: "535 authentication failed".into(),
            hint: None,
        })));
        mailer
    }

    /// How many messages reached the server.
    pub fn count(&self) -> usize {
        self.sent.lock().unwrap().len()
    }

    fn by_recipient(envelope: &Envelope) -> Option<SendError> {
        let to = envelope.to().first()?.to_string();
        for (marker, reply) in [("bounce", "550 no such user"), ("full", "552 mailbox full")] {
            if to.contains(marker) {
                return Some(SendError::NotSent(MailError::Invalid(reply.into())));
            }
        }
        to.contains("lost").then(|| {
            SendError::Unknown(MailError::Invalid(
                "the connection dropped after the message".into(),
            ))
        })
    }
}

impl Mailer for StubMailer {
    async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<String, SendError> {
        if let Some(error) = self.standing.lock().unwrap().clone() {
            return Err(error);
        }
        if self.rules == Rules::ByRecipient {
            if let Some(error) = StubMailer::by_recipient(envelope) {
                return Err(error);
            }
        }
        let answer = self.script.lock().unwrap().pop_front();
        self.sent.lock().unwrap().push(raw.to_vec());
        answer.unwrap_or_else(|| Ok("250 2.0.0 Ok".into()))
    }
}
