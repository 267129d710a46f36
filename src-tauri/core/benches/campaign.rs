//! Campaign figures (issue 7), all in one run since these machines are shared and noisy:
//! 1. planning the "friendly" preset over 50,000 generated customers (goal < 1 s), p50/p95;
//! 2. `duebook run-due` with nothing to send, as a process of the real (release) binary (goal
//!    < 200 ms), on 50,000, 5,000 and the demo's 60 customers: on a quiet day (a weekend), as
//!    the second tick of a day whose run went out, and as such a tick after one change (every
//!    rule evaluated again for everyone due, nothing sent);
//! 3. a 1,000-message campaign run (plan, render, queue, deliver) to postfix `smtp-sink`, beside
//!    postfix `smtp-source` sending as many messages of the same size (the floor). Delivery goes
//!    through the outbox, so `scripts/bench-mail.sh`'s bare-lettre figure is its reference.
//!
//! Run it through `scripts/bench-campaign.sh`, which builds the binary and starts smtp-sink (via
//! `scripts/bench-mail.sh`). Environment:
//! - `DUEBOOK_BENCH_DUEBOOK`: the `duebook` binary (figure 2 is skipped without it);
//! - `DUEBOOK_BENCH_SMTP=127.0.0.1:PORT`, `DUEBOOK_BENCH_SMTP_SOURCE`: the sink and smtp-source
//!   (figure 3 is skipped without them);
//! - `DUEBOOK_BENCH_CAMPAIGN_CUSTOMERS` (50,000), `DUEBOOK_BENCH_CAMPAIGN_SEND` (1,000),
//!   `DUEBOOK_BENCH_CAMPAIGN_ROUNDS` (3): sizes.

mod common;

use chrono::NaiveDate;
use common::{env_num, generate_demo, host_and_port, sink_account, smtp_sink, smtp_source};
use duebook_core::campaign::{self, plan, run};
use duebook_core::demo::STANDARD_CUSTOMERS;
use duebook_core::mail::account;
use duebook_core::mail::outbox::RetryPolicy;
use duebook_core::mail::smtp::{Mailer, MailerOptions, SendError};
use duebook_core::model::{Currency, InvoiceKind, Money, NewContact, NewCustomer, NewInvoice};
use duebook_core::secrets::{MemoryStore, Password};
use duebook_core::store::Database;
use duebook_core::{
    store::contacts, store::customers, store::derived, store::invoices, store::notes,
    store::settings,
};
use lettre::address::Envelope;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A Tuesday: the plan's date.
const AS_OF: &str = "2026-11-24";
/// The Saturday after: a quiet day for the presets, so run-due sends nothing.
const QUIET_DAY: &str = "2026-11-28";

fn date(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn main() {
    let customers = env_num("DUEBOOK_BENCH_CAMPAIGN_CUSTOMERS", 50_000) as u32;
    let send = env_num("DUEBOOK_BENCH_CAMPAIGN_SEND", 1_000);
    let rounds = env_num("DUEBOOK_BENCH_CAMPAIGN_ROUNDS", 3).max(1);
    let dir = tempfile::tempdir().expect("temp dir");

    let big = demo_file(dir.path(), customers);
    plan_figure(&big, customers);
    match std::env::var_os("DUEBOOK_BENCH_DUEBOOK").filter(|p| !p.is_empty()) {
        Some(bin) => {
            let bin = PathBuf::from(bin);
            run_due_figures(&bin, &big, customers, 10);
            for size in [5_000, STANDARD_CUSTOMERS] {
                run_due_figures(&bin, &demo_file(dir.path(), size), size, 20);
            }
        }
        None => println!("run-due process time: skipped (DUEBOOK_BENCH_DUEBOOK not set)"),
    }
    match smtp_sink() {
        Some(sink) => send_figure(dir.path(), &sink, send, rounds),
        None => println!("campaign run to smtp-sink: skipped (DUEBOOK_BENCH_SMTP not set)"),
    }
}

/// A generated file of `customers` with the "friendly" preset active.
fn demo_file(dir: &Path, customers: u32) -> PathBuf {
    let path = dir.join(format!("campaign-{customers}.sqlite"));
    let mut db = Database::open(&path).expect("open");
    generate_demo(&mut db, customers, date(AS_OF), "generated");
    campaign::create(db.conn(), &campaign::preset("friendly").expect("preset")).expect("create");
    path
}

fn plan_figure(path: &Path, customers: u32) {
    let db = Database::open(path).expect("open");
    let id = campaign::list(db.conn()).expect("list")[0].id;
    let mut samples = Vec::new();
    let mut last = None;
    for _ in 0..10 {
        let started = Instant::now();
        last = Some(plan::plan(db.conn(), id, date(AS_OF)).expect("plan"));
        samples.push(started.elapsed());
    }
    let plan = last.expect("planned");
    let (p50, p95) = percentiles(samples);
    println!(
        "plan a campaign over {customers} customers: p50 {} ms, p95 {} ms ({} to contact, {} excluded with a reason) — goal < 1 s: {}",
        ms(p50),
        ms(p95),
        plan.contacts.len(),
        plan.excluded.len(),
        verdict(p95 < Duration::from_secs(1))
    );
}

/// CPU time (user + system) of this process's waited-for children, from /proc/self/stat.
fn children_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 16 and 17 of proc(5) (cutime, cstime), in clock ticks of 1/100 s on Linux.
    let ticks: u64 = [13, 14]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|t| t.parse::<u64>().ok()))
        .sum();
    Duration::from_millis(ticks * 10)
}

