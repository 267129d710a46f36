//! Inbound mail: one raw message from the mailbox turned into a decision — what kind it is
//! (a person's reply, an automatic reply, a bounce), whether it hints at a payment, and which
//! customer it is about, by which rule. [`decide`] only reads the database, so a
//! mailbox sync calls it once per message and [`record`]s only what matched.
//!
//! Inside, one module per idea: [`parse`] (bounded MIME reading, mail-parser) <- [`quote`] (the
//! reply's own words), [`dates`] (a stated return date), [`paid`], [`bounce`] <- [`classify`];
//! [`domains`] <- [`matching`] (the outbox, contacts and invoices); [`record`] keeps what matched
//! and applies what it changes (a task for a reply, a bounced address marked bad), with the HTML
//! body made safe by [`html`]; [`attachment`] takes one attachment back out of a kept message.

pub mod attachment;
pub mod bounce;
pub mod classify;
pub mod dates;
pub mod domains;
pub mod html;
pub mod matching;
pub mod owner_reply;
pub mod paid;
pub mod parse;
pub mod quote;
pub mod record;

pub use classify::{classify, Classification};
pub use matching::{match_customer, CustomerMatch, MatchError, MatchRule};
pub use parse::{parse, InboundMessage, ParseError};
pub use record::{record, RecordError, Recorded};

use chrono::NaiveDate;
use rusqlite::Connection;

/// What kind of message came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A person wrote: read it and decide.
    HumanReply,
    /// An out-of-office or other automatic answer, with the return date when it states one.
    AutoReply { return_date: Option<NaiveDate> },
    /// A delivery failure: `hard` for a permanent one (status 5.x.x), soft (4.x.x) otherwise.
    Bounce {
        hard: bool,
        /// The enhanced status code, e.g. "5.1.1".
        status: Option<String>,
        /// The Message-ID of our message that came back, in angle brackets.
        original_message_id: Option<String>,
        failed_recipient: Option<String>,
        /// The remote server's words, one line.
        diagnostic: Option<String>,
    },
}

/// One message, read, classified and matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub message: InboundMessage,
    pub classification: Classification,
    /// None: no customer's message; a sync counts it and keeps nothing of it.
    pub customer: Option<CustomerMatch>,
}

#[derive(Debug, thiserror::Error)]
pub enum InboundError {
    /// The message itself cannot be read: skip it with this reason.
    #[error(transparent)]
    Unreadable(#[from] ParseError),
    /// The database could not be read: stop and try again later.
    #[error(transparent)]
    Match(#[from] MatchError),
}

/// Reads, classifies and matches one raw message.
pub fn decide(conn: &Connection, raw: &[u8]) -> Result<Decision, InboundError> {
    let message = parse(raw)?;
    let classification = classify(&message);
    let customer = match_customer(conn, &message, &classification.kind)?;
    Ok(Decision {
        message,
        classification,
        customer,
    })
}
