//! Helpers shared by the import tests: fixtures, a database with a home currency, aging sums.

pub use super::{count, temp_db};
use crate::import::{self, ImportError, ImportOptions, ImportReport, RowIssue};
use crate::model::{Invoice, InvoiceKind};
use crate::store::Database;
use crate::{store::invoices, store::settings, views::report};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every aging assertion is made as of this date.
pub fn as_of() -> NaiveDate {
    date("2026-03-31")
}

/// Imports run "today" = the day after the exports were taken.
pub fn today() -> NaiveDate {
    date("2026-04-01")
}

pub fn date(text: &str) -> NaiveDate {
    text.parse().expect("test date")
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

pub fn with_home_currency(db: &Database, code: &str) {
    settings::set(db.conn(), settings::HOME_CURRENCY, code).expect("set home currency");
}

pub fn options() -> ImportOptions {
    ImportOptions::new(today())
}

pub fn try_import(
    db: &mut Database,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    import::import_file(db, path, options, &mut |_| {})
}

pub fn import_with(db: &mut Database, path: &Path, options: &ImportOptions) -> ImportReport {
    try_import(db, path, options)
        .unwrap_or_else(|e| panic!("import of {} failed: {e}", path.display()))
}

pub fn import_fixture(db: &mut Database, name: &str) -> ImportReport {
    import_with(db, &fixture(name), &options())
}

/// Writes `text` to a file in `dir` and returns its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write test file");
    path
}

/// A new database with `home` as its home currency, after importing the fixture `name`.
pub fn fixture_imported(home: &str, name: &str) -> (tempfile::TempDir, Database, ImportReport) {
    let (dir, mut db) = temp_db();
    with_home_currency(&db, home);
    let report = import_fixture(&mut db, name);
    (dir, db, report)
}

/// Writes `text` to `name` in `dir` and imports it with the default [`options`].
pub fn import_csv(db: &mut Database, dir: &Path, name: &str, text: &str) -> ImportReport {
    import_with(db, &write(dir, name, text), &options())
}

/// Open amounts per currency in buckets [current, 1-30, 31-60, 61-90, 90+], minor units.
pub fn aging(db: &Database) -> BTreeMap<String, [i64; 5]> {
    report::aging::aging(db.conn(), as_of())
        .expect("aging")
        .currencies
        .into_iter()
        .map(|(code, buckets)| (code, buckets.0))
        .collect()
}

pub fn expected(rows: &[(&str, [i64; 5])]) -> BTreeMap<String, [i64; 5]> {
    rows.iter()
        .map(|(code, b)| (code.to_string(), *b))
        .collect()
}

pub fn lines(issues: &[RowIssue]) -> Vec<String> {
    issues.iter().map(ToString::to_string).collect()
}

pub fn invoice(db: &Database, number: &str) -> Invoice {
    [InvoiceKind::Invoice, InvoiceKind::CreditNote]
        .into_iter()
        .find_map(|kind| invoices::find_by_number(db.conn(), kind, number).expect("query"))
        .unwrap_or_else(|| panic!("invoice {number} not found"))
}

pub fn customer_names(db: &Database) -> Vec<String> {
    let mut stmt = db
        .conn()
        .prepare("SELECT name FROM customers ORDER BY id")
        .unwrap();
    let names = stmt.query_map([], |r| r.get(0)).unwrap();
    names.map(Result::unwrap).collect()
}

/// (amount_minor, source, paid_on) of every payment on an invoice, oldest first.
pub fn payments_of(db: &Database, number: &str) -> Vec<(i64, String, String)> {
    let id = invoice(db, number).id;
    let mut stmt = db
        .conn()
        .prepare(
            "SELECT amount_minor, source, paid_on FROM payments WHERE invoice_id = ?1 ORDER BY id",
        )
        .unwrap();
    let rows = stmt
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

/// Row counts of every table an import writes, to prove that nothing changed.
pub fn snapshot(db: &Database) -> Vec<i64> {
    [
        "SELECT count(*) FROM customers",
        "SELECT count(*) FROM contacts",
        "SELECT count(*) FROM invoices",
        "SELECT count(*) FROM payments",
        "SELECT count(*) FROM imports",
        "SELECT count(*) FROM customer_balances",
        "SELECT coalesce(sum(paid_minor), 0) FROM invoices",
        "SELECT count(*) FROM invoices WHERE status = 'open'",
    ]
    .iter()
    .map(|sql| count(db, sql))
    .collect()
}
