//! Late fees and interest shown to the customer: 120 days of `run-due` where the reminders past
//! the grace period carry a "Late fees and interest" block with exactly what was recorded (to
//! the cent, in the text and the HTML part), a waived fee and then waived interest disappear
//! from the later reminders and from the statement, and the statement lists the charges in a
//! section of their own, never in the balance. Waiving from the customer screen checks that the
//! charge is that customer's.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::campaign::fees::{simple_interest, InterestRate};
use duebook_core::campaign::{self, LateFees};
use duebook_core::company::{format_date, format_money};
use duebook_core::model::{Currency, Money};
use duebook_core::statement::{render_statement, statement_data, StatementOptions};
use duebook_core::store::charges;
use duebook_core::store::{Database, DbError};
use duebook_core::test_support::campaign::{
    customer, d, setup_mail, simulate_days, temp_db, StubMailer,
};
use duebook_core::test_support::statement::pdf_text;

const DUE: &str = "2026-07-15";
const FEE_WAIVED_ON: &str = "2026-08-20";
const INTEREST_WAIVED_ON: &str = "2026-09-20";

fn eur(minor: i64) -> String {
    format_money(&Money::new(minor, Currency::parse("EUR").unwrap()))
}

/// Waives the customer's current charges of `kind` (as the customer screen does).
fn waive(path: &std::path::Path, who: i64, kind: &str) {
    let db = Database::open(path).unwrap();
    let current = charges::current_of_customer(db.conn(), who, None).unwrap();
    let mine: Vec<_> = current.iter().filter(|c| c.kind == kind).collect();
    assert!(!mine.is_empty(), "no {kind} to waive: {current:?}");
    for c in mine {
        assert!(charges::waive_for_customer(db.conn(), who, c.id, "goodwill").unwrap());
    }
}

/// Every message to the customer: (day, template, text, html), in the order queued.
fn messages(
    db: &Database,
    who: i64,
    days: &[NaiveDate],
) -> Vec<(NaiveDate, String, String, String)> {
    let mut stmt = db
        .conn()
        .prepare(
            "SELECT template_key, body_text, coalesce(body_html, '') FROM messages
             WHERE customer_id = ?1 ORDER BY id",
        )
        .unwrap();
    let rows = stmt
        .query_map([who], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap);
    days.iter()
        .zip(rows)
        .map(|(day, (t, text, html))| (*day, t, text, html))
        .collect()
}

/// What the reminder of `day` must show: (fee line, interest line), None for absent. The fee
/// is charged once, on the first reminder past the grace period (`fee_day`); the interest as of
/// each reminder's day.
fn expected(day: NaiveDate, fee_day: NaiveDate) -> (Option<String>, Option<String>) {
    let days = (day - d(DUE)).num_days();
    if days <= 10 {
        return (None, None);
    }
    let fee = (day < d(FEE_WAIVED_ON)).then(|| {
        format!(
            "Late payment fee as of {}  {}",
            format_date(fee_day),
            eur(4000)
        )
    });
    let interest = simple_interest(10_000, 800, days).unwrap();
    let interest = (day < d(INTEREST_WAIVED_ON))
        .then(|| format!("Interest as of {}  {}", format_date(day), eur(interest)));
    (fee, interest)
}

