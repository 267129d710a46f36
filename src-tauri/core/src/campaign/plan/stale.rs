//! The "stale after" setting: plans warn, without blocking, when balances may be out of date.

use super::super::facts::date_of;
use super::super::{CampaignError, CampaignResult};
use crate::store::settings;
use chrono::NaiveDate;
use rusqlite::Connection;

/// Setting: days after the newest import or invoice change when plans warn that balances may
/// be out of date.
pub const STALE_AFTER_DAYS_SETTING: &str = "campaign_stale_after_days";
pub const DEFAULT_STALE_AFTER_DAYS: i64 = 7;

/// The "stale after" setting; an unreadable value counts as the default.
pub fn stale_after_days(conn: &Connection) -> CampaignResult<i64> {
    Ok(settings::get(conn, STALE_AFTER_DAYS_SETTING)?
        .and_then(|v| v.trim().parse().ok())
        .filter(|d: &i64| *d >= 1)
        .unwrap_or(DEFAULT_STALE_AFTER_DAYS))
}

pub fn set_stale_after_days(conn: &Connection, days: i64) -> CampaignResult<()> {
    if days < 1 {
        return Err(CampaignError::Invalid(
            "balances can be called out of date after 1 day at the earliest".into(),
        ));
    }
    settings::set(conn, STALE_AFTER_DAYS_SETTING, &days.to_string())?;
    Ok(())
}

/// A warning when the newest import (or invoice change) is older than the setting on `today`;
/// None when the data is fresh or there is none.
pub fn stale_warning(conn: &Connection, today: NaiveDate) -> CampaignResult<Option<String>> {
    let newest: Option<String> = conn.query_row(
        "SELECT max(coalesce((SELECT max(imported_at) FROM imports), ''),
                    coalesce((SELECT max(updated_at) FROM invoices), ''))",
        [],
        |r| r.get(0),
    )?;
    let Some(newest) = newest.as_deref().and_then(date_of) else {
        return Ok(None);
    };
    let limit = stale_after_days(conn)?;
    let age = (today - newest).num_days();
    Ok((age > limit).then(|| {
        format!(
            "the newest import or invoice change is from {newest} ({age} days ago, more than {limit}): \
             balances may be out of date; import again before sending"
        )
    }))
}
