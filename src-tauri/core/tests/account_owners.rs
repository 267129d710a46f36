//! Account owners on the customer screen: edited, refused when unreadable, shown in the list,
//! filtered on, exported and summed per owner — on real database files.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::{Days, NaiveDate};
use duebook_core::model::{
    Currency, CustomerEdit, CustomerFilters, CustomerListQuery, CustomerSort, Money, NewCustomer,
    Owner,
};
use duebook_core::store::{account_owners, customers, derived, DbError};
use duebook_core::test_support::{ledger::add_invoice, temp_db};
use duebook_core::views::{customer_list, export};

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn owner_query(owner: Option<&str>) -> CustomerListQuery {
    CustomerListQuery {
        search: None,
        sort: CustomerSort::Name,
        filters: CustomerFilters {
            owner: owner.map(str::to_string),
            ..CustomerFilters::default()
        },
        limit: 100,
        offset: 0,
        as_of: today(),
    }
}

#[test]
fn owners_are_edited_listed_filtered_exported_and_summed() {
    let (_dir, db) = temp_db();
    let conn = db.conn();
    let [acme, bolt, cato] = ["Acme", "=Bolt", "Cato"]
        .map(|name| customers::insert(conn, &NewCustomer::named(name)).unwrap());
    let due = today().checked_sub_days(Days::new(10)).unwrap();
    let usd = Currency::parse("USD").unwrap();
    for (id, minor) in [(acme, 10_000), (bolt, 2_550), (cato, 700)] {
        let issued = due.checked_sub_days(Days::new(30)).unwrap();
        add_invoice(
            &db,
            id,
            &format!("I-{id}"),
            issued,
            due,
            Money::new(minor, usd.clone()),
        );
    }
    derived::refresh_customers(conn, &[acme, bolt, cato]).unwrap();

    let priya = CustomerEdit::Owner(" Priya Shah <priya@seller.example> ".into());
    let saved = customers::edit(conn, acme, &priya).unwrap();
    assert_eq!(
        saved.owner,
        Some(Owner {
            name: Some("Priya Shah".into()),
            email: Some("priya@seller.example".into())
        })
    );
    customers::edit(conn, bolt, &priya).unwrap();
    customers::edit(conn, cato, &CustomerEdit::Owner("=Tom".into())).unwrap();
    match customers::edit(conn, cato, &CustomerEdit::Owner("Tom <tom@>".into())) {
        Err(DbError::Invalid(field)) => assert_eq!(field.field, "owner"),
        other => panic!("expected a field error, got {other:?}"),
    }
    let cato_owner = customers::get(conn, cato).unwrap().owner.unwrap();
    assert_eq!(
        cato_owner.display(),
        "=Tom",
        "a refused edit keeps the owner"
    );

    let page = customer_list::list(conn, &owner_query(None)).unwrap();
    let shown: Vec<_> = page
        .rows
        .iter()
        .map(|r| (r.name.as_str(), r.owner.as_deref()))
        .collect();
    let priya = Some("Priya Shah <priya@seller.example>");
    assert_eq!(
        shown,
        [("=Bolt", priya), ("Acme", priya), ("Cato", Some("=Tom"))]
    );
    let filtered = customer_list::list(
        conn,
        &owner_query(Some("Priya Shah <priya@seller.example>")),
    );
    let names: Vec<_> = filtered.unwrap().rows.into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["=Bolt", "Acme"]);
    let nobody = customer_list::list(conn, &owner_query(Some("Priya Shah"))).unwrap();
    assert_eq!(
        nobody.total, 0,
        "a name alone is another owner than name and email"
    );

    let mut out = Vec::new();
    export::customers_csv(conn, &owner_query(None), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.lines().next().unwrap().ends_with(",Account owner"),
        "{text}"
    );
    assert!(
        text.contains(",Priya Shah <priya@seller.example>\n"),
        "{text}"
    );
    assert!(text.contains(",'=Tom\n"), "neutralised: {text}");

    let summaries = account_owners::summaries(conn).unwrap();
    let lines: Vec<_> = summaries
        .iter()
        .map(|s| (s.owner.display(), s.customers, s.open.clone()))
        .collect();
    assert_eq!(
        lines,
        [
            ("=Tom".to_string(), 1, vec![("USD".to_string(), 700)]),
            (
                "Priya Shah <priya@seller.example>".to_string(),
                2,
                vec![("USD".to_string(), 12_550)]
            ),
        ]
    );
    let menu: Vec<_> = account_owners::all(conn)
        .unwrap()
        .iter()
        .map(Owner::display)
        .collect();
    assert_eq!(menu, ["=Tom", "Priya Shah <priya@seller.example>"]);

    // Blank removes the owner, and each change is on the customer's timeline.
    customers::edit(conn, cato, &CustomerEdit::Owner("  ".into())).unwrap();
    assert_eq!(customers::get(conn, cato).unwrap().owner, None);
    let changes: u32 = conn
        .query_row(
            "SELECT count(*) FROM activity WHERE kind = 'owner' AND customer_id = ?1",
            [cato],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(changes, 2);
}

