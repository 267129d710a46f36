//! Thank-you on payment through the `duebook` binary: a `run-due` tick with nothing to send
//! still notices a payment (without keychain or network), and the next day's plan thanks.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::store::payments::{self, ManualPayment};
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{customer, d, ok, temp_db};
use support::duebook;

#[test]
fn a_payment_after_a_reminder_is_thanked_the_next_day() {
    let (dir, db) = temp_db();
    let (alpha, alpha_inv) = customer(&db, "Alpha Ltd", Some("a@alpha.example"), &["2026-04-01"]);
    let (beta, beta_inv) = customer(&db, "Beta Ltd", Some("b@beta.example"), &["2026-04-01"]);
    drop(db);
    let path = dir.path().join("test.sqlite");
    ok(&duebook(&path, &["campaigns", "preset", "friendly"]));
    ok(&duebook(&path, &["campaigns", "activate", "1", "--yes"]));
    let db = Database::open(&path).unwrap();
    // Alpha was reminded by the campaign (pre-due); Beta never was.
    db.conn()
        .execute(
            "INSERT INTO invoice_reminders (invoice_id, campaign_id, step_position, customer_id,
                                            template_key, channel, sent_on)
             VALUES (?1, 1, 1, ?2, 'pre-due', 'email', '2026-03-30')",
            [alpha_inv[0], alpha],
        )
        .unwrap();
    for invoice_id in [alpha_inv[0], beta_inv[0]] {
        let payment = ManualPayment {
            invoice_id,
            amount: "100.00".into(),
            paid_on: d("2026-04-06"),
            reference: None,
        };
        payments::record_manual(db.conn(), &payment, d("2026-04-06")).unwrap();
    }
    drop(db);

    let out = ok(&duebook(
        &path,
        &["campaigns", "plan", "1", "--today", "2026-04-06"],
    ));
    assert!(
        out.contains(&format!("no thanks Alpha Ltd (#{alpha}): waiting a day")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "no thanks Beta Ltd (#{beta}): no reminder was sent"
        )),
        "{out}"
    );
    // Nothing to send on the payment day: the tick needs no password, and notes the payment.
    let out = ok(&duebook(&path, &["run-due", "--today", "2026-04-06"]));
    assert!(out.contains("nothing needs you"), "{out}");

    let out = ok(&duebook(
        &path,
        &["campaigns", "plan", "1", "--today", "2026-04-07"],
    ));
    assert!(
        out.contains(&format!(
            "thank-you Alpha Ltd (#{alpha}): paid INV-{alpha}-0 (on 2026-04-06) after a reminder"
        )),
        "{out}"
    );
    let json = ok(&duebook(
        &path,
        &["campaigns", "plan", "1", "--today", "2026-04-07", "--json"],
    ));
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(plan["thanks"][0]["customer_id"], alpha);
    assert_eq!(plan["thanks_skipped"][0]["reason"], "no_reminder");

    // Off per campaign, in the campaign's JSON.
    let show = ok(&duebook(&path, &["campaigns", "show", "1"]));
    let mut campaign: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(campaign["thank_you"], true, "on in the presets");
    campaign["thank_you"] = false.into();
    let file = dir.path().join("campaign.json");
    std::fs::write(&file, campaign.to_string()).unwrap();
    ok(&duebook(
        &path,
        &["campaigns", "update", "1", file.to_str().unwrap()],
    ));
    let out = ok(&duebook(
        &path,
        &["campaigns", "plan", "1", "--today", "2026-04-07"],
    ));
    assert!(
        out.contains(&format!("no thanks Alpha Ltd (#{alpha}): thank-you off")),
        "{out}"
    );
    let out = ok(&duebook(&path, &["campaigns", "results", "1"]));
    assert!(
        out.contains("thank-yous: 0 sent, 0 failed, 0 waiting; 0 invoice(s) thanked for"),
        "{out}"
    );
}
