//! Customers, invoices, payments, derived balances, the customer list and aging, on real files.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::model::{
    Currency, CustomerListQuery, CustomerSort, InvoiceStatus, Money, NewContact, NewCustomer,
};
use duebook_core::store::Database;
use duebook_core::test_support::ledger::{add_invoice, record_payment};
use duebook_core::test_support::temp_db;
use duebook_core::{
    store::contacts, store::customers, store::derived, store::invoices, views::customer_list,
    views::report,
};

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn money(minor: i64, code: &str) -> Money {
    Money::new(minor, Currency::parse(code).unwrap())
}

/// An invoice (a credit note when `total` is negative) issued on 2026-01-01.
fn invoice(db: &Database, customer_id: i64, number: &str, due: &str, total: Money) -> i64 {
    add_invoice(
        db,
        customer_id,
        number,
        date("2026-01-01"),
        date(due),
        total,
    )
}

/// A bank transfer of `minor` received on 2026-03-01.
fn pay(db: &Database, invoice_id: i64, minor: i64) {
    record_payment(
        db,
        invoice_id,
        minor,
        date("2026-03-01"),
        Some("bank transfer"),
    );
}

fn query(search: Option<&str>) -> CustomerListQuery {
    CustomerListQuery {
        search: search.map(str::to_string),
        sort: CustomerSort::MostOverdue,
        filters: Default::default(),
        limit: 50,
        offset: 0,
        as_of: date("2026-03-31"),
    }
}

#[test]
fn payments_keep_paid_amount_and_status_true() {
    let (_dir, db) = temp_db();
    let acme = customers::insert(db.conn(), &NewCustomer::named("Acme")).unwrap();
    let inv = invoice(&db, acme, "INV-1", "2026-02-01", money(10_000, "EUR"));
    // Each payment in turn, then the invoice's (paid, status, still open) after it.
    let steps = [
        (4_000, (4_000, InvoiceStatus::Open, 6_000)),
        (6_000, (10_000, InvoiceStatus::Paid, 0)),
    ];
    for (payment, expected) in steps {
        pay(&db, inv, payment);
        let after = invoices::get(db.conn(), inv).unwrap();
        assert_eq!(
            (after.paid_minor, after.status, after.open_minor()),
            expected,
            "after a payment of {payment}"
        );
    }
}

#[test]
fn the_list_shows_open_and_overdue_per_currency_most_overdue_first() {
    let (_dir, db) = temp_db();
    let conn = db.conn();
    let acme = customers::insert(conn, &NewCustomer::named("Acme")).unwrap();
    let zeta = customers::insert(conn, &NewCustomer::named("Zeta")).unwrap();
    let idle = customers::insert(conn, &NewCustomer::named("Idle Co")).unwrap();
    invoice(&db, acme, "A-1", "2026-03-20", money(10_000, "EUR"));
    invoice(&db, acme, "A-2", "2026-04-20", money(5_000, "EUR"));
    invoice(&db, acme, "A-3", "2026-03-01", money(700, "JPY"));
    invoice(&db, acme, "A-CN", "2026-03-01", money(-1_000, "EUR"));
    invoice(&db, zeta, "Z-1", "2026-01-10", money(250, "USD"));
    let paid = invoice(&db, idle, "I-1", "2026-01-01", money(99, "USD"));
    pay(&db, paid, 99);
    derived::refresh_all(conn).unwrap();

    let page = customer_list::list(conn, &query(None)).unwrap();
    assert_eq!(page.total, 3);
    let names: Vec<&str> = page.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Zeta", "Acme", "Idle Co"]);

    let acme_row = &page.rows[1];
    assert_eq!(acme_row.oldest_days_overdue, Some(30));
    let eur = acme_row
        .balances
        .iter()
        .find(|b| b.open.currency.code() == "EUR")
        .unwrap();
    assert_eq!(eur.open_decimal, "140.00");
    // A-1 and the credit note are past due on 2026-03-31; A-2 is not.
    assert_eq!(eur.overdue_decimal, "90.00");
    let jpy = acme_row
        .balances
        .iter()
        .find(|b| b.open.currency.code() == "JPY")
        .unwrap();
    assert_eq!(jpy.open_decimal, "700");
    assert!(
        page.rows[2].balances.is_empty(),
        "a paid-up customer owes nothing"
    );
    assert_eq!(page.rows[2].oldest_days_overdue, None);
}

