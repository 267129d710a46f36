//! Signing in with OAuth2 against the local authorization server (tests/servers/oauth_server.py),
//! with the browser played by a client that follows the redirects, and the refresh token kept in
//! a real Secret Service (gnome-keyring, from scripts/with-test-services.sh).
#![allow(clippy::unwrap_used)]

use duebook_core::mail::account::{self, AccountSettings};
use duebook_core::mail::oauth::AuthMethod;
use duebook_core::mail::oauth::{self, begin_sign_in, OAuthError, TokenSource};
use duebook_core::mail::outbox::{self, RetryPolicy};
use duebook_core::mail::security::Security;
use duebook_core::mail::smtp::SmtpMailer;
use duebook_core::secrets::{KeychainStore, SecretStore};
use duebook_core::test_support::mail::{files_containing, mailer_options, queue_reminder, setup};
use duebook_core::test_support::oauth::{
    follow_in_browser, sign_in_through_browser, test_keychain, OAuthServer,
};
use std::sync::Arc;
use std::time::Duration;

/// The mailbox that signs in: the test account's user name, so its messages log in as it.
const MAILBOX: &str = duebook_core::test_support::mail::USER;

struct SignedIn {
    source: TokenSource,
    server: OAuthServer,
    keychain: KeychainStore,
    _dir: tempfile::TempDir,
}

/// Signs in through the "browser", the server started with `extra` arguments.
async fn signed_in(extra: &[&str]) -> SignedIn {
    let dir = tempfile::tempdir().unwrap();
    let server = OAuthServer::start_with(&dir.path().join("oauth"), extra);
    let keychain = test_keychain();
    let source = sign_in_through_browser(&server.settings(), MAILBOX, keychain.clone()).await;
    SignedIn {
        source,
        server,
        keychain,
        _dir: dir,
    }
}

#[tokio::test]
async fn the_sign_in_address_asks_for_pkce_and_names_the_mailbox() {
    let dir = tempfile::tempdir().unwrap();
    let server = OAuthServer::start(dir.path());
    let pending = begin_sign_in(&server.settings(), Some(MAILBOX))
        .await
        .unwrap();
    for part in [
        "code_challenge_method=S256",
        "login_hint=ar%40northwind.example",
        "state=",
    ] {
        assert!(pending.url().contains(part), "{part}: {}", pending.url());
    }
    assert!(
        !pending.url().contains("code_verifier"),
        "{}",
        pending.url()
    );
}

fn stored_refresh(keychain: &KeychainStore) -> String {
    keychain
        .get(&oauth::refresh_token_key(MAILBOX))
        .unwrap()
        .map(|p| p.expose().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn signing_in_keeps_the_refresh_token_in_the_keychain_and_reuses_the_access_token() {
    let signed = signed_in(&[]).await;
    let (source, server) = (&signed.source, &signed.server);
    let first = source.access_token().await.unwrap();
    let again = source.access_token().await.unwrap();
    assert_eq!(first.expose(), again.expose(), "a valid token is reused");
    assert!(first.expose().starts_with("at-"));
    assert_eq!(server.token_requests(), vec!["authorization_code ok"]);
}

#[tokio::test]
async fn a_refused_token_is_renewed_and_the_rotated_refresh_token_stored() {
    let signed = signed_in(&[]).await;
    let (source, server, keychain) = (&signed.source, &signed.server, &signed.keychain);
    let before = stored_refresh(keychain);
    let old = source.access_token().await.unwrap();
    server.expire_access_tokens();
    let new = source.refused().await.unwrap();
    assert_ne!(old.expose(), new.expose());
    let after = stored_refresh(keychain);
    assert!(
        after.starts_with("rt-") && after != before,
        "rotated: {before} -> {after}"
    );
    assert_eq!(
        server.token_requests(),
        vec!["authorization_code ok", "refresh_token ok"]
    );
}

#[tokio::test]
async fn a_token_near_its_end_is_renewed_before_use() {
    // 60 s tokens are inside the renewal margin, so every use renews.
    let signed = signed_in(&["--access-ttl", "60"]).await;
    let (source, server) = (&signed.source, &signed.server);
    source.access_token().await.unwrap();
    source.access_token().await.unwrap();
    assert_eq!(
        server.token_requests().len(),
        3,
        "{:?}",
        server.token_requests()
    );
}

#[tokio::test]
async fn a_revoked_grant_asks_for_a_new_sign_in_in_plain_words() {
    let signed = signed_in(&["--access-ttl", "60"]).await;
    let (source, server) = (&signed.source, &signed.server);
    server.revoke(None);
    let err = source.access_token().await.unwrap_err();
    assert!(err.needs_sign_in(), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("expired or was revoked"), "{text}");
    assert!(text.contains("Sign in again"), "{text}");
    assert!(
        !text.contains("rt-") && !text.contains("Trace ID"),
        "{text}"
    );
}

#[tokio::test]
async fn a_refresh_token_rotated_by_another_process_is_picked_up() {
    let signed = signed_in(&["--access-ttl", "60"]).await;
    let (source, server, keychain) = (&signed.source, &signed.server, &signed.keychain);
    // Another Duebook process (the CLI's run-due) renews with the same keychain entry.
    let other = TokenSource::new(server.settings(), MAILBOX, keychain.clone());
    other.access_token().await.unwrap();
    // Our source's next renewal reads the rotated token after the old one is refused.
    source.access_token().await.unwrap();
    let requests = server.token_requests();
    assert_eq!(
        requests.last().map(String::as_str),
        Some("refresh_token ok"),
        "{requests:?}"
    );
}

#[tokio::test]
async fn a_sign_in_left_in_the_browser_times_out_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let server = OAuthServer::start(dir.path());
    let pending = begin_sign_in(&server.settings(), None).await.unwrap();
    let err = pending
        .finish(Duration::from_millis(300), MAILBOX, test_keychain())
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::TimedOut { .. }), "{err:?}");
    assert!(err.to_string().contains("start it again"), "{err}");
    assert!(server.token_requests().is_empty());
}