#[test]
fn reminders_show_what_was_recorded_and_waived_charges_disappear() {
    let (dir, db) = temp_db();
    setup_mail(&db);
    let mut friendly = campaign::preset("friendly").unwrap();
    friendly.late_fees = Some(LateFees {
        fee_minor: Some(4000),
        interest: Some(InterestRate::Annual { basis_points: 800 }),
        grace_days: 10,
    });
    campaign::create(db.conn(), &friendly).unwrap();
    let (who, _) = customer(&db, "A single", Some("a@a.example"), &[DUE]);
    let path = dir.path().join("test.sqlite");
    let before = |day: NaiveDate| {
        if day == d(FEE_WAIVED_ON) {
            waive(&path, who, "fee");
        } else if day == d(INTEREST_WAIVED_ON) {
            waive(&path, who, "interest");
        }
    };
    let log = simulate_days(
        &path,
        (d("2026-07-01"), 120),
        &StubMailer::default(),
        before,
        |_| {},
    );
    let days: Vec<NaiveDate> = log.iter().filter(|l| l.1 == who).map(|l| l.0).collect();
    let sent = messages(&db, who, &days);
    assert_eq!(
        sent.len(),
        5,
        "pre-due, three overdue steps, final notice: {log:?}"
    );
    let fee_day = *days
        .iter()
        .find(|day| (**day - d(DUE)).num_days() > 10)
        .unwrap();
    let mut shown = 0;
    for (day, template, text, html) in &sent {
        let (fee, interest) = expected(*day, fee_day);
        let any = fee.is_some() || interest.is_some();
        assert_eq!(
            text.contains("Late fees and interest"),
            any,
            "{day} {template}:\n{text}"
        );
        assert_eq!(
            html.contains("Late fees and interest"),
            any,
            "{day} {template}"
        );
        for line in [&fee, &interest].into_iter().flatten() {
            assert!(
                text.contains(line.as_str()),
                "{day}: want {line:?} in\n{text}"
            );
            let amount = line.rsplit("  ").next().unwrap();
            assert!(
                html.contains(amount),
                "{day}: want {amount} in the HTML part"
            );
        }
        if fee.is_none() {
            assert!(!text.contains("Late payment fee"), "{day}:\n{text}");
        }
        if interest.is_none() {
            assert!(!text.contains("Interest as of"), "{day}:\n{text}");
        }
        shown += usize::from(any);
    }
    // Past the grace period before FEE_WAIVED_ON with both, then interest only, then none.
    assert!(shown >= 2, "{sent:?}");
    assert!(
        sent.iter().any(|(day, ..)| *day > d(INTEREST_WAIVED_ON)),
        "{days:?}"
    );
    let last = *days.last().unwrap();
    let data = statement_data(db.conn(), who, &StatementOptions::new(last)).unwrap();
    assert_eq!(
        data.charges,
        vec![],
        "waived charges are not on the statement"
    );
}

#[test]
fn the_statement_lists_charges_apart_from_the_balance() {
    let (dir, db) = temp_db();
    let (who, invoices) = customer(
        &db,
        "Fees Ltd",
        Some("ap@fees.example"),
        &[DUE, "2026-08-01"],
    );
    let campaign_id = campaign::create(db.conn(), &campaign::preset("friendly").unwrap()).unwrap();
    let record = |inv: i64, kind: &str, minor: i64| {
        charges::record(db.conn(), inv, campaign_id, (kind, minor), "2026-08-14")
            .unwrap()
            .unwrap()
    };
    record(invoices[0], "fee", 4000);
    record(invoices[0], "interest", 66);
    let waived = record(invoices[1], "fee", 4000);
    assert!(charges::waive_for_customer(db.conn(), who, waived, "first time").unwrap());
    let options = StatementOptions::new(d("2026-08-31"));
    let data = statement_data(db.conn(), who, &options).unwrap();
    // The two invoices of 100.00 each: the charges are never in the balance.
    assert_eq!(data.sections[0].closing, 20_000);
    let shown: Vec<(&str, i64)> = data
        .charges
        .iter()
        .map(|c| (c.kind.as_str(), c.amount_minor))
        .collect();
    assert_eq!(shown, vec![("fee", 4000), ("interest", 66)]);
    // The app's preview formats every amount it shows in its currency's digits: the charges'
    // currencies are among those it is given, sections or not.
    let mut charges_only = data.clone();
    charges_only.sections.clear();
    let codes: Vec<String> = charges_only.currencies().map(|c| c.code().into()).collect();
    assert_eq!(codes, ["EUR", "EUR"]);
    let text = pdf_text(
        &render_statement(db.conn(), who, &options).unwrap(),
        dir.path(),
        "fees",
    );
    assert!(text.contains("Late fees and interest"), "{text}");
    assert!(text.contains("Late payment fee"), "{text}");
    assert!(text.contains("Total late fees and interest"), "{text}");
    assert!(text.contains("40.66"), "{text}");
    assert!(text.contains("not included in the balance"), "{text}");
    assert_eq!(
        text.matches("Late payment fee").count(),
        1,
        "the waived fee is not shown: {text}"
    );
}

