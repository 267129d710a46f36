//! Runs the real `duebook` binary for the CLI tests (`mod cli_support;`, or through
//! `mail_support::cli_support`). Every run has its HOME and data directory inside the test's
//! temporary folder and no `DUEBOOK_DB`, so no test reads or writes the user's own files.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `duebook` with HOME = `home`, its data directory `home/data` and `DUEBOOK_DB` unset.
pub fn command_in(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_duebook"));
    cmd.env_remove("DUEBOOK_DB")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"));
    cmd
}

/// `duebook --db DB ARGS...`, at home in the database's folder.
pub fn command(db: &Path, args: &[&str]) -> Command {
    let home = db.parent().expect("the database has a folder");
    let mut cmd = command_in(home);
    cmd.arg("--db").arg(db).args(args);
    cmd
}

/// Runs `cmd` to its end with `stdin` as its input (empty for None).
pub fn run(mut cmd: Command, stdin: Option<&str>) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run duebook");
    {
        let mut input = child.stdin.take().expect("stdin");
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).expect("write stdin");
        }
    }
    child.wait_with_output().expect("wait for duebook")
}

/// `duebook ARGS...` at home in `home` (for the tests of where the database is found).
pub fn duebook_in(home: &Path, args: &[&str]) -> Output {
    let mut cmd = command_in(home);
    cmd.args(args);
    run(cmd, None)
}

/// `duebook --db DB ARGS...` with nothing on standard input.
pub fn duebook(db: &Path, args: &[&str]) -> Output {
    run(command(db, args), None)
}

/// `duebook --db DB ARGS...` reading `stdin`.
pub fn duebook_with_stdin(db: &Path, args: &[&str], stdin: &str) -> Output {
    run(command(db, args), Some(stdin))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// What a process printed, stdout then stderr.
pub fn text(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}
