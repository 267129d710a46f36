//! The account's sending limits over a 120-day `run-due --today` simulation of a backlog,
//! against the real aiosmtpd (run through scripts/with-test-services.sh) acting as a provider:
//! a daily quota answered like Gmail (550 5.4.5) and "slow down" (421 4.7.0) to the first
//! messages. The day's count never passes the limit, the most urgent customers go first, a
//! throttled or over-quota message is sent exactly once later, and every customer held back
//! is in the plan with its reason.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::{Datelike, Days, NaiveDate, Utc, Weekday};
use duebook_core::campaign::plan::ExclusionReason;
use duebook_core::campaign::run::{self, RunReport};
use duebook_core::campaign::{self, Channel, Escalation, NewCampaign};
use duebook_core::mail::account as mail_account;
use duebook_core::mail::limits::SendingLimits;
use duebook_core::mail::outbox;
use duebook_core::mail::security::Security;
use duebook_core::mail::smtp::{MailerOptions, SmtpMailer};
use duebook_core::model::{Currency, Money};
use duebook_core::secrets::{MemoryStore, Password};
use duebook_core::store::promises::{self, NewPromise};
use duebook_core::store::Database;
use duebook_core::test_support::campaign::backlog::friendly;
use duebook_core::test_support::campaign::backlog::{
    backlog_file, position, steps_by_customer, START,
};
use duebook_core::test_support::campaign::{customer, d, setup_mail, simulate_days, temp_db};
use duebook_core::test_support::mail::{account, mailer_options, SmtpServer, PASSWORD};
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Duebook's limit for the account, and the provider's (lower: its 550 must be met too). The
/// 41 customers need about 3 messages a working day once staggered by the gap, so the first
/// weeks defer many and the 120 days still see the whole backlog through.
const OUR_DAILY_LIMIT: u32 = 8;
const SERVER_DAILY_LIMIT: u32 = 7;
const THROTTLED: u32 = 3;

/// Customers whose latest promise to pay is broken: the least urgent by amount, so putting
/// them first is visible.
const BROKEN: [&str; 2] = ["Backlog 1", "Backlog 3"];

/// The account on `server` with our limit, and its mailer (no pooled connections: each
/// simulated day runs on its own runtime).
fn account_on(path: &Path, server: &SmtpServer) -> SmtpMailer {
    let db = Database::open(path).unwrap();
    let settings = mail_account::AccountSettings {
        limits: Some(SendingLimits {
            per_minute: None,
            per_day: Some(OUR_DAILY_LIMIT),
        }),
        ..account(server.port, Security::StartTls)
    };
    let password = Password::new(PASSWORD);
    mail_account::save(db.conn(), &MemoryStore::new(), &settings, Some(&password)).unwrap();
    let options = MailerOptions {
        pool_size: 0,
        ..mailer_options()
    };
    SmtpMailer::new(&settings, &password, options).unwrap()
}

fn break_promises(path: &Path) -> HashSet<i64> {
    let db = Database::open(path).unwrap();
    let eur = Currency::parse("EUR").unwrap();
    BROKEN
        .iter()
        .map(|name| {
            let id: i64 = db
                .conn()
                .query_row("SELECT id FROM customers WHERE name = ?1", [name], |r| {
                    r.get(0)
                })
                .unwrap();
            let promised = d(START) - Days::new(5);
            let new = NewPromise {
                customer_id: id,
                invoice_id: None,
                amount: Money::new(5_000, eur.clone()),
                promised_date: promised,
            };
            promises::add(db.conn(), &new, promised - Days::new(10)).unwrap();
            id
        })
        .collect()
}

/// The order, worked out here from the data: broken promises first, then open amount
/// × days overdue, then the customer id (the plan's tie-break).
fn urgency_ranks(
    path: &Path,
    today: NaiveDate,
    broken: &HashSet<i64>,
) -> HashMap<i64, (bool, Reverse<i64>, i64)> {
    let db = Database::open(path).unwrap();
    let mut stmt = db
        .conn()
        .prepare(
            "SELECT c.id, c.oldest_open_due, (SELECT sum(open_minor) FROM customer_balances b
                                              WHERE b.customer_id = c.id)
             FROM customers c",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<i64>>(2)?,
            ))
        })
        .unwrap();
    rows.map(Result::unwrap)
        .map(|(id, oldest, amount)| {
            let days = oldest
                .and_then(|o| o.get(..10)?.parse::<NaiveDate>().ok())
                .map_or(0, |o| (today - o).num_days().max(0));
            let weight = amount.unwrap_or(0) * 10 * days;
            (id, (!broken.contains(&id), Reverse(weight), id))
        })
        .collect()
}

/// A simulated day passes in milliseconds, a real one lasts longer than a server's "slow
/// down" pause (here a second): the next day starts once the pause is over.
fn wait_out_a_pause(path: &Path) {
    let db = Database::open(path).unwrap();
    if let Some(pause) = outbox::sending_paused(db.conn(), Utc::now()).unwrap() {
        let left = (pause.until - Utc::now()).to_std().unwrap_or_default();
        assert!(left <= std::time::Duration::from_secs(2), "{pause:?}");
        std::thread::sleep(left);
    }
}

