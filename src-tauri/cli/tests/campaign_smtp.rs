//! `duebook run-due --today` against a real SMTP server (aiosmtpd) with the account's password
//! in the real keychain: a schedule day by day, runs killed with SIGKILL and restarted, two
//! runners at once. Run through scripts/with-test-services.sh.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::store::Database;
use duebook_core::test_support::campaign::customer;
use duebook_core::test_support::count;
use duebook_core::test_support::mail::{seed_company, SmtpServer};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use support::campaign::{
    assert_one_message_per_customer_and_step, campaign_file, received_ids, states,
};
use support::{
    duebook_smtp as duebook, set_account_with_cli, set_account_with_password, smtp_command, text,
};

fn spawn_run_due(path: &Path, day: &str) -> Child {
    smtp_command(path, &["run-due", "--today", day])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Runs `run-due` for `day` until a run finds nothing left to queue or deliver.
fn settle(path: &Path, day: &str) {
    for attempt in 0.. {
        assert!(attempt < 10, "run-due never settled");
        let o = duebook(path, &["run-due", "--today", day], None);
        let out = text(&o);
        let nothing_queued = out.contains("0 email(s) queued") && !out.contains("left queued");
        if nothing_queued || out.contains("nothing changed since") {
            return;
        }
    }
}

/// What the user does with each uncertain message (`duebook outbox list`): checks the server's
/// copy (here: the test server's files), then marks it sent or sends it again.
fn resolve_uncertain(path: &Path, server: &SmtpServer) -> (usize, usize) {
    let arrived: HashSet<String> = received_ids(server).into_iter().collect();
    let conn = rusqlite::Connection::open(path).unwrap();
    let uncertain: Vec<(i64, String)> = conn
        .prepare("SELECT id, rfc_message_id FROM messages WHERE state = 'uncertain'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(conn);
    let (mut marked, mut resent) = (0, 0);
    for (id, message_id) in uncertain {
        let action = if arrived.contains(&message_id) {
            marked += 1;
            "mark-sent"
        } else {
            resent += 1;
            "resend"
        };
        let o = duebook(path, &["outbox", action, &id.to_string()], None);
        assert!(o.status.success(), "{action} {id}: {}", text(&o));
    }
    (marked, resent)
}

#[test]
fn a_schedule_simulated_day_by_day_over_smtp() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("accept", &tmp.path().join("srv"));
    let (_dir, db) = duebook_core::test_support::campaign::temp_db();
    seed_company(&db);
    customer(&db, "Alpha Ltd", Some("ap@alpha.example"), &["2026-07-15"]);
    customer(&db, "Phone Co", None, &["2026-07-15"]);
    let path = db.path().to_path_buf();
    drop(db);
    set_account_with_cli(&path, &server);
    let o = duebook(&path, &["campaigns", "preset", "friendly"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = duebook(&path, &["campaigns", "activate", "1", "--yes"], None);
    assert!(o.status.success(), "{}", text(&o));

    let start: chrono::NaiveDate = "2026-07-01".parse().unwrap();
    let mut days_sent = Vec::new();
    for n in 0..50 {
        let day = start + chrono::Days::new(n);
        let before = server.received().len();
        let o = duebook(&path, &["run-due", "--today", &day.to_string()], None);
        assert!(o.status.success(), "{day}: {}", text(&o));
        if server.received().len() > before {
            days_sent.push(day.to_string());
            assert!(
                text(&o).contains("\n  sent 1: Friendly pre-due"),
                "{}",
                text(&o)
            );
        }
        assert!(text(&o).contains("  nothing needs you"), "{}", text(&o));
        if day.to_string() == "2026-07-13" {
            // The same day again (a second cron tick): nothing more, and nothing to plan.
            let again = duebook(&path, &["run-due", "--today", "2026-07-13"], None);
            assert!(again.status.success(), "{}", text(&again));
            assert!(
                text(&again).contains("nothing changed since the run at"),
                "{}",
                text(&again)
            );
        }
        if day.to_string() == "2026-07-11" {
            assert!(text(&o).contains("quiet day"), "{}", text(&o));
        }
    }
    // Sunday's pre-due moves to Monday; overdue-1 waits for the 15-day gap.
    assert_eq!(days_sent, ["2026-07-13", "2026-07-28", "2026-08-14"]);
    let received = server.received();
    assert_eq!(received.len(), 3);
    let ids: HashSet<String> = received
        .iter()
        .map(|m| m["headers"]["Message-ID"].to_string())
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(received
        .iter()
        .all(|m| m["rcpt_tos"][0] == "ap@alpha.example"));

    let db = Database::open(&path).unwrap();
    let calls = count(&db, "SELECT count(*) FROM tasks WHERE kind = 'call'");
    assert_eq!(
        calls, 3,
        "the customer without email got call tasks instead"
    );
}

#[test]
fn a_1000_message_run_killed_again_and_again_sends_each_step_once() {
    const N: usize = 1_000;
    const DAYS: [&str; 2] = ["2026-04-15", "2026-05-06"]; // overdue-1, then overdue-2
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("accept", &tmp.path().join("srv"));
    let (_dir, path) = campaign_file(N, &server);
    let mut rng = fastrand::Rng::with_seed(1000);
    let started = Instant::now();
    for day in DAYS {
        let mut kills = 0;
        while kills < 3 {
            let before = server.received().len();
            let mut child = spawn_run_due(&path, day);
            std::thread::sleep(Duration::from_millis(rng.u64(50..2500)));
            let still_running = child.try_wait().unwrap().is_none();
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
            kills += 1;
            eprintln!(
                "{day}: kill {kills} ({}), {} received so far",
                if still_running {
                    "mid-run"
                } else {
                    "after it ended"
                },
                server.received().len() - before
            );
        }
        settle(&path, day);
        let (marked, resent) = resolve_uncertain(&path, &server);
        eprintln!("{day}: {marked} uncertain marked sent, {resent} sent again");
    }
    assert_one_message_per_customer_and_step(&path, &server, N, DAYS.len());
    eprintln!("{} messages in {:?}", N * DAYS.len(), started.elapsed());
}

#[test]
fn two_run_due_processes_at_once_never_send_twice() {
    const N: usize = 200;
    const DAYS: [&str; 2] = ["2026-04-15", "2026-05-06"];
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("accept", &tmp.path().join("srv"));
    let (_dir, path) = campaign_file(N, &server);
    for day in DAYS {
        let runners = [spawn_run_due(&path, day), spawn_run_due(&path, day)];
        for mut r in runners {
            let status = r.wait().unwrap();
            assert!(status.success(), "{day}: a runner failed: {status}");
        }
        // The runner that found the lease taken left its messages queued: the next tick sends.
        settle(&path, day);
    }
    assert_one_message_per_customer_and_step(&path, &server, N, DAYS.len());
}

#[test]
fn refused_messages_are_reported_with_their_reason_until_the_user_decides() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("550", &tmp.path().join("srv"));
    let (_dir, path) = campaign_file(3, &server);
    let o = duebook(&path, &["run-due", "--today", "2026-04-15"], None);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("  failed in this run 3: the server replied 550 ")
            && out.contains(": 5.7.1 Message rejected: looks like spam to us\n"),
        "one line for the one reason, with its count: {out}"
    );
    assert!(
        out.contains("3 failed, 0 uncertain\n    failed 3: the server replied 550"),
        "{out}"
    );

    // The next tick has nothing to send and says so, but the three still wait.
    let o = duebook(&path, &["run-due", "--today", "2026-04-15"], None);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("nothing changed since the run at"), "{out}");
    assert!(!out.contains("failed in this run"), "{out}");
    assert!(out.contains("3 failed, 0 uncertain"), "{out}");
}

