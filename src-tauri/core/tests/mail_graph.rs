//! Sending through Microsoft Graph (`me/sendMail`) after an OAuth2 sign-in with Graph's scope,
//! against the local authorization server's Graph stand-in (tests/servers/oauth_server.py): the
//! outbox's own MIME bytes and Message-ID, a refused token renewed once, a throttle pausing the
//! account, a revoked sign-in stopping with the message still queued.
#![allow(clippy::unwrap_used)]

use duebook_core::mail::outbox::{self, MessageState};
use duebook_core::test_support::oauth::{OAuthServer, SignedInAccount};

async fn graph_account(extra: &[&str]) -> SignedInAccount {
    SignedInAccount::start(extra, OAuthServer::graph_settings).await
}

#[tokio::test]
async fn graph_sends_the_outboxs_own_message_and_renews_a_refused_token() {
    let mut g = graph_account(&[]).await;
    let report = g.mailer.test_connection().await.unwrap();
    assert_eq!(report.auth_method, "OAuth2 (Microsoft Graph)");
    g.server.expire_access_tokens();
    let report = g.deliver().await;
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
    assert_eq!(g.refreshes(), 2, "{:?}", g.server.token_requests());
}

#[tokio::test]
async fn a_graph_throttle_pauses_the_account_and_keeps_the_message_queued() {
    let mut g = graph_account(&[]).await;
    g.server.fail_next_graph_send(429);
    let report = g.deliver().await;
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
    let report = g.deliver().await;
    let refused = report.login_refused.clone().unwrap();
    assert!(refused.contains("sign in again"), "{refused}");
    let stored = outbox::get(g.s.db.conn(), g.message).unwrap();
    assert_eq!(stored.state, MessageState::Queued);
}
