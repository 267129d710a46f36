//! The CLI says on stderr what migration 9 cleaned (see core/tests/clean_migration.rs).

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use duebook_core::test_support::migration::version_8_file;
use support::duebook;

#[test]
fn the_cli_says_what_the_upgrade_cleaned_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = version_8_file(dir.path());
    let o = duebook(&path, &["aging", "--json"]);
    assert!(o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.starts_with("note: Database upgrade: line breaks and other control characters were cleaned out of 5 record(s)"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        !stdout.contains("Database upgrade"),
        "scripted output unchanged: {stdout}"
    );
}
