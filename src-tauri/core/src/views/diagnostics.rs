//! "Copy diagnostics": a plain-text summary a person can paste into a support request. It holds
//! the version, the system, the database's size and row counts and the last warnings from the
//! logs — never a secret and, beyond counts, no customer data (addresses in log lines are
//! hidden by [`crate::logs::recent_problems`]).

use crate::store::DbResult;
use rusqlite::Connection;
use std::fmt::Write;
use std::path::Path;

/// How many log warnings and errors the summary ends with.
const PROBLEMS: usize = 20;

/// Tables counted, with the name the summary gives each.
const COUNTED: &[(&str, &str)] = &[
    ("customers", "customers"),
    ("invoices", "invoices"),
    ("payments", "payments"),
    ("contacts", "contacts"),
    ("notes", "notes"),
    ("tasks", "tasks"),
    ("campaigns", "campaigns"),
    ("messages", "emails"),
];

/// What the summary is about: the program, and the files it reports on.
pub struct Subject<'a> {
    pub version: &'a str,
    pub commit: &'a str,
    pub db_path: &'a Path,
    pub log_dir: &'a Path,
}

/// The summary for `subject`; `conn` is the open database (None when it could not be opened,
/// and `why` says why).
pub fn summary(subject: &Subject, conn: Result<&Connection, &str>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Duebook {} ({})", subject.version, subject.commit);
    let _ = writeln!(out, "System: {}", system());
    let size = std::fs::metadata(subject.db_path).map(|m| m.len());
    // Recent writes wait in the write-ahead log until a checkpoint: part of the size too.
    let mut wal = subject.db_path.as_os_str().to_owned();
    wal.push("-wal");
    let wal = std::fs::metadata(wal).map_or(0, |m| m.len());
    let _ = match size {
        Ok(bytes) => writeln!(out, "Database: {bytes} bytes, {wal} in its write-ahead log"),
        Err(e) => writeln!(out, "Database: cannot read its size ({e})"),
    };
    let _ = match conn.map(counts) {
        Ok(Ok(lines)) => writeln!(out, "{lines}"),
        Ok(Err(e)) => writeln!(out, "Counts: cannot read them ({e})"),
        Err(why) => writeln!(out, "Not open: {why}"),
    };
    let problems = crate::logs::recent_problems(subject.log_dir, PROBLEMS);
    let _ = writeln!(out, "Last warnings and errors ({}):", problems.len());
    for line in problems {
        let _ = writeln!(out, "  {line}");
    }
    out
}

fn counts(conn: &Connection) -> DbResult<String> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let mut parts = Vec::new();
    for (table, label) in COUNTED {
        let n: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
        parts.push(format!("{n} {label}"));
    }
    let mut by_state =
        conn.prepare("SELECT state, COUNT(*) FROM messages GROUP BY state ORDER BY state")?;
    let states = by_state
        .query_map([], |r| {
            Ok(format!(
                "{} {}",
                r.get::<_, i64>(1)?,
                r.get::<_, String>(0)?
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(format!(
        "Schema version: {version}\nCounts: {}\nEmails by state: {}",
        parts.join(", "),
        if states.is_empty() {
            "none".to_string()
        } else {
            states.join(", ")
        }
    ))
}

/// The OS, its release where the system says (Linux's os-release), and the architecture.
fn system() -> String {
    let release = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        });
    let os = std::env::consts::OS;
    let arch = std::env::consts::ARCH;
    match release {
        Some(name) => format!("{os} ({name}), {arch}"),
        None => format!("{os}, {arch}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Database;

    #[test]
    fn the_summary_has_counts_and_no_customer_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("books.sqlite");
        let mut db = Database::open(&path).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        crate::demo::generate(&mut db, &crate::demo::DemoOptions::standard(today)).unwrap();
        let logs = dir.path().join("logs");
        std::fs::create_dir(&logs).unwrap();
        std::fs::write(
            logs.join("duebook.2026-03-01.log"),
            "t  WARN duebook_core: not sent: 550 ap@acme.example unknown\n",
        )
        .unwrap();
        let subject = Subject {
            version: "9.9.9",
            commit: "abc1234",
            db_path: &path,
            log_dir: &logs,
        };
        let text = summary(&subject, Ok(db.conn()));
        assert!(
            text.starts_with("Duebook 9.9.9 (abc1234)\nSystem: "),
            "{text}"
        );
        assert!(
            text.contains("Counts: ") && text.contains(" customers, "),
            "{text}"
        );
        assert!(text.contains("550 [address] unknown"), "{text}");
        let name: String = db
            .conn()
            .query_row("SELECT name FROM customers LIMIT 1", [], |r| r.get(0))
            .unwrap();
        assert!(!text.contains(&name), "{text}");
        let closed = summary(&subject, Err("the file is locked"));
        assert!(closed.contains("Not open: the file is locked"), "{closed}");
    }
}
