//! A sign-in with the registered app's client secret (Google's "Desktop app" clients have one
//! its token endpoint requires), against the local authorization server started with
//! `--client-secret`: the secret goes in the form body of the code exchange and of every refresh,
//! lives only in the keychain (a real Secret Service), never in the database or a message, and
//! goes with the sign-in.
#![allow(clippy::unwrap_used)]

use duebook_core::mail::account;
use duebook_core::mail::oauth::{
    self, client_secret, AuthMethod, OAuthError, OAuthSettings, TokenSource,
};
use duebook_core::mail::security::Security;
use duebook_core::secrets::{KeychainStore, Password, SecretStore};
use duebook_core::test_support::mail::{files_containing, setup, USER};
use duebook_core::test_support::oauth::{sign_in_with_secret, test_keychain, OAuthServer};

const SECRET: &str = "GOCSPX-test-Desktop-app-secret-0123";

fn stored_secret(keychain: &KeychainStore) -> Option<String> {
    let entry = keychain.get(&oauth::client_secret_key(USER)).unwrap();
    entry.map(|p| p.expose().to_string())
}

#[tokio::test]
async fn the_client_secret_signs_in_refreshes_in_a_later_process_and_stays_in_the_keychain() {
    let s = setup(2525, Security::StartTls);
    let server = OAuthServer::start_with(&s.dir.path().join("oauth"), &["--client-secret", SECRET]);
    let keychain = test_keychain();
    let settings = server.settings();
    sign_in_with_secret(&settings, Some(SECRET), USER, keychain.clone())
        .await
        .unwrap();
    assert_eq!(stored_secret(&keychain).as_deref(), Some(SECRET));
    account::use_oauth(s.db.conn(), settings.clone()).unwrap();

    // A later process: a new source, only the keychain to go on.
    let later = TokenSource::new(settings.clone(), USER, keychain.clone());
    later.access_token().await.unwrap();
    assert_eq!(
        server.token_requests(),
        ["authorization_code ok", "refresh_token ok"]
    );
    assert!(
        files_containing(s.dir.path(), SECRET.as_bytes()).is_empty(),
        "the client secret is in the keychain only"
    );
    let stored = account::require(s.db.conn()).unwrap();
    assert!(!format!("{stored:?} {later:?}").contains(SECRET));

    // Signing in again with the same client needs no secret typed: the stored one is used.
    let reused =
        client_secret::for_sign_in(None, &stored.auth, &settings, USER, &keychain).unwrap();
    sign_in_with_secret(
        &settings,
        reused.as_ref().map(Password::expose),
        USER,
        keychain.clone(),
    )
    .await
    .unwrap();

    account::remove(s.db.conn(), &keychain).unwrap();
    assert_eq!(
        stored_secret(&keychain),
        None,
        "removing the account removes it"
    );
}

#[tokio::test]
async fn a_missing_or_wrong_client_secret_is_named_and_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let server = OAuthServer::start_with(dir.path(), &["--client-secret", SECRET]);
    let keychain = test_keychain();
    let settings = server.settings();
    let missing = sign_in_with_secret(&settings, None, USER, keychain.clone())
        .await
        .unwrap_err()
        .to_string();
    assert!(missing.contains("client secret is missing"), "{missing}");
    let wrong = "GOCSPX-not-the-right-one";
    let refused = sign_in_with_secret(&settings, Some(wrong), USER, keychain.clone())
        .await
        .unwrap_err();
    assert!(matches!(refused, OAuthError::Refused { .. }), "{refused:?}");
    let said = refused.to_string();
    assert!(said.contains("client secret is not accepted"), "{said}");
    assert!(!said.contains(wrong) && !format!("{refused:?}").contains(wrong));
    assert_eq!(
        stored_secret(&keychain),
        None,
        "a refused secret is not kept"
    );
    assert!(keychain
        .get(&oauth::refresh_token_key(USER))
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_refresh_without_the_stored_secret_says_so_and_sign_out_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = OAuthServer::start_with(dir.path(), &["--client-secret", SECRET]);
    let keychain = test_keychain();
    let settings = server.settings();
    sign_in_with_secret(&settings, Some(SECRET), USER, keychain.clone())
        .await
        .unwrap();
    keychain.delete(&oauth::client_secret_key(USER)).unwrap();
    let err = TokenSource::new(settings.clone(), USER, keychain.clone())
        .access_token()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("client secret is missing"), "{err}");

    sign_in_with_secret(&settings, Some(SECRET), USER, keychain.clone())
        .await
        .unwrap();
    // A sign-in with another client does not take this client's secret along.
    let other = AuthMethod::OAuth2(OAuthSettings {
        client_id: "another-client".into(),
        ..settings.clone()
    });
    let none = client_secret::for_sign_in(None, &other, &settings, USER, &keychain).unwrap();
    assert!(none.is_none());
    oauth::sign_out(USER, &keychain).unwrap();
    assert_eq!(stored_secret(&keychain), None, "signing out removes it");
}
