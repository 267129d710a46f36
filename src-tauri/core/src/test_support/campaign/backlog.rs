//! The backlog the 120-day simulations start from: 41 customers 0 to 400 days overdue, every
//! fifth with a second, newer invoice, and the friendly campaign (`mod backlog` of
//! [`super`], one builder for every simulation).

use super::{customer, d, setup_mail, Log};
use crate::campaign::{self, Escalation, NewCampaign};
use crate::store::Database;
use chrono::{Days, NaiveDate};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A Wednesday.
pub const START: &str = "2026-07-01";

pub fn friendly(escalation: Escalation) -> NewCampaign {
    NewCampaign {
        escalation,
        ..campaign::preset("friendly").unwrap()
    }
}

/// The friendly preset's position of a template (pre-due 1 … final-notice 5).
pub fn position(template: &str) -> i64 {
    let steps = campaign::preset("friendly").unwrap().steps;
    steps
        .iter()
        .find(|s| s.template_key == template)
        .map(|s| s.position)
        .unwrap_or_else(|| panic!("no step {template}"))
}

/// 41 customers whose oldest invoice is 0, 10, … 400 days overdue on [`START`]; every fifth has
/// a second invoice due two days before it. Returns (customer, days overdue).
pub fn backlog(db: &Database) -> Vec<(i64, u64)> {
    (0..=40u64)
        .map(|n| {
            let due = d(START) - Days::new(n * 10);
            let dues = if n % 5 == 0 {
                vec![due.to_string(), (d(START) - Days::new(2)).to_string()]
            } else {
                vec![due.to_string()]
            };
            let dues: Vec<&str> = dues.iter().map(String::as_str).collect();
            let email = format!("ap{n}@backlog.example");
            let (id, _) = customer(db, &format!("Backlog {n}"), Some(&email), &dues);
            (id, n * 10)
        })
        .collect()
}

/// A backlog file with the friendly campaign set to `escalation`; returns its path.
pub fn backlog_file(dir: &Path, escalation: Escalation) -> (std::path::PathBuf, Vec<(i64, u64)>) {
    let path = dir.join("test.sqlite");
    let db = Database::open(&path).unwrap();
    setup_mail(&db);
    campaign::create(db.conn(), &friendly(escalation)).unwrap();
    (path.clone(), backlog(&db))
}

/// Per customer, (date, step position) of every message, in order.
pub fn steps_by_customer(log: &Log) -> BTreeMap<i64, Vec<(NaiveDate, i64)>> {
    let mut by: BTreeMap<i64, Vec<(NaiveDate, i64)>> = BTreeMap::new();
    for (day, customer, template, _) in log {
        by.entry(*customer)
            .or_default()
            .push((*day, position(template)));
    }
    by
}

/// A backlog file (see [`backlog`]) with `campaign` stored as the user makes it (not
/// confirmed); returns its path and (customer, days overdue).
pub fn pending_backlog_file(dir: &Path, campaign: &NewCampaign) -> (PathBuf, Vec<(i64, u64)>) {
    let path = dir.join("test.sqlite");
    let db = Database::open(&path).unwrap();
    setup_mail(&db);
    campaign::create_pending(db.conn(), campaign).unwrap();
    (path.clone(), backlog(&db))
}
