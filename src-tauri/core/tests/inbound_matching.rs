//! Inbound mail matched to a customer in a real database, rule by rule and in order: our
//! Message-IDs (replies and returned messages), a bounce's failed recipient, the sender's
//! address, the sender's domain (never a public one, never an ambiguous one), invoice numbers.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use duebook_core::mail::inbound::{decide, CustomerMatch, MatchRule};
use duebook_core::mail::security::Security;
use duebook_core::test_support::campaign::invoice;
use duebook_core::test_support::inbound::{fixture, message, reminder_with_id, REMINDER_ID};
use duebook_core::test_support::mail::{seed_customer, setup_for, Setup};

/// Acme (jordan@acme.example) with our reminder under [`REMINDER_ID`], and Globex
/// (ap@globex.example); returns the setup, Acme's reminder and Globex's id.
fn two_customers() -> (Setup, i64, i64) {
    let s = setup_for(2525, Security::None, "Acme Ltd", "jordan@acme.example");
    let reminder = reminder_with_id(&s, REMINDER_ID);
    let globex = seed_customer(&s.db, "Globex", "ap@globex.example");
    (s, reminder, globex)
}

fn matched(s: &Setup, raw: &[u8]) -> Option<CustomerMatch> {
    decide(s.db.conn(), raw).unwrap().customer
}

fn by(s: &Setup, raw: &[u8]) -> Option<(i64, MatchRule)> {
    matched(s, raw).map(|m| (m.customer_id, m.rule))
}

#[test]
fn a_reply_matches_the_customer_of_the_reminder_it_answers() {
    let (s, reminder, _) = two_customers();
    for name in [
        "reply-outlook.eml",
        "reply-gmail-paid.eml",
        "reply-apple.eml",
        "ooo-en.eml",
    ] {
        let m = matched(&s, &fixture(name)).unwrap();
        assert_eq!(
            (m.customer_id, m.rule),
            (s.customer, MatchRule::ReplyHeaders),
            "{name}"
        );
        assert_eq!(m.outbox_message_id, Some(reminder), "{name}");
    }
    // References alone (a client that drops In-Reply-To), our ID among others.
    let refs = format!("References: <other@x.example> {REMINDER_ID} <later@acme.example>");
    let raw = message("someone@elsewhere.example", "Re: hello", &[&refs]);
    assert_eq!(by(&s, &raw), Some((s.customer, MatchRule::ReplyHeaders)));
}

#[test]
fn reply_headers_win_over_the_sender() {
    let (s, _, globex) = two_customers();
    // Globex's contact answers Acme's reminder (forwarded to them): the thread decides.
    let reply_to = format!("In-Reply-To: {REMINDER_ID}");
    let raw = message("ap@globex.example", "Re: Reminder", &[&reply_to]);
    assert_eq!(by(&s, &raw), Some((s.customer, MatchRule::ReplyHeaders)));
    // Without our Message-ID the sender decides.
    let raw = message(
        "ap@globex.example",
        "Re: Reminder",
        &["In-Reply-To: <unknown@x.example>"],
    );
    assert_eq!(by(&s, &raw), Some((globex, MatchRule::SenderAddress)));
}

#[test]
fn a_bounce_matches_by_the_returned_message_then_by_the_failed_recipient() {
    let (s, reminder, _) = two_customers();
    // Postfix returns the whole message and sets no In-Reply-To.
    let m = matched(&s, &fixture("dsn-postfix-hard.eml")).unwrap();
    assert_eq!(
        (m.customer_id, m.rule),
        (s.customer, MatchRule::BouncedMessage)
    );
    assert_eq!(m.outbox_message_id, Some(reminder));
    // Exim's bounce of a message we no longer have: the failed recipient is Acme's contact.
    let raw = String::from_utf8(fixture("bounce-exim-nodsn.eml"))
        .unwrap()
        .replace(REMINDER_ID, "<gone@northwind.example>");
    let m = matched(&s, raw.as_bytes()).unwrap();
    assert_eq!(
        (m.customer_id, m.rule),
        (s.customer, MatchRule::BouncedRecipient)
    );
    assert_eq!(m.outbox_message_id, None);
}

#[test]
fn a_bounce_is_not_matched_by_the_mail_system_that_sent_it() {
    let (s, _, _) = two_customers();
    seed_customer(&s.db, "Old Host", "accounts@oldhost.example");
    // A bounce from MAILER-DAEMON@oldhost.example about billing@oldhost.example (no contact)
    // and a message we do not have: a mail system wrote it, so its domain says nothing.
    let raw = String::from_utf8(fixture("bounce-qmail-nodsn.eml"))
        .unwrap()
        .replace(
            "From: MAILER-DAEMON@mx.oldhost.example",
            "From: MAILER-DAEMON@oldhost.example",
        );
    assert_eq!(matched(&s, raw.as_bytes()), None);
}

