//! Test helpers shared by the core's tests and the `duebook` CLI's tests (which live in the
//! cli crate, beside the binary they run): seeded databases, a recording mailer, the test SMTP
//! server that `scripts/with-test-services.sh` provides, and the PDF readers. Only built for
//! tests: the `test-support` feature, which the core's own tests turn on through the
//! dev-dependency on itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

pub mod campaign;
pub mod imap;
pub mod import;
pub mod inbound;
pub mod kpis;
pub mod ledger;
pub mod mail;
pub mod mailer;
pub mod migration;
pub mod oauth;
pub mod statement;

pub use mailer::StubMailer;

use crate::store::Database;

/// A new, migrated database file in a temporary directory (removed when the guard drops).
pub fn temp_db() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Database::open(&dir.path().join("test.sqlite")).expect("open db");
    (dir, db)
}

/// The single number `sql` selects, such as `SELECT count(*) FROM messages`.
pub fn count(db: &Database, sql: &str) -> i64 {
    db.conn().query_row(sql, [], |r| r.get(0)).expect(sql)
}
