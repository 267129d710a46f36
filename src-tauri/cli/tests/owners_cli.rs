//! Account owners as a user sets them: from an import's account_owner column, with
//! `duebook owners assign` by ids or segment, and `duebook owners list`.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::model::CustomerEdit;
use duebook_core::store::{customers, Database};
use duebook_core::test_support::import::write;
use support::{duebook, stderr, stdout};

const FILE: &str = "customer,invoice,date,due_date,amount,account_owner
Acme Ltd,A-1,2026-03-01,2026-03-31,100.00,Priya Shah <priya@seller.example>
Acme Ltd,A-2,2026-03-05,2026-04-04,50.00,Priya Shah <priya@seller.example>
Bolt GmbH,B-1,2026-03-02,2026-04-01,200.00,tom@seller.example
Cato SA,C-1,2026-03-03,2026-04-02,75.00,not an address@
Dune Co,D-1,2026-03-04,2026-04-03,20.00,
";

fn owner_of(db: &std::path::Path, name: &str) -> Option<String> {
    let db = Database::open(db).unwrap();
    let id = customers::find_id_by_name(db.conn(), name)
        .unwrap()
        .unwrap();
    customers::get(db.conn(), id)
        .unwrap()
        .owner
        .map(|o| o.display())
}

fn ok(db: &std::path::Path, args: &[&str]) -> String {
    let output = duebook(db, args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        stderr(&output)
    );
    stdout(&output)
}

#[test]
fn an_import_stores_owners_and_the_cli_assigns_and_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let file = write(dir.path(), "owners.csv", FILE);
    let out = ok(&db, &["import", file.to_str().unwrap()]);
    assert!(out.contains("invoices: 5 created"), "{out}");
    assert!(
        out.contains("line 5: account owner: \"not an address@\" is not an email address"),
        "{out}"
    );
    assert!(!out.contains("not stored yet"), "{out}");
    assert_eq!(
        owner_of(&db, "Acme Ltd").as_deref(),
        Some("Priya Shah <priya@seller.example>")
    );
    assert_eq!(
        owner_of(&db, "Bolt GmbH").as_deref(),
        Some("tom@seller.example")
    );
    assert_eq!(owner_of(&db, "Cato SA"), None);
    assert_eq!(owner_of(&db, "Dune Co"), None);

    // An owner set by hand stays when the next file's cell is blank.
    {
        let db = Database::open(&db).unwrap();
        let dune = customers::find_id_by_name(db.conn(), "Dune Co")
            .unwrap()
            .unwrap();
        let edit = CustomerEdit::Segment(Some("Retail".into()));
        customers::edit(db.conn(), dune, &edit).unwrap();
        let cato = customers::find_id_by_name(db.conn(), "Cato SA")
            .unwrap()
            .unwrap();
        customers::edit(db.conn(), cato, &edit).unwrap();
    }
    let out = ok(
        &db,
        &[
            "owners",
            "assign",
            "Lena <lena@seller.example>",
            "--segment",
            "retail",
        ],
    );
    assert_eq!(
        out.trim(),
        "2 customers given Lena <lena@seller.example> (0 already had it)"
    );
    ok(&db, &["import", file.to_str().unwrap()]);
    assert_eq!(
        owner_of(&db, "Dune Co").as_deref(),
        Some("Lena <lena@seller.example>")
    );

    let list = ok(&db, &["owners", "list"]);
    assert_eq!(
        list,
        "Lena <lena@seller.example>\t2 customers\t95.00 USD\n\
         Priya Shah <priya@seller.example>\t1 customer\t150.00 USD\n\
         tom@seller.example\t1 customer\t200.00 USD\n"
    );

    // By ids; "" removes the owner; an unknown id changes nothing.
    let out = ok(&db, &["owners", "assign", "", "--customers", "1,2"]);
    assert!(out.starts_with("2 customers given no owner"), "{out}");
    let output = duebook(
        &db,
        &[
            "owners",
            "assign",
            "x@seller.example",
            "--customers",
            "3,99",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(stderr(&output).contains("99"), "{}", stderr(&output));
    assert_eq!(
        owner_of(&db, "Cato SA").as_deref(),
        Some("Lena <lena@seller.example>")
    );
    let output = duebook(
        &db,
        &["owners", "assign", "Priya <priya@>", "--customers", "3"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("not an email address"),
        "{}",
        stderr(&output)
    );

    // The owner's hold, and its release.
    let out = ok(&db, &["owners", "hold", "3", "Renewal talks"]);
    assert_eq!(out.trim(), "Reminders to customer 3 are held by the owner");
    let held = duebook_core::store::account_owners::held;
    assert_eq!(
        held(Database::open(&db).unwrap().conn(), 3)
            .unwrap()
            .as_deref(),
        Some("Renewal talks")
    );
    let output = duebook(&db, &["owners", "hold", "3", " "]);
    assert_eq!(output.status.code(), Some(1));
    ok(&db, &["owners", "release", "3"]);
    assert_eq!(held(Database::open(&db).unwrap().conn(), 3).unwrap(), None);
}
