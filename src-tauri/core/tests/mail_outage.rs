//! An outage and a wrong password against the real aiosmtpd (run through
//! scripts/with-test-services.sh): each costs a delay, never a failed, skipped or doubled
//! message, and a refused login costs one login attempt per run.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::mail::account;
use duebook_core::mail::attention;
use duebook_core::mail::outbox::{self, DeliveryReport, MessageState, RetryPolicy};
use duebook_core::mail::security::Security;
use duebook_core::secrets::Password;
use duebook_core::test_support::mail::*;
use std::time::Duration;

/// The real schedule's shape, in milliseconds; nothing is waited for inside a run, as with
/// `run-due` ticks.
fn ticks() -> RetryPolicy {
    RetryPolicy {
        backoffs: vec![Duration::from_millis(300); 4],
        wait_in_run: Duration::ZERO,
        concurrency: 4,
        sending_day: None,
    }
}

fn states(s: &Setup, ids: &[i64]) -> Vec<MessageState> {
    ids.iter()
        .map(|id| outbox::get(s.db.conn(), *id).unwrap().state)
        .collect()
}

async fn tick(s: &mut Setup) -> DeliveryReport {
    let m = mailer(s);
    let report = outbox::deliver(s.db.conn_mut(), &m, None, &ticks())
        .await
        .unwrap();
    m.close().await;
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_down_for_a_tick_delays_every_message_and_sends_each_once() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = tmp.path().join("srv");
    // Learn a free port, then take the server down: connections are refused.
    let port = SmtpServer::start("accept", &srv).port;
    let mut s = setup(port, Security::StartTls);
    let ids: Vec<i64> = (0..12).map(|_| queue_reminder(&s, vec![])).collect();

    let down = tick(&mut s).await;
    assert!(down.failed.is_empty(), "{down:?}");
    assert_eq!(down.waiting as usize, ids.len());
    assert!(down.next_retry_at.is_some());
    assert!(states(&s, &ids)
        .iter()
        .all(|st| *st == MessageState::Queued));
    let m = outbox::get(s.db.conn(), ids[0]).unwrap();
    assert!(
        m.failure_reason.unwrap().contains("trying again at"),
        "the reason says when"
    );

    // Back up; the retry is due after its backoff.
    let server = SmtpServer::start_on("accept", &srv, false, USER, port);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let up = tick(&mut s).await;
    assert_eq!(up.sent.len(), ids.len(), "{up:?}");
    assert!(states(&s, &ids).iter().all(|st| *st == MessageState::Sent));
    assert_eq!(server.received().len(), ids.len());
    assert_eq!(
        server.data_count(),
        ids.len(),
        "each delivered exactly once"
    );
    assert!(tick(&mut s).await.sent.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_costs_one_login_per_run_and_the_right_one_sends_all_once() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("accept", &tmp.path().join("srv"));
    let mut s = setup(server.port, Security::StartTls);
    let settings = account::require(s.db.conn()).unwrap();
    let wrong = Password::new("not-the-password");
    account::save(s.db.conn(), &s.secrets, &settings, Some(&wrong)).unwrap();
    let ids: Vec<i64> = (0..100).map(|_| queue_reminder(&s, vec![])).collect();

    for run in 1..=2 {
        let report = tick(&mut s).await;
        assert!(report.login_refused.is_some(), "{report:?}");
        assert!(report.failed.is_empty() && report.sent.is_empty());
        assert_eq!(server.auth_count(), run, "one login attempt per run");
        assert!(states(&s, &ids)
            .iter()
            .all(|st| *st == MessageState::Queued));
        let attention = attention::account_attention(s.db.conn()).unwrap().unwrap();
        assert!(attention.problem.contains("535"), "{attention:?}");
        assert!(attention.fix.contains("password"));
    }

    // Saving the right password clears the flag; the next run sends everything once.
    let right = Password::new(PASSWORD);
    account::save(s.db.conn(), &s.secrets, &settings, Some(&right)).unwrap();
    assert!(attention::account_attention(s.db.conn()).unwrap().is_none());
    let report = tick(&mut s).await;
    assert_eq!(report.sent.len(), ids.len());
    assert_eq!(
        server.data_count(),
        ids.len(),
        "each delivered exactly once"
    );
    assert!(attention::account_attention(s.db.conn()).unwrap().is_none());
}
