//! The customer's conversation in a real database: a reminder and the customer's reply kept by
//! the mailbox sync form one thread, the reply's HTML is kept sanitised, its attachment comes
//! back out for that customer only, and Reply sends a threaded answer to the sender.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::mail::compose;
use duebook_core::mail::inbound::attachment::{self, AttachmentError};
use duebook_core::mail::inbound::{decide, record, Recorded};
use duebook_core::mail::outbox;
use duebook_core::mail::reply::{make_reply, prepare_own_words, OWN_WORDS};
use duebook_core::mail::security::Security;
use duebook_core::model::NewCustomer;
use duebook_core::store::customers;
use duebook_core::test_support::inbound::{fixture, message, reminder_with_id, REMINDER_ID};
use duebook_core::test_support::mail::{send_request, setup_for, today, Setup};
use duebook_core::views::conversation::{self, ConversationState, MessageDirection};
use duebook_core::views::timeline;

const GMAIL_ID: &str = "<CAKx9vT3rF0nG7yq2o3+Zq8dQk1w5mE_p2aVb9LxJ4sPZ0hQe6A@mail.gmail.com>";

/// The customer and our reminder, sent the day before the fixtures answer it.
fn acme() -> (Setup, i64) {
    let s = setup_for(2525, Security::None, "Acme Ltd", "jordan@acme.example");
    let reminder = reminder_with_id(&s, REMINDER_ID);
    s.db.conn()
        .execute(
            "UPDATE messages SET state = 'sent', created_at = '2026-01-12T09:14:00.000Z',
                 sent_at = '2026-01-12T09:14:01.000Z' WHERE id = ?1",
            [reminder],
        )
        .unwrap();
    (s, reminder)
}

fn keep(s: &Setup, raw: &[u8]) -> i64 {
    let decision = decide(s.db.conn(), raw).unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 1, 14).unwrap();
    match record(s.db.conn(), &decision, raw, day).unwrap() {
        Recorded::Stored { id } => id,
        other => panic!("not stored: {other:?}"),
    }
}

#[test]
fn a_reminder_and_its_reply_are_one_thread_and_a_new_message_another() {
    let (s, reminder) = acme();
    let reply = keep(&s, &fixture("reply-gmail-paid.eml"));
    // Sent later and naming nothing: a thread of its own, shown first.
    let later = compose::prepare(
        s.db.conn(),
        &send_request(s.customer, "thank-you", vec![]),
        today(),
    )
    .unwrap();
    let thanks = outbox::enqueue_prepared(s.db.conn(), &later, None).unwrap();

    let c = conversation::for_customer(s.db.conn(), s.customer).unwrap();
    assert!(!c.truncated);
    let ids: Vec<Vec<i64>> = c
        .threads
        .iter()
        .map(|t| t.messages.iter().map(|m| m.id).collect())
        .collect();
    assert_eq!(ids, vec![vec![thanks], vec![reminder, reply]], "{c:#?}");
    let thread = &c.threads[1];
    let (ours, theirs) = (&thread.messages[0], &thread.messages[1]);
    assert_eq!(thread.subject, ours.subject);
    assert_eq!(
        (ours.direction, ours.state),
        (MessageDirection::Out, ConversationState::Sent)
    );
    assert!(!ours.can_reply);
    assert_eq!(
        (theirs.direction, theirs.state),
        (MessageDirection::In, ConversationState::Reply)
    );
    assert_eq!(theirs.state_words, "Reply");
    assert_eq!(
        theirs.from.as_deref(),
        Some("Jordan Smith <jordan@acme.example>")
    );
    assert!(theirs.paid_hint && theirs.can_reply);
    assert!(
        theirs
            .snippet
            .as_deref()
            .unwrap()
            .contains("Paid yesterday"),
        "{theirs:?}"
    );
    let files = &theirs.attachments;
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].file_name, "Remittance_Advice_INV-2001.pdf");
    assert!(files[0].openable);

    s.db.conn()
        .execute(
            "UPDATE messages SET filed_in_sent_at = sent_at WHERE id = ?1",
            [reminder],
        )
        .unwrap();
    let c = conversation::for_customer(s.db.conn(), s.customer).unwrap();
    assert_eq!(
        c.threads[1].messages[0].state,
        ConversationState::FiledInSent
    );
    assert_eq!(
        c.threads[1].messages[0].state_words,
        "Sent (in your Sent folder)"
    );

    let lines = timeline::for_customer(s.db.conn(), s.customer, &[], 50).unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.title == "Reply received: Re: Reminder: invoice INV-2001 is overdue"),
        "{lines:#?}"
    );
}