/// Answers every message at once: the day's run below needs delivery, not a network.
struct Accepts;

impl Mailer for Accepts {
    async fn send(&self, _: &Envelope, _: &[u8]) -> Result<String, SendError> {
        Ok("250 2.0.0 Ok".into())
    }
}

/// `run-due` with nothing to send: on a quiet day (a weekend: known without planning), then on
/// AS_OF after that day's run went out — the second cron tick, with nothing changed (the
/// recorded fingerprint spares the plan), and after one change each time (a note added, so
/// every rule is evaluated again for everyone due).
fn run_due_figures(bin: &Path, path: &Path, customers: u32, runs: usize) {
    let tick = |day: &str, what: &str, change: &mut dyn FnMut()| {
        let what = format!("{customers} customers, {what}");
        run_due_figure(bin, path, day, &what, runs, change);
    };
    tick(QUIET_DAY, "quiet day", &mut || ());
    let started = Instant::now();
    let db = Database::open(path).expect("open");
    add_account(db.conn(), "127.0.0.1:2525");
    drop(db);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let report = rt
        .block_on(run::run_due(path, &Accepts, date(AS_OF), false))
        .expect("day's run");
    println!(
        "  (the day's run: {} emails and {} call tasks in {:.1} s)",
        report.campaigns[0].messages.len(),
        report.campaigns[0].tasks.len(),
        started.elapsed().as_secs_f64()
    );
    tick(AS_OF, "second tick, nothing changed", &mut || ());
    let db = Database::open(path).expect("open");
    let customer: i64 = db
        .conn()
        .query_row("SELECT min(id) FROM customers", [], |r| r.get(0))
        .expect("a customer");
    tick(
        AS_OF,
        "tick after one change (plans in full, as a day's first tick does)",
        &mut || {
            notes::add(db.conn(), customer, "Called: no answer").expect("note");
        },
    );
}

