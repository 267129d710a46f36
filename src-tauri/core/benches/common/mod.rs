//! Set-up the mail and campaign benchmarks share: sizes from the environment, generated data,
//! an account on the local smtp-sink and postfix's smtp-source as the floor.

use chrono::NaiveDate;
use duebook_core::demo::{generate, DemoOptions};
use duebook_core::mail::account::AccountSettings;
use duebook_core::mail::security::Security;
use duebook_core::store::Database;
use std::path::PathBuf;
use std::time::{Duration, Instant};

mod env;
pub use env::env_num;

/// The sending mailbox, on smtp-sink (which accepts any login).
pub const USER: &str = "ar@northwind-bench.example";

/// The smtp-sink to send to (`DUEBOOK_BENCH_SMTP=HOST:PORT`), if one is set.
pub fn smtp_sink() -> Option<String> {
    std::env::var("DUEBOOK_BENCH_SMTP")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Fills `db` with the demo generator's `customers`, printing what it made after `label`.
pub fn generate_demo(db: &mut Database, customers: u32, today: NaiveDate, label: &str) {
    let started = Instant::now();
    let summary = generate(
        db,
        &DemoOptions {
            customers,
            seed: 1,
            today,
        },
    )
    .expect("generate");
    println!(
        "{label} {} customers, {} invoices in {:.1} s",
        summary.customers,
        summary.invoices,
        started.elapsed().as_secs_f64()
    );
}

/// The bench's account on smtp-sink at `host:port`.
pub fn sink_account(host: &str, port: u16, reply_to: Option<String>) -> AccountSettings {
    AccountSettings {
        sender_name: "Northwind Accounts".into(),
        from_address: USER.into(),
        reply_to,
        host: host.into(),
        port,
        // Plain SMTP: allowed for a server on this computer only.
        security: Security::None,
        username: USER.into(),
        limits: None,
        auth: Default::default(),
        imap: None,
    }
}

/// Host and port of a `HOST:PORT` sink address.
pub fn host_and_port(sink: &str) -> (String, u16) {
    let (host, port) = sink
        .rsplit_once(':')
        .expect("DUEBOOK_BENCH_SMTP is HOST:PORT");
    (host.to_string(), port.parse().expect("port"))
}

/// Postfix's own test client sending `count` messages of `size` bytes over `sessions`
/// connections to `sink`: the floor our sending is measured against.
pub fn smtp_source(sessions: usize, count: usize, size: usize, sink: &str) -> Duration {
    let source = smtp_source_path();
    let started = Instant::now();
    let status = std::process::Command::new(&source)
        .args(["-d", "-s", &sessions.to_string(), "-m", &count.to_string()])
        .args(["-l", &size.to_string(), "-f", USER])
        .args(["-t", "bench@client.example", sink])
        .status()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", source.display()));
    let took = started.elapsed();
    assert!(status.success(), "smtp-source failed: {status}");
    took
}

/// `DUEBOOK_BENCH_SMTP_SOURCE`, else smtp-source on PATH or in /usr/sbin.
fn smtp_source_path() -> PathBuf {
    if let Some(p) = std::env::var_os("DUEBOOK_BENCH_SMTP_SOURCE").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([PathBuf::from("/usr/sbin")])
        .map(|d| d.join("smtp-source"))
        .find(|p| p.is_file());
    on_path.unwrap_or_else(|| PathBuf::from("smtp-source"))
}