#[test]
fn a_reply_body_is_kept_as_sanitised_html_and_text() {
    let (s, _) = acme();
    let mut raw = String::from_utf8(fixture("reply-gmail-paid.eml")).unwrap();
    raw = raw.replace(
        "<div>Hi Dana,</div>",
        "<div onclick=3D\"x()\">Hi Dana,<script>alert(1)</script><img src=3D\"https://t=\n.example/p.gif\" alt=3D\"pixel\"></div>",
    );
    let id = keep(&s, raw.as_bytes());
    let bodies = conversation::bodies(s.db.conn(), s.customer, id)
        .unwrap()
        .unwrap();
    assert!(bodies.text.contains("Paid yesterday"), "{}", bodies.text);
    let html = bodies.html.unwrap();
    assert!(html.contains("Paid yesterday"), "{html}");
    assert!(
        html.contains(r#"<a href="mailto:ar@northwind.example" rel="noopener noreferrer">"#),
        "{html}"
    );
    for gone in ["<script", "alert", "onclick", "src=", "t.example"] {
        assert!(!html.contains(gone), "{gone} kept: {html}");
    }
    let other = customers::insert(s.db.conn(), &NewCustomer::named("Other Co")).unwrap();
    assert_eq!(conversation::bodies(s.db.conn(), other, id).unwrap(), None);
}

#[test]
fn an_attachment_comes_back_out_only_for_its_customer() {
    let (s, _) = acme();
    let id = keep(&s, &fixture("reply-gmail-paid.eml"));
    let attachment_id: i64 =
        s.db.conn()
            .query_row(
                "SELECT id FROM message_attachments WHERE message_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
    let file = attachment::extract(s.db.conn(), s.customer, attachment_id).unwrap();
    assert_eq!(file.file_name, "Remittance_Advice_INV-2001.pdf");
    assert!(file.bytes.starts_with(b"%PDF-1.4"), "{file:?}");
    let path = attachment::save_privately(&s.dir.path().join("open"), &file).unwrap();
    assert_eq!(std::fs::read(path).unwrap(), file.bytes);

    let other = customers::insert(s.db.conn(), &NewCustomer::named("Other Co")).unwrap();
    let refused = attachment::extract(s.db.conn(), other, attachment_id).unwrap_err();
    assert!(matches!(refused, AttachmentError::NotFound(_)), "{refused}");
    s.db.conn()
        .execute("UPDATE messages SET raw_mime = NULL WHERE id = ?1", [id])
        .unwrap();
    let gone = attachment::extract(s.db.conn(), s.customer, attachment_id).unwrap_err();
    assert!(matches!(gone, AttachmentError::NotKept), "{gone}");
}

#[test]
fn reply_sends_a_threaded_answer_to_the_sender_in_the_same_thread() {
    let (s, reminder) = acme();
    let theirs = keep(&s, &fixture("reply-gmail-paid.eml"));
    let request = send_request(s.customer, "thank-you", vec![]);
    let mut prepared = compose::prepare(s.db.conn(), &request, today()).unwrap();
    make_reply(s.db.conn(), &mut prepared, s.customer, theirs).unwrap();
    assert_eq!(
        prepared.preview.subject,
        "Re: Reminder: invoice INV-2001 is overdue"
    );
    assert_eq!(prepared.preview.to.len(), 1);
    assert!(
        prepared.preview.to[0].ends_with("<jordan@acme.example>")
            || prepared.preview.to[0] == "jordan@acme.example"
    );
    let ours = outbox::enqueue_prepared(s.db.conn(), &prepared, None).unwrap();

    // Header lines unfolded (a long References is folded onto two lines).
    let raw = String::from_utf8(outbox::raw_mime(s.db.conn(), ours).unwrap())
        .unwrap()
        .replace("\r\n ", " ");
    assert!(
        raw.contains(&format!("In-Reply-To: {GMAIL_ID}\r\n")),
        "{raw}"
    );
    assert!(
        raw.contains(&format!("References: {REMINDER_ID} {GMAIL_ID}")),
        "{raw}"
    );
    let stored: (String, String) =
        s.db.conn()
            .query_row(
                "SELECT in_reply_to, references_ids FROM messages WHERE id = ?1",
                [ours],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
    assert_eq!(
        stored,
        (GMAIL_ID.to_string(), format!("{REMINDER_ID} {GMAIL_ID}"))
    );

    let c = conversation::for_customer(s.db.conn(), s.customer).unwrap();
    assert_eq!(c.threads.len(), 1, "{c:#?}");
    let mut ids: Vec<i64> = c.threads[0].messages.iter().map(|m| m.id).collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![reminder, theirs, ours]);
}

#[test]
fn reply_goes_to_the_usual_contact_when_the_sender_is_not_one_and_never_answers_a_bounce() {
    let (s, _) = acme();
    let stranger = message(
        "Pat <pat@acme.example>",
        "Re: Reminder",
        &[&format!("In-Reply-To: {REMINDER_ID}")],
    );
    let theirs = keep(&s, &stranger);
    let request = send_request(s.customer, "thank-you", vec![]);
    let mut prepared = compose::prepare(s.db.conn(), &request, today()).unwrap();
    make_reply(s.db.conn(), &mut prepared, s.customer, theirs).unwrap();
    assert_eq!(
        prepared.email.to[0].email.to_string(),
        "jordan@acme.example"
    );
    assert!(
        prepared
            .preview
            .warnings
            .iter()
            .any(|w| w.contains("pat@acme.example is not one of")),
        "{:?}",
        prepared.preview.warnings
    );
    assert!(prepared.email.thread.is_some());

    // Prepared first: the bounce marks the only address bad.
    let mut prepared = compose::prepare(s.db.conn(), &request, today()).unwrap();
    let bounce = keep(&s, &fixture("dsn-postfix-hard.eml"));
    assert!(make_reply(s.db.conn(), &mut prepared, s.customer, bounce).is_err());
    let other = customers::insert(s.db.conn(), &NewCustomer::named("Other Co")).unwrap();
    assert!(make_reply(s.db.conn(), &mut prepared, other, theirs).is_err());
}

#[test]
fn a_reply_in_the_users_own_words_is_escaped_threaded_and_never_empty() {
    let (s, _) = acme();
    let theirs = keep(&s, &fixture("reply-gmail-paid.eml"));
    let words = "Thanks Jordan <3\n\nWe will match it & confirm.";
    let mut prepared = prepare_own_words(s.db.conn(), s.customer, words, true).unwrap();
    make_reply(s.db.conn(), &mut prepared, s.customer, theirs).unwrap();
    assert_eq!(prepared.preview.template_key, OWN_WORDS);
    assert_eq!(prepared.preview.text, words);
    assert_eq!(
        prepared.preview.html,
        "<p>Thanks Jordan &lt;3</p>\n<p>We will match it &amp; confirm.</p>"
    );
    let ours = outbox::enqueue_prepared(s.db.conn(), &prepared, None).unwrap();
    let raw = String::from_utf8(outbox::raw_mime(s.db.conn(), ours).unwrap()).unwrap();
    assert!(
        raw.contains(&format!("In-Reply-To: {GMAIL_ID}\r\n")),
        "{raw}"
    );
    assert!(
        raw.contains("Subject: Re: Reminder: invoice INV-2001 is overdue"),
        "{raw}"
    );

    let empty = prepare_own_words(s.db.conn(), s.customer, " \n ", true).unwrap_err();
    assert!(empty.to_string().contains("write your reply"), "{empty}");
    // The preview shows an empty reply while it is being written.
    assert!(prepare_own_words(s.db.conn(), s.customer, "", false).is_ok());
}

#[test]
fn an_automatic_reply_and_a_bounce_join_the_thread_and_say_what_they_are() {
    let (s, reminder) = acme();
    let away = keep(&s, &fixture("ooo-en.eml"));
    let bounce = keep(&s, &fixture("dsn-postfix-hard.eml"));
    let c = conversation::for_customer(s.db.conn(), s.customer).unwrap();
    assert_eq!(c.threads.len(), 1, "{c:#?}");
    let find = |id: i64| {
        c.threads[0]
            .messages
            .iter()
            .find(|m| m.id == id)
            .unwrap_or_else(|| panic!("message {id} is not in the reminder's thread: {c:#?}"))
    };
    assert!(c.threads[0].messages.iter().any(|m| m.id == reminder));
    let away = find(away);
    assert_eq!(away.state, ConversationState::AutoReply);
    let back = away
        .return_date
        .clone()
        .expect("ooo-en states a return date");
    assert_eq!(away.state_words, format!("Automatic reply, back {back}"));
    assert!(away.can_reply);
    let bounce = find(bounce);
    assert_eq!(bounce.state, ConversationState::Bounced);
    assert_eq!(
        bounce.state_words,
        "Bounced (5.1.1, permanent): jordan@acme.example"
    );
    assert!(!bounce.can_reply);

    let titles: Vec<String> = timeline::for_customer(s.db.conn(), s.customer, &[], 50)
        .unwrap()
        .into_iter()
        .map(|l| l.title)
        .collect();
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with(&format!("Automatic reply (back {back}): "))),
        "{titles:#?}"
    );
    assert!(
        titles.iter().any(|t| t.starts_with("Bounced (5.1.1): ")),
        "{titles:#?}"
    );
}

#[test]
fn our_own_attachments_open_from_the_message_we_sent() {
    let s = setup_for(2525, Security::None, "Acme Ltd", "jordan@acme.example");
    let file = s.dir.path().join("payment plan.txt");
    std::fs::write(&file, "3 instalments\n").unwrap();
    let sent = duebook_core::test_support::mail::queue_reminder(&s, vec![file]);
    let c = conversation::for_customer(s.db.conn(), s.customer).unwrap();
    let listed = &c.threads[0].messages[0].attachments;
    assert_eq!(c.threads[0].messages[0].id, sent);
    assert_eq!(listed.len(), 1);
    assert!(listed[0].openable);
    let opened = attachment::extract(s.db.conn(), s.customer, listed[0].id).unwrap();
    assert_eq!(opened.file_name, "payment plan.txt");
    assert_eq!(opened.bytes, b"3 instalments\n");
}
