//! `duebook demo`: deterministic, realistic, and never mixed into a user's data.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::demo::{generate, DemoError, DemoOptions};
use duebook_core::model::{CustomerListQuery, CustomerSort};
use duebook_core::store::Database;
use duebook_core::test_support::count;
use duebook_core::{store::settings, views::customer_list, views::report};

fn options(seed: u64) -> DemoOptions {
    DemoOptions {
        customers: 80,
        seed,
        today: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
    }
}

fn demo_file(dir: &tempfile::TempDir, name: &str, seed: u64) -> Database {
    let mut db = Database::open(&dir.path().join(name)).unwrap();
    generate(&mut db, &options(seed)).unwrap();
    db
}

#[test]
fn the_same_seed_gives_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let as_of = options(1).today;
    let a = demo_file(&dir, "a.sqlite", 7);
    let b = demo_file(&dir, "b.sqlite", 7);
    let c = demo_file(&dir, "c.sqlite", 8);
    let aging = |db: &Database| report::aging::aging(db.conn(), as_of).unwrap();
    assert_eq!(aging(&a), aging(&b));
    assert_ne!(aging(&a), aging(&c));
}

#[test]
fn demo_data_spans_buckets_currencies_and_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_file(&dir, "demo.sqlite", 42);
    let conn = db.conn();
    assert!(settings::is_demo(conn).unwrap());
    let aging = report::aging::aging(conn, options(42).today).unwrap();
    for code in ["USD", "EUR", "GBP", "JPY"] {
        assert!(aging.currencies.contains_key(code), "{code} missing");
    }
    let usd = &aging.currencies["USD"].0;
    assert!(
        usd.iter().all(|minor| *minor != 0),
        "every bucket has USD: {usd:?}"
    );
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert!(count("SELECT count(*) FROM payments") > 0);
    assert!(count("SELECT count(*) FROM invoices WHERE paid_minor > 0 AND status = 'open'") > 0);
    assert!(count("SELECT count(*) FROM notes") > 0);
    assert!(count("SELECT count(*) FROM promises") > 0);
    assert!(count("SELECT count(*) FROM disputes") > 0);
    assert!(count("SELECT count(*) FROM contacts WHERE email LIKE '%.example'") > 0);
    let page = customer_list::list(
        conn,
        &CustomerListQuery {
            search: Some("山田".into()),
            sort: CustomerSort::Name,
            filters: Default::default(),
            limit: 10,
            offset: 0,
            as_of: options(42).today,
        },
    )
    .unwrap();
    assert_eq!(page.rows[0].name, "山田商事株式会社");
}

#[test]
fn demo_refuses_a_file_with_customers() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_file(&dir, "mine.sqlite", 1);
    let before = count(&db, "SELECT count(*) FROM invoices");
    let err = generate(&mut db, &options(2)).unwrap_err();
    assert!(matches!(err, DemoError::NotEmpty(_)));
    let after = count(&db, "SELECT count(*) FROM invoices");
    assert_eq!(before, after);
}
