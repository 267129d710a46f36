//! Sign-in and TLS figures (issue 16): the sending rate of Duebook's `SmtpMailer` logging in
//! with XOAUTH2 (goal: within 5 % of the password path) and over implicit TLS, "465" (goal: as
//! fast as STARTTLS, "587"), each beside a bare lettre pool sending the same messages the same
//! way — lettre's own implicit TLS included. The same messages go out five ways, interleaved
//! round by round (each round starting with the next way) since these machines are shared and
//! noisy; the table gives medians, and the ratios are the medians of each round's ratio.
//!
//! The servers are the tests' own, on 127.0.0.1: aiosmtpd (`tests/servers/smtp_server.py`) with
//! STARTTLS, checking each XOAUTH2 token with the OAuth2 test server (`oauth_server.py`,
//! `/introspect`), and a second one with implicit TLS; both only count the messages
//! (`--discard`). The token is a real one: the mailbox signs in through the browser flow first.
//! The SMTP server checks a token once per login, and logins are once per pooled connection:
//! each round prints the logins the server saw, and more than the pool's size fails the bench
//! (for Duebook's mailer; lettre's pool opens more when a send starts before a connection is
//! back in the pool).
//!
//! Bare lettre is the reference as a program would use it, and it stalls: its transport opens
//! its sockets without TCP_NODELAY (STARTTLS and implicit TLS alike), so the small write that
//! ends each message waits for the server's delayed ACK, ~40 ms — the stall issue 16 saw on 465
//! before Duebook opened the implicit-TLS socket itself (`mail/smtp/implicit_tls.rs`).
//!
//! Run it through `scripts/bench-mail-auth.sh` (the test services' venv and certificate, from
//! `scripts/with-test-services.sh`). Environment: `DUEBOOK_BENCH_MAIL_AUTH_SEND` (1,000 messages,
//! as the mail bench: with a few hundred, the test server's token check per connection — a
//! Python HTTP call, paid once per pooled connection — is a visible share of a short run) and
//! `DUEBOOK_BENCH_MAIL_AUTH_ROUNDS` (5).

#[path = "../common/env.rs"]
mod env;
#[path = "../common/report.rs"]
mod report;
mod services;
mod ways;

use duebook_core::mail::smtp::MailerOptions;
use env::env_num;
use report::{median, ms, print_table, verdict, Row};
use services::Services;
use std::time::Duration;
use ways::{Senders, Way};

fn main() {
    let count = env_num("DUEBOOK_BENCH_MAIL_AUTH_SEND", 1_000).max(1);
    let rounds = env_num("DUEBOOK_BENCH_MAIL_AUTH_ROUNDS", 5).max(1);
    let pool_size = MailerOptions::default().pool_size;
    let dir = tempfile::tempdir().expect("temp dir");
    let services = Services::start(dir.path());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let tokens = rt.block_on(services.sign_in());
    let messages = services::messages(count);
    let size = messages.iter().map(|m| m.raw.len()).sum::<usize>() / count;
    println!(
        "sending {count} messages ({:.1} KB each) five ways, {rounds} rounds, {pool_size} connections \
         at a time; aiosmtpd STARTTLS on port {} (XOAUTH2 checked with the OAuth2 server on port {}), \
         implicit TLS on port {}",
        size as f64 / 1024.0,
        services.starttls.port,
        services.oauth.port,
        services.implicit.port
    );
    let senders = Senders {
        services: &services,
        tokens,
        rt: &rt,
        pool_size,
    };
    let times: Vec<[Duration; 5]> = (0..rounds)
        .map(|round| one_round(&senders, round, &messages))
        .collect();
    println!(
        "(time per message and rate: medians of {rounds} rounds of {count} messages; \
         % = rate relative, the median of each round's)"
    );
    print_table(&rows(&times, count));
    println!(
        "(lettre's transport opens its sockets without TCP_NODELAY, over STARTTLS and implicit TLS \
         alike: the end of each message waits for the server's delayed ACK, ~40 ms per connection; \
         Duebook opens every socket itself, with the option)"
    );
}

/// Every way once, starting with way number `round` (mod 5); the time each took, in
/// [`Way::ALL`]'s order.
fn one_round(senders: &Senders, round: usize, messages: &[services::Message]) -> [Duration; 5] {
    let mut times = [Duration::ZERO; 5];
    let mut said = Vec::new();
    for k in 0..Way::ALL.len() {
        let i = (round + k) % Way::ALL.len();
        let way = Way::ALL[i];
        let taken = senders.send(way, messages);
        // lettre's pool caps the connections it keeps, not those it opens: only ours are held
        // to the pool's size (the XOAUTH2 token checked once per connection, not per message).
        assert!(
            taken.logins >= 1 && (way.is_lettre() || taken.logins <= senders.pool_size),
            "{}: {} logins for {} messages over a pool of {}",
            way.short(),
            taken.logins,
            messages.len(),
            senders.pool_size
        );
        times[i] = taken.time;
        said.push(format!(
            "{} {:.0} ms ({} logins)",
            way.short(),
            ms(taken.time),
            taken.logins
        ));
    }
    println!("round {}: {}", round + 1, said.join(", "));
    times
}

/// The table: each way's median, with the ratios the goals are about.
fn rows(times: &[[Duration; 5]], count: usize) -> Vec<Row> {
    let time = |w: Way| median(times.iter().map(|t| t[w as usize]).collect());
    // The rate of `a` relative to `b`'s, round by round.
    let ratio = |a: Way, b: Way| {
        median(
            times
                .iter()
                .map(|t| t[b as usize].as_secs_f64() / t[a as usize].as_secs_f64())
                .collect(),
        )
    };
    let row = |w: Way, goal: &str, result: String| {
        let t = time(w);
        Row::new(
            w.label().to_string(),
            format!("{:.2} ms", ms(t) / count as f64),
            format!("{:.0} msg/s", count as f64 / t.as_secs_f64()),
            goal,
            result,
        )
    };
    let pct = |r: f64| format!("{:.0} %", r * 100.0);
    let oauth = ratio(Way::OAuth587, Way::Password587);
    let implicit = ratio(Way::Password465, Way::Password587);
    vec![
        row(Way::Password587, "reference", String::new()),
        row(
            Way::OAuth587,
            "within 5 % of password",
            format!("{} {}", pct(oauth), verdict(oauth >= 0.95)),
        ),
        row(
            Way::Password465,
            "≥ 90 % of 587",
            format!("{} {}", pct(implicit), verdict(implicit >= 0.9)),
        ),
        row(
            Way::Lettre587,
            "reference (Nagle on)",
            format!("Duebook {}", pct(ratio(Way::Password587, Way::Lettre587))),
        ),
        row(
            Way::Lettre465,
            "reference (Nagle on)",
            format!("Duebook {}", pct(ratio(Way::Password465, Way::Lettre465))),
        ),
    ]
}
