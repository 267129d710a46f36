//! Sending through the Gmail API (the media upload of `users.messages.send`) after an OAuth2
//! sign-in with the gmail.send scope, against the local authorization server's Gmail stand-in
//! (tests/servers/oauth_server.py): the outbox's own bytes and Message-ID, a refused token
//! renewed once, Google's throttles pausing the account, a revoked sign-in stopping with the
//! message still queued.
#![allow(clippy::unwrap_used)]

use duebook_core::mail::attention;
use duebook_core::mail::outbox::{self, MessageState};
use duebook_core::test_support::oauth::{OAuthServer, SignedInAccount};
use std::time::Duration;

async fn gmail_account(extra: &[&str]) -> SignedInAccount {
    SignedInAccount::start(extra, OAuthServer::gmail_settings).await
}

fn state(g: &SignedInAccount) -> MessageState {
    outbox::get(g.s.db.conn(), g.message).unwrap().state
}

#[tokio::test]
async fn gmail_sends_the_outboxs_own_message_and_renews_a_refused_token_once() {
    let mut g = gmail_account(&[]).await;
    let report = g.mailer.test_connection().await.unwrap();
    assert_eq!(report.auth_method, "OAuth2 (Gmail API)");
    g.server.expire_access_tokens();
    let report = g.deliver().await;
    assert_eq!(report.sent, vec![g.message], "{report:?}");
    let stored = outbox::get(g.s.db.conn(), g.message).unwrap();
    assert_eq!(stored.state, MessageState::Sent);
    let uploaded = g.server.gmail_messages();
    assert_eq!(uploaded.len(), 1, "sent once");
    let id = stored.rfc_message_id.clone().unwrap();
    assert!(
        uploaded[0].contains(&format!("Message-ID: {id}")),
        "the uploaded message keeps our Message-ID {id}"
    );
    // One token for the test connection, one more after Google's 401 for the expired one.
    assert_eq!(g.refreshes(), 2, "{:?}", g.server.token_requests());
    let reply = stored.server_reply.unwrap_or_default();
    assert!(
        reply.contains("Gmail") && reply.contains("0000000000000001"),
        "{reply}"
    );
}

/// A throttle answered with `status` and Google's `reason` pauses the account with the message
/// queued; once the pause is over the message goes out, once.
async fn a_throttle_pauses_then_sends_once(status: u16, reason: &str) {
    let mut g = gmail_account(&[]).await;
    g.server.fail_next_api_send(status, reason);
    let report = g.deliver().await;
    let paused = report
        .paused
        .clone()
        .unwrap_or_else(|| panic!("{report:?}"));
    assert!(paused.contains(reason), "Google's words are kept: {paused}");
    assert!(
        report.sent.is_empty() && report.failed.is_empty(),
        "{report:?}"
    );
    assert_eq!(state(&g), MessageState::Queued);
    assert!(g.server.gmail_messages().is_empty());
    // Retry-After: 1.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let report = g.deliver().await;
    assert_eq!(report.sent, vec![g.message], "{report:?}");
    assert_eq!(g.server.gmail_messages().len(), 1);
}

#[tokio::test]
async fn a_429_pauses_the_account_and_nothing_is_sent_twice() {
    a_throttle_pauses_then_sends_once(429, "rateLimitExceeded").await;
}

#[tokio::test]
async fn a_403_rate_limit_pauses_like_a_429() {
    a_throttle_pauses_then_sends_once(403, "userRateLimitExceeded").await;
}

/// The account asks to sign in again with the Gmail API chosen, the message still queued.
fn assert_needs_sign_in(g: &SignedInAccount, refused: Option<String>) {
    let refused = refused.unwrap();
    assert!(refused.contains("sign in again"), "{refused}");
    assert_eq!(state(g), MessageState::Queued);
    assert!(g.server.gmail_messages().is_empty());
    let problem = attention::account_attention(g.s.db.conn()).unwrap();
    assert!(
        problem.is_some(),
        "the account is marked as needing sign-in"
    );
}

#[tokio::test]
async fn a_403_without_permission_asks_to_sign_in_and_keeps_the_message_queued() {
    let mut g = gmail_account(&[]).await;
    g.server.fail_next_api_send(403, "insufficientPermissions");
    let report = g.deliver().await;
    assert!(
        report
            .login_refused
            .as_deref()
            .unwrap_or("")
            .contains("Gmail API chosen"),
        "{report:?}"
    );
    assert_needs_sign_in(&g, report.login_refused);
}

#[tokio::test]
async fn a_revoked_gmail_sign_in_stops_with_the_message_queued() {
    let mut g = gmail_account(&["--access-ttl", "60"]).await;
    g.server.revoke(None);
    let report = g.deliver().await;
    assert_needs_sign_in(&g, report.login_refused);
}

#[tokio::test]
async fn a_google_5xx_is_tried_again_later() {
    let mut g = gmail_account(&[]).await;
    g.server.fail_next_api_send(503, "backendError");
    let report = g.deliver().await;
    assert_eq!(report.retries, 1, "{report:?}");
    assert!(
        report.paused.is_none() && report.login_refused.is_none(),
        "{report:?}"
    );
    assert_eq!(state(&g), MessageState::Queued);
    assert!(g.server.gmail_messages().is_empty());
}

#[tokio::test]
async fn a_google_refusal_fails_the_message_with_googles_words() {
    let mut g = gmail_account(&[]).await;
    g.server.fail_next_api_send(400, "invalidArgument");
    let report = g.deliver().await;
    assert_eq!(report.failed, vec![g.message], "{report:?}");
    let reason = outbox::get(g.s.db.conn(), g.message)
        .unwrap()
        .failure_reason
        .unwrap_or_default();
    assert!(
        reason.contains("550")
            && reason.contains("The test asked for invalidArgument. (invalidArgument)"),
        "{reason}"
    );
    assert!(g.server.gmail_messages().is_empty());
}
