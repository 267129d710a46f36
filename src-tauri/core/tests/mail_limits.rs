//! The account's limits in the delivery loop, against the real aiosmtpd (run through
//! scripts/with-test-services.sh): the day's limit holds across separate runs and defers the
//! rest to the next working morning; "slow down" and quota replies pause the whole account
//! with every message still queued, and the pause holds for the next run.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::{Local, Utc};
use duebook_core::campaign::summary;
use duebook_core::mail::account;
use duebook_core::mail::limits::SendingLimits;
use duebook_core::mail::outbox::{self, DeliveryReport, MessageState, RetryPolicy};
use duebook_core::mail::security::Security;
use duebook_core::secrets::Password;
use duebook_core::test_support::mail::*;
use std::collections::HashSet;
use std::time::Duration;

fn with_limits(s: &Setup, per_day: Option<u32>) {
    let settings = account::AccountSettings {
        limits: Some(SendingLimits {
            per_minute: None,
            per_day,
        }),
        ..account::require(s.db.conn()).unwrap()
    };
    account::save(
        s.db.conn(),
        &s.secrets,
        &settings,
        Some(&Password::new(PASSWORD)),
    )
    .unwrap();
}

async fn tick(s: &mut Setup) -> DeliveryReport {
    let m = mailer(s);
    let report = outbox::deliver(s.db.conn_mut(), &m, None, &RetryPolicy::default())
        .await
        .unwrap();
    m.close().await;
    report
}

fn in_state(s: &Setup, ids: &[i64], state: MessageState) -> Vec<i64> {
    ids.iter()
        .copied()
        .filter(|id| outbox::get(s.db.conn(), *id).unwrap().state == state)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_limit_holds_across_runs_and_defers_the_rest_to_the_working_morning() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("accept", &tmp.path().join("srv"));
    let mut s = setup(server.port, Security::StartTls);
    with_limits(&s, Some(4));
    let ids: Vec<i64> = (0..10).map(|_| queue_reminder(&s, vec![])).collect();

    let first = tick(&mut s).await;
    assert_eq!(first.sent.len(), 4, "{first:?}");
    assert!(first.failed.is_empty());
    let line = first.daily_limit.unwrap();
    assert!(
        line.starts_with("deferred: daily limit of 4 reached: 6 message(s) wait until"),
        "{line}"
    );
    let waiting = in_state(&s, &ids, MessageState::Queued);
    assert_eq!(waiting.len(), 6);
    let today = Local::now().date_naive();
    let morning = RetryPolicy::working_morning_after(today);
    for id in &waiting {
        let m = outbox::get(s.db.conn(), *id).unwrap();
        assert_eq!(
            m.failure_reason.as_deref(),
            Some("deferred: daily limit of 4 reached")
        );
        let at = chrono::DateTime::parse_from_rfc3339(&m.next_attempt_at.unwrap()).unwrap();
        assert_eq!(at.with_timezone(&Utc), morning);
        assert_eq!(m.attempts, 0, "not an attempt");
    }

    // A second run the same day (another tick, the app's timer) sends nothing more, even for
    // a message the user sends by hand now.
    let by_hand = queue_reminder(&s, vec![]);
    let second = tick(&mut s).await;
    assert!(second.sent.is_empty(), "{second:?}");
    assert_eq!(server.data_count(), 4);
    assert_eq!(in_state(&s, &[by_hand], MessageState::Queued), [by_hand]);
    let m = outbox::get(s.db.conn(), by_hand).unwrap();
    assert_eq!(
        m.failure_reason.as_deref(),
        Some("deferred: daily limit of 4 reached")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_down_pauses_the_account_for_the_stated_time_and_sends_each_once_after() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start_limited(&tmp.path().join("srv"), 100, 2);
    let mut s = setup(server.port, Security::StartTls);
    let ids: Vec<i64> = (0..6).map(|_| queue_reminder(&s, vec![])).collect();

    let first = tick(&mut s).await;
    assert!(first.failed.is_empty(), "{first:?}");
    let paused = first.paused.clone().unwrap();
    assert!(paused.starts_with("sending paused until "), "{paused}");
    assert!(
        paused.ends_with("421 4.7.0 Too many messages, slow down: try again in 1 second"),
        "{paused}"
    );
    let held = in_state(&s, &ids, MessageState::Queued);
    assert_eq!(
        held.len() + first.sent.len(),
        ids.len(),
        "the run stopped; nothing failed"
    );
    let mut told = 0;
    for id in &held {
        let m = outbox::get(s.db.conn(), *id).unwrap();
        assert_eq!(m.attempts, 0, "a pause is not a failed attempt");
        // The throttled ones say why; the rest were not tried in this run.
        if let Some(reason) = m.failure_reason {
            assert!(
                reason.starts_with("not sent yet: sending paused until"),
                "{reason}"
            );
            told += 1;
        }
    }
    assert_eq!(told, 2, "the two throttled messages");

    // The next run, within the second, respects the stored pause: nothing is tried.
    let tried = server.data_count();
    let during = tick(&mut s).await;
    assert!(
        during.sent.is_empty() && during.paused.is_some(),
        "{during:?}"
    );
    assert_eq!(server.data_count(), tried);

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let after = tick(&mut s).await;
    assert!(after.paused.is_none(), "{after:?}");
    assert_eq!(in_state(&s, &ids, MessageState::Sent), ids);
    let accepted: Vec<String> = server
        .received()
        .iter()
        .map(|m| m["headers"]["Message-ID"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(accepted.len(), ids.len());
    assert_eq!(
        accepted.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "each once"
    );
    for id in server.refused("throttled") {
        assert!(accepted.contains(&id), "{id} went out later");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_up_daily_quota_pauses_until_the_working_morning_and_the_summary_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start_limited(&tmp.path().join("srv"), 2, 0);
    let mut s = setup(server.port, Security::StartTls);
    // Our own limit is higher than the provider's: its 550 5.4.5 is what stops the day.
    with_limits(&s, Some(50));
    let ids: Vec<i64> = (0..5).map(|_| queue_reminder(&s, vec![])).collect();

    let report = tick(&mut s).await;
    assert!(report.failed.is_empty(), "{report:?}");
    assert_eq!(report.sent.len(), 2);
    assert_eq!(
        in_state(&s, &ids, MessageState::Queued).len(),
        3,
        "stay queued, not failed"
    );
    let pause = outbox::sending_paused(s.db.conn(), Utc::now())
        .unwrap()
        .unwrap();
    let today = Local::now().date_naive();
    assert_eq!(pause.until, RetryPolicy::working_morning_after(today));
    assert!(
        pause
            .reply
            .starts_with("550 5.4.5 Daily user sending limit exceeded"),
        "{pause:?}"
    );

    let tried = server.data_count();
    assert!(tick(&mut s).await.paused.is_some());
    assert_eq!(server.data_count(), tried, "nothing tried while paused");
    let summary = summary::summarize(s.db.conn(), today, None, &[]).unwrap();
    assert_eq!(summary.paused, Some(pause.describe()));
}
