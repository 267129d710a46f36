//! Whether a customer is in a campaign's audience (segment, tags, currency, balance, days
//! overdue, payment history, custom fields).

use super::super::facts::CustomerRow;
use super::super::{Audience, FieldCondition};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashSet};

fn fields_match(conditions: &[FieldCondition], json: &str) -> bool {
    if conditions.is_empty() {
        return true;
    }
    // A malformed object (hand-edited file) has no fields, so it matches no condition.
    let fields: BTreeMap<String, String> = serde_json::from_str(json).unwrap_or_default();
    conditions.iter().all(|c| c.matches(&fields))
}

pub(super) fn in_audience(
    a: &Audience,
    c: &CustomerRow,
    tags: &HashSet<String>,
    balances: &[(String, i64)],
    late_payer: bool,
    today: NaiveDate,
) -> bool {
    if (a.usually_late.is_some() && !late_payer)
        || !fields_match(&a.custom_fields, &c.custom_fields)
    {
        return false;
    }
    if let Some(seg) = &a.segment {
        if c.segment.as_deref().map(str::trim) != Some(seg.trim()) {
            return false;
        }
    }
    if !a.tags.iter().all(|t| tags.contains(t)) {
        return false;
    }
    let balance: i64 = match &a.currency {
        Some(cur) => {
            let mut found = None;
            for (c, b) in balances {
                if c.eq_ignore_ascii_case(cur) {
                    found = Some(*b);
                }
            }
            match found {
                Some(b) => b,
                None => return false,
            }
        }
        None => balances.iter().map(|(_, b)| *b).sum(),
    };
    if a.min_balance_minor.is_some_and(|m| balance < m)
        || a.max_balance_minor.is_some_and(|m| balance > m)
    {
        return false;
    }
    if a.min_days_overdue.is_some() || a.max_days_overdue.is_some() {
        let days = c
            .oldest_open_due
            .map_or(i64::MIN, |d| (today - d).num_days());
        if a.min_days_overdue.is_some_and(|m| days < m)
            || a.max_days_overdue.is_some_and(|m| days > m)
        {
            return false;
        }
    }
    true
}
