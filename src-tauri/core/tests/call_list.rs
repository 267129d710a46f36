//! The collector's Today list: which call tasks show, in which order, and what logging each
//! outcome does (task done, promise or dispute recorded, next call scheduled, campaigns stopped).

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::campaign::plan::{plan, ExclusionReason};
use duebook_core::campaign::{self};
use duebook_core::model::{Currency, Money, TaskKind};
use duebook_core::store::promises::{self, NewPromise};
use duebook_core::store::tasks::{self, NewTask};
use duebook_core::store::{Database, DbError};
use duebook_core::test_support::campaign::{customer, d, temp_db};
use duebook_core::views::call_list::{self, CallOutcome, CallRow, OutcomeInput};
use duebook_core::views::timeline::{self, TimelineKind};

/// A Friday.
const TODAY: &str = "2026-03-06";

fn call_task(db: &Database, customer_id: i64, due: &str) -> i64 {
    tasks::add(
        db.conn(),
        &NewTask {
            customer_id,
            kind: TaskKind::Call,
            title: "Call about the overdue invoices",
            due_date: d(due),
        },
    )
    .unwrap()
}

/// A customer with a billing contact (email and phone) and one invoice per due date, and a
/// call task for it due today; returns (customer, invoices, task).
fn to_call(db: &Database, name: &str, dues: &[&str]) -> (i64, Vec<i64>, i64) {
    let (id, invoices) = customer(db, name, Some("ap@customer.example"), dues);
    (id, invoices, call_task(db, id, TODAY))
}

fn outcome(task_id: i64, outcome: CallOutcome) -> OutcomeInput {
    OutcomeInput {
        task_id,
        outcome,
        comment: None,
        amount: None,
        currency: None,
        promised_date: None,
        invoice_id: None,
        reason: None,
        follow_up: None,
    }
}

fn rows(db: &Database, on: &str) -> Vec<CallRow> {
    call_list::today(db.conn(), d(on)).unwrap()
}

fn names(rows: &[CallRow]) -> Vec<&str> {
    rows.iter().map(|r| r.customer_name.as_str()).collect()
}

fn log(db: &mut Database, input: &OutcomeInput) -> Result<call_list::LoggedOutcome, DbError> {
    db.write(|conn| call_list::log_outcome(conn, input, d(TODAY)))
}

fn open_call_tasks(db: &Database, customer_id: i64) -> Vec<(NaiveDate, String)> {
    tasks::for_customer(db.conn(), customer_id)
        .unwrap()
        .into_iter()
        .filter(|t| t.done_at.is_none() && t.kind == TaskKind::Call)
        .map(|t| (t.due_date, t.title))
        .collect()
}

#[test]
fn broken_promises_come_first_then_amount_times_days_overdue() {
    let (_dir, db) = temp_db();
    // 100.00 EUR, 10 days overdue: weight 1,000.
    let (small, _) = customer(
        &db,
        "Small Recent Ltd",
        Some("a@small.example"),
        &["2026-02-24"],
    );
    // 200.00 EUR, 40 days overdue: weight 8,000.
    let (big, _) = customer(
        &db,
        "Big Old GmbH",
        Some("a@big.example"),
        &["2026-01-25", "2026-02-20"],
    );
    // 100.00 EUR, 5 days overdue, but a promise broke.
    let (broken, _) = customer(
        &db,
        "Broken Promise SA",
        Some("a@broken.example"),
        &["2026-03-01"],
    );
    promises::add(
        db.conn(),
        &NewPromise {
            customer_id: broken,
            invoice_id: None,
            amount: Money::new(5_000, Currency::parse("EUR").unwrap()),
            promised_date: d("2026-03-03"),
        },
        d("2026-03-02"),
    )
    .unwrap();
    let (later, _) = customer(
        &db,
        "Not Yet Due Inc",
        Some("a@later.example"),
        &["2026-01-01"],
    );
    for (id, due) in [
        (small, TODAY),
        (big, "2026-03-04"),
        (broken, TODAY),
        (later, "2026-03-07"),
    ] {
        call_task(&db, id, due);
    }
    tasks::add(
        db.conn(),
        &NewTask {
            customer_id: big,
            kind: TaskKind::Email,
            title: "Email the statement",
            due_date: d(TODAY),
        },
    )
    .unwrap();

    let list = rows(&db, TODAY);
    assert_eq!(
        names(&list),
        ["Broken Promise SA", "Big Old GmbH", "Small Recent Ltd"]
    );
    assert!(list[0].broken_promise);
    let big_row = &list[1];
    assert_eq!(big_row.days_overdue, 40);
    assert_eq!(big_row.balances.len(), 1);
    assert_eq!(big_row.balances[0].currency, "EUR");
    assert_eq!(big_row.balances[0].open_decimal, "200.00");
    assert_eq!(big_row.contact_name.as_deref(), Some("Jordan Smith"));
    assert_eq!(big_row.phone.as_deref(), Some("+44 20 7946 0000"));
    assert!(!big_row.phone_flagged);
    assert_eq!(
        names(&rows(&db, "2026-03-07")).len(),
        4,
        "tomorrow's task shows tomorrow"
    );
}

