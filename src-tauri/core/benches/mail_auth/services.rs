//! The bench's servers and messages: the OAuth2 test server, aiosmtpd with STARTTLS (checking
//! XOAUTH2 tokens with the OAuth2 server) and with implicit TLS, a mailbox signed in through the
//! browser flow, and the messages to send. The test helpers start them as the tests do.

use duebook_core::mail::compose;
use duebook_core::mail::mime;
use duebook_core::mail::oauth::TokenSource;
use duebook_core::mail::security::Security;
use duebook_core::secrets::MemoryStore;
use duebook_core::test_support::mail::{self as support, SmtpServer, USER};
use duebook_core::test_support::oauth::{sign_in_through_browser, OAuthServer};
use lettre::address::Envelope;
use std::path::Path;
use std::sync::Arc;

/// The running servers; each is stopped when dropped.
pub struct Services {
    pub oauth: OAuthServer,
    /// STARTTLS ("587"): password and XOAUTH2.
    pub starttls: SmtpServer,
    /// Implicit TLS ("465"): password.
    pub implicit: SmtpServer,
}

impl Services {
    /// Both SMTP servers only count the messages (`--discard`): writing each to disk would
    /// weigh more than the conversation being measured.
    pub fn start(dir: &Path) -> Services {
        let oauth = OAuthServer::start(&dir.join("oauth"));
        let discard = "--discard".to_string();
        let introspect = [
            "--introspect".to_string(),
            oauth.url("/introspect"),
            discard.clone(),
        ];
        let starttls =
            SmtpServer::spawn("accept", &dir.join("smtp"), (false, USER, 0), &introspect);
        let implicit = SmtpServer::spawn("accept", &dir.join("smtps"), (true, USER, 0), &[discard]);
        Services {
            oauth,
            starttls,
            implicit,
        }
    }

    /// The mailbox signed in with the OAuth2 server (authorization code, PKCE, the browser
    /// played by the test helper); its refresh token stays in memory.
    pub async fn sign_in(&self) -> Arc<TokenSource> {
        let settings = self.oauth.settings();
        Arc::new(sign_in_through_browser(&settings, USER, MemoryStore::new()).await)
    }
}

/// One message as handed to the server: its envelope and MIME bytes.
pub struct Message {
    pub envelope: Envelope,
    pub raw: Vec<u8>,
}

/// `count` copies of an overdue reminder rendered from the shipped template, each with its own
/// Message-ID, built before any clock starts.
pub fn messages(count: usize) -> Vec<Message> {
    let s = support::setup_for(587, Security::StartTls, "Acme Ltd", "ap@acme.example");
    let request = support::send_request(s.customer, "overdue-1", Vec::new());
    let email = compose::prepare(s.db.conn(), &request, support::today())
        .expect("prepare")
        .email;
    let to = email.to.iter().map(|m| m.email.clone()).collect();
    let envelope = Envelope::new(Some(email.from.email.clone()), to).expect("envelope");
    (0..count)
        .map(|_| Message {
            envelope: envelope.clone(),
            raw: mime::build_mime(&email, &mime::new_message_id(&email.from)).expect("mime"),
        })
        .collect()
}
