//! Mailbox sync figures (issue 17): the first sync of a mailbox of 10,000 messages of about
//! 8 KB (one in ten a reply from one of 100 customers to its reminder, the rest other mail) and
//! an incremental sync with nothing new, each beside a plain reference measured in the same run:
//! a bare async-imap session giving the same IMAP commands (LIST, EXAMINE and UID SEARCH on INBOX and Sent, UID FETCH
//! BODY.PEEK[] in batches of 200) and doing nothing with what it reads. The difference is what
//! Duebook does per message: sizes first, parse, classify, match, keep the replies with their
//! tasks, save the folder's place after each batch.
//!
//! The server is the tests' own Dovecot (`tests/servers/imap_server.py`) on 127.0.0.1, plain
//! IMAP on its STARTTLS port for both (TLS is the same for both and not what is measured).
//! Each round starts from a new database. Run it through `scripts/bench-mail-sync.sh`.
//! Environment: `DUEBOOK_BENCH_MAIL_SYNC_MESSAGES` (10,000), `DUEBOOK_BENCH_MAIL_SYNC_ROUNDS` (3).

#[path = "../common/env.rs"]
mod env;
mod reference;
#[path = "../common/report.rs"]
mod report;

use chrono::Utc;
use duebook_core::mail::account::ImapSettings;
use duebook_core::mail::imap::{sync_mailbox, ImapLogin, SyncOptions, SyncReport};
use duebook_core::mail::security::Security;
use duebook_core::mail::{compose, outbox};
use duebook_core::secrets::Password;
use duebook_core::test_support::imap::{ImapServer, IMAP_PASSWORD};
use duebook_core::test_support::inbound::{message, reminder_with_id};
use duebook_core::test_support::mail::{
    mailer_options, seed_customer, send_request, setup_for, today, Setup, USER,
};
use env::env_num;
use report::{median, ms, print_table, verdict, Row};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

/// The customers the replies come from, each answering its own reminder (a real mailbox's
/// replies are spread over many customers; each reply refreshes its customer's figures).
const CUSTOMERS: usize = 100;