#[test]
fn the_customer_screen_waives_only_that_customers_charges_with_a_reason() {
    let (_dir, db) = temp_db();
    let (alice, alices) = customer(&db, "Alice Ltd", Some("ap@alice.example"), &[DUE]);
    let (bob, _) = customer(&db, "Bob GmbH", Some("ap@bob.example"), &[DUE]);
    let campaign_id = campaign::create(db.conn(), &campaign::preset("friendly").unwrap()).unwrap();
    let id = charges::record(
        db.conn(),
        alices[0],
        campaign_id,
        ("fee", 4000),
        "2026-08-14",
    )
    .unwrap()
    .unwrap();
    let refused = charges::waive_for_customer(db.conn(), bob, id, "not mine");
    assert!(
        matches!(
            refused,
            Err(DbError::OtherCustomer {
                record: "charge",
                ..
            })
        ),
        "{refused:?}"
    );
    assert!(matches!(
        charges::waive_for_customer(db.conn(), alice, id, "  "),
        Err(DbError::Invalid(_))
    ));
    assert!(matches!(
        charges::waive_for_customer(db.conn(), alice, id + 100, "x"),
        Err(DbError::NotFound(_))
    ));
    assert_eq!(
        charges::of_invoice(db.conn(), alices[0]).unwrap()[0].waived_at,
        None
    );
    assert!(charges::waive_for_customer(db.conn(), alice, id, "goodwill\nline two").unwrap());
    assert!(
        !charges::waive_for_customer(db.conn(), alice, id, "again").unwrap(),
        "the first waiver stands"
    );
    let stored = &charges::of_invoice(db.conn(), alices[0]).unwrap()[0];
    assert_eq!(stored.waived_reason.as_deref(), Some("goodwill line two"));
}

const BIDI_OVERRIDE: char = '\u{202e}';

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Whatever a person types as the reason: a field error when blank, else kept as one clean
    /// line; never a panic.
    #[test]
    fn any_waiver_reason_is_refused_or_kept_as_one_line(reason in "\\PC{0,80}|[ \\t\\r\\n\\u{202e}<>&]{0,10}") {
        let (_dir, db) = temp_db();
        let (who, invoices) = customer(&db, "Props Ltd", Some("ap@props.example"), &[DUE]);
        let campaign_id = campaign::create(db.conn(), &campaign::preset("friendly").unwrap()).unwrap();
        let id = charges::record(db.conn(), invoices[0], campaign_id, ("fee", 4000), "2026-08-14")
            .unwrap()
            .unwrap();
        match charges::waive_for_customer(db.conn(), who, id, &reason) {
            Ok(done) => {
                proptest::prop_assert!(done);
                let stored = charges::of_invoice(db.conn(), invoices[0]).unwrap().remove(0);
                let kept = stored.waived_reason.unwrap();
                let one_line = !kept.is_empty() && !kept.contains(['\n', '\r', BIDI_OVERRIDE]);
                proptest::prop_assert!(one_line, "{kept:?}");
            }
            Err(DbError::Invalid(_)) => {
                let blank = reason.chars().all(|c| c.is_whitespace() || c == BIDI_OVERRIDE);
                proptest::prop_assert!(blank, "{reason:?}");
            },
            Err(e) => proptest::prop_assert!(false, "{e}"),
        }
    }
}
