//! `duebook campaigns` with event campaigns: the presets, a window and an event date given as
//! JSON, the list's words, and the plan outside the window.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::test_support::campaign::{customer, ok, temp_db};
use support::duebook;

#[test]
fn event_presets_json_edits_and_the_plan_outside_the_window() {
    let (dir, db) = temp_db();
    customer(&db, "Alpha Ltd", Some("a@alpha.example"), &["2027-02-01"]);
    drop(db);
    let path = dir.path().join("test.sqlite");

    for (n, preset) in ["year-end", "tax-season", "escalation-silence"]
        .iter()
        .enumerate()
    {
        let out = ok(&duebook(&path, &["campaigns", "preset", preset]));
        assert!(
            out.contains(&format!("created campaign {}", n + 1)),
            "{out}"
        );
    }
    let out = ok(&duebook(&path, &["campaigns", "list"]));
    assert!(
        out.contains("event: the last working day of the fiscal year (ending in December)"),
        "{out}"
    );
    assert!(
        out.contains("1. 10 days before the event: year-end (email)"),
        "{out}"
    );
    assert!(out.contains("event: every 15 April"), "{out}");

    let shown = ok(&duebook(&path, &["campaigns", "show", "1"]));
    let mut campaign: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(campaign["steps"][0]["trigger"]["event_offset"], -10);
    campaign["event"] = serde_json::json!({ "yearly": { "month": 12, "day": 15 } });
    campaign["window"] = serde_json::json!({ "start": "2026-12-01", "end": "2026-12-20" });
    let file = dir.path().join("edited.json");
    std::fs::write(&file, campaign.to_string()).unwrap();
    ok(&duebook(
        &path,
        &["campaigns", "update", "1", file.to_str().unwrap()],
    ));
    let out = ok(&duebook(&path, &["campaigns", "list"]));
    assert!(
        out.contains("sends only from 2026-12-01 to 2026-12-20"),
        "{out}"
    );
    assert!(out.contains("event: every 15 December"), "{out}");

    // Inside the window, ten days before the 15th: Alpha's balance (not due yet) is reminded.
    let out = ok(&duebook(
        &path,
        &["campaigns", "plan", "1", "--today", "2026-12-07", "--json"],
    ));
    let plan: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(plan["contacts"].as_array().unwrap().len(), 1, "{plan}");
    // After the window: nothing, and why.
    let out = ok(&duebook(
        &path,
        &["campaigns", "plan", "1", "--today", "2026-12-21"],
    ));
    assert!(
        out.contains("outside the campaign's window (from 2026-12-01 to 2026-12-20)"),
        "{out}"
    );

    // A yearly day that does not exist is refused with the reason.
    campaign["event"] = serde_json::json!({ "yearly": { "month": 2, "day": 30 } });
    std::fs::write(&file, campaign.to_string()).unwrap();
    let refused = duebook(&path, &["campaigns", "update", "1", file.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("a yearly event needs a real day"));
}