fn main() {
    let count = env_num("DUEBOOK_BENCH_MAIL_SYNC_MESSAGES", 10_000).max(10);
    let rounds = env_num("DUEBOOK_BENCH_MAIL_SYNC_ROUNDS", 3).max(1);
    let dir = tempfile::tempdir().expect("temp dir");
    let server = ImapServer::start(&dir.path().join("imap"), None);
    let started = Instant::now();
    let bytes = fill(&server, count);
    println!(
        "mailbox: {count} messages, {:.1} MB, appended in {:.1} s; Dovecot on port {}; {rounds} rounds",
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        server.port
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let times: Vec<[Duration; 4]> = (0..rounds)
        .map(|round| one_round(&rt, &server, round, count))
        .collect();
    let time = |i: usize| median(times.iter().map(|t| t[i]).collect());
    let ratio = |a: usize, b: usize| median(times.iter().map(|t| ms(t[a]) / ms(t[b])).collect());
    let per = |d: Duration| format!("{:.3} ms", ms(d) / count as f64);
    let rate = |d: Duration| format!("{:.0} msg/s", count as f64 / d.as_secs_f64());
    let total = |d: Duration| format!("{:.0} ms", ms(d));
    print_table(&[
        Row::new(
            "first sync: bare async-imap FETCH".into(),
            per(time(0)),
            rate(time(0)),
            "reference",
            String::new(),
        ),
        Row::new(
            "first sync: Duebook (decide + record)".into(),
            per(time(1)),
            rate(time(1)),
            "report",
            format!("{:.2}× the reference", ratio(1, 0)),
        ),
        Row::new(
            "nothing new: bare async-imap".into(),
            total(time(2)),
            String::new(),
            "reference",
            String::new(),
        ),
        Row::new(
            "nothing new: Duebook".into(),
            total(time(3)),
            String::new(),
            "≤ 1.5× the reference",
            format!("{:.2}× {}", ratio(3, 2), verdict(ratio(3, 2) <= 1.5)),
        ),
    ]);
    println!(
        "(first sync: time per message and rate, medians of {rounds} rounds; nothing new: the whole sync. \
         Peak memory of the whole bench process: {} MB)",
        peak_rss_mb()
    );
}

/// The mailbox: `count` messages, one in ten a reply to our reminder; the bytes appended.
fn fill(server: &ImapServer, count: usize) -> usize {
    let pad =
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n".repeat(110);
    let mut bytes = 0;
    for chunk in (0..count).collect::<Vec<_>>().chunks(500) {
        let mail: Vec<(Vec<u8>, Option<String>)> = chunk
            .iter()
            .map(|&n| {
                let mut raw = if n.is_multiple_of(10) {
                    let k = (n / 10) % CUSTOMERS;
                    let answers = format!("In-Reply-To: {}", reminder_id(k));
                    message(&contact(k), &format!("Re: reminder {n}"), &[&answers])
                } else {
                    message("news@shop.example", &format!("Weekly offers {n}"), &[])
                };
                raw.extend_from_slice(pad.as_bytes());
                bytes += raw.len();
                (raw, None)
            })
            .collect();
        server.append_all("INBOX", mail);
    }
    bytes
}

/// The four figures once, the reference first in odd rounds and Duebook first in even ones.
fn one_round(rt: &Runtime, server: &ImapServer, round: usize, count: usize) -> [Duration; 4] {
    let books = books();
    let mut times = [Duration::ZERO; 4];
    let bare = || {
        let t = Instant::now();
        let read = rt.block_on(reference::first_sync(server.port));
        assert_eq!(read, count, "the reference read {read} messages");
        t.elapsed()
    };
    let ours = || {
        let t = Instant::now();
        let report = rt.block_on(sync(&books, server));
        assert_eq!(report.folders[0].fetched as usize, count, "{report:?}");
        assert_eq!(
            report.folders[0].stored as usize,
            count.div_ceil(10),
            "{report:?}"
        );
        t.elapsed()
    };
    if round.is_multiple_of(2) {
        times[0] = bare();
        times[1] = ours();
    } else {
        times[1] = ours();
        times[0] = bare();
    }
    let t = Instant::now();
    rt.block_on(reference::nothing_new(server.port));
    times[2] = t.elapsed();
    let t = Instant::now();
    let report = rt.block_on(sync(&books, server));
    times[3] = t.elapsed();
    assert_eq!(report.folders[0].fetched, 0, "{report:?}");
    println!(
        "round {}: bare {:.0} ms, Duebook {:.0} ms; nothing new: bare {:.1} ms, Duebook {:.1} ms",
        round + 1,
        ms(times[0]),
        ms(times[1]),
        ms(times[2]),
        ms(times[3])
    );
    times
}

/// A new database with [`CUSTOMERS`] customers, each sent a reminder the replies answer.
fn books() -> Setup {
    let s = setup_for(2525, Security::None, "Customer 0", &contact(0));
    reminder_with_id(&s, &reminder_id(0));
    for k in 1..CUSTOMERS {
        let customer = seed_customer(&s.db, &format!("Customer {k}"), &contact(k));
        let request = send_request(customer, "overdue-1", Vec::new());
        let prepared = compose::prepare(s.db.conn(), &request, today()).expect("prepare");
        let id = outbox::enqueue_prepared(s.db.conn(), &prepared, None).expect("enqueue");
        s.db.conn()
            .execute(
                "UPDATE messages SET rfc_message_id = ?2 WHERE id = ?1",
                rusqlite::params![id, reminder_id(k)],
            )
            .expect("Message-ID");
    }
    s
}

fn contact(k: usize) -> String {
    format!("ap@customer{k}.example")
}

fn reminder_id(k: usize) -> String {
    format!("<reminder.{k}@northwind.example>")
}

async fn sync(books: &Setup, server: &ImapServer) -> SyncReport {
    let settings = ImapSettings {
        host: "localhost".into(),
        port: server.port,
        security: Security::None,
        username: None,
        save_sent: false,
    };
    let login = ImapLogin::Password {
        username: USER.into(),
        password: Password::new(IMAP_PASSWORD),
    };
    let options = SyncOptions::new(Utc::now().date_naive());
    sync_mailbox(
        books.db.conn(),
        &settings,
        &login,
        &mailer_options(),
        &options,
    )
    .await
    .expect("sync")
}

/// The process's peak resident memory (VmHWM), in MB.
fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<u64>().ok())
            })
        })
        .map_or(0, |kb| kb / 1024)
}
