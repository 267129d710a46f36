//! `duebook fees rate`: the statutory rate shown, set, refused; `fees preview`; and a campaign's late fees given
//! as JSON and listed in words.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::campaign::fees::InterestRate;
use duebook_core::campaign::{self, LateFees};
use duebook_core::store::charges;
use duebook_core::test_support::campaign::{customer, setup_mail, temp_db};
use support::{duebook, duebook_with_stdin, ok_text, refused_text};

#[test]
fn the_statutory_rate_is_shown_set_and_refused_when_wrong() {
    let (dir, db) = temp_db();
    drop(db);
    let path = dir.path().join("test.sqlite");

    let out = ok_text(&duebook(&path, &["fees", "rate"]));
    assert!(out.contains("No statutory rate set"), "{out}");
    let out = ok_text(&duebook(
        &path,
        &["fees", "rate", "--reference", "5.25", "--points", "8"],
    ));
    assert!(
        out.contains("Statutory rate: 13.25 % (reference 5.25 % + 8.00 points)"),
        "{out}"
    );
    for bad in ["--reference=4.255", "--reference=-1", "--reference=1001"] {
        let args = ["fees", "rate", "--points", "8", bad];
        let out = refused_text(&duebook(&path, &args));
        assert!(out.contains("percentage"), "{out}");
    }
    let out = refused_text(&duebook(&path, &["fees", "rate", "--points", "8"]));
    assert!(out.contains("--reference"), "{out}");
    let out = ok_text(&duebook(&path, &["fees", "rate"]));
    assert!(out.contains("13.25 %"), "{out}");
}

#[test]
fn a_campaign_file_sets_late_fees_and_the_list_says_them() {
    let (dir, db) = temp_db();
    drop(db);
    let path = dir.path().join("test.sqlite");
    ok_text(&duebook(&path, &["campaigns", "preset", "friendly"]));
    let shown = ok_text(&duebook(&path, &["campaigns", "show", "1"]));
    let mut campaign: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(campaign["late_fees"], serde_json::Value::Null);
    campaign["late_fees"] = serde_json::json!({
        "fee_minor": 4000, "interest": "statutory", "grace_days": 7
    });
    let text = campaign.to_string();
    ok_text(&duebook_with_stdin(
        &path,
        &["campaigns", "update", "1", "-"],
        &text,
    ));
    let out = ok_text(&duebook(&path, &["campaigns", "list"]));
    assert!(
        out.contains("late fees: a fixed fee of 40.00 per invoice and interest at the statutory rate, after 7 days' grace"),
        "{out}"
    );
    campaign["late_fees"]["grace_days"] = serde_json::json!(-1);
    let text = campaign.to_string();
    let out = refused_text(&duebook_with_stdin(
        &path,
        &["campaigns", "update", "1", "-"],
        &text,
    ));
    assert!(out.contains("grace period"), "{out}");
}

#[test]
fn the_preview_lists_what_each_reminded_customer_would_be_charged() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let mut friendly = campaign::preset("friendly").unwrap();
    friendly.late_fees = Some(LateFees {
        fee_minor: Some(4000),
        interest: Some(InterestRate::Annual { basis_points: 800 }),
        grace_days: 0,
    });
    let id = campaign::create(db.conn(), &friendly).unwrap();
    customer(&db, "Alpha Ltd", Some("a@alpha.example"), &["2026-07-15"]);
    customer(&db, "Beta Ltd", Some("b@beta.example"), &["2026-09-30"]);
    drop(db);
    let path = dir.path().join("test.sqlite");
    // 2026-07-22 is overdue-1 (7 days) for Alpha; Beta is not due.
    let args = [
        "fees",
        "preview",
        "--campaign",
        &id.to_string(),
        "--today",
        "2026-07-22",
    ];
    let out = ok_text(&duebook(&path, &args));
    assert!(out.contains("Alpha Ltd\t€40.15"), "{out}");
    assert!(out.contains("fee\t40.00 EUR"), "{out}");
    // 7 days of 8 % on 100.00: 0.153... → 0.15.
    assert!(out.contains("interest\t0.15 EUR"), "{out}");
    assert!(!out.contains("Beta"), "{out}");
    let before = [
        "fees",
        "preview",
        "--campaign",
        &id.to_string(),
        "--today",
        "2026-07-10",
    ];
    let out = ok_text(&duebook(&path, &before));
    assert!(
        out.contains("No reminder of this campaign on 2026-07-10"),
        "{out}"
    );
}

#[test]
fn a_recorded_charge_is_listed_and_waived_with_its_reason_once() {
    let (dir, db) = temp_db();
    let id = campaign::create(db.conn(), &campaign::preset("friendly").unwrap()).unwrap();
    let (who, invoices) = customer(&db, "Alpha Ltd", Some("a@alpha.example"), &["2026-07-15"]);
    charges::record(db.conn(), invoices[0], id, ("fee", 4000), "2026-08-14").unwrap();
    drop(db);
    let path = dir.path().join("test.sqlite");
    let who = who.to_string();
    let out = ok_text(&duebook(&path, &["fees", "list", "--customer", &who]));
    assert!(out.contains(&format!("1\tinvoice INV-{who}-0\t")), "{out}");
    assert!(out.contains("fee\t40.00 EUR\tas of 2026-08-14"), "{out}");
    assert!(!out.contains("waived"), "{out}");
    let out = refused_text(&duebook(&path, &["fees", "waive", "1", "--reason", " "]));
    assert!(out.contains("needs a reason"), "{out}");
    let reason = "goodwill\r\n\u{1b}[2J";
    ok_text(&duebook(&path, &["fees", "waive", "1", "--reason", reason]));
    let out = ok_text(&duebook(&path, &["fees", "list", "--customer", &who]));
    assert!(out.contains("waived: goodwill"), "{out}");
    assert!(!out.contains('\u{1b}'), "{out}");
    let out = refused_text(&duebook(
        &path,
        &["fees", "waive", "1", "--reason", "again"],
    ));
    assert!(out.contains("no unwaived charge 1"), "{out}");
}
