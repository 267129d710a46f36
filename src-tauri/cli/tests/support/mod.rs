//! Runs the real `duebook` binary for the CLI tests (`mod support;` in each). Every run has its
//! HOME and data directory inside the test's temporary folder and no `DUEBOOK_DB`, so no test
//! reads or writes the user's own files.
#![allow(dead_code)]

pub mod campaign;

use duebook_core::test_support::mail::{required_env, SmtpServer, PASSWORD, USER};
use duebook_core::test_support::oauth::OAuthServer;
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

/// What a run that must have succeeded printed, stdout then stderr.
pub fn ok_text(o: &Output) -> String {
    assert!(o.status.success(), "{}", text(o));
    text(o)
}

/// What `duebook --db DB ARGS...` printed on stdout; the run must succeed.
pub fn succeeds(db: &Path, args: &[&str]) -> String {
    let output = duebook(db, args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        stderr(&output)
    );
    stdout(&output)
}

/// What a run that must have failed printed, stdout then stderr.
pub fn refused_text(o: &Output) -> String {
    assert!(!o.status.success(), "{}", text(o));
    text(o)
}

/// `--host localhost --port PORT --security starttls`: where the test server listens.
pub fn server_args(port: &str) -> [&str; 6] {
    [
        "--host",
        "localhost",
        "--port",
        port,
        "--security",
        "starttls",
    ]
}

/// `duebook account set` for the test server on `port` as Northwind Accounts, the password
/// on standard input, `extra` arguments at the end.
pub fn account_set(db: &Path, port: &str, extra: &[&str], password: &str) -> Output {
    let mut args = vec![
        "account",
        "set",
        "--from",
        USER,
        "--name",
        "Northwind Accounts",
    ];
    args.extend(server_args(port));
    args.push("--password-stdin");
    args.extend_from_slice(extra);
    duebook_smtp(db, &args, Some(&format!("{password}\n")))
}

/// `duebook --db DB ARGS...` (see [`command`]) trusting the test server's
/// certificate.
pub fn smtp_command(db: &Path, args: &[&str]) -> Command {
    let mut cmd = command(db, args);
    cmd.env("DUEBOOK_SMTP_CA_FILE", required_env("DUEBOOK_TEST_CERT"));
    cmd
}

/// Runs [`smtp_command`] to its end with `stdin` as its input.
pub fn duebook_smtp(db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    run(smtp_command(db, args), stdin)
}

/// `duebook account set` for `server` (STARTTLS, the password on standard input); asserts it
/// succeeded.
pub fn set_account_with_cli(db: &Path, server: &SmtpServer) {
    set_account_with_password(db, server, PASSWORD);
}

/// `duebook account set` as [`set_account_with_cli`], with another password.
pub fn set_account_with_password(db: &Path, server: &SmtpServer, password: &str) {
    ok_text(&account_set(db, &server.port.to_string(), &[], password));
}

/// `duebook account login --provider custom` pointed at `server`, with `extra` (the scopes among
/// them) and offline access, `stdin` on its standard input.
pub fn sign_in_custom(
    db: &Path,
    server: &OAuthServer,
    extra: &[&str],
    stdin: Option<&str>,
) -> Output {
    let (auth, token) = (server.url("/authorize"), server.url("/token"));
    let mut args = vec![
        "account",
        "login",
        "--provider",
        "custom",
        "--client-id",
        "duebook-cli-test",
        "--auth-url",
        &auth,
        "--token-url",
        &token,
        "--scope",
        "offline_access",
    ];
    args.extend_from_slice(extra);
    let mut cmd = smtp_command(db, &args);
    cmd.env("BROWSER", required_env("DUEBOOK_TEST_BROWSER"));
    run(cmd, stdin)
}

/// Makes the account of the file at `db` read replies from the test Dovecot on `imap_port`
/// (STARTTLS, the test user's IMAP password in the keychain), keeping the SMTP password.
pub fn read_replies_from(db: &Path, imap_port: u16) {
    use duebook_core::mail::account::{self, ImapSettings};
    use duebook_core::mail::security::Security;
    use duebook_core::secrets::{KeychainStore, Password};
    use duebook_core::test_support::imap::IMAP_PASSWORD;
    let db = duebook_core::store::Database::open(db).expect("open the file");
    let mut settings = account::require(db.conn()).expect("an account");
    let imap = ImapSettings {
        host: "localhost".into(),
        port: imap_port,
        security: Security::StartTls,
        username: None,
        save_sent: false,
    };
    settings.imap = Some(imap.clone());
    let keychain = KeychainStore::default();
    account::save(db.conn(), &keychain, &settings, None).expect("save the account");
    account::save_imap_password(&settings, &imap, &keychain, &Password::new(IMAP_PASSWORD))
        .expect("store the IMAP password");
}
