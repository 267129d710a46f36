//! Account owners as a user sets them: from an import's account_owner column, with
//! `duebook owners assign` by ids or segment, and `duebook owners list`.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::model::CustomerEdit;
use duebook_core::store::{customers, Database};
use duebook_core::test_support::import::write;
use support::{duebook, stderr, stdout, succeeds};

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

#[test]
fn an_import_stores_owners_and_the_cli_assigns_and_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let file = write(dir.path(), "owners.csv", FILE);
    let out = succeeds(&db, &["import", file.to_str().unwrap()]);
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
    let out = succeeds(
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
    succeeds(&db, &["import", file.to_str().unwrap()]);
    assert_eq!(
        owner_of(&db, "Dune Co").as_deref(),
        Some("Lena <lena@seller.example>")
    );

    let list = succeeds(&db, &["owners", "list"]);
    assert_eq!(
        list,
        "Lena <lena@seller.example>\t2 customers\t95.00 USD\n\
         Priya Shah <priya@seller.example>\t1 customer\t150.00 USD\n\
         tom@seller.example\t1 customer\t200.00 USD\n"
    );

    // By ids; "" removes the owner; an unknown id changes nothing.
    let out = succeeds(&db, &["owners", "assign", "", "--customers", "1,2"]);
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
    let out = succeeds(&db, &["owners", "hold", "3", "Renewal talks"]);
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
    succeeds(&db, &["owners", "release", "3"]);
    assert_eq!(held(Database::open(&db).unwrap().conn(), 3).unwrap(), None);
}

/// A campaign file whose steps tell the owner 3 days ahead: listed, planned with who is told
/// and why not, run with the notice to the owner.
#[test]
fn a_campaign_file_tells_owners_before_its_steps_and_the_plan_says_who() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let file = write(dir.path(), "owners.csv", FILE);
    succeeds(&db, &["import", file.to_str().unwrap()]);
    succeeds(&db, &["campaigns", "preset", "friendly"]);
    let mut campaign: serde_json::Value =
        serde_json::from_str(&succeeds(&db, &["campaigns", "show", "1"])).unwrap();
    for step in campaign["steps"].as_array_mut().unwrap() {
        step["notify_owner_days"] = 3.into();
    }
    let json = dir.path().join("told.json");
    std::fs::write(&json, campaign.to_string()).unwrap();
    succeeds(&db, &["campaigns", "update", "1", json.to_str().unwrap()]);
    let out = succeeds(&db, &["campaigns", "list"]);
    assert!(
        out.contains("1. 3 days before due: pre-due (email), owner told 3 day(s) before"),
        "{out}"
    );
    // Acme's A-1 is due Tuesday 31 March: pre-due on Saturday 28 is quiet, so it goes on
    // Monday 30 March; the owner hears of it 3 days before the Saturday.
    let out = succeeds(&db, &["campaigns", "plan", "1", "--today", "2026-03-25"]);
    assert!(
        out.contains("owner told Acme Ltd (#1): owner Priya Shah notified on 2026-03-25 before pre-due on 2026-03-30"),
        "{out}"
    );
    assert!(
        out.contains("the customer has no owner") && out.contains("Cato SA"),
        "{out}"
    );

    // Too far ahead is refused, with the reason.
    campaign["steps"][0]["notify_owner_days"] = 61.into();
    std::fs::write(&json, campaign.to_string()).unwrap();
    let refused = duebook(&db, &["campaigns", "update", "1", json.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("the owner is told 0 to 60 days before a step"),
        "{}",
        stderr(&refused)
    );
}

/// The owners' digest preset from the command line: listed, planned per owner (with the owner
/// who has no address named), sent once that week.
#[test]
fn the_digest_preset_plans_one_email_per_owner_with_an_address() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let file = write(dir.path(), "owners.csv", FILE);
    succeeds(&db, &["import", file.to_str().unwrap()]);
    assert_eq!(owner_of(&db, "Dune Co"), None);
    succeeds(&db, &["owners", "assign", "Tom", "--customers", "4"]);
    assert_eq!(owner_of(&db, "Dune Co").as_deref(), Some("Tom"));
    succeeds(&db, &["campaigns", "preset", "owner-digest"]);
    succeeds(&db, &["campaigns", "activate", "1", "--yes"]);
    let out = succeeds(&db, &["campaigns", "list"]);
    assert!(
        out.contains("a weekly digest to each account owner"),
        "{out}"
    );
    let out = succeeds(&db, &["campaigns", "plan", "1", "--today", "2026-03-23"]);
    assert!(
        out.contains("digest    Priya Shah: 1 customer(s); weekly digest to Priya Shah"),
        "{out}"
    );
    assert!(
        out.contains("digest    tom@seller.example: 1 customer(s)"),
        "{out}"
    );
    assert!(
        out.contains("no digest Tom: 1 customer(s); no digest for Tom: no email address for them"),
        "{out}"
    );
}
