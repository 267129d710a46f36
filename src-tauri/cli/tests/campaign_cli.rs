//! `duebook campaigns ...` and `duebook run-due --dry-run` on a real file.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::store::Database;
use duebook_core::test_support::campaign::{customer, ok, temp_db};
use duebook_core::test_support::count;
use support::duebook;

#[test]
fn presets_list_plan_and_dry_run() {
    let (dir, db) = temp_db();
    let (a, _) = customer(&db, "Alpha Ltd", Some("a@alpha.example"), &["2026-04-05"]);
    let (p, _) = customer(&db, "Phone Co", None, &["2026-03-01"]);
    drop(db);
    let path = dir.path().join("test.sqlite");

    let out = ok(&duebook(&path, &["campaigns", "preset", "friendly"]));
    assert!(out.contains("created campaign 1"), "{out}");
    ok(&duebook(&path, &["campaigns", "activate", "1", "--yes"]));
    let bad = duebook(&path, &["campaigns", "preset", "loud"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("friendly, statements, high-touch"));

    let out = ok(&duebook(&path, &["campaigns", "list"]));
    assert!(out.contains("Friendly pre-due"), "{out}");
    assert!(out.contains("3 days before due: pre-due (email)"), "{out}");

    let out = ok(&duebook(
        &path,
        &["campaigns", "plan", "1", "--today", "2026-04-15", "--json"],
    ));
    let plan: serde_json::Value = serde_json::from_str(&out).unwrap();
    let contacts = plan["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[0]["customer_id"], p);
    assert_eq!(contacts[0]["channel"], "call");
    assert_eq!(contacts[1]["customer_id"], a);
    assert_eq!(contacts[1]["template_key"], "overdue-1");

    let out = ok(&duebook(
        &path,
        &["run-due", "--dry-run", "--today", "2026-04-15"],
    ));
    assert!(out.contains("email     Alpha Ltd"), "{out}");
    assert!(out.contains("call task Phone Co"), "{out}");
    assert!(out.contains("nothing was stored or sent"));
    assert!(
        out.contains("summary (dry run):\n  sent: nothing\n"),
        "{out}"
    );
    assert!(out.contains("  nothing needs you"), "{out}");
    let out = ok(&duebook(
        &path,
        &["run-due", "--dry-run", "--today", "2026-04-18"],
    ));
    assert!(out.contains("quiet day: 2026-04-18 is a weekend"), "{out}");

    // A tick with nothing to send needs no account, keychain or network; on a quiet day it
    // does not even plan.
    let out = ok(&duebook(&path, &["run-due", "--today", "2026-04-18"]));
    assert!(
        out.contains("quiet day (2026-04-18 is a weekend): nothing is sent"),
        "{out}"
    );
    assert!(out.contains("summary:\n  sent: nothing\n"), "{out}");
    assert!(out.contains("  nothing needs you"), "{out}");

    let out = ok(&duebook(&path, &["campaigns", "results", "1"]));
    assert!(
        out.contains("step 2 overdue-1") && out.contains("0 sent, 0 failed, 0 uncertain"),
        "{out}"
    );
    let out = ok(&duebook(&path, &["campaigns", "results", "1", "--json"]));
    let results: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(results["steps"].as_array().unwrap().len(), 5);
    assert_eq!(results["window_days"], 14);
    let missing = duebook(&path, &["campaigns", "results", "9"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("there is no campaign 9"));

    // Balances last touched long before the run date: a warning, and the plan all the same.
    let far = (chrono::Utc::now().date_naive() + chrono::Days::new(60)).to_string();
    let out = ok(&duebook(
        &path,
        &["campaigns", "plan", "1", "--today", &far],
    ));
    assert!(out.contains("warning: the newest import"), "{out}");
    assert!(out.contains("Phone Co (#2)"), "{out}");

    let out = ok(&duebook(&path, &["campaigns", "stale-after", "90"]));
    assert!(out.contains("more than 90 days old"), "{out}");
    let out = ok(&duebook(
        &path,
        &["campaigns", "plan", "1", "--today", &far],
    ));
    assert!(!out.contains("warning:"), "{out}");
    let refused = duebook(&path, &["campaigns", "stale-after", "0"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("1 day at the earliest"));

    // Without an account a real run refuses before queuing anything.
    let real = duebook(&path, &["run-due", "--today", "2026-04-15"]);
    assert!(!real.status.success());
    let db = Database::open(&path).unwrap();
    assert_eq!(count(&db, "SELECT count(*) FROM messages"), 0);
}

#[test]
fn an_unchanged_file_is_not_planned_twice_a_day() {
    let (dir, db) = temp_db();
    // Due in a month: nothing to send on a weekday before.
    let (alpha, _) = customer(&db, "Alpha Ltd", Some("a@alpha.example"), &["2026-05-20"]);
    drop(db);
    let path = dir.path().join("test.sqlite");
    ok(&duebook(&path, &["campaigns", "preset", "friendly"]));
    ok(&duebook(&path, &["campaigns", "activate", "1", "--yes"]));
    let tick = || ok(&duebook(&path, &["run-due", "--today", "2026-04-15"]));

    let first = tick();
    assert!(first.contains("0 email(s) queued"), "{first}");
    let second = tick();
    assert!(
        second.contains("nothing changed since the run at "),
        "{second}"
    );
    assert!(second.contains(": nothing to send"), "{second}");
    for out in [&first, &second] {
        assert!(out.contains("  nothing needs you"), "{out}");
    }

    // Anything written in between makes the next tick plan again.
    let db = duebook_core::store::Database::open(&path).unwrap();
    duebook_core::store::notes::add(db.conn(), alpha, "stop").unwrap();
    drop(db);
    let third = tick();
    assert!(third.contains("0 email(s) queued"), "{third}");
    // So does a new day.
    let out = ok(&duebook(&path, &["run-due", "--today", "2026-04-16"]));
    assert!(out.contains("0 email(s) queued"), "{out}");
}

#[test]
fn campaigns_are_edited_as_json() {
    let (dir, db) = temp_db();
    drop(db);
    let path = dir.path().join("test.sqlite");
    ok(&duebook(&path, &["campaigns", "preset", "friendly"]));
    let shown = ok(&duebook(&path, &["campaigns", "show", "1"]));
    let mut campaign: serde_json::Value = serde_json::from_str(&shown).unwrap();
    campaign["name"] = "Firm dunning".into();
    campaign["steps"][1]["trigger"] = serde_json::json!({ "due_offset": 5 });
    let file = dir.path().join("edited.json");
    std::fs::write(&file, campaign.to_string()).unwrap();
    let out = ok(&duebook(
        &path,
        &["campaigns", "update", "1", file.to_str().unwrap()],
    ));
    assert!(out.contains("updated campaign 1: Firm dunning"), "{out}");
    let out = ok(&duebook(&path, &["campaigns", "list"]));
    assert!(out.contains("Firm dunning"), "{out}");
    assert!(out.contains("2. 5 days after due: overdue-1"), "{out}");

    // A refused edit says why and changes nothing.
    campaign["steps"] = serde_json::json!([]);
    std::fs::write(&file, campaign.to_string()).unwrap();
    let refused = duebook(&path, &["campaigns", "update", "1", file.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("at least one step"));
    std::fs::write(&file, "{ not json").unwrap();
    let refused = duebook(&path, &["campaigns", "update", "1", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is not a campaign in JSON"));
    let out = ok(&duebook(&path, &["campaigns", "show", "1"]));
    assert!(out.contains("\"due_offset\": 5"), "{out}");
}
