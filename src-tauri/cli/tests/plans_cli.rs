//! `duebook plans create|list|cancel` as a user runs them, and what `run-due` says about the
//! instalments of a plan.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::store::{customers, Database};
use duebook_core::test_support::import::write;
use support::{duebook, stderr, succeeds};

const FILE: &str = "customer,email,invoice,date,due_date,amount
Acme Ltd,ap@acme.example,A-1,2026-09-01,2026-10-01,100.00
Acme Ltd,ap@acme.example,A-2,2026-09-05,2026-10-05,50.00
Bolt GmbH,ap@bolt.example,B-1,2026-09-02,2026-10-02,200.00
";

fn customer_id(db: &std::path::Path, name: &str) -> String {
    let db = Database::open(db).unwrap();
    customers::find_id_by_name(db.conn(), name)
        .unwrap()
        .unwrap()
        .to_string()
}

#[test]
fn a_plan_is_agreed_listed_reminded_and_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let file = write(dir.path(), "open.csv", FILE);
    succeeds(&db, &["import", file.to_str().unwrap()]);
    let acme = customer_id(&db, "Acme Ltd");
    let bolt = customer_id(&db, "Bolt GmbH");

    let out = succeeds(
        &db,
        &[
            "plans",
            "create",
            "--customer",
            &acme,
            "--invoices",
            "A-1,A-2",
            "--instalments",
            "3",
            "--first",
            "2026-12-15",
            "--today",
            "2026-12-07",
        ],
    );
    assert!(out.contains("Payment plan 1 agreed:"), "{out}");
    assert!(out.contains("150.00 USD, paid 0.00; A-1, A-2"), "{out}");
    assert!(out.contains("  1. 2026-12-15  50.00  due"), "{out}");
    assert!(out.contains("  3. 2027-02-15  50.00  due"), "{out}");

    // Not adding up, someone else's invoice, an unknown number: refused, nothing saved.
    let refused = [
        (
            vec![
                "--customer",
                &bolt,
                "--invoices",
                "B-1",
                "--schedule",
                "2027-01-01=150.00",
            ],
            "The instalments add up to 150.00; the invoices' balance is 200.00",
        ),
        (
            vec![
                "--customer",
                &bolt,
                "--invoices",
                "A-1",
                "--instalments",
                "2",
                "--first",
                "2027-01-01",
            ],
            "invoice",
        ),
        (
            vec![
                "--customer",
                &bolt,
                "--invoices",
                "Z-9",
                "--instalments",
                "2",
                "--first",
                "2027-01-01",
            ],
            "no invoice \"Z-9\"",
        ),
        (
            vec![
                "--customer",
                &bolt,
                "--invoices",
                "B-1",
                "--schedule",
                "soon=200",
            ],
            "is not a date",
        ),
    ];
    for (args, expected) in refused {
        let output = duebook(
            &db,
            &[&["plans", "create", "--today", "2026-12-07"][..], &args].concat(),
        );
        assert_ne!(output.status.code(), Some(0), "{args:?}");
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let listed = succeeds(&db, &["plans", "list", "--today", "2026-12-07"]);
    assert_eq!(listed.matches("Plan ").count(), 1, "{listed}");

    // Three days before the first instalment, run-due would remind Acme of it.
    let out = succeeds(&db, &["run-due", "--dry-run", "--today", "2026-12-14"]);
    assert!(
        out.contains("Acme Ltd: payment plan 1, instalment 1 (50.00 USD due 2026-12-15): reminder would be queued"),
        "{out}"
    );
    let out = succeeds(&db, &["run-due", "--dry-run", "--today", "2026-12-11"]);
    assert!(!out.contains("payment plan 1"), "too early: {out}");

    let output = duebook(&db, &["plans", "cancel", "1", "--customer", &bolt]);
    assert_ne!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains("belongs to another customer"),
        "{}",
        stderr(&output)
    );
    let out = succeeds(&db, &["plans", "cancel", "1", "--customer", &acme]);
    assert!(out.contains("Payment plan 1 cancelled"), "{out}");
    let listed = succeeds(&db, &["plans", "list", "--customer", &acme]);
    assert!(listed.contains("cancelled"), "{listed}");
    assert!(succeeds(&db, &["plans", "list"]).starts_with("No payment plans"));
}
