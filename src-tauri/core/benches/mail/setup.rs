//! The bench's data: the company, the account on smtp-sink and the reminders to prepare.

use crate::common::sink_account;
use chrono::NaiveDate;
use duebook_core::company::{self, fields::sample_company};
use duebook_core::mail::account::{self, AccountSettings};
use duebook_core::mail::compose::SendRequest;
use duebook_core::secrets::{MemoryStore, Password};
use duebook_core::store::Database;
use std::path::PathBuf;

pub const PASSWORD: &str = "bench-password";

/// The templates' sample company: remittance details and a payment link in every reminder.
pub fn seed_company(db: &Database) {
    company::save(db.conn(), &sample_company()).expect("company");
}

/// Saves the sending account (on smtp-sink at `host:port`) with its password in `secrets`.
pub fn save_account(
    db: &Database,
    secrets: &MemoryStore,
    host: &str,
    port: u16,
) -> AccountSettings {
    let settings = sink_account(host, port, Some("billing@northwind-bench.example".into()));
    account::save(
        db.conn(),
        secrets,
        &settings,
        Some(&Password::new(PASSWORD)),
    )
    .expect("save account")
    .settings
}

/// One reminder per customer who has open invoices, can be emailed and has an address, with the
/// template their oldest open invoice calls for; cycles through them until `count`.
pub fn reminder_requests(db: &Database, as_of: NaiveDate, count: usize) -> Vec<SendRequest> {
    let mut stmt = db
        .conn()
        .prepare(
            "SELECT c.id, c.oldest_open_due FROM customers c
             WHERE c.do_not_contact = 0 AND c.oldest_open_due IS NOT NULL
               AND EXISTS (SELECT 1 FROM contacts k WHERE k.customer_id = c.id
                           AND k.email IS NOT NULL AND trim(k.email) != '' AND k.email_bad = 0)
             ORDER BY c.id",
        )
        .expect("query");
    let eligible: Vec<SendRequest> = stmt
        .query_map([], |r| {
            let id: i64 = r.get(0)?;
            let due: String = r.get(1)?;
            Ok((id, due))
        })
        .expect("rows")
        .map(|row| {
            let (customer_id, due) = row.expect("row");
            let due = NaiveDate::parse_from_str(&due, "%Y-%m-%d").expect("due date");
            let days = (as_of - due).num_days();
            let template_key = match days {
                ..=-1 => "pre-due",
                0 => "due-today",
                1..=30 => "overdue-1",
                31..=60 => "overdue-2",
                61..=90 => "overdue-3",
                _ => "final-notice",
            };
            SendRequest {
                customer_id,
                template_key: template_key.into(),
                attachments: Vec::<PathBuf>::new(),
            }
        })
        .collect();
    assert!(!eligible.is_empty(), "no customer to remind");
    eligible.iter().cycle().take(count).cloned().collect()
}

pub fn distinct_templates(requests: &[SendRequest]) -> usize {
    let mut keys: Vec<&str> = requests.iter().map(|r| r.template_key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.len()
}
