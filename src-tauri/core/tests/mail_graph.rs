//! Sending through Microsoft Graph (`me/sendMail`) after an OAuth2 sign-in with Graph's scope,
//! against the local authorization server's Graph stand-in (tests/servers/oauth_server.py): the
//! outbox's own MIME bytes and Message-ID, a refused token renewed once, a throttle pausing the
//! account, a revoked sign-in stopping with the message still queued.
#![allow(clippy::unwrap_used)]

use duebook_core::mail::account;
use duebook_core::mail::graph::GraphMailer;
use duebook_core::mail::oauth::TokenSource;
use duebook_core::mail::outbox::{self, DeliveryReport, MessageState, RetryPolicy};
use duebook_core::mail::security::Security;
use duebook_core::mail::transport::AccountMailer;
use duebook_core::test_support::mail::{queue_reminder, setup, Setup, USER};
use duebook_core::test_support::oauth::{sign_in_through_browser, test_keychain, OAuthServer};
use std::sync::Arc;

struct Graph {
    s: Setup,
    server: OAuthServer,
    mailer: AccountMailer,
    message: i64,
}

/// A database whose account sends through Graph, signed in, with one reminder queued.
async fn graph_account(extra: &[&str]) -> Graph {
    let s = setup(2525, Security::StartTls);
    let server = OAuthServer::start_with(&s.dir.path().join("oauth"), extra);
    let settings = server.graph_settings();
    let keychain = test_keychain();
    sign_in_through_browser(&settings, USER, keychain.clone()).await;
    account::use_oauth(s.db.conn(), settings.clone()).unwrap();
    let tokens = Arc::new(TokenSource::new(settings, USER, keychain));
    let mailer = AccountMailer::Graph(GraphMailer::new(tokens).unwrap());
    let message = queue_reminder(&s, Vec::new());
    Graph {
        s,
        server,
        mailer,
        message,
    }
}

async fn deliver(g: &mut Graph) -> DeliveryReport {
    outbox::deliver(g.s.db.conn_mut(), &g.mailer, None, &RetryPolicy::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn graph_sends_the_outboxs_own_message_and_renews_a_refused_token() {
    let mut g = graph_account(&[]).await;
    let report = g.mailer.test_connection().await.unwrap();
    assert_eq!(report.auth_method, "OAuth2 (Microsoft Graph)");
    g.server.expire_access_tokens();
    let report = deliver(&mut g).await;
    assert_eq!(report.sent, vec![g.message], "{report:?}");
    let stored = outbox::get(g.s.db.conn(), g.message).unwrap();
    assert_eq!(stored.state, MessageState::Sent);
    let posted = g.server.graph_messages();
    assert_eq!(posted.len(), 1);
    let id = stored.rfc_message_id.clone().unwrap();
    assert!(
        posted[0].contains(&id),
        "the posted MIME keeps our Message-ID {id}"
    );
    // One token for the test connection, one more after Graph's 401 for the expired one.
    assert_eq!(
        g.server
            .token_requests()
            .iter()
            .filter(|r| *r == "refresh_token ok")
            .count(),
        2,
        "{:?}",
        g.server.token_requests()
    );
}

#[tokio::test]
async fn a_graph_throttle_pauses_the_account_and_keeps_the_message_queued() {
    let mut g = graph_account(&[]).await;
    g.server.fail_next_graph_send(429);
    let report = deliver(&mut g).await;
    assert!(
        report.sent.is_empty() && report.failed.is_empty(),
        "{report:?}"
    );
    assert!(report.paused.is_some(), "{report:?}");
    let stored = outbox::get(g.s.db.conn(), g.message).unwrap();
    assert_eq!(stored.state, MessageState::Queued);
    assert!(g.server.graph_messages().is_empty());
}

#[tokio::test]
async fn a_revoked_graph_sign_in_stops_with_the_message_queued() {
    let mut g = graph_account(&["--access-ttl", "60"]).await;
    g.server.revoke(None);
    let report = deliver(&mut g).await;
    let refused = report.login_refused.clone().unwrap();
    assert!(refused.contains("sign in again"), "{refused}");
    let stored = outbox::get(g.s.db.conn(), g.message).unwrap();
    assert_eq!(stored.state, MessageState::Queued);
}
