//! The account's sending limits through `duebook account set` and `account show`, against the
//! real aiosmtpd (run through scripts/with-test-services.sh).

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::test_support::campaign::ok;
use duebook_core::test_support::mail::SmtpServer;
use support::{duebook_smtp, server_args, set_account_with_cli};

#[test]
fn the_cli_sets_shows_and_checks_the_limits() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("accept", &tmp.path().join("srv"));
    let db = tmp.path().join("limits.sqlite");
    set_account_with_cli(&db, &server);
    let show = || ok(&duebook_smtp(&db, &["account", "show"], None));
    // A server on this computer: no limit until one is set.
    assert!(
        show().contains("Limits:    no limit (the published figures for this server)"),
        "{}",
        show()
    );
    let set = |args: &[&str]| {
        let mut all = vec!["account", "set", "--keep-password"];
        all.extend_from_slice(args);
        duebook_smtp(&db, &all, None)
    };
    assert!(set(&["--per-day", "250"]).status.success());
    assert!(
        show().contains("Limits:    250 a day (set for this account)"),
        "{}",
        show()
    );
    assert!(set(&["--per-minute", "30"]).status.success());
    assert!(
        show().contains("Limits:    30 a minute, 250 a day"),
        "{}",
        show()
    );
    assert!(set(&["--per-minute", "none"]).status.success());
    assert!(show().contains("Limits:    250 a day (set"), "{}", show());

    for (flag, value, says) in [
        ("--per-day", "0", "between 1 and"),
        ("--per-day", "lots", "takes a number"),
        ("--per-minute", "1.5", "takes a number"),
    ] {
        let o = set(&[flag, value]);
        assert!(!o.status.success(), "{flag} {value}");
        assert!(support::text(&o).contains(says), "{}", support::text(&o));
    }
    assert!(
        show().contains("Limits:    250 a day (set"),
        "a refused value changes nothing"
    );

    // A preset brings its published figures (Workspace's, not Gmail's, on the same host).
    let port = server.port.to_string();
    let mut preset = vec!["--preset", "google-workspace"];
    preset.extend(server_args(&port));
    assert!(set(&preset).status.success());
    assert!(
        show().contains("Limits:    2000 a day (set for this account)"),
        "{}",
        show()
    );
}
