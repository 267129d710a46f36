//! The account's way out: SMTP (password or XOAUTH2), Microsoft Graph for a signed-in Microsoft
//! 365 mailbox whose organisation has switched SMTP AUTH off, or the Gmail API for a signed-in
//! Google mailbox. The outbox and the campaign runner only see [`Mailer`]; which transport sent
//! a message does not matter to them.

use super::gmail::GmailMailer;
use super::graph::GraphMailer;
use super::smtp::{ConnectionReport, MailError, Mailer, SendError, SmtpMailer};
use lettre::address::Envelope;

/// One per sending run, so the SMTP variant's size costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum AccountMailer {
    Smtp(SmtpMailer),
    Graph(GraphMailer),
    Gmail(GmailMailer),
}

impl AccountMailer {
    /// Connects and logs in (SMTP), or gets a token (the APIs), without sending anything.
    pub async fn test_connection(&self) -> Result<ConnectionReport, MailError> {
        match self {
            AccountMailer::Smtp(m) => m.test_connection().await,
            AccountMailer::Graph(m) => m.test_connection().await,
            AccountMailer::Gmail(m) => m.test_connection().await,
        }
    }

    /// Closes pooled connections politely (SMTP; the APIs keep none of their own).
    pub async fn close(&self) {
        if let AccountMailer::Smtp(m) = self {
            m.close().await;
        }
    }
}

impl Mailer for AccountMailer {
    async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<String, SendError> {
        match self {
            AccountMailer::Smtp(m) => m.send(envelope, raw).await,
            AccountMailer::Graph(m) => m.send(envelope, raw).await,
            AccountMailer::Gmail(m) => m.send(envelope, raw).await,
        }
    }
}
