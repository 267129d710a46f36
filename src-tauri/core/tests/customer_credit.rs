//! Credit limits and "on hold" (issue 20, part 6): set by hand with the currency rule, imported
//! from a generic CSV column, shown in the list and exported; hostile reasons never panic.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::campaign::{self, plan, Audience, Escalation, NewCampaign};
use duebook_core::model::{
    CustomerEdit, CustomerFilters, CustomerListQuery, CustomerSort, LimitInput, NewCustomer,
};
use duebook_core::store::{customers, Database, DbError};
use duebook_core::test_support::campaign::{customer, d};
use duebook_core::test_support::import::{import_csv, lines};
use duebook_core::test_support::temp_db;
use duebook_core::views::{customer_list, export};
use proptest::prelude::*;

fn limit(amount: &str, currency: Option<&str>) -> CustomerEdit {
    CustomerEdit::CreditLimit(Some(LimitInput {
        amount: amount.into(),
        currency: currency.map(str::to_string),
    }))
}

fn refused_field(db: &Database, id: i64, edit: &CustomerEdit) -> String {
    match customers::edit(db.conn(), id, edit) {
        Err(DbError::Invalid(field)) => format!("{}: {}", field.field, field.message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn query() -> CustomerListQuery {
    CustomerListQuery {
        search: None,
        sort: CustomerSort::Name,
        filters: CustomerFilters::default(),
        limit: 50,
        offset: 0,
        as_of: d("2026-05-01"),
    }
}

#[test]
fn a_limit_takes_the_given_currency_else_the_customers_else_the_one_owed_in() {
    let (_dir, db) = temp_db();
    // Owes in EUR only (the campaign helpers' invoices), no currency of its own.
    let (eur, _) = customer(&db, "Euro Owing", None, &["2026-04-01"]);
    let c = customers::edit(db.conn(), eur, &limit("5000.50", None)).unwrap();
    let got = c.credit_limit.unwrap();
    assert_eq!((got.minor, got.currency.code()), (500_050, "EUR"));
    let c = customers::edit(db.conn(), eur, &limit("300", Some("usd"))).unwrap();
    assert_eq!(c.credit_limit.unwrap().currency.code(), "USD");
    let c = customers::edit(db.conn(), eur, &CustomerEdit::CreditLimit(None)).unwrap();
    assert_eq!(c.credit_limit, None);

    let nothing = customers::insert(db.conn(), &NewCustomer::named("Owes Nothing")).unwrap();
    assert!(refused_field(&db, nothing, &limit("100", None)).contains("Say which currency"));
    assert!(refused_field(&db, eur, &limit("-5", None)).contains("negative"));
    assert!(refused_field(&db, eur, &limit("lots", None)).starts_with("credit_limit: "));
    assert!(refused_field(&db, eur, &limit("5", Some("XXQ"))).contains("Currency"));
}

#[test]
fn on_hold_by_hand_shows_in_the_list_and_the_export_and_comes_off() {
    let (_dir, db) = temp_db();
    let (a, _) = customer(&db, "Alpha", Some("a@a.example"), &["2026-04-01"]);
    customer(&db, "Beta", Some("b@b.example"), &["2026-04-01"]);
    customers::edit(db.conn(), a, &limit("1000", None)).unwrap();
    let held = customers::edit(
        db.conn(),
        a,
        &CustomerEdit::Hold(Some("  over the\nlimit ".into())),
    )
    .unwrap();
    let hold = held.hold.unwrap();
    assert_eq!(
        (hold.reason.as_str(), hold.set_by.as_str()),
        ("over the limit", "you")
    );
    assert!(refused_field(&db, a, &CustomerEdit::Hold(Some(" \n ".into()))).starts_with("hold: "));

    let page = customer_list::list(db.conn(), &query()).unwrap();
    let holds: Vec<(String, Option<String>)> = page
        .rows
        .iter()
        .map(|r| (r.name.clone(), r.on_hold.clone()))
        .collect();
    assert_eq!(
        holds,
        [
            ("Alpha".into(), Some("over the limit".into())),
            ("Beta".into(), None)
        ]
    );
    let mut out = Vec::new();
    export::customers_csv(db.conn(), &query(), &mut out).unwrap();
    let csv = String::from_utf8(out).unwrap();
    let mut rows = csv.lines();
    assert!(
        rows.next()
            .unwrap()
            .ends_with(",On hold,Credit limit,Account owner"),
        "{csv}"
    );
    assert!(
        rows.next()
            .unwrap()
            .ends_with(",over the limit,1000.00 EUR,"),
        "{csv}"
    );
    assert!(rows.next().unwrap().ends_with(",,,"), "{csv}");

    let off = customers::edit(db.conn(), a, &CustomerEdit::Hold(None)).unwrap();
    assert_eq!(off.hold, None);
    let kinds: Vec<String> = db
        .conn()
        .prepare("SELECT summary FROM activity WHERE customer_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([a], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        kinds,
        [
            "Credit limit set to 1000.00 EUR",
            "Put on hold: over the limit",
            "Taken off hold"
        ]
    );
}

#[test]
fn the_generic_csv_imports_a_credit_limit_column() {
    let (dir, mut db) = temp_db();
    let file = "customer,invoice,date,due date,amount,currency,Credit Limit\n\
                Acme,1,2026-03-01,2026-03-31,10,USD,\"2,500.00\"\n\
                Acme,2,2026-03-02,2026-04-01,10,USD,\n\
                Bolt,3,2026-03-01,2026-03-31,10,EUR,-5\n\
                Core,4,2026-03-01,2026-03-31,10,GBP,\n";
    let report = import_csv(&mut db, dir.path(), "limits.csv", file);
    assert_eq!(
        lines(&report.rejections),
        ["line 4: credit limit -5.00 is negative"]
    );
    let acme = customers::find_id_by_name(db.conn(), "Acme")
        .unwrap()
        .unwrap();
    let got = customers::get(db.conn(), acme)
        .unwrap()
        .credit_limit
        .unwrap();
    assert_eq!((got.minor, got.currency.code()), (250_000, "USD"));
    let core = customers::find_id_by_name(db.conn(), "Core")
        .unwrap()
        .unwrap();
    assert_eq!(customers::get(db.conn(), core).unwrap().credit_limit, None);
    // A re-import of the same limit writes nothing new.
    import_csv(&mut db, dir.path(), "limits.csv", file);
    let changes: i64 = db
        .conn()
        .query_row(
            "SELECT count(*) FROM activity WHERE kind = 'credit_limit'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(changes, 1);
}

#[test]
fn an_audience_by_share_of_the_credit_limit() {
    let (_dir, db) = temp_db();
    let (near, _) = customer(&db, "Near the limit", Some("n@n.example"), &["2026-04-01"]);
    let (far, _) = customer(&db, "Far below", Some("f@f.example"), &["2026-04-01"]);
    customer(&db, "No limit", Some("x@x.example"), &["2026-04-01"]);
    customers::edit(db.conn(), near, &limit("120", None)).unwrap();
    customers::edit(db.conn(), far, &limit("1000", None)).unwrap();
    let at = |percent| NewCampaign {
        audience: Audience {
            min_credit_used_percent: Some(percent),
            ..Audience::default()
        },
        escalation: Escalation::Jump,
        ..campaign::preset("friendly").unwrap()
    };
    let planned = |id| -> Vec<i64> {
        let p = plan::plan(db.conn(), id, d("2026-04-10")).unwrap();
        p.contacts.iter().map(|c| c.customer_id).collect()
    };
    // 100.00 open of 120.00 is 83 %; of 1000.00 it is 10 %.
    let eighty = campaign::create(db.conn(), &at(80)).unwrap();
    assert_eq!(planned(eighty), [near]);
    let ninety = campaign::create(db.conn(), &at(90)).unwrap();
    assert!(planned(ninety).is_empty());
    let ten = campaign::create(db.conn(), &at(10)).unwrap();
    assert_eq!(planned(ten), [near, far]);
    let refused = campaign::create(db.conn(), &at(0)).unwrap_err();
    assert!(
        refused.to_string().contains("percentage from 1 to 1000"),
        "{refused}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any text as a hold reason or a limit: refused with a reason or stored as one clean line.
    #[test]
    fn hostile_reasons_and_limits_never_panic(reason in "\\PC*|[\\x00-\\x1f\\u{202e}a ]*", amount in "\\PC{0,12}") {
        let (_dir, db) = temp_db();
        let (id, _) = customer(&db, "Any", None, &["2026-04-01"]);
        if let Ok(c) = customers::edit(db.conn(), id, &CustomerEdit::Hold(Some(reason))) {
            let reason = c.hold.unwrap().reason;
            prop_assert!(duebook_core::model::text::is_clean_line(&reason), "{reason:?}");
        }
        let _ = customers::edit(db.conn(), id, &limit(&amount, None));
    }
}
