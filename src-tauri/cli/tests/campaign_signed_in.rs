//! A campaign on a signed-in mailbox, simulated day by day with `duebook run-due --today` against
//! the local OAuth2 server and an SMTP server that checks XOAUTH2 tokens: each day's process
//! renews the short-lived token and the rotated refresh token carries to the next day; a revoked
//! sign-in makes the campaign wait with every message queued, and signing in again sends each
//! waiting message once. Run through scripts/with-test-services.sh.
#![allow(clippy::unwrap_used)]

mod support;

use duebook_core::test_support::oauth::OAuthServer;
use std::collections::HashMap;
use support::campaign::{assert_one_message_per_customer_and_step, campaign_file_with, states};
use support::{account_set, duebook_smtp, ok_text, sign_in_custom, text};

const CUSTOMERS: usize = 12;

fn sign_in(path: &std::path::Path, oauth: &OAuthServer) {
    let scopes = [
        "--scope",
        "https://outlook.office.com/SMTP.Send",
        "--wait",
        "20",
    ];
    ok_text(&sign_in_custom(path, oauth, &scopes, None));
}

#[test]
fn a_signed_in_campaign_renews_its_token_every_day_and_waits_out_a_revoked_sign_in() {
    let tmp = tempfile::tempdir().unwrap();
    // Access tokens live 5 seconds: every run needs a fresh one.
    let oauth = OAuthServer::start_with(&tmp.path().join("oauth"), &["--access-ttl", "5"]);
    let smtp = oauth.smtp_server(&tmp.path().join("smtp"), false);
    let (_dir, path) = campaign_file_with(CUSTOMERS, |path| {
        ok_text(&account_set(path, &smtp.port.to_string(), &[], "unused"));
        sign_in(path, &oauth);
    });
    let start: chrono::NaiveDate = "2026-04-01".parse().unwrap();
    let (revoked_on, signed_in_again_on) = ("2026-05-01", "2026-05-11");
    let mut waiting_days = Vec::new();
    for n in 0..61 {
        let day = (start + chrono::Days::new(n)).to_string();
        if day == revoked_on {
            oauth.revoke(None);
        }
        if day == signed_in_again_on {
            sign_in(&path, &oauth);
        }
        let sent_before = smtp.received().len();
        let o = duebook_smtp(&path, &["run-due", "--today", &day], None);
        let said = text(&o);
        if said.contains("sign in again") {
            waiting_days.push(day.clone());
            assert_eq!(
                smtp.received().len(),
                sent_before,
                "{day}: sent while signed out"
            );
            assert!(
                states(&path).get("queued").copied().unwrap_or(0) > 0,
                "{day}: {said}"
            );
        } else {
            assert!(o.status.success(), "{day}: {said}");
        }
    }
    // The third step fell due on 2026-05-05: it waited for the new sign-in, every run (the
    // weekend's quiet ones too) saying why, and went out once on the day of it.
    assert_eq!(
        waiting_days,
        [
            "2026-05-05",
            "2026-05-06",
            "2026-05-07",
            "2026-05-08",
            "2026-05-09",
            "2026-05-10"
        ],
        "the days the campaign waited"
    );
    assert_eq!(
        states(&path),
        HashMap::from([("sent".to_string(), (CUSTOMERS * 3) as i64)])
    );
    assert_one_message_per_customer_and_step(&path, &smtp, CUSTOMERS, 3);
    let requests = oauth.token_requests();
    let refreshed = requests.iter().filter(|r| *r == "refresh_token ok").count();
    assert!(
        refreshed >= 3,
        "a fresh token each sending day: {requests:?}"
    );
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.starts_with("authorization_code"))
            .count(),
        2,
        "signed in twice, never asked again in between: {requests:?}"
    );
}
