//! Where templates live: the shipped set compiled into the app and the user's copies in the
//! `templates` table.

use super::check::{check, CheckedTemplate};
use super::{EmailTemplate, TemplateError};
use crate::store::now_timestamp;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;

/// The shipped templates: (key, name, description).
pub const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "welcome",
        "Welcome / new customer",
        "Introduces your billing contact and how to pay.",
    ),
    (
        "pre-due",
        "Friendly reminder before the due date",
        "A few days before invoices fall due.",
    ),
    ("due-today", "Due today", "On the due date."),
    (
        "overdue-1",
        "Overdue 1 (gentle)",
        "A week or so past due: probably an oversight.",
    ),
    (
        "overdue-2",
        "Overdue 2 (firm)",
        "About a month past due: asks for a date.",
    ),
    (
        "overdue-3",
        "Overdue 3 (over 60 days)",
        "Two months past due: escalation is near.",
    ),
    (
        "final-notice",
        "Final notice",
        "Last reminder before the account is passed on.",
    ),
    (
        "catch-up",
        "Catch-up (tidying up our accounts)",
        "First message of a campaign switched on over a backlog.",
    ),
    (
        "statement-cover",
        "Statement of account",
        "Cover email for the monthly statement.",
    ),
    ("thank-you", "Payment thank-you", "After a payment arrives."),
    (
        "promise-confirmation",
        "Promise-to-pay confirmation",
        "Confirms what the customer promised.",
    ),
    (
        "dispute-acknowledgement",
        "Dispute acknowledgement",
        "Confirms a query or dispute is being looked at.",
    ),
    (
        "year-end",
        "Year-end close",
        "Event campaign: the open balance before the books close.",
    ),
    (
        "tax-season",
        "Tax season",
        "Event campaign: the open balance for the customer's tax records.",
    ),
    (
        "escalation-silence",
        "Escalation on silence",
        "After several reminders without a reply: to someone who can decide.",
    ),
    (
        "credit-limit",
        "Credit limit reached",
        "When the balance reaches a share of the customer's credit limit.",
    ),
    (
        "instalment-reminder",
        "Payment plan instalment",
        "A few days before each instalment of a payment plan.",
    ),
    (
        "owner-notice",
        "Owner notice",
        "Internal: tells the customer's account owner what goes out next and when.",
    ),
    (
        "owner-digest",
        "Owner's weekly digest",
        "Internal: each account owner's customers, what they owe, who is held, what goes out.",
    ),
];

/// The shipped templates written to someone at the company about customers (their account
/// owner), never to a customer: not offered to the composer or as a campaign step.
pub const INTERNAL_KEYS: &[&str] = &["owner-notice", "owner-digest"];

/// The shipped templates that ask for money: each must carry remittance details and a payment link.
pub const REMINDER_KEYS: &[&str] = &[
    "pre-due",
    "due-today",
    "overdue-1",
    "overdue-2",
    "overdue-3",
    "final-notice",
    "catch-up",
    "statement-cover",
    "year-end",
    "tax-season",
    "escalation-silence",
    "instalment-reminder",
];

macro_rules! shipped {
    ($key:literal) => {
        (
            $key,
            include_str!(concat!("../../../../../templates/", $key, ".subject")),
            include_str!(concat!("../../../../../templates/", $key, ".txt")),
            include_str!(concat!("../../../../../templates/", $key, ".html")),
        )
    };
}

const SHIPPED: &[(&str, &str, &str, &str)] = &[
    shipped!("welcome"),
    shipped!("pre-due"),
    shipped!("due-today"),
    shipped!("overdue-1"),
    shipped!("overdue-2"),
    shipped!("overdue-3"),
    shipped!("final-notice"),
    shipped!("catch-up"),
    shipped!("statement-cover"),
    shipped!("thank-you"),
    shipped!("promise-confirmation"),
    shipped!("dispute-acknowledgement"),
    shipped!("year-end"),
    shipped!("tax-season"),
    shipped!("escalation-silence"),
    shipped!("credit-limit"),
    shipped!("instalment-reminder"),
    shipped!("owner-notice"),
    shipped!("owner-digest"),
];

