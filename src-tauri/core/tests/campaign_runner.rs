//! The campaign runner shared by the app and `run-due`: chunks, pause and resume, cancel,
//! progress, a refused login, another sender's lease and a locked database.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::campaign::run;
use duebook_core::campaign::runner::{self, Ending, Progress, Request, RunControl, RunnerOptions};
use duebook_core::mail::outbox::{self, MessageState, CANCELLED_REASON};
use duebook_core::store::Database;
use duebook_core::test_support::campaign::{
    block_on, customer, d, friendly_campaign_db, StubMailer,
};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Answers the runner's questions from a script (then "go on") and writes down what it hears.
#[derive(Default)]
struct Scripted {
    requests: Mutex<VecDeque<Request>>,
    heard: Mutex<Vec<String>>,
}

impl Scripted {
    fn new(requests: &[Request]) -> Scripted {
        Scripted {
            requests: Mutex::new(requests.iter().copied().collect()),
            heard: Mutex::default(),
        }
    }

    fn heard(&self) -> Vec<String> {
        self.heard.lock().unwrap().clone()
    }
}

impl RunControl for Scripted {
    fn request(&self) -> Request {
        self.requests
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Request::Go)
    }

    fn progress(&self, event: Progress<'_>) {
        let line = match event {
            Progress::Paused => "paused".to_string(),
            Progress::Resumed => "resumed".to_string(),
            Progress::Delivered(report) => format!("sent {}", report.sent.len()),
        };
        self.heard.lock().unwrap().push(line);
    }
}

/// Sends `ids` on the test day in chunks of two under `control`; the outbox must not fail.
fn send_in_twos(
    db: &mut Database,
    mailer: &StubMailer,
    ids: &[i64],
    control: &Scripted,
) -> runner::Sent {
    block_on(runner::send(
        db,
        mailer,
        ids,
        d("2026-04-15"),
        (&options(2), control),
    ))
    .unwrap()
}

fn options(chunk: usize) -> RunnerOptions {
    RunnerOptions {
        chunk,
        pause_poll: Duration::from_millis(5),
        chunk_delay: None,
    }
}

/// A file with a sending campaign and `n` customers due a reminder; returns the ids queued.
fn queued(n: usize) -> (tempfile::TempDir, PathBuf, Vec<i64>) {
    let (dir, db, _) = friendly_campaign_db();
    for i in 0..n {
        let email = format!("c{i}@x.example");
        customer(&db, &format!("C{i}"), Some(&email), &["2026-04-05"]);
    }
    let report = run::enqueue_due(&db, d("2026-04-15"), false).unwrap();
    let ids: Vec<i64> = report.campaigns[0].messages.clone();
    assert_eq!(ids.len(), n);
    (dir, db.path().to_path_buf(), ids)
}

fn states(db: &Database, ids: &[i64]) -> Vec<MessageState> {
    ids.iter()
        .map(|id| outbox::get(db.conn(), *id).unwrap().state)
        .collect()
}

#[test]
fn progress_is_told_after_every_chunk() {
    let (_dir, path, ids) = queued(5);
    let mut db = Database::open(&path).unwrap();
    let (mailer, control) = (StubMailer::default(), Scripted::default());
    let sent = send_in_twos(&mut db, &mailer, &ids, &control);
    assert_eq!(sent.ending, Ending::Done);
    assert_eq!(control.heard(), ["sent 2", "sent 2", "sent 1"]);
    assert_eq!(sent.delivery.unwrap().sent.len(), 5);
    assert_eq!(mailer.count(), 5);
}

#[test]
fn a_pause_holds_sending_until_it_is_lifted() {
    let (_dir, path, ids) = queued(4);
    let mut db = Database::open(&path).unwrap();
    let mailer = StubMailer::default();
    let pause = Request::Pause;
    let control = Scripted::new(&[Request::Go, pause, pause, pause, Request::Go]);
    let sent = send_in_twos(&mut db, &mailer, &ids, &control);
    assert_eq!(sent.ending, Ending::Done);
    assert_eq!(control.heard(), ["sent 2", "paused", "resumed", "sent 2"]);
    assert_eq!(states(&db, &ids), [MessageState::Sent; 4]);
}

#[test]
fn cancel_takes_the_unsent_rest_out_of_the_queue() {
    let (_dir, path, ids) = queued(5);
    let mut db = Database::open(&path).unwrap();
    let mailer = StubMailer::default();
    // Cancelled while paused: the pause ends and nothing more goes out.
    let control = Scripted::new(&[Request::Go, Request::Pause, Request::Cancel]);
    let sent = send_in_twos(&mut db, &mailer, &ids, &control);
    assert_eq!(sent.ending, Ending::Cancelled(3));
    assert_eq!(control.heard(), ["sent 2", "paused"]);
    assert_eq!(mailer.count(), 2);
    for id in &ids[2..] {
        let message = outbox::get(db.conn(), *id).unwrap();
        assert_eq!(message.state, MessageState::Failed);
        assert_eq!(message.failure_reason.as_deref(), Some(CANCELLED_REASON));
    }
}

#[test]
fn a_refused_login_stops_the_run_with_the_rest_queued() {
    let (_dir, path, ids) = queued(4);
    let mut db = Database::open(&path).unwrap();
    let control = Scripted::default();
    let sent = send_in_twos(&mut db, &StubMailer::refusing_login(), &ids, &control);
    let Ending::Stopped(why) = sent.ending else {
        panic!("not stopped: {:?}", sent.ending);
    };
    assert!(why.contains("535"), "{why}");
    assert_eq!(control.heard().len(), 1, "one chunk, one login attempt");
    assert_eq!(states(&db, &ids), [MessageState::Queued; 4]);
}

#[test]
fn another_senders_lease_leaves_everything_queued() {
    let (_dir, path, ids) = queued(3);
    let mut db = Database::open(&path).unwrap();
    // A live process (this one) holds the lease for another hour.
    let holder = format!("{}:other", std::process::id());
    let until = (chrono::Utc::now() + chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    db.conn()
        .execute(
            "INSERT INTO outbox_lease (id, holder, expires_at) VALUES (1, ?1, ?2)",
            [&holder, &until],
        )
        .unwrap();
    let control = Scripted::default();
    let sent = send_in_twos(&mut db, &StubMailer::default(), &ids, &control);
    assert_eq!(sent.ending, Ending::Busy { until, left: 3 });
    assert!(sent.delivery.is_none());
    assert_eq!(states(&db, &ids), [MessageState::Queued; 3]);
}

#[test]
fn a_database_locked_longer_than_sqlite_waits_is_tried_again() {
    let (_dir, path, ids) = queued(2);
    let mut db = Database::open(&path).unwrap();
    // Another writer holds the file past SQLite's own five-second wait.
    let blocker = rusqlite::Connection::open(&path).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = Instant::now();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(5_300));
        blocker.execute_batch("COMMIT").unwrap();
    });
    let mailer = StubMailer::default();
    let control = Scripted::default();
    let sent = block_on(runner::send(
        &mut db,
        &mailer,
        &ids,
        d("2026-04-15"),
        (&options(2), &control),
    ));
    release.join().unwrap();
    let sent = sent.expect("the runner waits for the lock instead of failing");
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "the lock was held"
    );
    assert_eq!(sent.ending, Ending::Done);
    assert_eq!(mailer.count(), 2);
}