#[test]
fn a_promise_completes_the_call_schedules_the_day_after_and_stops_the_campaign() {
    let (_dir, mut db) = temp_db();
    let (id, invoices) = customer(
        &db,
        "Promising Co",
        Some("ap@promising.example"),
        &["2026-02-20"],
    );
    let campaign = campaign::create(db.conn(), &campaign::preset("friendly").unwrap()).unwrap();
    let before = plan(db.conn(), campaign, d(TODAY)).unwrap();
    assert!(
        before.contacts.iter().any(|c| c.customer_id == id),
        "due for step 2 before the call"
    );
    let task = call_task(&db, id, TODAY);

    let mut input = outcome(task, CallOutcome::Promise);
    input.amount = Some("100.00".into());
    input.promised_date = Some(d("2026-03-13"));
    input.invoice_id = Some(invoices[0]);
    let logged = log(&mut db, &input).unwrap();

    assert!(logged.promise_id.is_some());
    assert_eq!(logged.follow_up_date, Some(d("2026-03-14")));
    assert!(
        rows(&db, TODAY).is_empty(),
        "the called row leaves the list"
    );
    let done = tasks::get(db.conn(), task).unwrap();
    assert_eq!(
        done.outcome.as_deref(),
        Some("Promise to pay 100.00 EUR by 2026-03-13")
    );
    assert_eq!(open_call_tasks(&db, id).len(), 1);
    assert_eq!(open_call_tasks(&db, id)[0].0, d("2026-03-14"));
    let entries = timeline::for_customer(db.conn(), id, &[TimelineKind::Promise], 10).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].title, "Promise to pay by 2026-03-13");

    let after = plan(db.conn(), campaign, d(TODAY)).unwrap();
    assert!(after.contacts.iter().all(|c| c.customer_id != id));
    let excluded = after.excluded.iter().find(|e| e.customer_id == id).unwrap();
    assert_eq!(excluded.reason, ExclusionReason::PromisePending);
}

#[test]
fn a_dispute_contests_the_oldest_invoice_and_stops_the_campaign_for_it() {
    let (_dir, mut db) = temp_db();
    let (id, invoices, task) = to_call(&db, "Contesting Ltd", &["2026-02-01", "2026-02-25"]);
    let campaign = campaign::create(db.conn(), &campaign::preset("friendly").unwrap()).unwrap();
    let mut input = outcome(task, CallOutcome::Dispute);
    input.reason = Some("Goods arrived damaged".into());
    let logged = log(&mut db, &input).unwrap();

    assert_eq!(logged.follow_up_date, Some(d("2026-03-13")));
    let dispute =
        duebook_core::store::disputes::get(db.conn(), logged.dispute_id.unwrap()).unwrap();
    assert_eq!(
        dispute.invoice_id,
        Some(invoices[0]),
        "the oldest open invoice"
    );
    let done = tasks::get(db.conn(), task).unwrap();
    assert!(done.outcome.unwrap().contains("Goods arrived damaged"));

    let p = plan(db.conn(), campaign, d(TODAY)).unwrap();
    let contact = p.contacts.iter().find(|c| c.customer_id == id).unwrap();
    assert!(
        contact.invoices.iter().all(|i| i.invoice_id != invoices[0]),
        "the disputed invoice moves no further"
    );

    // Both disputed: the campaign stops for the customer.
    let second = call_task(&db, id, TODAY);
    let mut input = outcome(second, CallOutcome::Dispute);
    input.reason = Some("Never ordered".into());
    log(&mut db, &input).unwrap();
    let p = plan(db.conn(), campaign, d(TODAY)).unwrap();
    let excluded = p.excluded.iter().find(|e| e.customer_id == id).unwrap();
    assert_eq!(excluded.reason, ExclusionReason::Disputed);
}

#[test]
fn no_answer_and_voicemail_retry_two_business_days_later_reached_a_week_later() {
    let (_dir, mut db) = temp_db();
    let (id, _) = customer(&db, "Hard To Reach BV", None, &["2026-02-01"]);
    for (kind, expected) in [
        (CallOutcome::NoAnswer, "2026-03-10"),
        (CallOutcome::LeftVoicemail, "2026-03-10"),
        (CallOutcome::Reached, "2026-03-13"),
    ] {
        let task = call_task(&db, id, TODAY);
        let logged = log(&mut db, &outcome(task, kind)).unwrap();
        assert_eq!(logged.follow_up_date, Some(d(expected)), "{kind:?}");
        let done = tasks::get(db.conn(), task).unwrap();
        assert_eq!(done.outcome.as_deref(), Some(kind.label()));
    }
    assert_eq!(
        call_list::suggest_follow_up(CallOutcome::NoAnswer, d("2026-03-04"), None),
        Some(d("2026-03-06")),
        "midweek: no weekend to skip"
    );

    // The person may move the suggested date.
    let task = call_task(&db, id, TODAY);
    let mut input = outcome(task, CallOutcome::Reached);
    input.follow_up = Some(d("2026-03-20"));
    input.comment = Some("Call back after their board meeting".into());
    let logged = log(&mut db, &input).unwrap();
    assert_eq!(logged.follow_up_date, Some(d("2026-03-20")));
    let done = tasks::get(db.conn(), task).unwrap();
    assert_eq!(
        done.outcome.as_deref(),
        Some("Reached — Call back after their board meeting")
    );
}

