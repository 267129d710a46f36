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

use chrono::NaiveDate;
use duebook_core::company::fields::{self, ContextInput};
use duebook_core::company::{self, CompanyProfile, Remittance};
use duebook_core::demo::{generate, DemoOptions};
use duebook_core::mail::account::{self, AccountSettings, Security};
use duebook_core::mail::compose::{self, OutgoingEmail, PreparedEmail, SendRequest};
use duebook_core::mail::outbox::{self, RetryPolicy};
use duebook_core::mail::smtp::{Mailer, MailerOptions, SendError};
use duebook_core::mail::templates::Renderer;
use duebook_core::secrets::{MemoryStore, Password};
use duebook_core::store::Database;
use futures_util::StreamExt;
use lettre::address::Envelope;
use lettre::message::{MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const USER: &str = "ar@northwind-bench.example";
const PASSWORD: &str = "bench-password";

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}

fn main() {
    let customers = env_num("DUEBOOK_BENCH_MAIL_CUSTOMERS", 10_000) as u32;
    let render_count = env_num("DUEBOOK_BENCH_MAIL_RENDER", 10_000);
    let send_count = env_num("DUEBOOK_BENCH_MAIL_SEND", 1_000).min(render_count);
    let rounds = env_num("DUEBOOK_BENCH_MAIL_ROUNDS", 3).max(1);
    let sink = std::env::var("DUEBOOK_BENCH_SMTP")
        .ok()
        .filter(|s| !s.is_empty());
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");

    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = Database::open(&dir.path().join("mail-bench.sqlite")).expect("open");
    let started = Instant::now();
    let summary = generate(
        &mut db,
        &DemoOptions {
            customers,
            seed: 1,
            today: as_of,
        },
    )
    .expect("generate");
    println!(
        "demo data: {} customers, {} invoices in {:.1} s",
        summary.customers,
        summary.invoices,
        started.elapsed().as_secs_f64()
    );
    seed_company(&db);
    let (host, port) = match &sink {
        Some(addr) => {
            let (h, p) = addr
                .rsplit_once(':')
                .expect("DUEBOOK_BENCH_SMTP is HOST:PORT");
            (h.to_string(), p.parse::<u16>().expect("port"))
        }
        None => ("127.0.0.1".to_string(), 2525),
    };
    let secrets = MemoryStore::new();
    let settings = AccountSettings {
        sender_name: "Northwind Accounts".into(),
        from_address: USER.into(),
        reply_to: Some("billing@northwind-bench.example".into()),
        host: host.clone(),
        port,
        // Plain SMTP: allowed for a server on this computer only.
        security: Security::None,
        username: USER.into(),
        limits: None,
    };
    let account = account::save(
        db.conn(),
        &secrets,
        &settings,
        Some(&Password::new(PASSWORD)),
    )
    .expect("save account")
    .settings;

    // --- (1) rendering ------------------------------------------------------------------
    let requests = reminder_requests(&db, as_of, render_count);
    let started = Instant::now();
    let renderer = Renderer::from_db(db.conn()).expect("templates");
    let mut to_send: Vec<PreparedEmail> = Vec::with_capacity(send_count);
    let mut bytes = 0usize;
    for request in &requests {
        let prepared =
            compose::prepare_with(db.conn(), &renderer, &account, request, as_of).expect("prepare");
        bytes += prepared.email.text.len() + prepared.email.html.len();
        if to_send.len() < send_count {
            to_send.push(prepared);
        }
    }
    let render_full = started.elapsed();
    println!(
        "prepared {} reminders ({} templates, {:.1} KB of text + HTML each on average) in {:.0} ms",
        requests.len(),
        distinct_templates(&requests),
        bytes as f64 / requests.len() as f64 / 1024.0,
        render_full.as_secs_f64() * 1e3
    );
    // The template engine alone, on contexts built beforehand.
    let company = company::load(db.conn()).expect("company");
    let contexts: Vec<(String, tera::Context)> = requests
        .iter()
        .map(|r| {
            let ctx = fields::build(
                db.conn(),
                &ContextInput {
                    customer_id: r.customer_id,
                    as_of,
                    company: &company,
                    sender_name: &account.sender_name,
                    sender_email: &account.from_address,
                },
            )
            .expect("context");
            (r.template_key.clone(), ctx.to_tera())
        })
        .collect();
    let started = Instant::now();
    for (key, ctx) in contexts {
        std::hint::black_box(renderer.render(&key, ctx).expect("render"));
    }
    let render_only = started.elapsed();

    let mut rows = vec![
        Row::new(
            format!(
                "prepare {} reminders (data from the DB + templates)",
                requests.len()
            ),
            format!("{:.0} ms", render_full.as_secs_f64() * 1e3),
            format!("{:.0}/s", requests.len() as f64 / render_full.as_secs_f64()),
            "< 1 s",
            verdict(render_full < Duration::from_secs(1)),
        ),
        Row::new(
            "  of which templates alone (subject, text, HTML)".to_string(),
            format!("{:.0} ms", render_only.as_secs_f64() * 1e3),
            format!("{:.0}/s", requests.len() as f64 / render_only.as_secs_f64()),
            "< 1 s",
            verdict(render_only < Duration::from_secs(1)),
        ),
    ];

    let Some(sink) = sink else {
        println!("\nDUEBOOK_BENCH_SMTP is not set: no send figures (run scripts/bench-mail.sh)");
        print_table(&rows);
        return;
    };

    // --- (2)–(4) sending ------------------------------------------------------------------
    let pool_size = MailerOptions::default().pool_size;
    let policy = RetryPolicy::default();
    let avg_raw = {
        let sample: Vec<usize> = to_send
            .iter()
            .take(50)
            .map(|p| {
                compose::build_mime(&p.email, "<x@y.example>")
                    .expect("mime")
                    .len()
            })
            .collect();
        sample.iter().sum::<usize>() / sample.len().max(1)
    };
    println!(
        "sending {} messages (about {:.1} KB each) to smtp-sink at {sink}, {rounds} rounds; \
         pool: {pool_size} connections, outbox concurrency {}",
        to_send.len(),
        avg_raw as f64 / 1024.0,
        policy.concurrency
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let source = smtp_source_path();
    let (mut ours_full, mut ours_deliver, mut bare, mut floor) = (vec![], vec![], vec![], vec![]);
    let mut bookkeeping = vec![];
    for round in 1..=rounds {
        // Ours: store each message (send key, Message-ID, MIME bytes), then deliver them all.
        let started = Instant::now();
        let ids: Vec<i64> = to_send
            .iter()
            .map(|p| outbox::enqueue_prepared(db.conn(), p, None).expect("enqueue"))
            .collect();
        let enqueued = started.elapsed();
        let mailer = duebook_core::mail::mailer_for_account(
            db.conn(),
            &secrets,
            MailerOptions {
                hello_name: Some("duebook.bench".into()),
                ..MailerOptions::default()
            },
        )
        .expect("mailer");
        let deliver_started = Instant::now();
        let report = rt
            .block_on(outbox::deliver(db.conn_mut(), &mailer, Some(&ids), &policy))
            .expect("deliver");
        let delivered = deliver_started.elapsed();
        let total = started.elapsed();
        rt.block_on(mailer.close());
        assert_eq!(
            (
                report.sent.len(),
                report.failed.len(),
                report.uncertain.len()
            ),
            (ids.len(), 0, 0),
            "every message sent once"
        );
        ours_full.push(total);
        ours_deliver.push(delivered);

        // The outbox's own work (store, claim, record) with a server that answers at once.
        let started = Instant::now();
        let ids: Vec<i64> = to_send
            .iter()
            .map(|p| outbox::enqueue_prepared(db.conn(), p, None).expect("enqueue"))
            .collect();
        let report = rt
            .block_on(outbox::deliver(
                db.conn_mut(),
                &Instant250,
                Some(&ids),
                &policy,
            ))
            .expect("deliver");
        assert_eq!(report.sent.len(), ids.len());
        bookkeeping.push(started.elapsed());

        // Bare lettre: the same messages, built with lettre's builder and sent through its pool
        // (which lives in the runtime: it spawns its idle-connection reaper there).
        let runtime_guard = rt.enter();
        let transport: AsyncSmtpTransport<Tokio1Executor> =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&host)
                .port(port)
                .hello_name(lettre::transport::smtp::extension::ClientId::Domain(
                    "lettre.bench".into(),
                ))
                .credentials(Credentials::new(USER.into(), PASSWORD.into()))
                .pool_config(PoolConfig::new().max_size(pool_size as u32))
                .build();
        let started = Instant::now();
        let sent = rt.block_on(async {
            futures_util::stream::iter(to_send.iter())
                .map(|p| {
                    let message = bare_message(&p.email);
                    let transport = &transport;
                    async move { transport.send(message).await }
                })
                .buffer_unordered(pool_size)
                .filter(|r| std::future::ready(r.is_ok()))
                .count()
                .await
        });
        let took = started.elapsed();
        assert_eq!(sent, to_send.len(), "bare lettre sent every message");
        bare.push(took);
        drop(transport);
        drop(runtime_guard);

        // The floor: postfix's own test client, same number of sessions, same message size.
        let started = Instant::now();
        let status = std::process::Command::new(&source)
            .args([
                "-d",
                "-s",
                &pool_size.to_string(),
                "-m",
                &to_send.len().to_string(),
            ])
            .args([
                "-l",
                &avg_raw.to_string(),
                "-f",
                USER,
                "-t",
                "bench@client.example",
            ])
            .arg(&sink)
            .status()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", source.display()));
        let took = started.elapsed();
        assert!(status.success(), "smtp-source failed: {status}");
        floor.push(took);

        println!(
            "round {round}: outbox {:.0} ms (enqueue {:.0} + deliver {:.0}), bare lettre {:.0} ms, smtp-source {:.0} ms",
            ms(total),
            ms(enqueued),
            ms(delivered),
            ms(took_of(&bare)),
            ms(took)
        );
    }
    let never_twice: i64 = db
        .conn()
        .query_row(
            "SELECT count(*) FROM messages WHERE direction = 'out' AND (state != 'sent' OR attempts != 1)",
            [],
            |r| r.get(0),
        )
        .expect("check");
    assert_eq!(
        never_twice, 0,
        "every outbox message sent in exactly one attempt"
    );
    println!(
        "outbox check: {} messages stored, each sent in exactly one attempt",
        rounds * 2 * to_send.len()
    );

    let n = to_send.len() as f64;
    let rate = |d: Duration| n / d.as_secs_f64();
    let (full, deliver_only, lettre_t, floor_t) = (
        median(ours_full),
        median(ours_deliver),
        median(bare),
        median(floor),
    );
    let ratio = rate(full) / rate(lettre_t);
    rows.push(Row::new(
        format!("outbox: enqueue + deliver {} messages", to_send.len()),
        format!("{:.0} ms", ms(full)),
        format!("{:.0} msg/s", rate(full)),
        "≥ 80 % of bare lettre",
        format!("{:.0} % {}", ratio * 100.0, verdict(ratio >= 0.8)),
    ));
    rows.push(Row::new(
        "  of which deliver (claim, SMTP, record)".to_string(),
        format!("{:.0} ms", ms(deliver_only)),
        format!("{:.0} msg/s", rate(deliver_only)),
        "",
        format!("{:.0} %", rate(deliver_only) / rate(lettre_t) * 100.0),
    ));
    let books = median(bookkeeping);
    rows.push(Row::new(
        "  outbox alone, server answering at once (no network)".to_string(),
        format!("{:.0} ms", ms(books)),
        format!("{:.0} msg/s", rate(books)),
        "",
        String::new(),
    ));
    rows.push(Row::new(
        format!("bare lettre pool ({pool_size} connections), same messages"),
        format!("{:.0} ms", ms(lettre_t)),
        format!("{:.0} msg/s", rate(lettre_t)),
        "reference",
        "100 %".to_string(),
    ));
    rows.push(Row::new(
        format!("smtp-source ({pool_size} sessions, {avg_raw} B messages)"),
        format!("{:.0} ms", ms(floor_t)),
        format!("{:.0} msg/s", rate(floor_t)),
        "floor",
        format!("{:.0} %", rate(floor_t) / rate(lettre_t) * 100.0),
    ));
    println!("(median of {rounds} rounds; % = rate relative to bare lettre)");
    print_table(&rows);
}

