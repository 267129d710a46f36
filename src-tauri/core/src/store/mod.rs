//! The store: the one SQLite file and a query module per table.
//!
//! [`Database`] opens (and migrates) the file. Each table has a module of small functions that
//! take a `rusqlite::Connection` and return domain types from [`crate::model`]. Writes that
//! change balances call [`derived::refresh_customers`] inside the same transaction, so the list
//! screen reads per-customer balances without aggregating a million invoices.
//!
//! The store knows nothing above it: no company profile, statements, mail or campaigns.

mod clean_text;
mod database;
mod migrate;
mod owner;

pub mod account_owners;
pub mod activity;
pub mod backup;
pub mod charges;
pub mod contacts;
pub mod credit;
pub mod customers;
pub mod derived;
pub mod disputes;
pub mod import_profiles;
pub mod invoices;
pub mod notes;
pub mod offers;
pub mod payments;
pub mod plans;
pub mod promises;
pub mod settings;
pub mod tasks;

pub(crate) use database::json_ids;
pub use database::{now_timestamp, Database, DbError, DbResult};
pub use migrate::{schema_version, LATEST_VERSION};
pub use owner::check_invoices_belong;

/// The row `sql` selects by id (its `?1`), or [`DbError::NotFound`] naming it `what` ("note 7").
pub(crate) fn get_by_id<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    id: i64,
    what: &str,
    from_row: impl FnOnce(&rusqlite::Row) -> rusqlite::Result<T>,
) -> DbResult<T> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(sql)?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| DbError::NotFound(format!("{what} {id}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_row_is_not_found_by_kind_and_id() {
        let (_dir, db) = crate::test_support::temp_db();
        for (error, expected) in [
            (notes::get(db.conn(), 99).map(|_| ()), "note 99"),
            (tasks::get(db.conn(), 98).map(|_| ()), "task 98"),
            (invoices::get(db.conn(), 97).map(|_| ()), "invoice 97"),
            (customers::get(db.conn(), 96).map(|_| ()), "customer 96"),
        ] {
            assert!(
                matches!(&error, Err(DbError::NotFound(what)) if what == expected),
                "{error:?}"
            );
        }
    }
}