#[test]
fn a_wrong_number_flags_the_contact_until_the_number_changes_and_schedules_nothing() {
    let (_dir, mut db) = temp_db();
    let (id, _, task) = to_call(&db, "Wrong Line Ltd", &["2026-02-01"]);
    let logged = log(&mut db, &outcome(task, CallOutcome::WrongNumber)).unwrap();
    assert_eq!(logged.follow_up_date, None);
    assert!(open_call_tasks(&db, id).is_empty());
    let status = timeline::for_customer(db.conn(), id, &[TimelineKind::Status], 5).unwrap();
    assert_eq!(
        status[0].title,
        "Wrong number: +44 20 7946 0000 (Jordan Smith)"
    );

    call_task(&db, id, TODAY);
    assert!(rows(&db, TODAY)[0].phone_flagged);
    db.conn()
        .execute(
            "UPDATE contacts SET phone = '+44 20 7946 0999' WHERE customer_id = ?1",
            [id],
        )
        .unwrap();
    let row = &rows(&db, TODAY)[0];
    assert!(
        !row.phone_flagged,
        "a corrected number is no longer flagged"
    );
    assert_eq!(row.phone.as_deref(), Some("+44 20 7946 0999"));
}

#[test]
fn refused_outcomes_change_nothing() {
    let (_dir, mut db) = temp_db();
    let (id, _, task) = to_call(&db, "Careful Co", &["2026-02-01"]);

    let field_of = |e: DbError| match e {
        DbError::Invalid(f) => f.field,
        other => panic!("expected a field error, got {other}"),
    };
    let promise = |amount: Option<&str>, date: Option<&str>| OutcomeInput {
        amount: amount.map(String::from),
        promised_date: date.map(d),
        ..outcome(task, CallOutcome::Promise)
    };
    let in_the_past = OutcomeInput {
        follow_up: Some(d("2026-03-01")),
        ..outcome(task, CallOutcome::Reached)
    };
    let refused = [
        ("a promise without an amount", promise(None, None), "amount"),
        (
            "a promise without a date",
            promise(Some("50"), None),
            "promised_date",
        ),
        (
            "an amount that is no number",
            promise(Some("fifty"), Some("2026-03-10")),
            "amount",
        ),
        (
            "a dispute without a reason",
            outcome(task, CallOutcome::Dispute),
            "reason",
        ),
        ("a follow-up in the past", in_the_past, "follow_up"),
    ];
    for (case, input, field) in refused {
        assert_eq!(field_of(log(&mut db, &input).unwrap_err()), field, "{case}");
    }

    assert!(tasks::get(db.conn(), task).unwrap().done_at.is_none());
    assert_eq!(open_call_tasks(&db, id).len(), 1);
    assert!(promises::for_customer(db.conn(), id, d(TODAY))
        .unwrap()
        .is_empty());
    assert!(duebook_core::store::disputes::for_customer(db.conn(), id)
        .unwrap()
        .is_empty());

    log(&mut db, &outcome(task, CallOutcome::Reached)).unwrap();
    assert!(
        log(&mut db, &outcome(task, CallOutcome::Reached)).is_err(),
        "a done task is done"
    );
}

#[test]
fn the_csv_export_follows_the_list_and_neutralises_formulas() {
    let (_dir, db) = temp_db();
    let (evil, _) = customer(
        &db,
        "=HYPERLINK(\"http://x\")",
        Some("a@evil.example"),
        &["2026-02-01"],
    );
    let (plain, _) = customer(&db, "Plain Ltd", Some("a@plain.example"), &["2026-03-01"]);
    call_task(&db, plain, TODAY);
    call_task(&db, evil, TODAY);
    let mut out = Vec::new();
    let written = call_list::today_csv(db.conn(), d(TODAY), &mut out).unwrap();
    assert_eq!(written, 2);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Customer,Contact,Phone,Open,Days overdue"));
    assert!(lines[1].starts_with(
        "\"'=HYPERLINK(\"\"http://x\"\")\",Jordan Smith,'+44 20 7946 0000,100.00 EUR,33,"
    ));
    assert!(lines[2].starts_with("Plain Ltd,"));
}
