//! `duebook statements` with the built binary.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use support::{duebook_in as duebook, stderr};

#[test]
fn statements_for_everyone_with_a_balance_and_for_one_customer() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let db = home.join("demo.sqlite");
    let db = db.to_str().unwrap();
    let out = duebook(
        home,
        &[
            "demo",
            "--db",
            db,
            "--customers",
            "20",
            "--today",
            "2026-11-24",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let all = home.join("all");
    let out = duebook(
        home,
        &[
            "statements",
            "--db",
            db,
            "--as-of",
            "2026-11-24",
            "--out",
            all.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = support::stdout(&out);
    let files: Vec<String> = std::fs::read_dir(&all)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.len() >= 5, "{files:?}");
    assert!(
        stdout.contains(&format!("wrote {} statements to", files.len())),
        "{stdout}"
    );
    assert!(stdout.contains("activity from 2026-10-01"), "{stdout}");
    assert!(files
        .iter()
        .all(|f| f.starts_with("statement-") && f.ends_with("-2026-11-24.pdf")));
    if stdout.contains("No email address") {
        assert!(stdout.contains("cannot be emailed"));
    }

    // The demo's third customer is 山田商事株式会社.
    let cjk = home.join("cjk");
    let out = duebook(
        home,
        &[
            "statements",
            "--db",
            db,
            "--as-of",
            "2026-11-24",
            "--customer",
            "3",
            "--out",
            cjk.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let file = cjk.join("statement-3-山田商事株式会社-2026-11-24.pdf");
    let pdf = std::fs::read(&file).unwrap();
    let body = duebook_core::test_support::statement::pdf_text(&pdf, home, "yamada");
    assert!(body.contains("山田商事株式会社") && body.contains("¥"));

    let one = home.join("one");
    let out = duebook(
        home,
        &[
            "statements",
            "--db",
            db,
            "--as-of",
            "2026-11-24",
            "--from",
            "2026-06-01",
            "--customer",
            "2",
            "--out",
            one.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        support::stdout(&out).contains("wrote 1 statement to"),
        "{}",
        support::stdout(&out)
    );
    let names: Vec<_> = std::fs::read_dir(&one).unwrap().collect();
    assert_eq!(names.len(), 1);

    let out = duebook(
        home,
        &[
            "statements",
            "--db",
            db,
            "--customer",
            "4242",
            "--out",
            one.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("customer 4242 not found"),
        "{}",
        stderr(&out)
    );

    let out = duebook(
        home,
        &[
            "statements",
            "--db",
            db,
            "--as-of",
            "2026-11-24",
            "--from",
            "2026-12-01",
            "--out",
            one.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot start on 2026-12-01"),
        "{}",
        stderr(&out)
    );
}
