//! Figures (2)–(4): the same messages sent through Duebook's outbox, through a bare lettre pool
//! and by postfix's smtp-source (the floor), round after round in the same run.

use crate::common::{smtp_source, USER};
use crate::report::{median, ms, verdict, Row};
use crate::setup::PASSWORD;
use duebook_core::mail::compose::{OutgoingEmail, PreparedEmail};
use duebook_core::mail::mime;
use duebook_core::mail::outbox::{self, RetryPolicy};
use duebook_core::mail::smtp::{Mailer, MailerOptions, SendError};
use duebook_core::secrets::MemoryStore;
use duebook_core::store::Database;
use futures_util::StreamExt;
use lettre::address::Envelope;
use lettre::message::{MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

/// Where the messages go: smtp-sink's address, and its host and port apart.
pub struct Target<'a> {
    pub host: &'a str,
    pub port: u16,
    pub sink: &'a str,
}

/// Each round's times, one list per way of sending.
#[derive(Default)]
struct Samples {
    ours_full: Vec<Duration>,
    ours_deliver: Vec<Duration>,
    bookkeeping: Vec<Duration>,
    bare: Vec<Duration>,
    floor: Vec<Duration>,
}

/// One outbox round: storing the messages, then delivering them.
struct OutboxTimes {
    total: Duration,
    enqueued: Duration,
    delivered: Duration,
}

/// Sends `to_send` `rounds` times each way and adds the figures to `rows`.
pub fn figures(
    db: &mut Database,
    secrets: &MemoryStore,
    target: &Target,
    to_send: &[PreparedEmail],
    rounds: usize,
    rows: &mut Vec<Row>,
) {
    let pool_size = MailerOptions::default().pool_size;
    let policy = RetryPolicy::default();
    let avg_raw = average_mime_size(to_send);
    println!(
        "sending {} messages (about {:.1} KB each) to smtp-sink at {}, {rounds} rounds; \
         pool: {pool_size} connections, outbox concurrency {}",
        to_send.len(),
        avg_raw as f64 / 1024.0,
        target.sink,
        policy.concurrency
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut samples = Samples::default();
    for round in 1..=rounds {
        let ours = outbox_round(db, secrets, &rt, to_send, &policy);
        samples.ours_full.push(ours.total);
        samples.ours_deliver.push(ours.delivered);
        samples
            .bookkeeping
            .push(outbox_alone(db, &rt, to_send, &policy));
        let bare = bare_lettre(&rt, target, to_send, pool_size);
        samples.bare.push(bare);
        let floor = smtp_source(pool_size, to_send.len(), avg_raw, target.sink);
        samples.floor.push(floor);
        println!(
            "round {round}: outbox {:.0} ms (enqueue {:.0} + deliver {:.0}), bare lettre {:.0} ms, smtp-source {:.0} ms",
            ms(ours.total),
            ms(ours.enqueued),
            ms(ours.delivered),
            ms(bare),
            ms(floor)
        );
    }
    check_each_sent_once(db, rounds * 2 * to_send.len());
    push_rows(rows, samples, to_send.len(), pool_size, avg_raw);
}

/// The size of the first 50 messages as sent (MIME), on average.
fn average_mime_size(to_send: &[PreparedEmail]) -> usize {
    let sample: Vec<usize> = to_send
        .iter()
        .take(50)
        .map(|p| {
            mime::build_mime(&p.email, "<x@y.example>")
                .expect("mime")
                .len()
        })
        .collect();
    sample.iter().sum::<usize>() / sample.len().max(1)
}

/// Ours: store each message (send key, Message-ID, MIME bytes), then deliver them all.
fn outbox_round(
    db: &mut Database,
    secrets: &MemoryStore,
    rt: &Runtime,
    to_send: &[PreparedEmail],
    policy: &RetryPolicy,
) -> OutboxTimes {
    let started = Instant::now();
    let ids = enqueue_all(db, to_send);
    let enqueued = started.elapsed();
    let mailer = duebook_core::mail::mailer_for_account(
        db.conn(),
        secrets,
        MailerOptions {
            hello_name: Some("duebook.bench".into()),
            ..MailerOptions::default()
        },
    )
    .expect("mailer");
    let deliver_started = Instant::now();
    let report = rt
        .block_on(outbox::deliver(db.conn_mut(), &mailer, Some(&ids), policy))
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
    OutboxTimes {
        total,
        enqueued,
        delivered,
    }
}

fn enqueue_all(db: &Database, to_send: &[PreparedEmail]) -> Vec<i64> {
    to_send
        .iter()
        .map(|p| outbox::enqueue_prepared(db.conn(), p, None).expect("enqueue"))
        .collect()
}

/// The outbox's own work (store, claim, record) with a server that answers at once.
fn outbox_alone(
    db: &mut Database,
    rt: &Runtime,
    to_send: &[PreparedEmail],
    policy: &RetryPolicy,
) -> Duration {
    let started = Instant::now();
    let ids = enqueue_all(db, to_send);
    let report = rt
        .block_on(outbox::deliver(
            db.conn_mut(),
            &Instant250,
            Some(&ids),
            policy,
        ))
        .expect("deliver");
    assert_eq!(report.sent.len(), ids.len());
    started.elapsed()
}

/// Bare lettre: the same messages, built with lettre's builder and sent through its pool
/// (which lives in the runtime: it spawns its idle-connection reaper there).
fn bare_lettre(
    rt: &Runtime,
    target: &Target,
    to_send: &[PreparedEmail],
    pool_size: usize,
) -> Duration {
    let _runtime_guard = rt.enter();
    let transport: AsyncSmtpTransport<Tokio1Executor> =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(target.host)
            .port(target.port)
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
    took
}

/// Every message the outbox stored was sent, each in exactly one attempt.
fn check_each_sent_once(db: &Database, stored: usize) {
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
    println!("outbox check: {stored} messages stored, each sent in exactly one attempt");
}

/// The medians of the rounds, as rates beside bare lettre's.
fn push_rows(
    rows: &mut Vec<Row>,
    samples: Samples,
    count: usize,
    pool_size: usize,
    avg_raw: usize,
) {
    let rate = |d: Duration| count as f64 / d.as_secs_f64();
    let (full, deliver_only, lettre_t, floor_t) = (
        median(samples.ours_full),
        median(samples.ours_deliver),
        median(samples.bare),
        median(samples.floor),
    );
    let ratio = rate(full) / rate(lettre_t);
    rows.push(Row::new(
        format!("outbox: enqueue + deliver {count} messages"),
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
    let books = median(samples.bookkeeping);
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
}

/// A mail server that accepts every message instantly: what is left is the outbox's own work.
struct Instant250;

impl Mailer for Instant250 {
    async fn send(&self, _: &Envelope, raw: &[u8]) -> Result<String, SendError> {
        std::hint::black_box(raw);
        Ok("250 2.0.0 Ok".into())
    }
}

/// What a plain lettre program would send for the same email: multipart text + HTML, our
/// kind of Message-ID, built and sent by lettre.
fn bare_message(email: &OutgoingEmail) -> Message {
    let mut builder = Message::builder()
        .from(email.from.clone())
        .subject(email.subject.clone())
        .message_id(Some(mime::new_message_id(&email.from)))
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
