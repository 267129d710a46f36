//! Customer data carrying terminal escape sequences — a name that would retitle the window, clear
//! the screen and forge a line — is printed escaped by every `duebook` command that shows it:
//! plans, dry runs, the outbox, statements, imports, aging and errors (issue 13, finding 4).

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::test_support::campaign::{customer, setup_mail, temp_db};
use rusqlite::params;
use std::path::Path;
use std::process::Output;
use support::duebook;

/// Retitles the terminal, rings, clears the screen, then starts a line of its own.
const EVIL: &str = "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nCorp";
/// The same without a line break, for the customer who gets an email.
const EVIL_ONE_LINE: &str = "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J Mail";
/// How both show once escaped.
const SHOWN: &str = "Evil\\u{1b}]0;pwned\\u{7}\\u{1b}[2J";

/// Nothing in the output acts on a terminal.
fn assert_inert(out: &Output, command: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(
            !bytes.iter().any(|b| matches!(b, 0x1b | b'\r' | 0x07)),
            "`duebook {command}` wrote a control byte to {name}:\n{stdout}\n{stderr}"
        );
    }
}

/// Nothing in the output acts on a terminal, and the hostile text was printed (escaped).
fn assert_shown_inert(out: &Output, command: &str) {
    assert_inert(out, command);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains(SHOWN) || stderr.contains(SHOWN),
        "`duebook {command}` did not show the name:\n{stdout}\n{stderr}"
    );
}

fn run(db: &Path, args: &[&str]) {
    assert_shown_inert(&duebook(db, args), &args.join(" "));
}

/// Rows as an older Duebook or another program may have left them: the text goes in as it is.
fn poison(db: &rusqlite::Connection, sql: &str, text: &str, id: i64) {
    db.execute(sql, params![text, id]).unwrap();
}

#[test]
fn plans_dry_runs_outbox_and_statements_print_hostile_names_escaped() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let (mail, _) = customer(&db, "Alpha Ltd", Some("a@alpha.example"), &["2026-04-05"]);
    let (phone, _) = customer(&db, "Phone Co", None, &["2026-03-01"]);
    let conn = db.conn();
    poison(
        conn,
        "UPDATE customers SET name = ?1 WHERE id = ?2",
        EVIL_ONE_LINE,
        mail,
    );
    poison(
        conn,
        "UPDATE customers SET name = ?1 WHERE id = ?2",
        EVIL,
        phone,
    );
    conn.execute(
        "INSERT INTO messages (customer_id, direction, to_addrs, subject, state, failure_reason,
                               created_at)
         VALUES (?1, 'out', ?2, ?3, 'failed', ?3, '2026-04-01T08:00:00.000Z')",
        params![mail, serde_json::json!([EVIL]).to_string(), EVIL],
    )
    .unwrap();
    let path = db.path().to_path_buf();
    drop(db);

    let created = duebook(&path, &["campaigns", "preset", "friendly"]);
    assert!(created.status.success());
    let conn = rusqlite::Connection::open(&path).unwrap();
    poison(
        &conn,
        "UPDATE campaigns SET name = ?1 WHERE id = ?2",
        EVIL,
        1,
    );
    drop(conn);

    run(&path, &["campaigns", "list"]);
    run(&path, &["campaigns", "plan", "1", "--today", "2026-04-15"]);
    run(
        &path,
        &["campaigns", "results", "1", "--today", "2026-04-15"],
    );
    run(&path, &["run-due", "--dry-run", "--today", "2026-04-15"]);
    run(&path, &["campaigns", "activate", "1", "--yes"]);
    run(&path, &["run-due", "--dry-run", "--today", "2026-04-15"]);
    // The message itself carries the name cleaned into one line (compose cleans headers), so the
    // dry run shows that rather than an escaped copy.
    let id = mail.to_string();
    let dry_run = [
        "send",
        "--customer",
        &id,
        "--template",
        "overdue-1",
        "--dry-run",
    ];
    let out = duebook(&path, &dry_run);
    assert_inert(&out, "send --dry-run");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("for Evil ]0;pwned [2J Mail"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    run(&path, &["outbox", "list"]);
    let out = dir.path().join("statements");
    let out_arg = out.to_str().unwrap();
    let phone = phone.to_string();
    run(
        &path,
        &["statements", "--out", out_arg, "--customer", &phone],
    );
    // An error that quotes the name quotes it cleaned into one line, and is printed inert.
    let refused = duebook(
        &path,
        &["send", "--customer", &phone, "--template", "overdue-1"],
    );
    assert_inert(&refused, "send (no email)");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("Evil ]0;pwned [2J Corp has no contact"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn import_reports_and_aging_print_hostile_text_escaped() {
    let (dir, db) = temp_db();
    let path = db.path().to_path_buf();
    drop(db);
    let header = "Customer,Email,Invoice Number,Invoice Date,Due Date,Amount,Amount Due,Currency\n";
    let file = dir.path().join("Evil\u{1b}]0;pwned\u{7}\u{1b}[2J.csv");
    let row = |due: &str| {
        format!("Acme,ap@acme.example,INV\u{1b}[2J-1,2026-01-15,2026-02-14,100.00,{due},EUR\n")
    };
    std::fs::write(&file, format!("{header}{}", row("100.00"))).unwrap();
    let file_arg = file.to_str().unwrap();
    let out = duebook(&path, &["import", file_arg]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_shown_inert(&out, "import");

    std::fs::write(&file, format!("{header}{}", row("40.00"))).unwrap();
    let out = duebook(&path, &["import", file_arg]);
    assert_shown_inert(&out, "import again");
    // Invoice numbers are cleaned into one line at the import door.
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("updated INV [2J-1"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE customer_balances SET currency = ?1",
        [format!("{EVIL}EUR")],
    )
    .unwrap();
    conn.execute("UPDATE invoices SET currency = ?1", [format!("{EVIL}EUR")])
        .unwrap();
    drop(conn);
    run(&path, &["aging", "--as-of", "2026-04-15"]);
}
