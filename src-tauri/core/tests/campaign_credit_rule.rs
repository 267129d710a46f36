//! A campaign's credit-limit rule over 60 days of `run-due`: one notice per crossing (never
//! twice while the balance stays above, again after it fell below and crossed again), the hold
//! with its reason, and what the plan says.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::campaign::{self, plan, CreditRule, NewCampaign};
use duebook_core::model::{CustomerEdit, LimitInput};
use duebook_core::store::{customers, derived, Database};
use duebook_core::test_support::campaign::{
    block_on, customer, d, invoice, setup_mail, simulate_days, temp_db, StubMailer,
};
use duebook_core::test_support::ledger::record_payment;

fn rule(percent: i64, notice: bool, hold: bool) -> NewCampaign {
    NewCampaign {
        thank_you: false,
        credit_rule: Some(CreditRule {
            percent,
            notice,
            hold,
        }),
        ..campaign::preset("friendly").unwrap()
    }
}

fn set_limit(db: &Database, id: i64, amount: &str) {
    let edit = CustomerEdit::CreditLimit(Some(LimitInput {
        amount: amount.into(),
        currency: None,
    }));
    customers::edit(db.conn(), id, &edit).unwrap();
}

#[test]
fn one_notice_per_crossing_and_the_hold_with_its_reason() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    // 100.00 EUR open of a 150.00 limit: 66 %, under the rule's 100 %.
    let (alpha, first) = customer(&db, "Alpha", Some("a@a.example"), &["2026-08-30"]);
    set_limit(&db, alpha, "150");
    let (mute, _) = customer(&db, "No email", None, &["2026-08-30", "2026-08-30"]);
    set_limit(&db, mute, "150");
    let id = campaign::create(db.conn(), &rule(100, true, true)).unwrap();
    let path = dir.path().join("test.sqlite");
    let mailer = StubMailer::default();
    let mut second = 0;
    let mut third = 0;
    let log = simulate_days(
        &path,
        (d("2026-07-01"), 60),
        &mailer,
        |day: NaiveDate| {
            match day.to_string().as_str() {
                // Crosses on Monday 6 July, stays above, falls below on the 20th, crosses again
                // on 3 August.
                "2026-07-06" => second = invoice(&db, alpha, "A-2", "2026-09-30"),
                "2026-07-20" => record_payment(&db, first[0], 10_000, day, None),
                "2026-08-03" => third = invoice(&db, alpha, "A-3", "2026-09-30"),
                _ => {}
            }
            derived::refresh_customers(db.conn(), &[alpha]).unwrap();
        },
        |_| {},
    );
    let notices: Vec<(String, i64)> = log
        .iter()
        .filter(|l| l.2 == "credit-limit")
        .map(|l| (l.0.to_string(), l.1))
        .collect();
    assert_eq!(
        notices,
        [
            ("2026-07-06".to_string(), alpha),
            ("2026-08-03".to_string(), alpha)
        ]
    );
    assert!(second > 0 && third > 0);
    let hold = customers::get(db.conn(), alpha).unwrap().hold.unwrap();
    assert_eq!(hold.set_on, d("2026-07-06"));
    assert!(hold.set_by.contains("campaign"), "{}", hold.set_by);
    assert_eq!(
        hold.reason,
        "balance 200.00 EUR is 133 % of the 150.00 EUR limit (rule: 100 %)"
    );
    // No email: no notice, but the hold applies, and the plan said why.
    assert!(customers::get(db.conn(), mute).unwrap().hold.is_some());
    let body: String = db
        .conn()
        .query_row(
            "SELECT body_text FROM messages WHERE template_key = 'credit-limit' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(body.contains("your credit limit of €150.00"), "{body}");

    // A rerun the same day and the day after plan nothing more for the crossing.
    let again = block_on(campaign::run::run_due(
        &path,
        &mailer,
        d("2026-08-03"),
        false,
    ))
    .unwrap();
    assert!(again.campaigns[0].plan.credit.is_empty());
    assert!(plan::plan(db.conn(), id, d("2026-08-04"))
        .unwrap()
        .credit
        .is_empty());
}

#[test]
fn the_plan_says_who_crosses_and_why_not_noticed() {
    let (_dir, db) = temp_db();
    let (a, _) = customer(&db, "Alpha", Some("a@a.example"), &["2026-08-30"]);
    set_limit(&db, a, "80");
    let (b, _) = customer(&db, "Beta", None, &["2026-08-30"]);
    set_limit(&db, b, "100");
    customer(&db, "No limit", Some("c@c.example"), &["2026-08-30"]);
    let id = campaign::create(db.conn(), &rule(90, true, false)).unwrap();
    let p = plan::plan(db.conn(), id, d("2026-07-01")).unwrap();
    let got: Vec<(i64, bool, bool, &str)> = p
        .credit
        .iter()
        .map(|c| (c.customer_id, c.notice, c.hold, c.why.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (a, true, false, "balance 100.00 EUR is 125 % of the 80.00 EUR limit (rule: 90 %)"),
            (
                b,
                false,
                false,
                "balance 100.00 EUR is 100 % of the 100.00 EUR limit (rule: 90 %); no email address: no notice"
            ),
        ]
    );
    assert!(
        plan::plan(db.conn(), id, d("2026-07-04"))
            .unwrap()
            .credit
            .is_empty(),
        "a Saturday"
    );
    let refused = campaign::create(db.conn(), &rule(0, true, false)).unwrap_err();
    assert!(refused.to_string().contains("from 1 to 1000"), "{refused}");
}
