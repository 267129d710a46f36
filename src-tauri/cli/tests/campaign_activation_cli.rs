//! First activation on a backlog (issue 14 item 6), from the command line: `run-due` sends
//! nothing for a campaign never confirmed and says so; `campaigns activate` asks, or takes --yes.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::campaign;
use duebook_core::store::Database;
use duebook_core::test_support::campaign::backlog::{pending_backlog_file, START};
use duebook_core::test_support::campaign::ok;
use duebook_core::test_support::count;
use support::{duebook, stderr, stdout};

#[test]
fn a_campaign_never_confirmed_sends_nothing_from_run_due_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = pending_backlog_file(dir.path(), &campaign::preset("friendly").unwrap());
    // Switched on without the confirmation, as an edit or an older switch could.
    let db = Database::open(&path).unwrap();
    campaign::set_active(db.conn(), 1, true).unwrap();
    drop(db);

    let out = duebook(&path, &["run-due", "--today", START]);
    let hint = "not confirmed: activate it with `duebook campaigns activate 1 --yes` or in the app";
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains(hint), "{}", stdout(&out));
    let plan = ok(&duebook(
        &path,
        &["campaigns", "plan", "1", "--today", START],
    ));
    assert!(plan.contains(hint), "{plan}");
    let listed = ok(&duebook(&path, &["campaigns", "list"]));
    assert!(listed.contains("[not confirmed"), "{listed}");
    let db = Database::open(&path).unwrap();
    let queued = |db: &Database| count(db, "SELECT count(*) FROM messages");
    assert_eq!(queued(&db), 0, "nothing was queued");
    drop(db);

    // Without a terminal to ask on, `activate` refuses unless told --yes.
    let asked = duebook(&path, &["campaigns", "activate", "1", "--today", START]);
    assert!(!asked.status.success());
    assert!(
        stdout(&asked).contains("41 customer(s) qualify today"),
        "{}",
        stdout(&asked)
    );
    assert!(stderr(&asked).contains("--yes"), "{}", stderr(&asked));
    let db = Database::open(&path).unwrap();
    assert!(!campaign::get(db.conn(), 1).unwrap().sends());
    drop(db);

    let yes = ok(&duebook(
        &path,
        &[
            "campaigns",
            "activate",
            "1",
            "--yes",
            "--catch-up",
            "--today",
            START,
        ],
    ));
    assert!(yes.contains("32 of them are 90+ days overdue"), "{yes}");
    assert!(yes.contains("campaign 1 is active"), "{yes}");
    let dry = ok(&duebook(&path, &["run-due", "--dry-run", "--today", START]));
    assert!(!dry.contains("not confirmed"), "{dry}");
    assert!(dry.contains("catch-up"), "the catch-up is planned: {dry}");

    let off = ok(&duebook(&path, &["campaigns", "deactivate", "1"]));
    assert!(off.contains("switched off"), "{off}");
    let listed = ok(&duebook(&path, &["campaigns", "list"]));
    assert!(listed.contains("[inactive]"), "{listed}");
}