#[test]
fn search_finds_names_contacts_and_invoice_numbers() {
    let (_dir, db) = temp_db();
    let conn = db.conn();
    let cafe = customers::insert(conn, &NewCustomer::named("Café Ölmann GmbH")).unwrap();
    let other = customers::insert(conn, &NewCustomer::named("Northwind Traders")).unwrap();
    contacts::insert(
        conn,
        cafe,
        &NewContact {
            name: Some("Jürgen Weiß".into()),
            email: Some("ap@oelmann.example".into()),
            is_billing: true,
            ..NewContact::default()
        },
    )
    .unwrap();
    invoice(&db, other, "INV-2026-0042", "2026-03-01", money(100, "USD"));
    derived::refresh_customers(conn, &[cafe, other]).unwrap();

    let names = |text: &str| -> Vec<String> {
        customer_list::list(conn, &query(Some(text)))
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.name)
            .collect()
    };
    assert_eq!(names("cafe"), ["Café Ölmann GmbH"], "diacritics are folded");
    assert_eq!(names("olm"), ["Café Ölmann GmbH"], "prefix while typing");
    assert_eq!(names("jurgen"), ["Café Ölmann GmbH"], "contact names");
    assert_eq!(
        names("oelmann.example"),
        ["Café Ölmann GmbH"],
        "contact emails"
    );
    assert_eq!(
        names("INV-2026-0042"),
        ["Northwind Traders"],
        "invoice numbers"
    );
    assert!(names("nobody").is_empty());
    for odd in ["\"", "*", "AND", "-", "(acme", "o'brien", "100%"] {
        customer_list::list(conn, &query(Some(odd))).unwrap();
    }
    assert_eq!(
        customer_list::list(conn, &query(Some("  "))).unwrap().total,
        2
    );
}

#[test]
fn aging_buckets_by_days_past_due_with_credits_negative() {
    let (_dir, db) = temp_db();
    let c = customers::insert(db.conn(), &NewCustomer::named("Acme")).unwrap();
    // as of 2026-03-31: due that day → current; 1 day → 1-30; 30 → 1-30; 31 → 31-60;
    // 61 → 61-90; 91 → 90+.
    for (number, due, minor, currency) in [
        ("N-0", "2026-03-31", 100, "USD"),
        ("N-1", "2026-03-30", 200, "USD"),
        ("N-30", "2026-03-01", 300, "USD"),
        ("N-31", "2026-02-28", 400, "USD"),
        ("N-61", "2026-01-29", 500, "USD"),
        ("N-91", "2025-12-30", 600, "USD"),
        ("CN-1", "2026-03-20", -50, "USD"),
        ("Y-1", "2026-04-30", 1_000, "JPY"),
    ] {
        invoice(&db, c, number, due, money(minor, currency));
    }
    let paid = invoice(&db, c, "P-1", "2025-01-01", money(9_999, "USD"));
    pay(&db, paid, 9_999);

    let aging = report::aging::aging(db.conn(), date("2026-03-31")).unwrap();
    assert_eq!(
        aging.currencies["USD"].0,
        [100, 200 + 300 - 50, 400, 500, 600]
    );
    assert_eq!(aging.currencies["JPY"].0, [1_000, 0, 0, 0, 0]);
    let json = aging.to_json();
    assert_eq!(json["currencies"]["USD"]["1-30"], "4.50");
    assert_eq!(json["currencies"]["JPY"]["current"], "1000");
    assert_eq!(json["as_of"], "2026-03-31");
}
