//! The `duebook` binary: exit codes, output, and the shared database-path rules.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

mod support;

use std::path::Path;
use std::process::Output;
use support::{command_in, run, stderr, stdout};

fn duebook(args: &[&str], env_db: Option<&Path>, home: &Path) -> Output {
    let mut cmd = command_in(home);
    cmd.args(args);
    if let Some(db) = env_db {
        cmd.env("DUEBOOK_DB", db);
    }
    run(cmd, None)
}

#[test]
fn demo_then_aging_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let db_arg = db.to_str().unwrap();
    let out = duebook(
        &[
            "demo",
            "--db",
            db_arg,
            "--customers",
            "30",
            "--today",
            "2026-05-01",
        ],
        None,
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("30 customers"));

    let out = duebook(
        &["aging", "--db", db_arg, "--as-of", "2026-05-01", "--json"],
        None,
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["as_of"], "2026-05-01");
    let usd = json["currencies"]["USD"].as_object().expect("USD present");
    let keys: Vec<&str> = usd.keys().map(String::as_str).collect();
    assert_eq!(keys, ["current", "1-30", "31-60", "61-90", "90+"]);
    for amount in usd.values() {
        let amount = amount.as_str().unwrap();
        let (_, cents) = amount.split_once('.').expect("decimal string");
        assert_eq!(cents.len(), 2, "{amount}");
    }

    let again = duebook(&["demo", "--db", db_arg], None, dir.path());
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("already holds customers"));
}

/// One version for everything: the workspace's (`[workspace.package]` in the root Cargo.toml),
/// which the app and the packages read too (tauri.conf.json carries none).
#[test]
fn version_is_the_workspace_version() {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml")).unwrap();
    let workspace = manifest.split("[workspace.package]").nth(1).unwrap();
    let version = workspace
        .lines()
        .find_map(|line| line.strip_prefix("version = "))
        .unwrap()
        .trim_matches('"');
    let dir = tempfile::tempdir().unwrap();
    let out = duebook(&["--version"], None, dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), format!("duebook {version}"));
}

#[test]
fn the_env_var_and_the_default_path_agree_with_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let via_env = dir.path().join("env.sqlite");
    let out = duebook(&["demo", "--customers", "3"], Some(&via_env), dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(via_env.exists());

    let out = duebook(&["aging"], None, dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir
        .path()
        .join("data/app.duebook.desktop/duebook.sqlite")
        .exists());
}

#[test]
fn a_newer_database_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("future.sqlite");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); PRAGMA user_version = 99;")
        .unwrap();
    let out = duebook(&["aging", "--db", db.to_str().unwrap()], None, dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = stderr(&out);
    assert!(stderr.contains("newer Duebook"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

/// Duebook's own data directory and the database in it are the user's alone, even when an
/// older version left them readable by others.
#[cfg(unix)]
#[test]
fn the_data_directory_and_the_database_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let set_mode = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data/app.duebook.desktop");
    let db = data.join("duebook.sqlite");
    let out = duebook(&["demo", "--customers", "3"], None, dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&db), 0o600);

    set_mode(&data, 0o755);
    set_mode(&db, 0o644);
    let out = duebook(&["aging"], None, dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&data), 0o700, "tightened on open");
    assert_eq!(mode(&db), 0o600, "tightened on open");
    assert_eq!(mode(&dir.path().join("data")), 0o700, "created by Duebook");
}
