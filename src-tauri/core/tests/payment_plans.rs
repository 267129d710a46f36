//! Payment plans in the store: checked whole before anything is written, owned by their
//! customer, kept or broken by the payments recorded after they were agreed.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::model::plan::{InstalmentState, PlanStatus};
use duebook_core::statement::{render_statement, statement_data, StatementOptions};
use duebook_core::store::plans::{self, PlanInput, PlanSplit};
use duebook_core::store::{Database, DbError};
use duebook_core::test_support::campaign::{custom_plan, customer, d, pay};
use duebook_core::test_support::statement::pdf_text;
use duebook_core::test_support::{count, temp_db};

fn equal(customer_id: i64, invoice_ids: &[i64], count: usize, first: &str) -> PlanInput {
    PlanInput {
        customer_id,
        invoice_ids: invoice_ids.to_vec(),
        split: PlanSplit::Equal {
            count,
            first: d(first),
        },
        note: "Agreed on the phone\nwith Sam".into(),
    }
}

fn plan_rows(db: &Database) -> i64 {
    count(db, "SELECT count(*) FROM payment_plans")
        + count(db, "SELECT count(*) FROM payment_plan_instalments")
}

#[test]
fn an_equal_split_adds_up_to_the_cent_and_follows_the_payments() {
    let (_dir, db) = temp_db();
    let (acme, invoices) = customer(
        &db,
        "Acme",
        None,
        &["2026-11-01", "2026-11-15", "2026-12-01"],
    );
    let input = equal(acme, &invoices, 3, "2027-01-31");
    // The dialog's preview is what agreeing records, and writes nothing.
    let previewed: Vec<_> = plans::schedule(db.conn(), &input, d("2026-12-07"))
        .unwrap()
        .into_iter()
        .map(|i| (i.due_date, i.amount_minor))
        .collect();
    assert_eq!(plan_rows(&db), 0);
    let id = plans::create(db.conn(), &input, d("2026-12-07")).unwrap();
    let plan = &plans::for_customer(db.conn(), acme, d("2026-12-07")).unwrap()[0];
    assert_eq!(plan.id, id);
    assert_eq!(plan.note, "Agreed on the phone with Sam");
    assert_eq!(plan.total.minor, 30_000);
    let amounts: Vec<_> = plan
        .instalments
        .iter()
        .map(|i| (i.due_date, i.amount.minor))
        .collect();
    assert_eq!(
        amounts,
        vec![
            (d("2027-01-31"), 10_000),
            (d("2027-02-28"), 10_000),
            (d("2027-03-31"), 10_000)
        ]
    );
    assert_eq!(amounts, previewed);
    assert_eq!(plan.status, PlanStatus::Active);
    assert_eq!(plan.next_instalment().unwrap().seq, 1);

    // The first instalment paid on time, across two invoices' payments.
    pay(&db, invoices[0], 6_000, d("2027-01-30"));
    pay(&db, invoices[1], 4_000, d("2027-02-02"));
    let plan = &plans::for_customer(db.conn(), acme, d("2027-02-05")).unwrap()[0];
    assert_eq!(plan.status, PlanStatus::Active);
    assert_eq!(plan.instalments[0].state, InstalmentState::Paid);
    assert_eq!(plan.next_instalment().unwrap().seq, 2);

    // The second is missed: broken once its grace days pass.
    let on_grace = &plans::for_customer(db.conn(), acme, d("2027-03-03")).unwrap()[0];
    assert_eq!(on_grace.status, PlanStatus::Active);
    let broken = &plans::for_customer(db.conn(), acme, d("2027-03-04")).unwrap()[0];
    assert_eq!(
        (broken.status, broken.broken_on),
        (PlanStatus::Broken, Some(d("2027-03-04")))
    );
    assert_eq!(broken.instalments[1].state, InstalmentState::Missed);
    assert!(broken.next_instalment().is_none());
}

