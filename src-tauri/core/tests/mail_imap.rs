//! Connecting the mailbox over IMAP, against a real Dovecot (tests/servers/imap_server.py):
//! password login over STARTTLS and implicit TLS, a refused password, XOAUTH2 with a token from
//! the OAuth test server, a closed port; the IMAP password only in the keychain.
#![allow(clippy::unwrap_used)]

use duebook_core::mail::account::{self, ImapSettings};
use duebook_core::mail::imap::{self, ImapLogin};
use duebook_core::mail::oauth::AuthMethod;
use duebook_core::mail::security::Security;
use duebook_core::mail::smtp::FailedStep;
use duebook_core::mail::{test_imap_connection, MailSetupError};
use duebook_core::secrets::Password;
use duebook_core::test_support::imap::{ImapServer, IMAP_PASSWORD};
use duebook_core::test_support::mail::{files_containing, mailer_options, setup, USER};
use duebook_core::test_support::oauth::{sign_in_through_browser, test_keychain, OAuthServer};
use std::sync::Arc;

fn server_settings(port: u16, security: Security) -> ImapSettings {
    ImapSettings {
        host: "localhost".into(),
        port,
        security,
        username: None,
        save_sent: false,
    }
}

fn password_login(password: &str) -> ImapLogin {
    ImapLogin::Password {
        username: USER.into(),
        password: Password::new(password),
    }
}

fn message(subject: &str) -> Vec<u8> {
    format!("From: ap@acme.example\r\nTo: {USER}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@acme.example>\r\n\r\nPaid tomorrow.\r\n").into_bytes()
}

#[tokio::test]
async fn a_password_login_over_starttls_and_tls_finds_sent_and_counts_the_inbox() {
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    server.append("INBOX", &message("re-1"));
    server.append("INBOX", &message("re-2"));
    for (port, security) in [
        (server.port, Security::StartTls),
        (server.tls_port, Security::ImplicitTls),
    ] {
        let settings = server_settings(port, security);
        let report =
            imap::test_connection(&settings, &password_login(IMAP_PASSWORD), &mailer_options())
                .await
                .unwrap_or_else(|e| panic!("{security:?}: {e}\n{}", server.log()));
        assert_eq!(report.port, port);
        assert!(report.encrypted);
        assert_eq!(report.auth_method, "password");
        assert_eq!(report.sent_folder.as_deref(), Some("Sent"));
        assert_eq!(report.inbox_messages, 2, "{security:?}");
        assert!(report.inbox_uid_validity.is_some());
    }
}

#[tokio::test]
async fn a_wrong_password_names_the_login_with_dovecots_reply_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    server.append("INBOX", &message("re-1"));
    let settings = server_settings(server.tls_port, Security::ImplicitTls);
    let refused = imap::test_connection(&settings, &password_login("wrong"), &mailer_options())
        .await
        .unwrap_err();
    assert_eq!(refused.failed_step(), FailedStep::Login, "{refused}");
    assert!(
        refused.to_string().contains("AUTHENTICATIONFAILED"),
        "{refused}"
    );
    assert!(refused.fix().unwrap().contains("IMAP"), "{refused:?}");
    assert!(!refused.to_string().contains("wrong"), "{refused}");
    let after = imap::test_connection(&settings, &password_login(IMAP_PASSWORD), &mailer_options())
        .await
        .unwrap();
    assert_eq!(after.inbox_messages, 1);
}