/// The next weekday after `day` (the friendly preset is quiet at weekends).
fn next_weekday(day: NaiveDate) -> NaiveDate {
    let mut next = day + Days::new(1);
    while matches!(next.weekday(), Weekday::Sat | Weekday::Sun) {
        next = next + Days::new(1);
    }
    next
}

/// Per day, what the plans emailed and deferred for the daily limit (with the reason).
struct Day {
    date: NaiveDate,
    emailed: Vec<i64>,
    deferred: Vec<(i64, String)>,
    planned: HashSet<i64>,
}

fn day_of(report: &RunReport) -> Day {
    let plans = report.campaigns.iter().map(|c| &c.plan);
    let mut day = Day {
        date: report.date,
        emailed: Vec::new(),
        deferred: Vec::new(),
        planned: HashSet::new(),
    };
    for plan in plans {
        for c in &plan.contacts {
            day.planned.insert(c.customer_id);
            if c.channel == Channel::Email {
                day.emailed.push(c.customer_id);
            }
        }
        for e in &plan.excluded {
            day.planned.insert(e.customer_id);
            if e.reason == ExclusionReason::DailyLimit {
                day.deferred.push((e.customer_id, e.detail.clone()));
            }
        }
    }
    day
}

#[test]
fn a_backlog_keeps_to_the_daily_limit_most_urgent_first_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, customers) = backlog_file(dir.path(), Escalation::OneStep);
    let broken = break_promises(&path);
    let server = SmtpServer::start_limited(&dir.path().join("srv"), SERVER_DAILY_LIMIT, THROTTLED);
    let mailer = account_on(&path, &server);

    let mut days = Vec::new();
    let log = simulate_days(
        &path,
        (d(START), 120),
        &mailer,
        |today| {
            server.set_day(today);
            wait_out_a_pause(&path);
        },
        |report| {
            let ranks = urgency_ranks(&path, report.date, &broken);
            days.push((day_of(report), ranks));
        },
    );

    // The day's count never passes either limit, and Duebook's count is the server's.
    let db = Database::open(&path).unwrap();
    let ours: BTreeMap<String, u32> = db
        .conn()
        .prepare("SELECT send_day, count(*) FROM messages WHERE state = 'sent' GROUP BY send_day")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let received = server.received();
    let mut theirs: BTreeMap<String, u32> = BTreeMap::new();
    for m in &received {
        *theirs
            .entry(m["day"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(
        ours, theirs,
        "counted on the simulated day, as the server did"
    );
    assert!(
        ours.values()
            .all(|n| *n <= SERVER_DAILY_LIMIT.min(OUR_DAILY_LIMIT)),
        "{ours:?}"
    );

    // Throttled and over-quota messages stayed queued and went out exactly once later.
    let accepted: Vec<String> = received
        .iter()
        .map(|m| m["headers"]["Message-ID"].as_str().unwrap().to_string())
        .collect();
    let unique: HashSet<&String> = accepted.iter().collect();
    assert_eq!(unique.len(), accepted.len(), "nothing delivered twice");
    let throttled = server.refused("throttled");
    let over_quota = server.refused("over-quota");
    assert_eq!(throttled.len(), THROTTLED as usize);
    assert!(!over_quota.is_empty(), "the provider's quota was met");
    // What the provider refused on the last day is still queued, waiting for the pause to
    // end; everything else went out exactly once.
    let waiting: HashSet<String> = db
        .conn()
        .prepare(
            "SELECT rfc_message_id FROM messages
             WHERE state = 'queued' AND failure_reason LIKE 'not sent yet: sending paused until%'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for id in throttled.iter().chain(&over_quota) {
        let times = accepted.iter().filter(|a| *a == id).count();
        assert!(
            times == 1 || (times == 0 && waiting.contains(id)),
            "{id}: {times}"
        );
    }
    let (left, other): (i64, i64) = db
        .conn()
        .query_row(
            "SELECT count(*) FILTER (WHERE state = 'queued'),
                    count(*) FILTER (WHERE state NOT IN ('sent', 'queued'))
             FROM messages",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(other, 0, "nothing failed or uncertain");
    assert_eq!(
        left as usize,
        waiting.len(),
        "queued only behind the last day's pause"
    );
    assert!(waiting.len() <= OUR_DAILY_LIMIT as usize);
    assert_eq!(accepted.len() + waiting.len(), log.len(), "nothing lost");

    // Each day: whoever was deferred is less urgent than everyone emailed, is told why and
    // when, and is in the next run day's plan again.
    let mut deferred_total = 0;
    for pair in days.windows(2) {
        let ((today, ranks), (next, _)) = (&pair[0], &pair[1]);
        let first_deferred = today.deferred.iter().map(|(id, _)| ranks[id]).min();
        if let (Some(last_emailed), Some(first_deferred)) = (
            today.emailed.iter().map(|id| ranks[id]).max(),
            first_deferred,
        ) {
            assert!(
                last_emailed < first_deferred,
                "{}: {last_emailed:?} after {first_deferred:?}",
                today.date
            );
        }
        for (id, detail) in &today.deferred {
            deferred_total += 1;
            assert_eq!(
                *detail,
                format!(
                    "deferred: daily limit of {OUR_DAILY_LIMIT} reached; planned again on {}",
                    next_weekday(today.date)
                )
            );
            assert!(next.planned.contains(id), "{}: {id} vanished", next.date);
        }
    }
    assert!(deferred_total > 0, "the limit deferred customers");
    let day_one = &days[0].0;
    for id in &broken {
        assert!(day_one.emailed.contains(id), "a broken promise goes first");
    }

    // In the end the whole backlog climbed to the final notice: nothing lost on the way.
    let by = steps_by_customer(&log);
    let final_notice = position("final-notice");
    for (customer, days_overdue) in customers.iter().filter(|(_, n)| *n >= 90) {
        assert!(
            by[customer].iter().any(|(_, p)| *p == final_notice),
            "{customer} ({days_overdue} days overdue): {:?}",
            by[customer]
        );
    }
}

#[test]
fn the_day_is_shared_by_campaigns_most_urgent_first_after_what_already_went_out() {
    let (_dir, db) = temp_db();
    setup_mail(&db);
    let conn = db.conn();
    let settings = mail_account::AccountSettings {
        limits: Some(SendingLimits {
            per_minute: None,
            per_day: Some(4),
        }),
        ..mail_account::require(conn).unwrap()
    };
    mail_account::save(
        conn,
        &MemoryStore::new(),
        &settings,
        Some(&Password::new("pw")),
    )
    .unwrap();
    let today = d(START);
    // "North" customers are in both campaigns; the second leaves them to the first.
    let mut north = friendly(Escalation::Jump);
    north.name = "North".into();
    north.audience.segment = Some("north".into());
    let all = NewCampaign {
        name: "Everyone".into(),
        ..friendly(Escalation::Jump)
    };
    campaign::create(conn, &north).unwrap();
    campaign::create(conn, &all).unwrap();
    let mut overdue = HashMap::new();
    for n in 1..=8u64 {
        let due = (today - Days::new(n * 10)).to_string();
        let (id, _) = customer(
            &db,
            &format!("C{n}"),
            Some(&format!("c{n}@x.example")),
            &[&due],
        );
        if n % 2 == 0 {
            conn.execute("UPDATE customers SET segment = 'north' WHERE id = ?1", [id])
                .unwrap();
        }
        overdue.insert(id, n);
    }
    // A statement or hand-sent message already went out today: it takes its room.
    conn.execute(
        "INSERT INTO messages (direction, subject, state, created_at, sent_at, send_day)
         VALUES ('out', 'statement', 'sent', ?1, ?1, ?2)",
        rusqlite::params![format!("{today}T09:00:00Z"), today.to_string()],
    )
    .unwrap();

    let plans = run::plan_all(conn, today).unwrap();
    let emailed: Vec<i64> = plans
        .iter()
        .flat_map(|(_, p)| p.emails().map(|c| c.customer_id))
        .collect();
    assert_eq!(emailed.len(), 3, "4 a day, one already sent: {plans:#?}");
    let mut most_overdue: Vec<i64> = overdue.keys().copied().collect();
    most_overdue.sort_by_key(|id| Reverse(overdue[id]));
    let mut got = emailed.clone();
    got.sort_by_key(|id| Reverse(overdue[id]));
    assert_eq!(
        got,
        most_overdue[..3],
        "across both campaigns, most overdue first"
    );
    let deferred = "deferred: daily limit of 4 reached; planned again on 2026-07-02";
    for id in overdue.keys().filter(|id| !emailed.contains(id)) {
        let reasons: Vec<(ExclusionReason, &str)> = plans
            .iter()
            .flat_map(|(_, p)| &p.excluded)
            .filter(|e| e.customer_id == *id)
            .map(|e| (e.reason, e.detail.as_str()))
            .collect();
        assert!(
            reasons.contains(&(ExclusionReason::DailyLimit, deferred)),
            "{id}: {reasons:?}"
        );
    }
    for (c, p) in &plans {
        if c.name == "Everyone" {
            let left: Vec<&str> = p
                .excluded
                .iter()
                .filter(|e| e.reason == ExclusionReason::ContactedWithinGap)
                .map(|e| e.detail.as_str())
                .collect();
            assert_eq!(left.len(), 4, "every north customer: {left:?}");
            assert!(left
                .iter()
                .all(|d| d.starts_with("contacted today by the campaign North")));
        }
    }
    // A single campaign's plan applies the same room.
    let alone = campaign::plan::plan(conn, plans[1].0.id, today).unwrap();
    assert_eq!(alone.emails().count(), 3);
}
