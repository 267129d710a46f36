//! `duebook account login` / `logout` against the local OAuth2 server, with `$BROWSER` set to a
//! script that approves and follows the redirects (tests/servers/browser.py), then a test email
//! over SMTP XOAUTH2 to a server that checks the token.
#![allow(clippy::unwrap_used)]

mod support;

use duebook_core::test_support::mail::{files_containing, USER};
use duebook_core::test_support::oauth::OAuthServer;
use std::sync::{Mutex, MutexGuard};
use support::*;

/// The CLI keeps every test's refresh token under the same keychain entry (`oauth:` + the test
/// mailbox), and each sign-in rotates it: tests that sign in take turns.
fn keychain_turn() -> MutexGuard<'static, ()> {
    static KEYCHAIN: Mutex<()> = Mutex::new(());
    KEYCHAIN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `duebook account login --provider custom` pointed at `server` with SMTP's scopes, the browser
/// played by the script, waiting `wait` seconds for it.
fn login(
    db: &std::path::Path,
    server: &OAuthServer,
    wait: &str,
    extra: &[&str],
) -> std::process::Output {
    let mut args = vec![
        "--wait",
        wait,
        "--scope",
        "https://outlook.office.com/SMTP.Send",
    ];
    args.extend_from_slice(extra);
    sign_in_custom(db, server, &args, None)
}

#[test]
fn signing_in_through_the_browser_sends_with_xoauth2_and_keeps_tokens_out_of_the_files() {
    let _turn = keychain_turn();
    let dir = tempfile::tempdir().unwrap();
    let oauth = OAuthServer::start(&dir.path().join("oauth"));
    let smtp = oauth.smtp_server(&dir.path().join("smtp"), false);
    let db = dir.path().join("books").join("duebook.sqlite");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let port = smtp.port.to_string();
    let mut set = vec!["account", "set", "--from", USER, "--no-password"];
    set.extend(server_args(&port));
    ok_text(&duebook_smtp(&db, &set, None));

    let signed_in = ok_text(&login(&db, &oauth, "20", &[]));
    assert!(
        signed_in.contains("/authorize?"),
        "the address is printed: {signed_in}"
    );
    assert!(signed_in.contains("Signed in"), "{signed_in}");
    let shown = ok_text(&duebook(&db, &["account", "show"]));
    assert!(
        shown.contains("signed in with the sign-in server (OAuth2"),
        "{shown}"
    );

    let tested = ok_text(&duebook_smtp(
        &db,
        &["account", "test", "--send-to", "ap@acme.example"],
        None,
    ));
    assert!(tested.contains("with OAuth2 (XOAUTH2)"), "{tested}");
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["login"], USER);

    let issued = oauth.issued_tokens();
    assert!(issued.len() >= 2, "{issued:?}");
    for token in &issued {
        let found = files_containing(db.parent().unwrap(), token.as_bytes());
        assert!(found.is_empty(), "a token was written to {found:?}");
        assert!(!tested.contains(token.as_str()) && !signed_in.contains(token.as_str()));
    }
}

#[test]
fn after_logout_sending_asks_to_sign_in_again() {
    let _turn = keychain_turn();
    let dir = tempfile::tempdir().unwrap();
    let oauth = OAuthServer::start(&dir.path().join("oauth"));
    let smtp = oauth.smtp_server(&dir.path().join("smtp"), false);
    let db = dir.path().join("duebook.sqlite");
    let port = smtp.port.to_string();
    ok_text(&account_set(&db, &port, &[], "unused-password"));
    ok_text(&login(&db, &oauth, "20", &[]));
    ok_text(&duebook(&db, &["account", "logout"]));
    let shown = ok_text(&duebook(&db, &["account", "show"]));
    assert!(shown.contains("NOT signed in"), "{shown}");
    let refused = refused_text(&duebook_smtp(&db, &["account", "test"], None));
    assert!(refused.contains("not signed in"), "{refused}");
    assert!(
        refused.contains("failed at getting a sign-in token"),
        "{refused}"
    );
    assert!(refused.contains("What to do: sign in again"), "{refused}");
    assert!(smtp.received().is_empty());
}

#[test]
fn a_tenant_without_smtp_auth_is_named_as_the_failed_step_with_the_graph_fix() {
    let _turn = keychain_turn();
    let dir = tempfile::tempdir().unwrap();
    let oauth = OAuthServer::start(&dir.path().join("oauth"));
    let smtp = oauth.smtp_server_in_mode("smtp-auth-off", &dir.path().join("smtp"));
    let db = dir.path().join("duebook.sqlite");
    ok_text(&account_set(&db, &smtp.port.to_string(), &[], "unused"));
    ok_text(&login(&db, &oauth, "20", &[]));
    let refused = refused_text(&duebook_smtp(&db, &["account", "test"], None));
    assert!(
        refused.contains("failed at SMTP AUTH (refused for the whole organisation)"),
        "{refused}"
    );
    assert!(
        refused.contains("SmtpClientAuthentication is disabled"),
        "{refused}"
    );
    assert!(
        refused.contains("What to do: your organisation has switched SMTP AUTH off"),
        "{refused}"
    );
    assert!(refused.contains("--send-via graph"), "{refused}");
    // The token was fine; one fresh token was tried before calling the login refused.
    let logins = std::fs::read_to_string(dir.path().join("smtp/auth-count")).unwrap();
    assert_eq!(
        logins.lines().filter(|l| *l == "xoauth2").count(),
        2,
        "{logins}"
    );
}

