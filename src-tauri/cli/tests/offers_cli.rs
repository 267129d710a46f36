//! Early-payment offers from the command line: a campaign file's step offer, listed, planned
//! with who gets it, refused when it cannot be made, and counted by `campaigns results`.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::store::offers::{self, NewOffer};
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{customer, d, temp_db};
use duebook_core::test_support::ledger::record_payment;
use support::{duebook, duebook_with_stdin, ok_text, refused_text};

#[test]
fn a_campaign_file_makes_an_offer_the_plan_and_results_say_it() {
    let (dir, db) = temp_db();
    let (_, invoices) = customer(&db, "Alpha Ltd", Some("a@alpha.example"), &["2026-04-05"]);
    drop(db);
    let path = dir.path().join("test.sqlite");
    ok_text(&duebook(&path, &["campaigns", "preset", "friendly"]));
    let shown = ok_text(&duebook(&path, &["campaigns", "show", "1"]));
    let mut campaign: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(campaign["steps"][1].get("offer"), None);
    campaign["steps"][1]["offer"] = serde_json::json!({"percent": "2.5", "valid_days": 10});
    let update = |json: &serde_json::Value| {
        duebook_with_stdin(&path, &["campaigns", "update", "1", "-"], &json.to_string())
    };
    ok_text(&update(&campaign));
    let out = ok_text(&duebook(&path, &["campaigns", "list"]));
    assert!(
        out.contains("2. 7 days after due: overdue-1 (email), offer 2.5 % for 10 day(s)"),
        "{out}"
    );
    let out = ok_text(&duebook(
        &path,
        &["campaigns", "plan", "1", "--today", "2026-04-15"],
    ));
    assert!(out.contains("offer 2.5 % until 2026-04-24"), "{out}");

    // A segment rule the customer does not meet: reminded all the same, without the offer.
    campaign["steps"][1]["offer"]["segment"] = "retail".into();
    ok_text(&update(&campaign));
    let out = ok_text(&duebook(
        &path,
        &["campaigns", "plan", "1", "--today", "2026-04-15"],
    ));
    assert!(out.contains("no offer: not in segment retail"), "{out}");

    for (bad, reason) in [
        (
            serde_json::json!({"percent": "60", "valid_days": 10}),
            "at most 50",
        ),
        (
            serde_json::json!({"amount": "25.00", "valid_days": 91}),
            "1 to 90 days",
        ),
        (
            serde_json::json!({"valid_days": 10}),
            "either a percent or an amount",
        ),
    ] {
        campaign["steps"][1]["offer"] = bad;
        let out = refused_text(&update(&campaign));
        assert!(out.contains(reason), "{out}");
    }

    let out = ok_text(&duebook(&path, &["campaigns", "results", "1"]));
    assert!(
        out.contains("early-payment offers: 0 made, 0 taken"),
        "{out}"
    );
    let db = Database::open(&path).unwrap();
    let offer = NewOffer {
        invoice_id: invoices[0],
        campaign_id: 1,
        step_position: 2,
        percent_basis_points: Some(250),
        amount: None,
        valid_until: d("2026-04-24"),
        made_on: d("2026-04-15"),
    };
    assert!(offers::record(db.conn(), &offer).unwrap());
    assert!(
        !offers::record(db.conn(), &offer).unwrap(),
        "once per invoice and step"
    );
    record_payment(&db, invoices[0], 10_000, d("2026-04-24"), None);
    let out = ok_text(&duebook(&path, &["campaigns", "results", "1"]));
    assert!(
        out.contains("early-payment offers: 1 made, 1 taken"),
        "{out}"
    );
    let out = ok_text(&duebook(&path, &["campaigns", "results", "1", "--json"]));
    let results: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        results["offers"],
        serde_json::json!({"made": 1, "taken": 1})
    );
}
