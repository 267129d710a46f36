//! Property tests for issue 13: arbitrary Unicode with control characters, line breaks, bidi
//! overrides and encoded-word look-alikes, stored where a customer's data goes, never make
//! composing a message or drawing a statement panic. A composed message's headers hold no bare
//! CR or LF, and a mail parser reads back exactly the subject and names we meant.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::NaiveDate;
use duebook_core::mail::account;
use duebook_core::mail::compose::{self, ComposeError, OutgoingEmail, SendRequest};
use duebook_core::mail::mime;
use duebook_core::mail::templates::{self, Renderer};
use duebook_core::model::text::clean_line;
use duebook_core::statement::{self, StatementOptions};
use duebook_core::test_support::campaign::{customer, setup_mail, store_raw};
use lettre::message::Mailbox;
use mail_parser::MessageParser;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Text an attacker would put in a name: any characters, with the dangerous ones made common.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<char>().prop_map(String::from),
        "[a-zA-Z0-9 .,&'-]{1,8}",
        Just("\r\n".to_string()),
        Just("\n".to_string()),
        Just("\r".to_string()),
        Just("\t".to_string()),
        Just("\u{1b}[2J".to_string()),
        Just("\u{202E}".to_string()),
        Just("\u{0}".to_string()),
        Just("=?utf-8?b?UGF5IElCQU4gWFg=?=".to_string()),
        Just("=?".to_string()),
        Just("Bcc: eve@evil.example".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just("Zoë 山田 שלום".to_string()),
    ];
    proptest::collection::vec(piece, 0..10).prop_map(|parts| parts.concat())
}

fn today() -> NaiveDate {
    "2026-03-16".parse().unwrap()
}

/// The header section of `raw` has line breaks only as CRLF, and a parser reads back the
/// subject and To address of `email`; returns the To name it read.
fn parse_back(email: &OutgoingEmail, raw: &[u8]) -> Result<Option<String>, TestCaseError> {
    let text = String::from_utf8_lossy(raw);
    let headers = text.split("\r\n\r\n").next().unwrap_or_default();
    let bytes = headers.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'\n' => prop_assert!(i > 0 && bytes[i - 1] == b'\r', "bare LF in {headers:?}"),
            b'\r' => prop_assert!(bytes.get(i + 1) == Some(&b'\n'), "bare CR in {headers:?}"),
            _ => {}
        }
    }
    let parsed = MessageParser::default().parse(raw);
    prop_assert!(parsed.is_some(), "unreadable: {headers}");
    let parsed = parsed.unwrap();
    prop_assert_eq!(parsed.subject().unwrap_or_default(), email.subject.as_str());
    let to = parsed.to().and_then(|a| a.first());
    prop_assert!(to.is_some(), "no To in {headers}");
    let to = to.unwrap();
    prop_assert_eq!(to.address(), Some(email.to[0].email.as_ref()));
    Ok(to.name().map(str::to_string))
}

/// One clean line, or None for nothing.
fn line(text: Option<&str>) -> Option<String> {
    text.map(clean_line).filter(|t| !t.is_empty())
}