#[test]
fn a_bad_provider_or_an_unreachable_browser_step_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("duebook.sqlite");
    ok_text(&account_set(&db, "2525", &[], "pw"));
    let bad = refused_text(&duebook(
        &db,
        &[
            "account",
            "login",
            "--provider",
            "yahoo",
            "--client-id",
            "x",
        ],
    ));
    assert!(bad.contains("microsoft, google or custom"), "{bad}");
    let remote_http = refused_text(&duebook(
        &db,
        &[
            "account",
            "login",
            "--provider",
            "custom",
            "--client-id",
            "x",
            "--auth-url",
            "http://id.example/a",
            "--token-url",
            "https://id.example/t",
            "--scope",
            "mail",
        ],
    ));
    assert!(remote_http.contains("https://"), "{remote_http}");
    let timed_out = {
        let oauth = OAuthServer::start(&dir.path().join("oauth"));
        refused_text(&login(&db, &oauth, "1", &["--no-browser"]))
    };
    assert!(
        timed_out.contains("not finished within 1 seconds"),
        "{timed_out}"
    );
}

#[test]
fn signing_in_for_microsoft_graph_sends_through_graph() {
    let _turn = keychain_turn();
    let dir = tempfile::tempdir().unwrap();
    let oauth = OAuthServer::start(&dir.path().join("oauth"));
    let db = dir.path().join("duebook.sqlite");
    ok_text(&account_set(&db, "2525", &[], "unused-password"));
    let graph = oauth.url("/v1.0");
    let graph_flags = [
        "--send-via",
        "graph",
        "--graph-url",
        &graph,
        "--scope",
        "https://graph.microsoft.com/Mail.Send",
    ];
    ok_text(&sign_in_custom(&db, &oauth, &graph_flags, None));
    let tested = ok_text(&duebook_smtp(
        &db,
        &["account", "test", "--send-to", "ap@acme.example"],
        None,
    ));
    assert!(tested.contains("OAuth2 (Microsoft Graph)"), "{tested}");
    let posted = oauth.graph_messages();
    assert_eq!(posted.len(), 1, "{tested}");
    assert!(posted[0].contains("ap@acme.example"), "{}", posted[0]);
}

#[test]
fn signing_in_for_the_gmail_api_with_a_client_secret_sends_through_gmail() {
    let _turn = keychain_turn();
    const SECRET: &str = "GOCSPX-cli-test-secret";
    let dir = tempfile::tempdir().unwrap();
    let oauth = OAuthServer::start_with(&dir.path().join("oauth"), &["--client-secret", SECRET]);
    let db = dir.path().join("books").join("duebook.sqlite");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    ok_text(&account_set(&db, "2525", &[], "unused-password"));
    let gmail = oauth.url("");
    let mut flags = vec![
        "--send-via",
        "gmail",
        "--api-url",
        &gmail,
        "--scope",
        "https://www.googleapis.com/auth/gmail.send",
    ];
    let without = refused_text(&sign_in_custom(&db, &oauth, &flags, None));
    assert!(without.contains("client secret is missing"), "{without}");
    flags.push("--client-secret-stdin");
    let signed_in = ok_text(&sign_in_custom(&db, &oauth, &flags, Some(SECRET)));
    assert!(signed_in.contains("through the Gmail API"), "{signed_in}");
    let shown = ok_text(&duebook(&db, &["account", "show"]));
    assert!(shown.contains("(OAuth2, through the Gmail API)"), "{shown}");
    let tested = ok_text(&duebook_smtp(
        &db,
        &["account", "test", "--send-to", "ap@acme.example"],
        None,
    ));
    assert!(tested.contains("OAuth2 (Gmail API)"), "{tested}");
    assert!(tested.contains("Sent by Gmail as message"), "{tested}");
    let uploaded = oauth.gmail_messages();
    assert_eq!(uploaded.len(), 1, "{tested}");
    assert!(uploaded[0].contains("ap@acme.example"), "{}", uploaded[0]);
    let found = files_containing(db.parent().unwrap(), SECRET.as_bytes());
    assert!(
        found.is_empty(),
        "the client secret was written to {found:?}"
    );
    assert!(!signed_in.contains(SECRET) && !tested.contains(SECRET));
}

#[test]
fn a_preset_that_offers_sign_in_stores_no_password_and_says_how_to_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("duebook.sqlite");
    let said = ok_text(&duebook(
        &db,
        &["account", "set", "--preset", "microsoft365", "--from", USER],
    ));
    assert!(
        said.contains("duebook account login --provider microsoft"),
        "{said}"
    );
    assert!(said.contains("switched off"), "the preset says why: {said}");
    let shown = ok_text(&duebook(&db, &["account", "show"]));
    assert!(shown.contains("smtp.office365.com:587"), "{shown}");
    assert!(shown.contains("NO password stored"), "{shown}");
}