/// The shipped version of a template.
pub fn builtin(key: &str) -> Option<EmailTemplate> {
    let (_, subject, text, html) = SHIPPED.iter().find(|t| t.0 == key)?;
    let name = BUILTIN.iter().find(|b| b.0 == key).map_or(key, |b| b.1);
    Some(EmailTemplate {
        key: key.to_string(),
        name: name.to_string(),
        subject: subject.trim_end().to_string(),
        body_text: text.to_string(),
        body_html: html.to_string(),
        is_builtin: true,
        is_customized: false,
    })
}

/// Every template: the shipped ones (edited copies where the user changed them), then the
/// user's own, by name.
pub fn list(conn: &Connection) -> Result<Vec<EmailTemplate>, TemplateError> {
    let stored = stored_templates(conn)?;
    let mut out = Vec::new();
    for (key, _, _) in BUILTIN {
        match stored.get(*key) {
            Some(t) => out.push(t.clone()),
            None => out.extend(builtin(key)),
        }
    }
    let mut own: Vec<_> = stored.into_values().filter(|t| !t.is_builtin).collect();
    own.sort_by(|a, b| a.name.cmp(&b.name));
    out.extend(own);
    Ok(out)
}

/// The template to use for `key`: the user's copy if there is one, else the shipped one.
pub fn get(conn: &Connection, key: &str) -> Result<EmailTemplate, TemplateError> {
    let stored = conn
        .query_row(
            "SELECT key, name, subject, body_text, body_html FROM templates WHERE key = ?1",
            [key],
            template_from_row,
        )
        .optional()?;
    stored
        .or_else(|| builtin(key))
        .ok_or_else(|| TemplateError::NotFound(key.to_string()))
}

fn template_from_row(row: &rusqlite::Row) -> rusqlite::Result<EmailTemplate> {
    let key: String = row.get(0)?;
    let is_builtin = builtin(&key).is_some();
    Ok(EmailTemplate {
        name: row.get(1)?,
        subject: row.get(2)?,
        body_text: row.get(3)?,
        body_html: row.get::<_, Option<String>>(4)?.unwrap_or_default(),
        is_builtin,
        is_customized: is_builtin,
        key,
    })
}

fn stored_templates(conn: &Connection) -> Result<HashMap<String, EmailTemplate>, TemplateError> {
    let mut stmt =
        conn.prepare("SELECT key, name, subject, body_text, body_html FROM templates")?;
    let rows = stmt.query_map([], template_from_row)?;
    let mut map = HashMap::new();
    for row in rows {
        let t = row?;
        map.insert(t.key.clone(), t);
    }
    Ok(map)
}

/// A key is lower-case letters, digits and '-' (it names files in `templates export`).
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && !key.starts_with('-')
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Checks a template (syntax, the static limits, and a render against sample data) and saves
/// it. A shipped template's edit is kept beside the default ("reset to default" drops it).
pub fn save(conn: &Connection, template: &EmailTemplate) -> Result<(), TemplateError> {
    store(conn, &check(template)?)
}

/// Saves a template [`check`] has passed. The check renders, so callers holding a lock run it
/// before taking the lock and store after.
pub fn store(conn: &Connection, checked: &CheckedTemplate) -> Result<(), TemplateError> {
    let template = checked.template();
    conn.execute(
        "INSERT INTO templates (key, name, subject, body_text, body_html, is_builtin, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)
         ON CONFLICT (key) DO UPDATE SET name = excluded.name, subject = excluded.subject,
             body_text = excluded.body_text, body_html = excluded.body_html,
             updated_at = excluded.updated_at",
        params![
            template.key,
            template.name.trim(),
            template.subject,
            template.body_text,
            template.body_html,
            now_timestamp()
        ],
    )?;
    Ok(())
}

/// Drops the user's edit of a shipped template, or deletes the user's own template.
pub fn reset(conn: &Connection, key: &str) -> Result<(), TemplateError> {
    let removed = conn.execute("DELETE FROM templates WHERE key = ?1", [key])?;
    if removed == 0 && builtin(key).is_none() {
        return Err(TemplateError::NotFound(key.to_string()));
    }
    Ok(())
}