#[test]
fn composing_for_hostile_names_and_subjects_never_panics_and_parses_back() {
    let (_dir, db) = duebook_core::test_support::campaign::temp_db();
    setup_mail(&db);
    let (id, _) = customer(&db, "Acme", Some("ap@acme.example"), &["2026-03-01"]);
    let account = account::require(db.conn()).unwrap();
    let request = SendRequest {
        customer_id: id,
        template_key: "overdue-1".into(),
        attachments: Vec::new(),
    };
    let mut runner = TestRunner::new(Config {
        cases: 96,
        failure_persistence: None,
        ..Config::default()
    });
    let inputs = (hostile_text(), hostile_text(), hostile_text());
    let result = runner.run(&inputs, |(name, contact, subject)| {
        store_raw(&db, id, &name, &contact, None);
        let mut template = templates::builtin("overdue-1").unwrap();
        template.subject = format!("{subject} {{{{ customer.name }}}}");
        let Ok(renderer) = Renderer::new(&[template]) else {
            return Ok(()); // a subject that is no template: refused with a typed error
        };
        match compose::prepare_with(db.conn(), &renderer, &account, &request, today()) {
            Err(ComposeError::Template(_)) => Ok(()),
            Err(other) => Err(TestCaseError::fail(format!("refused: {other}"))),
            Ok(prepared) => {
                let email = &prepared.email;
                prop_assert_eq!(&email.subject, &clean_line(&email.subject));
                let wanted = line(Some(&contact));
                prop_assert_eq!(email.to[0].name.clone(), wanted);
                let raw = mime::build_mime(email, "<x.1@northwind.example>");
                prop_assert!(raw.is_ok(), "{:?}", raw.err());
                let read = parse_back(email, &raw.unwrap())?;
                prop_assert_eq!(read, email.to[0].name.clone(), "the name as we meant it");
                Ok(())
            }
        }
    });
    result.unwrap();
}

#[test]
fn building_a_message_from_uncleaned_names_is_a_typed_error_or_well_formed() {
    let mut runner = TestRunner::new(Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&(hostile_text(), hostile_text()), |(name, subject)| {
        let email = OutgoingEmail {
            from: Mailbox::new(Some(name.clone()), "ar@northwind.example".parse().unwrap()),
            reply_to: None,
            to: vec![Mailbox::new(
                Some(name.clone()),
                "ap@acme.example".parse().unwrap(),
            )],
            subject,
            text: name.clone(),
            html: name,
            attachments: Vec::new(),
            thread: None,
        };
        match mime::build_mime(&email, "<x.1@northwind.example>") {
            Err(ComposeError::Header { .. }) => Ok(()),
            Err(other) => Err(TestCaseError::fail(format!("untyped: {other}"))),
            Ok(raw) => {
                let read = parse_back(&email, &raw)?;
                prop_assert_eq!(line(read.as_deref()), line(email.to[0].name.as_deref()));
                Ok(())
            }
        }
    });
    result.unwrap();
}

#[test]
fn statements_and_invoice_copies_for_hostile_text_are_pdfs() {
    let (_dir, db) = duebook_core::test_support::campaign::temp_db();
    setup_mail(&db);
    let (id, invoices) = customer(&db, "Acme", Some("ap@acme.example"), &["2026-03-01"]);
    let mut runner = TestRunner::new(Config {
        cases: 8,
        failure_persistence: None,
        ..Config::default()
    });
    let inputs = (
        hostile_text(),
        hostile_text(),
        hostile_text(),
        hostile_text(),
    );
    let result = runner.run(&inputs, |(name, number, company, signature)| {
        let conn = db.conn();
        store_raw(&db, id, &name, &name, None);
        conn.execute(
            "UPDATE invoices SET number = ?2 WHERE id = ?1",
            rusqlite::params![invoices[0], number],
        )
        .unwrap();
        let profile = serde_json::json!({
            "name": company, "signature": signature, "address": signature,
            "phone": company, "website": company,
            "remittance": { "bank_name": company, "account_number": number, "instructions": signature },
        });
        duebook_core::store::settings::set(conn, "company_name", &company).unwrap();
        duebook_core::store::settings::set(conn, "company_profile", &profile.to_string()).unwrap();
        let pdf = statement::render_statement(conn, id, &StatementOptions::new(today()));
        prop_assert!(pdf.is_ok(), "{:?}", pdf.err());
        prop_assert!(pdf.unwrap().starts_with(b"%PDF"));
        let copy = statement::render_invoice_copy(conn, invoices[0], today());
        prop_assert!(copy.is_ok(), "{:?}", copy.err());
        prop_assert!(copy.unwrap().starts_with(b"%PDF"));
        Ok(())
    });
    result.unwrap();
}
