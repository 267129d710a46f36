//! Customers, invoices, payments, derived balances, the customer list and aging, on real files.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::model::{
    Currency, CustomerListQuery, CustomerSort, InvoiceKind, InvoiceStatus, Money, NewContact,
    NewCustomer, NewInvoice,
};
use duebook_core::store::payments::{NewPayment, PaymentSource};
use duebook_core::store::Database;
use duebook_core::{
    store::contacts, store::customers, store::derived, store::invoices, store::payments,
    views::customer_list, views::report,
};

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn money(minor: i64, code: &str) -> Money {
    Money::new(minor, Currency::parse(code).unwrap())
}

struct Fixture {
    _dir: tempfile::TempDir,
    db: Database,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&dir.path().join("ledger.sqlite")).unwrap();
    Fixture { _dir: dir, db }
}

fn add_invoice(db: &Database, customer_id: i64, number: &str, due: &str, total: Money) -> i64 {
    let kind = if total.minor < 0 {
        InvoiceKind::CreditNote
    } else {
        InvoiceKind::Invoice
    };
    invoices::insert(
        db.conn(),
        &NewInvoice {
            customer_id,
            kind,
            number: number.into(),
            issue_date: date("2026-01-01"),
            due_date: date(due),
            total,
            source: "test".into(),
        },
    )
    .unwrap()
}

fn pay(db: &Database, invoice_id: i64, minor: i64) {
    payments::record(
        db.conn(),
        &NewPayment {
            invoice_id,
            amount_minor: minor,
            paid_on: date("2026-03-01"),
            reference: Some("bank transfer"),
            source: PaymentSource::Manual,
        },
    )
    .unwrap();
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
    let f = fixture();
    let acme = customers::insert(f.db.conn(), &NewCustomer::named("Acme")).unwrap();
    let inv = add_invoice(&f.db, acme, "INV-1", "2026-02-01", money(10_000, "EUR"));
    pay(&f.db, inv, 4_000);
    let partly = invoices::get(f.db.conn(), inv).unwrap();
    assert_eq!(
        (partly.paid_minor, partly.status),
        (4_000, InvoiceStatus::Open)
    );
    assert_eq!(partly.open_minor(), 6_000);
    pay(&f.db, inv, 6_000);
    let paid = invoices::get(f.db.conn(), inv).unwrap();
    assert_eq!(
        (paid.paid_minor, paid.status),
        (10_000, InvoiceStatus::Paid)
    );
    assert_eq!(paid.open_minor(), 0);
}

#[test]
fn the_list_shows_open_and_overdue_per_currency_most_overdue_first() {
    let f = fixture();
    let conn = f.db.conn();
    let acme = customers::insert(conn, &NewCustomer::named("Acme")).unwrap();
    let zeta = customers::insert(conn, &NewCustomer::named("Zeta")).unwrap();
    let idle = customers::insert(conn, &NewCustomer::named("Idle Co")).unwrap();
    add_invoice(&f.db, acme, "A-1", "2026-03-20", money(10_000, "EUR"));
    add_invoice(&f.db, acme, "A-2", "2026-04-20", money(5_000, "EUR"));
    add_invoice(&f.db, acme, "A-3", "2026-03-01", money(700, "JPY"));
    add_invoice(&f.db, acme, "A-CN", "2026-03-01", money(-1_000, "EUR"));
    add_invoice(&f.db, zeta, "Z-1", "2026-01-10", money(250, "USD"));
    let paid = add_invoice(&f.db, idle, "I-1", "2026-01-01", money(99, "USD"));
    pay(&f.db, paid, 99);
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
    let f = fixture();
    let conn = f.db.conn();
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
    add_invoice(
        &f.db,
        other,
        "INV-2026-0042",
        "2026-03-01",
        money(100, "USD"),
    );
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
    let f = fixture();
    let c = customers::insert(f.db.conn(), &NewCustomer::named("Acme")).unwrap();
    // as of 2026-03-31: due that day → current; 1 day → 1-30; 30 → 1-30; 31 → 31-60;
    // 61 → 61-90; 91 → 90+.
    add_invoice(&f.db, c, "N-0", "2026-03-31", money(100, "USD"));
    add_invoice(&f.db, c, "N-1", "2026-03-30", money(200, "USD"));
    add_invoice(&f.db, c, "N-30", "2026-03-01", money(300, "USD"));
    add_invoice(&f.db, c, "N-31", "2026-02-28", money(400, "USD"));
    add_invoice(&f.db, c, "N-61", "2026-01-29", money(500, "USD"));
    add_invoice(&f.db, c, "N-91", "2025-12-30", money(600, "USD"));
    add_invoice(&f.db, c, "CN-1", "2026-03-20", money(-50, "USD"));
    add_invoice(&f.db, c, "Y-1", "2026-04-30", money(1_000, "JPY"));
    let paid = add_invoice(&f.db, c, "P-1", "2025-01-01", money(9_999, "USD"));
    pay(&f.db, paid, 9_999);

    let aging = report::aging::aging(f.db.conn(), date("2026-03-31")).unwrap();
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