/// A mail server that accepts every message instantly: what is left is the outbox's own work.
struct Instant250;

impl Mailer for Instant250 {
    async fn send(&self, _: &Envelope, raw: &[u8]) -> Result<String, SendError> {
        std::hint::black_box(raw);
        Ok("250 2.0.0 Ok".into())
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn took_of(v: &[Duration]) -> Duration {
    v.last().copied().unwrap_or_default()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn verdict(ok: bool) -> String {
    if ok { "ok" } else { "MISSED" }.to_string()
}

struct Row([String; 5]);

impl Row {
    fn new(what: String, time: String, rate: String, goal: &str, result: String) -> Row {
        Row([what, time, rate, goal.to_string(), result])
    }
}

fn print_table(rows: &[Row]) {
    println!();
    println!(
        "{:<56} {:>9} {:>13}  {:<22} result",
        "figure", "time", "rate", "goal"
    );
    for Row(r) in rows {
        println!(
            "{:<56} {:>9} {:>13}  {:<22} {}",
            r[0], r[1], r[2], r[3], r[4]
        );
    }
}

/// What a plain lettre program would send for the same email: multipart text + HTML, our
/// kind of Message-ID, built and sent by lettre.
fn bare_message(email: &OutgoingEmail) -> Message {
    let mut builder = Message::builder()
        .from(email.from.clone())
        .subject(email.subject.clone())
        .message_id(Some(compose::new_message_id(&email.from)))
        .date_now();
    if let Some(reply_to) = &email.reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    for to in &email.to {
        builder = builder.to(to.clone());
    }
    builder
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::plain(email.text.clone()))
                .singlepart(SinglePart::html(email.html.clone())),
        )
        .expect("message")
}

/// One reminder per customer who has open invoices, can be emailed and has an address, with the
/// template their oldest open invoice calls for; cycles through them until `count`.
fn reminder_requests(db: &Database, as_of: NaiveDate, count: usize) -> Vec<SendRequest> {
    let mut stmt = db
        .conn()
        .prepare(
            "SELECT c.id, c.oldest_open_due FROM customers c
             WHERE c.do_not_contact = 0 AND c.oldest_open_due IS NOT NULL
               AND EXISTS (SELECT 1 FROM contacts k WHERE k.customer_id = c.id
                           AND k.email IS NOT NULL AND trim(k.email) != '' AND k.email_bad = 0)
             ORDER BY c.id",
        )
        .expect("query");
    let eligible: Vec<SendRequest> = stmt
        .query_map([], |r| {
            let id: i64 = r.get(0)?;
            let due: String = r.get(1)?;
            Ok((id, due))
        })
        .expect("rows")
        .map(|row| {
            let (customer_id, due) = row.expect("row");
            let due = NaiveDate::parse_from_str(&due, "%Y-%m-%d").expect("due date");
            let days = (as_of - due).num_days();
            let template_key = match days {
                ..=-1 => "pre-due",
                0 => "due-today",
                1..=30 => "overdue-1",
                31..=60 => "overdue-2",
                61..=90 => "overdue-3",
                _ => "final-notice",
            };
            SendRequest {
                customer_id,
                template_key: template_key.into(),
                attachments: Vec::<PathBuf>::new(),
            }
        })
        .collect();
    assert!(!eligible.is_empty(), "no customer to remind");
    eligible.iter().cycle().take(count).cloned().collect()
}

fn distinct_templates(requests: &[SendRequest]) -> usize {
    let mut keys: Vec<&str> = requests.iter().map(|r| r.template_key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.len()
}

fn seed_company(db: &Database) {
    company::save(
        db.conn(),
        &CompanyProfile {
            name: "Northwind Supplies Ltd".into(),
            signature: "Dana Ortiz\nAccounts Receivable".into(),
            phone: "+44 20 7946 0000".into(),
            website: "https://northwind.example".into(),
            remittance: Remittance {
                bank_name: "Example Bank".into(),
                account_name: "Northwind Supplies Ltd".into(),
                account_number: "GB33BUKB20201555555555".into(),
                bank_code: "BUKBGB22".into(),
                reference_format: "{{ invoice.number }}".into(),
                instructions: String::new(),
            },
            payment_link_pattern: "https://pay.example.com/{{ invoice.number }}".into(),
            ..CompanyProfile::default()
        },
    )
    .expect("company");
}

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
