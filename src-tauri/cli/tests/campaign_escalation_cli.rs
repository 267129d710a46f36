//! The escalation setting through the command line: `campaigns show`, `update` and `plan`.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::test_support::campaign::backlog::START;
use duebook_core::test_support::campaign::{customer, ok, temp_db};
use support::duebook;

#[test]
fn the_cli_shows_and_updates_the_escalation_and_prints_the_stage() {
    let (dir, db) = temp_db();
    customer(&db, "Alpha", Some("a@alpha.example"), &["2026-02-01"]);
    drop(db);
    let path = dir.path().join("test.sqlite");
    ok(&duebook(&path, &["campaigns", "preset", "friendly"]));
    let shown = ok(&duebook(&path, &["campaigns", "show", "1"]));
    assert!(shown.contains("\"escalation\": \"one_step\""), "{shown}");
    let planned = ok(&duebook(
        &path,
        &["campaigns", "plan", "1", "--today", START],
    ));
    assert!(
        planned.contains("first contact: starting at overdue-1"),
        "{planned}"
    );

    let file = dir.path().join("campaign.json");
    std::fs::write(&file, shown.replace("\"one_step\"", "\"jump\"")).unwrap();
    ok(&duebook(
        &path,
        &["campaigns", "update", "1", file.to_str().unwrap()],
    ));
    let listed = ok(&duebook(&path, &["campaigns", "list"]));
    assert!(
        listed.contains("escalation: jump to the invoice's age"),
        "{listed}"
    );
    let planned = ok(&duebook(
        &path,
        &["campaigns", "plan", "1", "--today", START],
    ));
    assert!(planned.contains("jump: final-notice"), "{planned}");

    // A campaign file written before the setting existed gets the default.
    let mut without: serde_json::Value = serde_json::from_str(&shown).unwrap();
    without.as_object_mut().unwrap().remove("escalation");
    std::fs::write(&file, without.to_string()).unwrap();
    ok(&duebook(
        &path,
        &["campaigns", "update", "1", file.to_str().unwrap()],
    ));
    let shown = ok(&duebook(&path, &["campaigns", "show", "1"]));
    assert!(shown.contains("\"escalation\": \"one_step\""), "{shown}");
}