#[tokio::test]
async fn a_signed_in_mailbox_logs_in_with_xoauth2() {
    let dir = tempfile::tempdir().unwrap();
    let oauth = OAuthServer::start(&dir.path().join("oauth"));
    let server = ImapServer::start(&dir.path().join("imap"), Some(&oauth.url("/introspect")));
    let tokens = sign_in_through_browser(&oauth.settings(), USER, test_keychain()).await;
    let login = ImapLogin::OAuth(Arc::new(tokens));
    let settings = server_settings(server.port, Security::StartTls);
    let report = imap::test_connection(&settings, &login, &mailer_options())
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    assert_eq!(report.auth_method, "OAuth2 (XOAUTH2)");
    assert_eq!(report.sent_folder.as_deref(), Some("Sent"));
    // A token the server no longer honours is renewed once, then the login works.
    oauth.expire_access_tokens();
    imap::test_connection(&settings, &login, &mailer_options())
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    assert_eq!(
        oauth
            .token_requests()
            .iter()
            .filter(|r| *r == "refresh_token ok")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_closed_port_names_the_connect_step() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let settings = server_settings(port, Security::ImplicitTls);
    let e = imap::test_connection(&settings, &password_login("x"), &mailer_options())
        .await
        .unwrap_err();
    assert_eq!(e.failed_step(), FailedStep::Connect, "{e}");
    assert!(e.to_string().contains("993"), "{e}");
}

#[tokio::test]
async fn the_account_logs_in_with_its_imap_password_kept_only_in_the_keychain() {
    let dir = tempfile::tempdir().unwrap();
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let s = setup(2525, Security::StartTls);
    let mut settings = account::require(s.db.conn()).unwrap();
    settings.imap = Some(server_settings(server.port, Security::StartTls));
    account::save(s.db.conn(), &s.secrets, &settings, None).unwrap();
    let saved = account::require(s.db.conn()).unwrap();
    // Without its own password IMAP tries the SMTP one, which this server refuses.
    let e = test_imap_connection(&saved, None, &s.secrets, &mailer_options())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, MailSetupError::Mail(m) if m.failed_step() == FailedStep::Login),
        "{e}"
    );
    let imap = saved.imap.as_ref().unwrap();
    account::save_imap_password(&saved, imap, &s.secrets, &Password::new(IMAP_PASSWORD)).unwrap();
    let report = test_imap_connection(&saved, None, &s.secrets, &mailer_options())
        .await
        .unwrap();
    assert_eq!(report.sent_folder.as_deref(), Some("Sent"));
    drop(s.db);
    assert!(files_containing(s.dir.path(), IMAP_PASSWORD.as_bytes()).is_empty());
}

#[tokio::test]
async fn a_sign_in_for_a_mail_api_only_asks_for_an_imap_password_and_uses_it() {
    let dir = tempfile::tempdir().unwrap();
    let oauth = OAuthServer::start(&dir.path().join("oauth"));
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let s = setup(2525, Security::StartTls);
    let mut settings = account::require(s.db.conn()).unwrap();
    settings.imap = Some(server_settings(server.port, Security::StartTls));
    for api in [oauth.graph_settings(), oauth.gmail_settings()] {
        settings.auth = AuthMethod::OAuth2(api);
        // Graph's Mail.Send (or gmail.send) cannot read the mailbox: said before any login.
        let e = test_imap_connection(&settings, None, &s.secrets, &mailer_options())
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("gives no access to the mailbox over IMAP"),
            "{e}"
        );
    }
    // With a password of its own, IMAP logs in with it.
    let imap = settings.imap.clone().unwrap();
    account::save_imap_password(&settings, &imap, &s.secrets, &Password::new(IMAP_PASSWORD))
        .unwrap();
    let report = test_imap_connection(&settings, None, &s.secrets, &mailer_options())
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    assert_eq!(report.auth_method, "password");
    // A sign-in whose scopes include IMAP's uses its token, as for SMTP.
    let mut with_imap = oauth.graph_settings();
    with_imap
        .scopes
        .push("https://outlook.office.com/IMAP.AccessAsUser.All".into());
    settings.auth = AuthMethod::OAuth2(with_imap);
    let e = test_imap_connection(&settings, None, &s.secrets, &mailer_options())
        .await
        .unwrap_err();
    assert!(!e.to_string().contains("gives no access"), "{e}");
}
