use super::lease::{acquire_lease, recover_interrupted};
use super::*;
use crate::mail::attention::{account_attention, clear_attention, mark_needs_attention};
use crate::mail::compose::OutgoingEmail;
use crate::mail::smtp::MailError;
use crate::mail::smtp::SendError;
use crate::test_support::{count, temp_db, StubMailer};

fn email() -> OutgoingEmail {
    OutgoingEmail {
        from: "Acme <ar@acme.example>".parse().unwrap(),
        reply_to: None,
        to: vec!["bo@client.example".parse().unwrap()],
        subject: "Hello".into(),
        text: "Hi".into(),
        html: "<p>Hi</p>".into(),
        attachments: vec![],
        thread: None,
    }
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        backoffs: vec![Duration::from_millis(20), Duration::from_millis(50)],
        wait_in_run: Duration::from_secs(1),
        concurrency: 2,
        sending_day: None,
    }
}

fn rejected(code: u16) -> Result<String, SendError> {
    Err(SendError::NotSent(MailError::Rejected {
        code,
        reply: "nope".into(),
        stage: crate::mail::smtp::Stage::AfterData,
    }))
}

#[test]
fn a_send_key_is_queued_once() {
    let (_d, db) = temp_db();
    let meta = MessageMeta {
        send_key: Some("campaign:1:step:2:customer:3".into()),
        ..MessageMeta::default()
    };
    let id = enqueue(db.conn(), &email(), &meta).unwrap();
    let again = enqueue(db.conn(), &email(), &meta).unwrap_err();
    assert!(matches!(again, OutboxError::AlreadyQueued { id: i, .. } if i == id));
    let m = get(db.conn(), id).unwrap();
    assert_eq!(m.state, MessageState::Queued);
    assert!(m.rfc_message_id.unwrap().ends_with("@acme.example>"));
    assert_eq!(count(&db, "SELECT count(*) FROM messages"), 1);
}

#[tokio::test]
async fn retries_4xx_then_sends_the_same_bytes_once() {
    let (_d, mut db) = temp_db();
    let id = enqueue(db.conn(), &email(), &MessageMeta::default()).unwrap();
    let mailer = StubMailer::scripted(vec![rejected(451), Ok("250 queued".into())]);
    let report = deliver(db.conn_mut(), &mailer, None, &quick())
        .await
        .unwrap();
    assert_eq!(report.sent, vec![id]);
    assert_eq!(report.retries, 1);
    let m = get(db.conn(), id).unwrap();
    assert_eq!((m.state, m.attempts), (MessageState::Sent, 2));
    let seen = mailer.sent.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0], seen[1], "every attempt sends the same bytes");
}

#[tokio::test]
async fn a_passing_failure_never_fails_the_message_and_5xx_fails_at_once() {
    let (_d, mut db) = temp_db();
    let a = enqueue(db.conn(), &email(), &MessageMeta::default()).unwrap();
    let mailer = StubMailer::scripted(vec![rejected(451), rejected(451), rejected(451)]);
    let report = deliver(db.conn_mut(), &mailer, Some(&[a]), &quick())
        .await
        .unwrap();
    let m = get(db.conn(), a).unwrap();
    assert_eq!((m.state, m.attempts), (MessageState::Queued, 3));
    // The schedule ran out: it waits for the next working morning, after this run.
    assert_eq!(report.waiting, 1);
    assert_eq!(report.next_retry_at, m.next_attempt_at);
    assert!(m.failure_reason.unwrap().contains("trying again at"));

    let b = enqueue(db.conn(), &email(), &MessageMeta::default()).unwrap();
    let mailer = StubMailer::scripted(vec![rejected(550)]);
    deliver(db.conn_mut(), &mailer, Some(&[b]), &quick())
        .await
        .unwrap();
    let m = get(db.conn(), b).unwrap();
    assert_eq!((m.state, m.attempts), (MessageState::Failed, 1));
    assert!(m.failure_reason.unwrap().contains("550"));
}

