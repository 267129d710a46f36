//! `duebook customers limit|hold|unhold` on a real file.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::test_support::campaign::{customer, ok, temp_db};
use support::duebook;

#[test]
fn limit_hold_and_unhold() {
    let (dir, db) = temp_db();
    let (id, _) = customer(&db, "Alpha Ltd", Some("a@alpha.example"), &["2026-04-05"]);
    drop(db);
    let path = dir.path().join("test.sqlite");
    let id_text = id.to_string();
    let id = id_text.as_str();

    let out = ok(&duebook(&path, &["customers", "limit", id, "2500"]));
    assert!(
        out.contains("Alpha Ltd (#1): credit limit 2500.00 EUR"),
        "{out}"
    );
    assert!(out.contains("not on hold"), "{out}");
    let out = ok(&duebook(
        &path,
        &["customers", "limit", id, "900", "--currency", "gbp"],
    ));
    assert!(out.contains("credit limit 900.00 GBP"), "{out}");

    let out = ok(&duebook(
        &path,
        &["customers", "hold", id, "--reason", "over the limit"],
    ));
    assert!(
        out.contains("on hold since") && out.contains("(you): over the limit"),
        "{out}"
    );
    let out = ok(&duebook(&path, &["customers", "unhold", id]));
    assert!(out.contains("not on hold"), "{out}");
    let out = ok(&duebook(&path, &["customers", "limit", id, "none"]));
    assert!(out.contains("no credit limit"), "{out}");

    let bad = duebook(&path, &["customers", "limit", id, "-3"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot be negative"));
    let missing = duebook(&path, &["customers", "hold", "99", "--reason", "x"]);
    assert!(!missing.status.success());
}
