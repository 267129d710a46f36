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

/// Whether the open balance in the limit's currency is at least `percent` % of the limit
/// (exactly, in integers); no limit: no.
pub(in crate::campaign) fn credit_used_at_least(
    limit: Option<&(String, i64)>,
    balances: &[(String, i64)],
    percent: i64,
) -> bool {
    let Some((currency, limit)) = limit else {
        return false;
    };
    let open: i64 = balances
        .iter()
        .filter(|(c, _)| c == currency)
        .map(|(_, b)| *b)
        .sum();
    i128::from(open) * 100 >= i128::from(*limit) * i128::from(percent)
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
    if let Some(percent) = a.min_credit_used_percent {
        if !credit_used_at_least(c.credit_limit.as_ref(), balances, percent) {
            return false;
        }
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
