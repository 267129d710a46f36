//! Mail figures (issue 5): rendering 10,000 reminders, and sending 1,000 messages through
//! Duebook's outbox to postfix `smtp-sink`, beside a bare lettre pool of the same size sending
//! the same messages and postfix `smtp-source` (the floor) — all in the same run, since these
//! machines are shared and noisy.
//!
//! Run it through `scripts/bench-mail.sh`, which installs postfix's tools and starts smtp-sink on
//! a free loopback port. Environment:
//! - `DUEBOOK_BENCH_SMTP=127.0.0.1:PORT`: the smtp-sink to send to (without it only the render
//!   figures are taken);
//! - `DUEBOOK_BENCH_SMTP_SOURCE`: path of smtp-source (default: found on PATH or in /usr/sbin);
//! - `DUEBOOK_BENCH_MAIL_CUSTOMERS` (10,000), `DUEBOOK_BENCH_MAIL_RENDER` (10,000),
//!   `DUEBOOK_BENCH_MAIL_SEND` (1,000), `DUEBOOK_BENCH_MAIL_ROUNDS` (3): sizes.

#[path = "../common/mod.rs"]
mod common;
mod render;
#[path = "../common/report.rs"]
mod report;
mod send;
mod setup;

use chrono::NaiveDate;
use common::{env_num, generate_demo, host_and_port, smtp_sink};
use duebook_core::secrets::MemoryStore;
use duebook_core::store::Database;

fn main() {
    let customers = env_num("DUEBOOK_BENCH_MAIL_CUSTOMERS", 10_000) as u32;
    let render_count = env_num("DUEBOOK_BENCH_MAIL_RENDER", 10_000);
    let send_count = env_num("DUEBOOK_BENCH_MAIL_SEND", 1_000).min(render_count);
    let rounds = env_num("DUEBOOK_BENCH_MAIL_ROUNDS", 3).max(1);
    let sink = smtp_sink();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");

    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = Database::open(&dir.path().join("mail-bench.sqlite")).expect("open");
    generate_demo(&mut db, customers, as_of, "demo data:");
    setup::seed_company(&db);
    let (host, port) = sink
        .as_deref()
        .map_or_else(|| ("127.0.0.1".to_string(), 2525), host_and_port);
    let secrets = MemoryStore::new();
    let account = setup::save_account(&db, &secrets, &host, port);

    // --- (1) rendering ------------------------------------------------------------------
    let rendered = render::figures(&db, &account, as_of, render_count, send_count);
    let mut rows = rendered.rows;
    let Some(sink) = sink else {
        println!("\nDUEBOOK_BENCH_SMTP is not set: no send figures (run scripts/bench-mail.sh)");
        report::print_table(&rows);
        return;
    };

    // --- (2)–(4) sending ------------------------------------------------------------------
    let target = send::Target {
        host: &host,
        port,
        sink: &sink,
    };
    send::figures(
        &mut db,
        &secrets,
        &target,
        &rendered.to_send,
        rounds,
        &mut rows,
    );
    println!("(median of {rounds} rounds; % = rate relative to bare lettre)");
    report::print_table(&rows);
}