/// Times `runs` runs of `run-due` for `day`, each after `change`, which is not timed.
fn run_due_figure(
    bin: &Path,
    path: &Path,
    day: &str,
    what: &str,
    runs: usize,
    change: &mut dyn FnMut(),
) {
    let mut cpu = Duration::ZERO;
    let mut samples = Vec::new();
    for _ in 0..runs {
        change();
        let cpu_before = children_cpu();
        let started = Instant::now();
        let out = Command::new(bin)
            .arg("--db")
            .arg(path)
            .args(["run-due", "--today", day])
            .output()
            .expect("run duebook");
        samples.push(started.elapsed());
        cpu += children_cpu() - cpu_before;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let sent_nothing = stdout.contains("0 email(s) queued") || stdout.contains("nothing");
        assert!(
            out.status.success() && sent_nothing,
            "run-due: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (p50, p95) = percentiles(samples);
    println!(
        "run-due with nothing to send, {what}: p50 {} ms, p95 {} ms wall, {} ms CPU per run — goal < 200 ms: {}",
        ms(p50),
        ms(p95),
        ms(cpu / runs as u32),
        verdict(p95 < Duration::from_millis(200))
    );
}

/// The company name and an SMTP account for `sink` (HOST:PORT), the password in memory.
fn add_account(conn: &Connection, sink: &str) -> MemoryStore {
    settings::set(conn, settings::COMPANY_NAME, "Northwind Supplies Ltd").expect("company");
    let (host, port) = host_and_port(sink);
    let secrets = MemoryStore::new();
    let account = sink_account(&host, port, None);
    account::save(conn, &secrets, &account, Some(&Password::new("bench"))).expect("account");
    secrets
}

/// A file with `count` customers, each with a billing email and one invoice 10 days overdue:
/// the "friendly" preset emails every one of them on AS_OF.
fn send_file(dir: &Path, round: usize, count: usize, sink: &str) -> (PathBuf, MemoryStore) {
    let path = dir.join(format!("send-{round}.sqlite"));
    let db = Database::open(&path).expect("open");
    let conn = db.conn();
    let secrets = add_account(conn, sink);
    let due = date(AS_OF) - chrono::Days::new(10);
    let tx = conn.unchecked_transaction().expect("tx");
    let mut ids = Vec::with_capacity(count);
    for n in 0..count {
        let id = customers::insert(&tx, &NewCustomer::named(&format!("Bench Customer {n}")))
            .expect("customer");
        contacts::insert(
            &tx,
            id,
            &NewContact {
                name: Some("Jordan Smith".into()),
                email: Some(format!("ap{n}@customer.example")),
                is_billing: true,
                ..NewContact::default()
            },
        )
        .expect("contact");
        invoices::insert(
            &tx,
            &NewInvoice {
                customer_id: id,
                kind: InvoiceKind::Invoice,
                number: format!("INV-{n:06}"),
                issue_date: due - chrono::Days::new(30),
                due_date: due,
                total: Money::new(125_000, Currency::parse("EUR").expect("eur")),
                source: "manual".into(),
            },
        )
        .expect("invoice");
        ids.push(id);
    }
    derived::refresh_customers(&tx, &ids).expect("refresh");
    tx.commit().expect("commit");
    campaign::create(conn, &campaign::preset("friendly").expect("preset")).expect("create");
    (path, secrets)
}

fn send_figure(dir: &Path, sink: &str, count: usize, rounds: usize) {
    let sessions = RetryPolicy::default().concurrency;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let (path, secrets) = send_file(dir, round, count, sink);
        let db = Database::open(&path).expect("open");
        let options = MailerOptions {
            hello_name: Some("duebook.bench".into()),
            ..MailerOptions::default()
        };
        let mailer =
            duebook_core::mail::mailer_for_account(db.conn(), &secrets, options).expect("mailer");
        // Queue first, then a second run delivers what the first left queued: the split shows
        // where the time goes without a second code path.
        let started = Instant::now();
        let queued = run::enqueue_due(&db, date(AS_OF), false).expect("queue");
        let enqueued = started.elapsed();
        assert_eq!(queued.campaigns[0].messages.len(), count);
        let report = rt
            .block_on(run::run_due(&path, &mailer, date(AS_OF), false))
            .expect("run");
        let took = started.elapsed();
        rt.block_on(mailer.close());
        let delivery = report.delivery.expect("delivered");
        assert_eq!(
            (
                delivery.sent.len(),
                delivery.failed.len(),
                delivery.uncertain.len()
            ),
            (count, 0, 0),
            "every message sent once"
        );
        let size: f64 = db
            .conn()
            .query_row("SELECT avg(length(raw_mime)) FROM messages", [], |r| {
                r.get(0)
            })
            .expect("size");
        ours.push(took);

        floor.push(smtp_source(sessions, count, size as usize, sink));
        println!(
            "round {round}: campaign run {} ms (plan + render + queue {} ms, deliver {} ms; {count} messages of {:.1} KB), smtp-source {} ms",
            ms(took),
            ms(enqueued),
            ms(took - enqueued),
            size / 1024.0,
            ms(*floor.last().expect("floor"))
        );
    }
    let (ours, _) = percentiles(ours);
    let (floor, _) = percentiles(floor);
    println!(
        "campaign run of {count} messages to smtp-sink (median of {rounds}): {} ms = {:.0} messages/s; smtp-source {} ms = {:.0} messages/s ({} sessions); ours takes {:.1}x the floor",
        ms(ours),
        count as f64 / ours.as_secs_f64(),
        ms(floor),
        count as f64 / floor.as_secs_f64(),
        sessions,
        ours.as_secs_f64() / floor.as_secs_f64()
    );
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95))
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1e3)
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}