#[test]
fn the_sender_matches_by_exact_address_in_any_case_then_by_domain() {
    let (s, _, globex) = two_customers();
    let raw = message("Jordan <JORDAN@Acme.Example>", "Question", &[]);
    assert_eq!(by(&s, &raw), Some((s.customer, MatchRule::SenderAddress)));
    let raw = message("Pat <pat@globex.example>", "Question", &[]);
    assert_eq!(by(&s, &raw), Some((globex, MatchRule::SenderDomain)));
}

#[test]
fn public_domains_never_match_by_domain() {
    let (s, _, _) = two_customers();
    let gmail = seed_customer(&s.db, "Solo Trader", "solo.trader@gmail.com");
    let raw = message("stranger@gmail.com", "Hello", &[]);
    assert_eq!(
        by(&s, &raw),
        None,
        "one customer at gmail.com is still no match"
    );
    // The exact address still does.
    let raw = message("Solo.Trader@gmail.com", "Hello", &[]);
    assert_eq!(by(&s, &raw), Some((gmail, MatchRule::SenderAddress)));
}

#[test]
fn an_ambiguous_domain_or_address_decides_nothing() {
    let (s, _, _) = two_customers();
    seed_customer(&s.db, "Acme Holdings", "holdings@acme.example");
    let raw = message("new.person@acme.example", "Hello", &[]);
    assert_eq!(by(&s, &raw), None, "two customers at acme.example");
    // An accountant who is the contact of two customers: the invoice number decides.
    let a = seed_customer(&s.db, "Client A", "books@accountant.example");
    let b = seed_customer(&s.db, "Client B", "books@accountant.example");
    invoice(&s.db, b, "B-7731", "2026-02-01");
    let raw = message("books@accountant.example", "Hello", &[]);
    assert_eq!(by(&s, &raw), None);
    let raw = message("books@accountant.example", "Invoice B-7731 (paid)", &[]);
    assert_eq!(by(&s, &raw), Some((b, MatchRule::InvoiceNumber)));
    assert_ne!(a, b);
}

#[test]
fn an_open_invoice_number_in_the_subject_matches_its_customer_only_when_one() {
    let (s, _, globex) = two_customers();
    invoice(&s.db, globex, "GX-1001", "2026-02-01");
    invoice(&s.db, s.customer, "AC-5", "2026-02-01");
    let raw = message(
        "someone@unknown.example",
        "Re: Invoice #gx-1001 (overdue)",
        &[],
    );
    assert_eq!(by(&s, &raw), Some((globex, MatchRule::InvoiceNumber)));
    let raw = message("someone@unknown.example", "GX-1001 and AC-5", &[]);
    assert_eq!(by(&s, &raw), None, "numbers of two customers");
    // A paid invoice's number is no evidence.
    s.db.conn()
        .execute(
            "UPDATE invoices SET status = 'paid' WHERE number = 'GX-1001'",
            [],
        )
        .unwrap();
    let raw = message("someone@unknown.example", "Re: Invoice GX-1001", &[]);
    assert_eq!(by(&s, &raw), None);
}

#[test]
fn an_unknown_sender_is_unmatched_and_nothing_is_written() {
    let (s, _, _) = two_customers();
    let changes = s.db.conn().total_changes();
    let raw = message("newsletter@shop.example", "50% off everything", &[]);
    let decision = decide(s.db.conn(), &raw).unwrap();
    assert_eq!(decision.customer, None);
    assert_eq!(
        s.db.conn().total_changes(),
        changes,
        "deciding writes nothing"
    );
}

#[test]
fn sender_lookups_use_the_new_indexes() {
    let (s, _, _) = two_customers();
    for (sql, index) in [
        (
            "SELECT DISTINCT customer_id FROM contacts WHERE lower(email) = lower('a@b') AND email IS NOT NULL",
            "contacts_email",
        ),
        (
            "SELECT DISTINCT customer_id FROM contacts WHERE lower(substr(email, instr(email, '@') + 1)) = 'b' AND email IS NOT NULL",
            "contacts_email_domain",
        ),
    ] {
        let plan: Vec<String> = s
            .db
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map([], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(plan.iter().any(|p| p.contains(index)), "{plan:?}");
    }
}