#[test]
fn a_plan_that_does_not_add_up_or_is_not_theirs_changes_nothing() {
    let (_dir, db) = temp_db();
    let today = d("2026-12-07");
    let (acme, invoices) = customer(&db, "Acme", None, &["2026-11-01", "2026-11-15"]);
    let (other, theirs) = customer(&db, "Brill", None, &["2026-11-01"]);
    let custom = |amounts: &[(&str, &str)]| custom_plan(acme, &invoices, amounts);
    let refused = |input: &PlanInput, expected: &str| {
        let before = plan_rows(&db);
        let error = plans::create(db.conn(), input, today).unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
        let previewed = plans::schedule(db.conn(), input, today).unwrap_err();
        assert_eq!(previewed.to_string(), error.to_string());
        assert_eq!(plan_rows(&db), before);
    };
    refused(
        &custom(&[("2027-01-01", "150.00"), ("2027-02-01", "49.99")]),
        "The instalments add up to 199.99; the invoices' balance is 200.00",
    );
    refused(
        &custom(&[("2027-02-01", "100.00"), ("2027-01-01", "100.00")]),
        "must come after",
    );
    refused(&custom(&[("2026-12-01", "200.00")]), "is in the past");
    refused(&custom(&[("2027-01-01", "abc")]), "Instalment 1");
    refused(&custom(&[]), "from 1 to 60");
    refused(&equal(acme, &invoices, 61, "2027-01-01"), "from 1 to 60");
    refused(&equal(acme, &[], 2, "2027-01-01"), "Choose from 1 to 200");
    let error =
        plans::create(db.conn(), &equal(acme, &theirs, 2, "2027-01-01"), today).unwrap_err();
    assert!(matches!(error, DbError::OtherCustomer { .. }), "{error}");

    let id = plans::create(
        db.conn(),
        &custom(&[("2027-01-01", "120.00"), ("2027-02-01", "80.00")]),
        today,
    )
    .unwrap();
    refused(
        &equal(acme, &invoices[..1], 2, "2027-01-01"),
        "already on payment plan",
    );
    let error = plans::cancel(db.conn(), other, id).unwrap_err();
    assert!(matches!(error, DbError::OtherCustomer { .. }), "{error}");
    plans::cancel(db.conn(), acme, id).unwrap();
    assert_eq!(
        plans::for_customer(db.conn(), acme, today).unwrap()[0].status,
        PlanStatus::Cancelled
    );
    assert!(plans::cancel(db.conn(), acme, id).is_err());
    // Cancelled: the invoices can go on a new plan.
    plans::create(db.conn(), &equal(acme, &invoices, 2, "2027-01-01"), today).unwrap();
}

#[test]
fn a_plan_paid_in_full_is_kept() {
    let (_dir, db) = temp_db();
    let (acme, invoices) = customer(&db, "Acme", None, &["2026-11-01"]);
    plans::create(
        db.conn(),
        &equal(acme, &invoices, 4, "2027-01-15"),
        d("2026-12-07"),
    )
    .unwrap();
    pay(&db, invoices[0], 10_000, d("2026-12-20"));
    let plan = &plans::for_customer(db.conn(), acme, d("2026-12-21")).unwrap()[0];
    assert_eq!(plan.status, PlanStatus::Kept);
    assert!(plan
        .instalments
        .iter()
        .all(|i| i.state == InstalmentState::Paid));
    assert_eq!(plan.paid.minor, 10_000);
}

#[test]
fn the_statement_shows_the_running_plan_with_what_is_paid() {
    let (dir, db) = temp_db();
    let (acme, invoices) = customer(&db, "Acme", None, &["2026-11-01", "2026-11-15"]);
    plans::create(
        db.conn(),
        &equal(acme, &invoices, 3, "2026-12-15"),
        d("2026-12-07"),
    )
    .unwrap();
    pay(&db, invoices[0], 6_667, d("2026-12-14"));
    // Within the January instalment's grace days the plan still runs.
    let options = StatementOptions::new(d("2027-01-18"));
    let mut data = statement_data(db.conn(), acme, &options).unwrap();
    let plan = data.plan.as_ref().unwrap();
    let states: Vec<InstalmentState> = plan.instalments.iter().map(|i| i.state).collect();
    assert_eq!(
        states,
        [
            InstalmentState::Paid,
            InstalmentState::Due,
            InstalmentState::Due
        ]
    );
    // The preview is given the plan's currency's digits, sections or not.
    data.sections.clear();
    let codes: Vec<String> = data.currencies().map(|c| c.code().into()).collect();
    assert_eq!(codes, ["EUR"]);
    let pdf = render_statement(db.conn(), acme, &options).unwrap();
    let text = pdf_text(&pdf, dir.path(), "plan");
    assert!(text.contains("Payment plan"), "{text}");
    assert!(
        text.contains("Paid so far 66.67; 133.33 remains."),
        "{text}"
    );
    assert!(text.contains("1 of 3"), "{text}");
    assert!(text.contains("2 of 3") && text.contains("3 of 3"), "{text}");
    // Broken the day after: the statement no longer shows it as the plan.
    let later = render_statement(db.conn(), acme, &StatementOptions::new(d("2027-01-19"))).unwrap();
    assert!(!pdf_text(&later, dir.path(), "later").contains("Payment plan"));
}
