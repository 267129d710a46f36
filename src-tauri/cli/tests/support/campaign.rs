//! Campaign files for the CLI tests that run `run-due` against a real SMTP server.

use super::{duebook_smtp, set_account_with_cli, text};
use duebook_core::test_support::campaign::customer;
use duebook_core::test_support::mail::{seed_company, SmtpServer};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A file with `n` emailable customers (one invoice each, due 2026-04-05), the account and the
/// "friendly" campaign, talking to `server` with the password.
pub fn campaign_file(n: usize, server: &SmtpServer) -> (tempfile::TempDir, PathBuf) {
    campaign_file_with(n, |path| set_account_with_cli(path, server))
}

/// Like [`campaign_file`], the account set up by `set_account`.
pub fn campaign_file_with(
    n: usize,
    set_account: impl FnOnce(&Path),
) -> (tempfile::TempDir, PathBuf) {
    let (dir, db) = duebook_core::test_support::campaign::temp_db();
    seed_company(&db);
    let tx = db.conn().unchecked_transaction().unwrap();
    for i in 0..n {
        let email = format!("c{i}@x.example");
        customer(&db, &format!("Customer {i}"), Some(&email), &["2026-04-05"]);
    }
    tx.commit().unwrap();
    let path = db.path().to_path_buf();
    drop(db);
    set_account(&path);
    let o = duebook_smtp(&path, &["campaigns", "preset", "friendly"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = duebook_smtp(&path, &["campaigns", "activate", "1", "--yes"], None);
    assert!(o.status.success(), "{}", text(&o));
    (dir, path)
}

pub fn received_ids(server: &SmtpServer) -> Vec<String> {
    server
        .received()
        .iter()
        .map(|m| m["headers"]["Message-ID"].as_str().unwrap().to_string())
        .collect()
}

/// Every customer got exactly one message per step (counted at the server) and the outbox
/// agrees: no duplicate, none lost.
pub fn assert_one_message_per_customer_and_step(
    path: &Path,
    server: &SmtpServer,
    n: usize,
    steps: usize,
) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let by_id: HashMap<String, (i64, i64, String)> = conn
        .prepare("SELECT rfc_message_id, customer_id, step_id, state FROM messages")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        by_id.len(),
        n * steps,
        "one outbox message per customer and step"
    );
    assert!(
        by_id.values().all(|(_, _, state)| state == "sent"),
        "every message ends sent"
    );
    let mut seen = HashSet::new();
    for id in received_ids(server) {
        let (customer, step, _) = by_id
            .get(&id)
            .unwrap_or_else(|| panic!("the server got {id}, which the outbox does not know"));
        assert!(
            seen.insert((*customer, *step)),
            "customer {customer} got step {step} twice"
        );
    }
    assert_eq!(seen.len(), n * steps, "none lost at the server");
}

/// How many outbox messages are in each state.
pub fn states(path: &Path) -> HashMap<String, i64> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT state, count(*) FROM messages GROUP BY state")
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows
}