#[test]
fn messages_left_to_a_busy_sender_are_reported_deferred() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("accept", &tmp.path().join("srv"));
    let (_dir, path) = campaign_file(2, &server);
    // Another live process (this test's) holds the send lease.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO outbox_lease (id, holder, expires_at) VALUES (1, ?1, '2999-01-01T00:00:00.000Z')",
        [format!("{}:test", std::process::id())],
    )
    .unwrap();
    let o = duebook(&path, &["run-due", "--today", "2026-04-15"], None);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "nothing needs the user: {out}");
    assert!(out.contains("another Duebook process is sending"), "{out}");
    assert!(
        out.contains("  deferred: 2 queued, due for the next run\n"),
        "{out}"
    );
    assert!(out.contains("  nothing needs you"), "{out}");

    conn.execute("DELETE FROM outbox_lease", []).unwrap();
    let o = duebook(&path, &["run-due", "--today", "2026-04-15"], None);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("  sent 2: Friendly pre-due"), "{out}");
    assert!(!out.contains("deferred:"), "{out}");
    assert_eq!(server.received().len(), 2);
}

#[test]
fn a_wrong_password_costs_one_login_per_run_due_and_the_right_one_sends_all_once() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("accept", &tmp.path().join("srv"));
    // More than one delivery chunk (256), so the run must stop across chunks too.
    let (_dir, path) = campaign_file(300, &server);
    set_account_with_password(&path, &server, "an-old-password");
    let before = server.auth_count();
    for run in 1..=2 {
        let said = text(&duebook(&path, &["run-due", "--today", "2026-04-15"], None));
        assert!(
            said.contains("sending stopped: the server refused the login")
                && said.contains("what to do: Check the user name"),
            "{said}"
        );
        assert_eq!(
            server.auth_count() - before,
            run,
            "one login attempt per run"
        );
        assert_eq!(states(&path), HashMap::from([("queued".to_string(), 300)]));
    }
    let shown = text(&duebook(&path, &["account", "show"], None));
    assert!(
        shown.contains("NEEDS ATTENTION") && shown.contains("535"),
        "{shown}"
    );

    set_account_with_cli(&path, &server);
    let shown = text(&duebook(&path, &["account", "show"], None));
    assert!(
        !shown.contains("NEEDS ATTENTION"),
        "a saved password clears it: {shown}"
    );
    duebook(&path, &["run-due", "--today", "2026-04-15"], None);
    assert_eq!(states(&path), HashMap::from([("sent".to_string(), 300)]));
    assert_eq!(server.data_count(), 300, "each delivered exactly once");
}
