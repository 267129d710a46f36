//! Migration 9 cleans single-line text stored before every way in cleaned it, keeps customer
//! names unique, and says how many records it changed (the CLI prints it on stderr).

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::model::NewCustomer;
use duebook_core::store::Database;
use duebook_core::test_support::migration::{back_to_version_8, version_8_file};
use duebook_core::{store::contacts, store::customers};

fn names(db: &Database) -> Vec<String> {
    db.conn()
        .prepare("SELECT name FROM customers ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn migration_9_cleans_stored_text_keeps_names_unique_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (path, [_, dirty, other]) = version_8_file(dir.path());
    let db = Database::open(&path).unwrap();
    assert_eq!(
        names(&db),
        [
            "Acme Ltd".to_string(),
            format!("Acme Ltd (#{dirty})"),
            "Brightwater Dental [2J".to_string()
        ]
    );
    let contact = &contacts::for_customer(db.conn(), other).unwrap()[0];
    assert_eq!(contact.name.as_deref(), Some("Jordan Smith"));
    assert_eq!(contact.email.as_deref(), Some("ap@bw.example"));
    assert_eq!(contact.phone.as_deref(), Some("+44 20 7946 0000"));
    let (title, campaign): (String, String) = db
        .conn()
        .query_row(
            "SELECT (SELECT title FROM tasks), (SELECT name FROM campaigns)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (title.as_str(), campaign.as_str()),
        ("Call back", "Friendly [31m")
    );
    assert_eq!(
        db.notices(),
        ["Database upgrade: line breaks and other control characters were cleaned out of 5 record(s) (2 customer(s), 1 contact(s), 1 task(s), 1 campaign(s)). 1 customer(s) had a cleaned name another customer already has and got their number added, e.g. \"Acme Ltd (#12)\"."]
    );
    // The search index follows the cleaned names and contacts.
    let found: i64 = db
        .conn()
        .query_row(
            "SELECT rowid FROM customer_search WHERE customer_search MATCH '\"brightwater\" \"smith\"'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(found, other);
    // A cleaned customer is found by the name it had, dirty or clean.
    assert_eq!(
        customers::find_id_by_name(db.conn(), "brightwater dental [2j").unwrap(),
        Some(other)
    );
    drop(db);
    assert!(
        Database::open(&path).unwrap().notices().is_empty(),
        "said once, on the upgrade"
    );
}

#[test]
fn an_untouched_file_says_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.sqlite");
    {
        let db = Database::open(&path).unwrap();
        customers::insert(db.conn(), &NewCustomer::named("Acme Ltd")).unwrap();
        back_to_version_8(db.conn());
    }
    assert!(Database::open(&path).unwrap().notices().is_empty());
}
