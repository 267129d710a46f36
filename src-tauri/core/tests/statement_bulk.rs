//! Statements for every customer into a folder: both cores, progress, cancel, customers
//! without an email address listed.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::company::recipient;
use duebook_core::model::{Currency, InvoiceKind, Money, NewCustomer, NewInvoice};
use duebook_core::statement::{
    plan, write_all, BulkOptions, BulkProgress, Selection, StatementOptions,
};
use duebook_core::test_support::statement::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

fn options(selection: Selection) -> BulkOptions {
    BulkOptions {
        statement: StatementOptions::new(today()),
        selection,
        threads: Some(2),
    }
}

#[test]
fn writes_every_statement_with_a_balance_and_lists_those_without_email() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_db(dir.path());
    branded(&db);
    // A customer who owes money and has no contact at all.
    db.write(|tx| {
        let id =
            duebook_core::store::customers::insert(tx, &NewCustomer::named("Nobody To Email Ltd"))?;
        duebook_core::store::invoices::insert(
            tx,
            &NewInvoice {
                customer_id: id,
                kind: InvoiceKind::Invoice,
                number: "NE-1".into(),
                issue_date: today(),
                due_date: today(),
                total: Money::new(5_000, Currency::parse("GBP").unwrap()),
                source: "test".into(),
            },
        )?;
        duebook_core::store::derived::refresh_customers(tx, &[id])
    })
    .unwrap();
    let with_balance: Vec<i64> = {
        let mut stmt = db
            .conn()
            .prepare("SELECT DISTINCT customer_id FROM customer_balances WHERE open_minor != 0")
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.map(Result::unwrap).collect()
    };
    let planned = plan(db.conn(), &options(Selection::WithBalance)).unwrap();
    assert_eq!(planned.len(), with_balance.len());
    assert!(planned.len() > 40, "most demo customers owe something");
    let no_email: Vec<i64> = planned
        .iter()
        .filter(|p| recipient(db.conn(), p.customer_id).unwrap().is_none())
        .map(|p| p.customer_id)
        .collect();
    assert!(
        !no_email.is_empty(),
        "the demo has customers without an email address"
    );

    let out = dir.path().join("statements");
    let seen = Mutex::new(Vec::new());
    let threads = Mutex::new(std::collections::HashSet::new());
    let progress = |p: BulkProgress| {
        seen.lock().unwrap().push(p.done);
        threads.lock().unwrap().insert(std::thread::current().id());
        assert_eq!(p.total, planned.len());
    };
    let summary = write_all(
        db.path(),
        &out,
        &options(Selection::WithBalance),
        &progress,
        &AtomicBool::new(false),
    )
    .unwrap();
    assert!(!summary.cancelled);
    assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    assert_eq!(summary.written.len(), planned.len());
    assert_eq!(summary.threads, 2);
    assert_eq!(
        threads.lock().unwrap().len(),
        2,
        "both workers wrote statements"
    );
    let mut done = seen.into_inner().unwrap();
    done.sort_unstable();
    assert_eq!(done, (1..=planned.len()).collect::<Vec<_>>());
    let ids: Vec<i64> = summary
        .without_email
        .iter()
        .map(|p| p.customer_id)
        .collect();
    assert_eq!(ids, no_email);
    for (w, p) in summary.written.iter().zip(&planned) {
        assert_eq!(w.customer_id, p.customer_id, "written in the planned order");
        let bytes = std::fs::read(&w.path).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert_eq!(bytes.len() as u64, w.bytes);
        assert_eq!(w.path.file_name().unwrap().to_string_lossy(), p.file_name);
    }
    let files = std::fs::read_dir(&out).unwrap().count();
    assert_eq!(files, planned.len(), "no partial files left behind");

    // The same statement alone is byte-identical to the one written in bulk.
    let first = &summary.written[0];
    let alone = duebook_core::statement::render_statement(
        db.conn(),
        first.customer_id,
        &StatementOptions::new(today()),
    )
    .unwrap();
    assert_eq!(std::fs::read(&first.path).unwrap(), alone);
}

#[test]
fn cancel_stops_midway() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let cancel = AtomicBool::new(false);
    let calls = AtomicUsize::new(0);
    let progress = |_: BulkProgress| {
        if calls.fetch_add(1, Ordering::SeqCst) + 1 == 5 {
            cancel.store(true, Ordering::SeqCst);
        }
    };
    let out = dir.path().join("out");
    let summary = write_all(
        db.path(),
        &out,
        &options(Selection::WithBalance),
        &progress,
        &cancel,
    )
    .unwrap();
    assert!(summary.cancelled);
    assert!(summary.written.len() >= 5, "{}", summary.written.len());
    assert!(
        summary.written.len() < summary.planned - 10,
        "stopped early"
    );
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        summary.written.len(),
        "every started file was finished"
    );
}

#[test]
fn chosen_customers_only_and_unknown_ids_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let id = customer_id(&db, "山田商事株式会社");
    let out = dir.path().join("one");
    let summary = write_all(
        db.path(),
        &out,
        &options(Selection::Customers(vec![id])),
        &|_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(summary.written.len(), 1);
    assert_eq!(
        summary.written[0]
            .path
            .file_name()
            .unwrap()
            .to_string_lossy(),
        format!("statement-{id}-山田商事株式会社-2026-11-24.pdf")
    );
    let err = write_all(
        db.path(),
        &out,
        &options(Selection::Customers(vec![99_999])),
        &|_| {},
        &AtomicBool::new(false),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("customer 99999 not found"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn statements_are_private_and_a_planted_symlink_is_not_followed() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let id = customer_id(&db, "山田商事株式会社");
    let one = options(Selection::Customers(vec![id]));
    let file_name = plan(db.conn(), &one).unwrap()[0].file_name.clone();

    let fresh = dir.path().join("fresh/statements");
    let summary = write_all(db.path(), &fresh, &one, &|_| {}, &AtomicBool::new(false)).unwrap();
    assert_eq!(mode(&fresh), 0o700, "a folder Duebook creates is private");
    assert_eq!(mode(&summary.written[0].path), 0o600);

    // Someone who can write to the folder plants a link where the temporary file used to go.
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, shared.join(format!("{file_name}.part"))).unwrap();
    let summary = write_all(db.path(), &shared, &one, &|_| {}, &AtomicBool::new(false)).unwrap();
    assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let written = std::fs::read(shared.join(&file_name)).unwrap();
    assert!(written.starts_with(b"%PDF-"));
    assert_eq!(mode(&shared.join(&file_name)), 0o600);
}