#[tokio::test]
async fn a_refused_login_stops_the_run_and_keeps_every_message_queued() {
    let (_d, mut db) = temp_db();
    let ids: Vec<i64> = (0..6)
        .map(|_| enqueue(db.conn(), &email(), &MessageMeta::default()).unwrap())
        .collect();
    let refused = || {
        Err(SendError::NotSent(MailError::Auth {
            reply: "535 5.7.8 nope".into(),
            hint: None,
        }))
    };
    let mailer = StubMailer::scripted(vec![refused(), refused()]);
    let report = deliver(db.conn_mut(), &mailer, None, &quick())
        .await
        .unwrap();
    assert!(report.login_refused.unwrap().contains("535 5.7.8"));
    assert_eq!(mailer.sent.lock().unwrap().len(), 2, "one batch, then stop");
    for id in &ids {
        let m = get(db.conn(), *id).unwrap();
        assert_eq!((m.state, m.attempts), (MessageState::Queued, 0));
    }
    let attention = account_attention(db.conn()).unwrap().unwrap();
    assert!(attention.problem.contains("535 5.7.8"));
    // The login works again: everything goes out and the flag is cleared.
    let report = deliver(db.conn_mut(), &mailer, None, &quick())
        .await
        .unwrap();
    assert_eq!(report.sent, ids);
    assert!(account_attention(db.conn()).unwrap().is_none());
}

#[tokio::test]
async fn an_unknown_outcome_is_uncertain_and_never_resent_by_itself() {
    let (_d, mut db) = temp_db();
    let id = enqueue(db.conn(), &email(), &MessageMeta::default()).unwrap();
    let lost = Err(SendError::Unknown(MailError::Connection {
        stage: crate::mail::smtp::Stage::AfterData,
        detail: "reset".into(),
    }));
    let mailer = StubMailer::scripted(vec![lost]);
    let report = deliver(db.conn_mut(), &mailer, None, &quick())
        .await
        .unwrap();
    assert_eq!(report.uncertain, vec![id]);
    let again = deliver(db.conn_mut(), &mailer, None, &quick())
        .await
        .unwrap();
    assert!(again.sent.is_empty());
    assert_eq!(mailer.sent.lock().unwrap().len(), 1);
    // The user decides.
    assert!(matches!(
        mark_sent(db.conn(), id).unwrap().state,
        MessageState::Sent
    ));
    assert!(matches!(
        resend(db.conn(), id),
        Err(OutboxError::WrongState { .. })
    ));
}

#[tokio::test]
async fn a_dead_senders_row_becomes_uncertain_unless_its_lease_is_live() {
    let (_d, mut db) = temp_db();
    let id = enqueue(db.conn(), &email(), &MessageMeta::default()).unwrap();
    db.conn()
        .execute("UPDATE messages SET state = 'sending' WHERE id = ?1", [id])
        .unwrap();
    // Another process holds a live lease: its message really is being sent.
    acquire_lease(db.conn(), &format!("{}:other", std::process::id())).unwrap();
    assert!(recover_interrupted(db.conn()).unwrap().is_empty());
    let mailer = StubMailer::scripted(vec![]);
    assert!(matches!(
        deliver(db.conn_mut(), &mailer, None, &quick()).await,
        Err(OutboxError::Busy { .. })
    ));
    // It died: the lease expires.
    db.conn()
        .execute(
            "UPDATE outbox_lease SET expires_at = '2000-01-01T00:00:00.000Z'",
            [],
        )
        .unwrap();
    let report = deliver(db.conn_mut(), &mailer, None, &quick())
        .await
        .unwrap();
    assert_eq!(report.recovered, vec![id]);
    assert!(report.sent.is_empty());
    assert_eq!(get(db.conn(), id).unwrap().state, MessageState::Uncertain);
    assert!(mailer.sent.lock().unwrap().is_empty());
    // Lease released at the end of the run.
    assert_eq!(count(&db, "SELECT count(*) FROM outbox_lease"), 0);
}

#[test]
fn the_delivery_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let (_d, mut db) = temp_db();
    let mailer = StubMailer::scripted(vec![]);
    let policy = quick();
    let fut = deliver(db.conn_mut(), &mailer, None, &policy);
    assert_send(&fut);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Whatever the server says when it refuses the login is kept word for word (the CLI and
    /// the app escape it when they show it) and never breaks the stored state.
    #[test]
    fn any_refusal_text_is_kept_and_read_back(reply in "\\PC*|[\\x00-\\x1f\\u{202e}]*") {
        let (_d, db) = temp_db();
        let refusal = MailError::Auth { reply: reply.clone(), hint: None };
        mark_needs_attention(db.conn(), &refusal, &refusal.login_fix()).unwrap();
        let back = account_attention(db.conn()).unwrap().unwrap();
        proptest::prop_assert_eq!(back.problem, refusal.to_string());
        clear_attention(db.conn()).unwrap();
        proptest::prop_assert!(account_attention(db.conn()).unwrap().is_none());
    }
}
