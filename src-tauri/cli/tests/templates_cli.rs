//! `duebook templates ...` with the real binary: the shipped set checks clean, templates round-trip
//! through files, a bad set is reported as `file:line:column: reason` and refused, and stored
//! text is printed with control characters escaped.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::mail::templates;
use duebook_core::test_support::mail::{seed_customer, temp_db};
use std::path::Path;
use std::time::{Duration, Instant};
use support::{duebook, stdout};

fn arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

fn shipped_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../templates"))
}

#[test]
fn the_shipped_templates_check_clean_and_round_trip_through_files() {
    let (dir, db) = temp_db();
    let db_path = dir.path().join("test.sqlite");
    let out = duebook(&db_path, &["templates", "check", arg(shipped_dir())]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("19 templates checked: no problems"));

    let files = dir.path().join("export");
    let out = duebook(&db_path, &["templates", "export", "overdue-1", arg(&files)]);
    assert!(out.status.success());
    let shipped = templates::builtin("overdue-1").unwrap();
    for name in ["overdue-1.subject", "overdue-1.txt", "overdue-1.html"] {
        let exported = std::fs::read_to_string(files.join(name)).unwrap();
        let original = std::fs::read_to_string(shipped_dir().join(name)).unwrap();
        assert_eq!(exported, original, "{name}");
    }

    std::fs::write(
        files.join("overdue-1.subject"),
        "Still open: {{ total_overdue }}\n",
    )
    .unwrap();
    let out = duebook(&db_path, &["templates", "set", "overdue-1", arg(&files)]);
    assert!(out.status.success(), "{}", stdout(&out));
    let stored = templates::get(db.conn(), "overdue-1").unwrap();
    assert_eq!(stored.subject, "Still open: {{ total_overdue }}");
    assert_eq!(stored.body_html, shipped.body_html);
    let listed = stdout(&duebook(&db_path, &["templates", "list"]));
    assert!(
        listed.contains("overdue-1                  edited"),
        "{listed}"
    );
    assert_eq!(listed.lines().count(), 19);

    let out = duebook(&db_path, &["templates", "reset", "overdue-1"]);
    assert!(out.status.success());
    assert_eq!(templates::get(db.conn(), "overdue-1").unwrap(), shipped);
    assert!(!duebook(&db_path, &["templates", "reset", "no-such"])
        .status
        .success());
}

#[test]
fn a_bad_template_is_reported_by_file_line_and_column_and_refused() {
    let (dir, db) = temp_db();
    let db_path = dir.path().join("test.sqlite");
    let files = dir.path().join("bad");
    std::fs::create_dir(&files).unwrap();
    let bomb = " | replace(from=\"a\", to=\"aaaaaaaaaaaaaaaaaaaa\")".repeat(8);
    std::fs::write(files.join("bad.subject"), "Hi {{ __tera_context }}\n").unwrap();
    std::fs::write(
        files.join("bad.txt"),
        format!("Dear {{{{ contact.first_name }}}},\n{{{{ customer.name{bomb} }}}}\n"),
    )
    .unwrap();
    std::fs::write(
        files.join("bad.html"),
        "<p>\n  {% for a in customer.name | split(pat=\"\") %}{% for b in customer.name | split(pat=\"\") %}x{% endfor %}{% endfor %}</p>",
    )
    .unwrap();
    std::fs::write(files.join("_partial.html"), "{{ ignored").unwrap();
    std::fs::write(files.join("notes.md"), "not a template").unwrap();

    let started = Instant::now();
    let out = duebook(&db_path, &["templates", "check", arg(&files)]);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let report = stdout(&out);
    let at = |name: &str| format!("{}:", files.join(name).display());
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 3, "{report}");
    assert!(
        lines[0].starts_with(&format!("{}1:7: ", at("bad.subject")))
            && lines[0].contains("__tera_context"),
        "{report}"
    );
    assert!(
        lines[1].starts_with(&format!("{}2:", at("bad.txt")))
            && lines[1].contains("could grow larger"),
        "{report}"
    );
    assert!(
        lines[2].starts_with(&format!("{}2:", at("bad.html")))
            && lines[2].contains("for loop may walk"),
        "{report}"
    );

    let out = duebook(&db_path, &["templates", "set", "bad", arg(&files)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad was not changed"));
    assert!(
        templates::get(db.conn(), "bad").is_err(),
        "nothing was stored"
    );

    // A missing part is a problem too, named by its file.
    std::fs::remove_file(files.join("bad.txt")).unwrap();
    let out = duebook(&db_path, &["templates", "check", arg(&files)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(&format!("{} missing", at("bad.txt"))),
        "{}",
        stdout(&out)
    );
}

#[test]
fn stored_text_is_printed_with_control_characters_escaped() {
    let (dir, db) = temp_db();
    let db_path = dir.path().join("test.sqlite");
    let customer = seed_customer(&db, "Acme", "ap@acme.example");
    db.conn()
        .execute(
            "UPDATE customers SET name = ?1 WHERE id = ?2",
            rusqlite::params!["Evil\u{1b}[2J\u{7}<b>Co</b>", customer],
        )
        .unwrap();
    db.conn()
        .execute(
            "INSERT INTO templates (key, name, subject, body_text, body_html, is_builtin, updated_at)
             VALUES ('own', 'Mine\u{1b}]0;pwned\u{7}', 'For {{ customer.name }}', '{{ customer.name }}',
                     '<p>{{ customer.name }}</p>', 0, '2026-01-01T00:00:00Z')",
            [],
        )
        .unwrap();

    let listed = duebook(&db_path, &["templates", "list"]);
    assert!(listed.status.success());
    assert!(!listed.stdout.contains(&0x1b), "{}", stdout(&listed));
    assert!(
        stdout(&listed).contains("Mine\\u{1b}]0;pwned\\u{7}"),
        "{}",
        stdout(&listed)
    );

    let id = customer.to_string();
    let text = duebook(
        &db_path,
        &["templates", "preview", "own", "--customer", &id],
    );
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    assert!(!text.stdout.contains(&0x1b) && !text.stdout.contains(&0x07));
    let shown = stdout(&text);
    // The subject as it would be sent: one clean line; the body keeps the text, escaped.
    assert!(
        shown.starts_with("Subject: For Evil [2J <b>Co</b>\n"),
        "{shown}"
    );
    assert!(
        shown.contains("\nEvil\\u{1b}[2J\\u{7}<b>Co</b>\n"),
        "{shown}"
    );

    let html = duebook(
        &db_path,
        &["templates", "preview", "own", "--customer", &id, "--html"],
    );
    assert!(html.status.success());
    let shown = stdout(&html);
    assert!(!html.stdout.contains(&0x1b));
    assert!(
        shown.contains("<p>Evil\\u{1b}[2J\\u{7}&lt;b&gt;Co&lt;/b&gt;</p>"),
        "{shown}"
    );

    let missing = duebook(
        &db_path,
        &["templates", "preview", "own", "--customer", "999"],
    );
    assert_eq!(missing.status.code(), Some(1));
}
