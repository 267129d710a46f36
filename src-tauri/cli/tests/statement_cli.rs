//! `duebook statements` with the built binary.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::test_support::campaign::ok;
use std::path::Path;
use std::process::Output;
use support::{duebook_in as duebook, stderr};

/// `duebook statements --db DB ARGS... --out OUT`.
fn statements(home: &Path, db: &str, args: &[&str], out: &Path) -> Output {
    let mut all = vec!["statements", "--db", db];
    all.extend_from_slice(args);
    all.extend(["--out", out.to_str().unwrap()]);
    duebook(home, &all)
}

#[test]
fn statements_for_everyone_with_a_balance_and_for_one_customer() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let db = home.join("demo.sqlite");
    let db = db.to_str().unwrap();
    let demo = [
        "demo",
        "--db",
        db,
        "--customers",
        "20",
        "--today",
        "2026-11-24",
    ];
    ok(&duebook(home, &demo));

    let all = home.join("all");
    let stdout = ok(&statements(home, db, &["--as-of", "2026-11-24"], &all));
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
    let for_yamada = ["--as-of", "2026-11-24", "--customer", "3"];
    ok(&statements(home, db, &for_yamada, &cjk));
    let file = cjk.join("statement-3-山田商事株式会社-2026-11-24.pdf");
    let pdf = std::fs::read(&file).unwrap();
    let body = duebook_core::test_support::statement::pdf_text(&pdf, home, "yamada");
    assert!(body.contains("山田商事株式会社") && body.contains("¥"));

    let one = home.join("one");
    let from_june = [
        "--as-of",
        "2026-11-24",
        "--from",
        "2026-06-01",
        "--customer",
        "2",
    ];
    let stdout = ok(&statements(home, db, &from_june, &one));
    assert!(stdout.contains("wrote 1 statement to"), "{stdout}");
    let names: Vec<_> = std::fs::read_dir(&one).unwrap().collect();
    assert_eq!(names.len(), 1);

    let refused: [(&[&str], &str); 2] = [
        (&["--customer", "4242"], "customer 4242 not found"),
        (
            &["--as-of", "2026-11-24", "--from", "2026-12-01"],
            "cannot start on 2026-12-01",
        ),
    ];
    for (args, message) in refused {
        let out = statements(home, db, args, &one);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
}
