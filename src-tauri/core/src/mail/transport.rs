//! The account's way out: SMTP (password or XOAUTH2), Microsoft Graph for a signed-in Microsoft
//! 365 mailbox whose organisation has switched SMTP AUTH off, or the Gmail API for a signed-in
//! Google mailbox. The outbox and the campaign runner only see [`Mailer`]; which transport sent
//! a message does not matter to them.

use super::http_api::HttpApi;
use super::oauth::TokenSource;
use super::smtp::{ConnectionReport, MailError, Mailer, SendError, SmtpMailer};
use super::{gmail, graph};
use lettre::address::Envelope;
use std::sync::Arc;

/// One per sending run, so the SMTP variant's size costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum AccountMailer {
    Smtp(SmtpMailer),
    Graph(HttpApi),
    Gmail(HttpApi),
}

impl AccountMailer {
    /// Connects and logs in (SMTP), or gets a token (the APIs), without sending anything.
    pub async fn test_connection(&self) -> Result<ConnectionReport, MailError> {
        match self {
            AccountMailer::Smtp(m) => m.test_connection().await,
            AccountMailer::Graph(api) | AccountMailer::Gmail(api) => api.test_connection().await,
        }
    }

    /// Microsoft Graph for the signed-in mailbox of `tokens`.
    pub fn graph(tokens: Arc<TokenSource>) -> Result<AccountMailer, MailError> {
        Ok(AccountMailer::Graph(HttpApi::new(graph::API_NAME, tokens)?))
    }

    /// The Gmail API for the signed-in mailbox of `tokens`.
    pub fn gmail(tokens: Arc<TokenSource>) -> Result<AccountMailer, MailError> {
        Ok(AccountMailer::Gmail(HttpApi::new(gmail::API_NAME, tokens)?))
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
            AccountMailer::Graph(api) => graph::send(api, raw).await,
            AccountMailer::Gmail(api) => gmail::send(api, raw).await,
        }
    }
}
