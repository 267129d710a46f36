//! `duebook campaigns results` prints a line for each part of the playbook the campaign uses
//! (owner notices, digests, payment plans, late fees, the credit rule), and none for the parts
//! it does not.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::store::plans::{self, InstalmentInput, PlanInput, PlanSplit};
use duebook_core::store::{charges, Database};
use duebook_core::test_support::campaign::{customer, d, temp_db};
use support::{duebook, duebook_with_stdin, ok_text};

#[test]
fn results_print_a_line_per_part_the_campaign_uses() {
    let (dir, db) = temp_db();
    let (alpha, invoices) = customer(&db, "Alpha Ltd", Some("a@alpha.example"), &["2026-04-05"]);
    drop(db);
    let path = dir.path().join("test.sqlite");
    ok_text(&duebook(&path, &["campaigns", "preset", "friendly"]));
    ok_text(&duebook(&path, &["campaigns", "preset", "owner-digest"]));
    let parts = [
        "owner notices:",
        "owner digests:",
        "payment plans:",
        "late fees:",
        "credit limit:",
    ];
    let out = ok_text(&duebook(&path, &["campaigns", "results", "1"]));
    for part in parts {
        assert!(
            !out.contains(part),
            "{part} in a plain campaign's results: {out}"
        );
    }

    let shown = ok_text(&duebook(&path, &["campaigns", "show", "1"]));
    let mut campaign: serde_json::Value = serde_json::from_str(&shown).unwrap();
    campaign["steps"][1]["notify_owner_days"] = 3.into();
    campaign["late_fees"] = serde_json::json!({"fee_minor": 4000, "grace_days": 0});
    campaign["credit_rule"] = serde_json::json!({"percent": 90, "notice": true, "hold": true});
    let json = campaign.to_string();
    ok_text(&duebook_with_stdin(
        &path,
        &["campaigns", "update", "1", "-"],
        &json,
    ));
    let db = Database::open(&path).unwrap();
    let fee = charges::record(db.conn(), invoices[0], 1, ("fee", 4000), "2026-04-06").unwrap();
    charges::record(db.conn(), invoices[0], 1, ("interest", 12), "2026-04-06").unwrap();
    charges::record(db.conn(), invoices[0], 1, ("interest", 25), "2026-04-20").unwrap();
    assert!(charges::waive(db.conn(), fee.unwrap(), "test", "goodwill").unwrap());
    // A reminder of the campaign, then a plan for the invoice: the campaign's plan.
    db.conn()
        .execute(
            "INSERT INTO invoice_reminders (invoice_id, campaign_id, step_position, period,
                                            customer_id, template_key, channel, sent_on)
             VALUES (?1, 1, 2, '', ?2, 'overdue-1', 'email', '2026-04-12')",
            [invoices[0], alpha],
        )
        .unwrap();
    let plan = PlanInput {
        customer_id: alpha,
        invoice_ids: invoices.clone(),
        split: PlanSplit::Custom {
            instalments: vec![InstalmentInput {
                due_date: d("2026-05-01"),
                amount: "100.00".into(),
            }],
        },
        note: String::new(),
    };
    plans::create(db.conn(), &plan, d("2026-04-15")).unwrap();

    let out = ok_text(&duebook(&path, &["campaigns", "results", "1"]));
    for line in [
        "owner notices: 0 sent, 0 failed, 0 waiting; 0 of 0 came the promised days before the customer's step",
        // The fee and the latest interest (the earlier one is its history).
        "late fees: charged 2 (40.25 EUR); waived 1 (40.00 EUR)",
        "credit limit: notices 0 sent, 0 failed, 0 waiting; 0 customer(s) on hold",
        "payment plans: 1 plan(s), 0 instalment reminder(s) sent, 0 instalment(s) paid on time after one, 0 plan(s) broken",
    ] {
        assert!(out.contains(line), "{line:?} missing: {out}");
    }
    assert!(!out.contains("owner digests:"), "{out}");
    let out = ok_text(&duebook(&path, &["campaigns", "results", "2"]));
    assert!(
        out.contains("owner digests: 0 sent, 0 failed, 0 waiting"),
        "{out}"
    );
    for part in [
        "owner notices:",
        "payment plans:",
        "late fees:",
        "credit limit:",
    ] {
        assert!(!out.contains(part), "{part} in the digest's results: {out}");
    }

    let out = ok_text(&duebook(&path, &["campaigns", "results", "1", "--json"]));
    let results: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(results["fees"]["charged"][0]["total"], "40.25");
    assert_eq!(results["digests"], serde_json::Value::Null);
}