#[tokio::test]
async fn a_declined_sign_in_says_so_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = OAuthServer::start_with(dir.path(), &["--deny"]);
    let keychain = test_keychain();
    let pending = begin_sign_in(&server.settings(), Some(MAILBOX))
        .await
        .unwrap();
    let url = pending.url().to_string();
    let browser = tokio::spawn(async move { follow_in_browser(&url).await });
    let err = pending
        .finish(Duration::from_secs(20), MAILBOX, keychain.clone())
        .await
        .unwrap_err();
    assert!(browser.await.unwrap().contains("not completed"));
    assert!(err.to_string().contains("declined"), "{err}");
    assert!(keychain
        .get(&oauth::refresh_token_key(MAILBOX))
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn signing_out_removes_the_refresh_token() {
    let signed = signed_in(&[]).await;
    let (server, keychain) = (&signed.server, &signed.keychain);
    oauth::sign_out(MAILBOX, keychain).unwrap();
    assert_eq!(stored_refresh(keychain), "");
    let err = TokenSource::new(server.settings(), MAILBOX, keychain.clone())
        .access_token()
        .await
        .unwrap_err();
    assert!(matches!(err, OAuthError::NotSignedIn { .. }), "{err:?}");
}

/// The test account on `port`, logging in with the sign-in at `server`.
fn oauth_account(port: u16, server: &OAuthServer) -> AccountSettings {
    AccountSettings {
        auth: AuthMethod::OAuth2(server.settings()),
        ..duebook_core::test_support::mail::account(port, Security::StartTls)
    }
}

#[tokio::test]
async fn a_signed_in_account_sends_with_xoauth2_and_renews_a_refused_token() {
    let signed = signed_in(&[]).await;
    let smtp = signed
        .server
        .smtp_server(&signed._dir.path().join("smtp"), false);
    let settings = oauth_account(smtp.port, &signed.server);
    let tokens = Arc::new(TokenSource::new(
        signed.server.settings(),
        MAILBOX,
        signed.keychain.clone(),
    ));
    let mailer = SmtpMailer::with_tokens(&settings, tokens, mailer_options()).unwrap();
    let report = mailer.test_connection().await.unwrap();
    assert_eq!(report.auth_method, "OAuth2 (XOAUTH2)");
    duebook_core::mail::send_test_email(&mailer, &settings, "ap@acme.example")
        .await
        .unwrap();
    // The server forgets every token; the next login is refused once, renewed, and sent.
    mailer.close().await;
    signed.server.expire_access_tokens();
    duebook_core::mail::send_test_email(&mailer, &settings, "ap@acme.example")
        .await
        .unwrap();
    let received = smtp.received();
    assert_eq!(received.len(), 2);
    assert!(
        received.iter().all(|m| m["login"] == MAILBOX),
        "{received:?}"
    );
    assert_eq!(
        signed.server.token_requests(),
        vec![
            "authorization_code ok",
            "refresh_token ok",
            "refresh_token ok"
        ],
        "one renewal for the refused token (the first source signed in with its own)"
    );
}

#[tokio::test]
async fn a_revoked_sign_in_stops_sending_keeps_the_message_queued_and_asks_to_sign_in() {
    let signed = signed_in(&["--access-ttl", "60"]).await;
    let smtp = signed
        .server
        .smtp_server(&signed._dir.path().join("smtp"), false);
    let mut s = setup(smtp.port, Security::StartTls);
    account::use_oauth(s.db.conn(), signed.server.settings()).unwrap();
    let id = queue_reminder(&s, Vec::new());
    signed.server.revoke(None);
    let settings = account::require(s.db.conn()).unwrap();
    let tokens = TokenSource::new(signed.server.settings(), MAILBOX, signed.keychain.clone());
    let mailer = SmtpMailer::with_tokens(&settings, Arc::new(tokens), mailer_options()).unwrap();
    let report = outbox::deliver(s.db.conn_mut(), &mailer, None, &RetryPolicy::default())
        .await
        .unwrap();
    assert!(
        report.sent.is_empty() && report.failed.is_empty(),
        "{report:?}"
    );
    let refused = report.login_refused.unwrap();
    assert!(refused.contains("sign in again"), "{refused}");
    let message = outbox::get(s.db.conn(), id).unwrap();
    assert_eq!(message.state, outbox::MessageState::Queued);
    let attention = duebook_core::mail::attention::account_attention(s.db.conn())
        .unwrap()
        .unwrap();
    assert!(
        attention.fix.contains("duebook account login"),
        "{attention:?}"
    );
    assert!(smtp.received().is_empty());
    // Signing in again is the fix: the attention goes.
    account::use_oauth(s.db.conn(), signed.server.settings()).unwrap();
    assert!(
        duebook_core::mail::attention::account_attention(s.db.conn())
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn tokens_never_reach_the_database_or_its_folder() {
    let signed = signed_in(&[]).await;
    let smtp = signed
        .server
        .smtp_server(&signed._dir.path().join("smtp"), false);
    let mut s = setup(smtp.port, Security::StartTls);
    account::use_oauth(s.db.conn(), signed.server.settings()).unwrap();
    queue_reminder(&s, Vec::new());
    let settings = account::require(s.db.conn()).unwrap();
    let access = signed.source.access_token().await.unwrap();
    let mailer =
        SmtpMailer::with_tokens(&settings, Arc::new(signed.source), mailer_options()).unwrap();
    let report = outbox::deliver(s.db.conn_mut(), &mailer, None, &RetryPolicy::default())
        .await
        .unwrap();
    assert_eq!(report.sent.len(), 1, "{report:?}");
    let refresh = stored_refresh(&signed.keychain);
    for secret in [access.expose(), refresh.as_str()] {
        assert!(files_containing(s.dir.path(), secret.as_bytes()).is_empty());
    }
    assert!(format!("{mailer:?} {settings:?}").find("rt-").is_none());
}

#[tokio::test]
async fn saving_a_new_password_switches_a_signed_in_account_back_to_the_password() {
    let signed = signed_in(&[]).await;
    let s = setup(2525, Security::StartTls);
    account::use_oauth(s.db.conn(), signed.server.settings()).unwrap();
    let kept = account::require(s.db.conn()).unwrap();
    // Saving other changes keeps the sign-in; a typed password replaces it.
    let view = account::save(s.db.conn(), &s.secrets, &kept, None).unwrap();
    assert!(matches!(view.settings.auth, AuthMethod::OAuth2(_)));
    let password = duebook_core::secrets::Password::new("new-app-password");
    let view = account::save(s.db.conn(), &s.secrets, &kept, Some(&password)).unwrap();
    assert_eq!(view.settings.auth, AuthMethod::Password);
    assert_eq!(
        account::require(s.db.conn()).unwrap().auth,
        AuthMethod::Password
    );
}
