//! A database file as version 8 left it, for the tests of migration 9 and of what the CLI says
//! about the upgrade.

use crate::model::{NewContact, NewCustomer};
use crate::store::Database;
use crate::{store::contacts, store::customers};
use rusqlite::params;
use std::path::Path;

/// A file as version 8 left it: dirty text written straight into SQLite, then the schema
/// version set back so the next open runs migration 9 on it.
pub fn version_8_file(dir: &Path) -> (std::path::PathBuf, [i64; 3]) {
    let path = dir.join("old.sqlite");
    let db = Database::open(&path).unwrap();
    let conn = db.conn();
    let clean = customers::insert(conn, &NewCustomer::named("Acme Ltd")).unwrap();
    let dirty = customers::insert(conn, &NewCustomer::named("placeholder")).unwrap();
    let other = customers::insert(conn, &NewCustomer::named("other")).unwrap();
    contacts::insert(conn, other, &NewContact::default()).unwrap();
    let raw = [
        (dirty, "Acme\r\nLtd", "acme\r\nltd"),
        (other, "\u{202E}Brightwater\tDental\u{1b}[2J", "other"),
    ];
    for (id, name, key) in raw {
        conn.execute(
            "UPDATE customers SET name = ?2, name_key = ?3 WHERE id = ?1",
            params![id, name, key],
        )
        .unwrap();
    }
    conn.execute_batch(
        "UPDATE contacts SET name = 'Jordan' || char(10) || 'Smith', email = ' ap@bw.example' || char(13),
                             phone = '+44 20' || char(9) || '7946 0000', role = 'AP'
         WHERE customer_id = (SELECT max(id) FROM customers);
         INSERT INTO tasks (customer_id, kind, title, due_date, created_at)
         VALUES (1, 'call', 'Call' || char(13) || char(10) || 'back', '2026-04-01', '2026-04-01');
         INSERT INTO campaigns (name, created_at, updated_at)
         VALUES ('Friendly' || char(27) || '[31m', '2026-04-01', '2026-04-01');",
    )
    .unwrap();
    back_to_version_8(conn);
    (path, [clean, dirty, other])
}

const BACK_TO_VERSION_25: &str = include_str!("../../tests/fixtures/back_to_version_25.sql");
const BACK_TO_VERSION_24: &str = include_str!("../../tests/fixtures/back_to_version_24.sql");
const BACK_TO_VERSION_23: &str = include_str!("../../tests/fixtures/back_to_version_23.sql");
const BACK_TO_VERSION_22: &str = include_str!("../../tests/fixtures/back_to_version_22.sql");
const BACK_TO_VERSION_21: &str = include_str!("../../tests/fixtures/back_to_version_21.sql");
const BACK_TO_VERSION_20: &str = include_str!("../../tests/fixtures/back_to_version_20.sql");
const BACK_TO_VERSION_19: &str = include_str!("../../tests/fixtures/back_to_version_19.sql");
const BACK_TO_VERSION_18: &str = include_str!("../../tests/fixtures/back_to_version_18.sql");
const BACK_TO_VERSION_17: &str = include_str!("../../tests/fixtures/back_to_version_17.sql");
const BACK_TO_VERSION_16: &str = include_str!("../../tests/fixtures/back_to_version_16.sql");
const BACK_TO_VERSION_15: &str = include_str!("../../tests/fixtures/back_to_version_15.sql");
const BACK_TO_VERSION_8: &str = include_str!("../../tests/fixtures/back_to_version_8.sql");

/// Undoes migrations 26, 25, 24, 23, 22, 21, 20, 19, 18, 17 and 16, so they can run again.
pub fn back_to_version_15(conn: &rusqlite::Connection) {
    conn.execute_batch(BACK_TO_VERSION_25)
        .and_then(|()| conn.execute_batch(BACK_TO_VERSION_24))
        .and_then(|()| conn.execute_batch(BACK_TO_VERSION_23))
        .and_then(|()| conn.execute_batch(BACK_TO_VERSION_22))
        .and_then(|()| conn.execute_batch(BACK_TO_VERSION_21))
        .and_then(|()| conn.execute_batch(BACK_TO_VERSION_20))
        .and_then(|()| conn.execute_batch(BACK_TO_VERSION_19))
        .and_then(|()| conn.execute_batch(BACK_TO_VERSION_18))
        .and_then(|()| conn.execute_batch(BACK_TO_VERSION_17))
        .and_then(|()| conn.execute_batch(BACK_TO_VERSION_16))
        .and_then(|()| conn.execute_batch(BACK_TO_VERSION_15))
        .expect("back to version 15");
}

/// Undoes the migrations after 8 that changed the schema, so they can run again.
pub fn back_to_version_8(conn: &rusqlite::Connection) {
    back_to_version_15(conn);
    conn.execute_batch(BACK_TO_VERSION_8)
        .expect("back to version 8");
}