#[test]
fn the_owners_hold_keeps_a_customer_out_of_the_plan_with_the_reason_until_released() {
    use duebook_core::campaign::{self, plan::plan, plan::ExclusionReason};
    use duebook_core::test_support::campaign::{customer, d};
    let (_dir, db) = duebook_core::test_support::campaign::temp_db();
    let conn = db.conn();
    let id = campaign::create(conn, &campaign::preset("friendly").unwrap()).unwrap();
    let (held, _) = customer(&db, "Held", Some("a@held.example"), &["2026-04-05"]);
    let (free, _) = customer(&db, "Free", Some("b@free.example"), &["2026-04-05"]);

    match account_owners::hold(conn, held, " \n ") {
        Err(DbError::Invalid(field)) => assert_eq!(field.field, "reason"),
        other => panic!("a blank reason is refused, got {other:?}"),
    }
    assert!(
        account_owners::hold(conn, 999, "x").is_err(),
        "unknown customer"
    );
    account_owners::hold(conn, held, "Renewal call on Friday\n").unwrap();
    assert_eq!(
        account_owners::held(conn, held).unwrap().as_deref(),
        Some("Renewal call on Friday")
    );
    let shown = customers::get(conn, held).unwrap().owner_hold;
    assert_eq!(
        shown.as_deref(),
        Some("Renewal call on Friday"),
        "the customer screen sees it"
    );

    let p = plan(conn, id, d("2026-04-15")).unwrap();
    let out = p.excluded.iter().find(|e| e.customer_id == held).unwrap();
    assert_eq!(out.reason, ExclusionReason::HeldByOwner);
    assert_eq!(out.detail, "held by the owner: Renewal call on Friday");
    assert!(p.contacts.iter().any(|c| c.customer_id == free), "{p:#?}");
    assert!(!p.contacts.iter().any(|c| c.customer_id == held), "{p:#?}");

    account_owners::release(conn, held).unwrap();
    assert_eq!(account_owners::held(conn, held).unwrap(), None);
    let p = plan(conn, id, d("2026-04-15")).unwrap();
    assert!(p.contacts.iter().any(|c| c.customer_id == held), "{p:#?}");
}

fn owner_of(db: &duebook_core::store::Database, id: i64) -> Option<Owner> {
    customers::get(db.conn(), id).unwrap().owner
}

/// The list as searched and filtered, every page.
fn list_query(search: Option<&str>, segment: Option<&str>) -> CustomerListQuery {
    CustomerListQuery {
        search: search.map(str::to_string),
        filters: CustomerFilters {
            segment: segment.map(str::to_string),
            ..CustomerFilters::default()
        },
        limit: u32::MAX,
        ..owner_query(None)
    }
}

#[test]
fn the_list_as_filtered_gets_one_owner_counted_first_and_blank_removes_it() {
    use duebook_core::views::owner_assign::{self, OwnerAssignment};
    let (_dir, mut db) = temp_db();
    let [acme, acme_shop, bolt, cato] = [
        ("Acme Retail", Some("Retail")),
        ("Acme Wholesale", Some("Wholesale")),
        ("Bolt", Some("Retail")),
        ("Cato", None),
    ]
    .map(|(name, segment)| {
        let new = NewCustomer {
            segment: segment.map(str::to_string),
            ..NewCustomer::named(name)
        };
        customers::insert(db.conn(), &new).unwrap()
    });
    derived::refresh_customers(db.conn(), &[acme, acme_shop, bolt, cato]).unwrap();
    let priya = Owner::parse("owner", "Priya Shah <priya@seller.example>").unwrap();
    customers::set_owner(db.conn(), &[acme], priya.as_ref()).unwrap();

    let acmes = list_query(Some("acme"), None);
    let counted = owner_assign::preview(db.conn(), &acmes, priya.as_ref()).unwrap();
    assert_eq!(
        counted,
        OwnerAssignment {
            matched: 2,
            changing: 1
        }
    );
    let changed = db
        .write(|tx| owner_assign::assign(tx, &acmes, priya.as_ref()))
        .unwrap();
    assert_eq!(changed, 1, "Acme Retail already had Priya");
    assert_eq!(owner_of(&db, acme_shop), priya);
    assert_eq!(
        (owner_of(&db, bolt), owner_of(&db, cato)),
        (None, None),
        "outside the search"
    );
    let again = owner_assign::preview(db.conn(), &acmes, priya.as_ref()).unwrap();
    assert_eq!(
        again,
        OwnerAssignment {
            matched: 2,
            changing: 0
        }
    );

    // Blank (no owner) on the Retail segment: Acme Retail loses Priya, Bolt had none.
    let retail = list_query(None, Some("Retail"));
    let counted = owner_assign::preview(db.conn(), &retail, None).unwrap();
    assert_eq!(
        counted,
        OwnerAssignment {
            matched: 2,
            changing: 1
        }
    );
    let changed = db
        .write(|tx| owner_assign::assign(tx, &retail, None))
        .unwrap();
    assert_eq!(changed, 1);
    assert_eq!(
        (owner_of(&db, acme), owner_of(&db, acme_shop)),
        (None, priya)
    );
    let timeline: Vec<String> = db
        .conn()
        .prepare(
            "SELECT summary FROM activity WHERE kind = 'owner' AND customer_id = ?1 ORDER BY id",
        )
        .unwrap()
        .query_map([acme], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        timeline,
        [
            "Account owner set to Priya Shah <priya@seller.example>",
            "Account owner removed"
        ]
    );
}
