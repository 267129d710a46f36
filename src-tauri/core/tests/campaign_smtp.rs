//! `duebook run-due --today` day by day against a real SMTP server (aiosmtpd) with the account's
//! password in the real keychain. Run through scripts/with-test-services.sh.

mod campaign_support;

use campaign_support::customer;
use campaign_support::mail_support::{
    output_text as text, required_env, run_duebook, seed_company, SmtpServer, PASSWORD, USER,
};
use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn duebook(db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    run_duebook(env!("CARGO_BIN_EXE_duebook"), db, args, stdin)
}

#[test]
fn a_schedule_simulated_day_by_day_over_smtp() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("accept", &tmp.path().join("srv"));
    let (_dir, db) = campaign_support::temp_db();
    seed_company(&db);
    customer(&db, "Alpha Ltd", Some("ap@alpha.example"), &["2026-07-15"]);
    customer(&db, "Phone Co", None, &["2026-07-15"]);
    let path = db.path().to_path_buf();
    drop(db);
    let port = server.port.to_string();
    let o = duebook(
        &path,
        &[
            "account",
            "set",
            "--from",
            USER,
            "--name",
            "Northwind Accounts",
            "--host",
            "localhost",
            "--port",
            &port,
            "--security",
            "starttls",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = duebook(&path, &["campaigns", "preset", "friendly"], None);
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
        }
        if day.to_string() == "2026-07-13" {
            // The same day again (a second cron tick): nothing more.
            let again = duebook(&path, &["run-due", "--today", "2026-07-13"], None);
            assert!(again.status.success(), "{}", text(&again));
            assert!(
                text(&again).contains("0 email(s) queued"),
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

    let conn = rusqlite::Connection::open(&path).unwrap();
    let calls: i64 = conn
        .query_row("SELECT count(*) FROM tasks WHERE kind = 'call'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        calls, 3,
        "the customer without email got call tasks instead"
    );
}

#[test]
fn kill_9_mid_run_and_restart_never_duplicates_or_loses_silently() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("accept", &tmp.path().join("srv"));
    let (_dir, db) = campaign_support::temp_db();
    seed_company(&db);
    const N: usize = 300;
    for n in 0..N {
        customer(
            &db,
            &format!("Customer {n}"),
            Some(&format!("c{n}@x.example")),
            &["2026-04-05"],
        );
    }
    let path = db.path().to_path_buf();
    drop(db);
    let port = server.port.to_string();
    let o = duebook(
        &path,
        &[
            "account",
            "set",
            "--from",
            USER,
            "--name",
            "Northwind Accounts",
            "--host",
            "localhost",
            "--port",
            &port,
            "--security",
            "starttls",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(duebook(&path, &["campaigns", "preset", "friendly"], None)
        .status
        .success());

    let mut rng = fastrand::Rng::with_seed(7);
    for _ in 0..4 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_duebook"))
            .arg("--db")
            .arg(&path)
            .args(["run-due", "--today", "2026-04-15"])
            .env("DUEBOOK_SMTP_CA_FILE", required_env("DUEBOOK_TEST_CERT"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(rng.u64(20..400)));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    // Restart until a run has nothing left to do.
    for attempt in 0.. {
        assert!(attempt < 10, "run-due never settled");
        let o = duebook(&path, &["run-due", "--today", "2026-04-15"], None);
        let out = text(&o);
        if out.contains("0 email(s) queued") && !out.contains("left queued") {
            break;
        }
    }

    let conn = rusqlite::Connection::open(&path).unwrap();
    let q = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        q("SELECT count(*) FROM messages"),
        N as i64,
        "one message per customer"
    );
    assert_eq!(
        q("SELECT count(DISTINCT customer_id) FROM messages"),
        N as i64
    );
    assert_eq!(
        q("SELECT count(*) FROM messages WHERE state = 'sent' OR state = 'uncertain'"),
        N as i64,
        "every message is sent, or uncertain for the user to check; none queued or lost"
    );
    assert_eq!(
        q("SELECT count(DISTINCT invoice_id) FROM invoice_reminders"),
        N as i64,
        "reminder state for every invoice"
    );
    let received = server.received();
    let mut seen = HashSet::new();
    for m in &received {
        let to = m["rcpt_tos"][0].as_str().unwrap().to_string();
        assert!(seen.insert(to.clone()), "{to} received twice");
    }
    let sent = q("SELECT count(*) FROM messages WHERE state = 'sent'") as usize;
    eprintln!(
        "after 4 kills: {} received, {sent} sent, {} uncertain",
        received.len(),
        N - sent
    );
    assert!(received.len() >= sent && received.len() <= N);
}
