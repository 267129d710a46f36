//! A campaign as the user (or a JSON file) gave it, made safe to store: every single-line field
//! cleaned into one line, then checked.

use super::{Audience, CampaignError, CampaignResult, Channel, NewCampaign, Trigger};
use crate::model::text::clean_line;

/// `new` with its name, template keys, segment, tags and custom-field keys cleaned into one line
/// each, if it passes the checks.
pub(super) fn checked(new: &NewCampaign) -> CampaignResult<NewCampaign> {
    let mut clean = new.clone();
    clean.name = clean_line(&new.name);
    for step in &mut clean.steps {
        step.template_key = clean_line(&step.template_key);
        step.alt_template_key = step.alt_template_key.as_deref().map(clean_line);
        if let Some(offer) = &mut step.offer {
            // A blank segment is no rule, not a segment nobody is in.
            offer.segment = offer
                .segment
                .as_deref()
                .map(clean_line)
                .filter(|s| !s.is_empty());
        }
    }
    let audience = &mut clean.audience;
    audience.segment = audience.segment.as_deref().map(clean_line);
    audience.currency = audience.currency.as_deref().map(clean_line);
    audience.tags = audience.tags.iter().map(|t| clean_line(t)).collect();
    for condition in &mut audience.custom_fields {
        condition.key = clean_line(&condition.key);
    }
    validate(&clean)?;
    Ok(clean)
}

fn validate(new: &NewCampaign) -> CampaignResult<()> {
    let invalid = |m: &str| Err(CampaignError::Invalid(m.to_string()));
    if new.name.trim().is_empty() {
        return invalid("the campaign needs a name");
    }
    if new.steps.is_empty() && !new.owner_digest {
        return invalid("the campaign needs at least one step (or the owners' weekly digest)");
    }
    if new.min_gap_days < 0 {
        return invalid("the minimum gap cannot be negative");
    }
    if matches!(new.daily_cap, Some(c) if c < 1) {
        return invalid("the daily cap must be at least 1");
    }
    let mut positions: Vec<i64> = new.steps.iter().map(|s| s.position).collect();
    positions.sort_unstable();
    positions.dedup();
    if positions.len() != new.steps.len() {
        return invalid("two steps have the same position");
    }
    for s in &new.steps {
        if let Trigger::DayOfMonth(d) = s.trigger {
            if !(1..=31).contains(&d) {
                return invalid("a day of the month is between 1 and 31");
            }
        }
        if let Trigger::EventOffset(n) = s.trigger {
            if new.event.is_none() {
                return invalid("a step counted from the event needs the campaign's event date");
            }
            if !(-MAX_EVENT_OFFSET_DAYS..=MAX_EVENT_OFFSET_DAYS).contains(&n) {
                return invalid("a step is at most 366 days before or after the event");
            }
        }
        if matches!(s.notify_owner_days, Some(n) if !(0..=MAX_OWNER_NOTICE_DAYS).contains(&n)) {
            return invalid("the owner is told 0 to 60 days before a step");
        }
        if let Some(offer) = &s.offer {
            offer.validate().map_err(CampaignError::Invalid)?;
            if s.channel != Channel::Email {
                return invalid("an offer goes with an email step");
            }
        }
        if s.template_key.trim().is_empty() {
            return invalid("every step needs a template");
        }
        let internal = |k: &str| crate::mail::templates::INTERNAL_KEYS.contains(&k.trim());
        if internal(&s.template_key) || s.alt_template_key.as_deref().is_some_and(internal) {
            return invalid("a step writes to customers: an owner's template cannot be a step's");
        }
        if let Some(alt) = &s.alt_template_key {
            if alt.trim().is_empty() {
                return invalid("the second template of an A/B step cannot be empty");
            }
            if alt.trim() == s.template_key.trim() {
                return invalid("an A/B step needs two different templates");
            }
        }
    }
    validate_event(new)?;
    if matches!(new.credit_rule, Some(r) if !(1..=1000).contains(&r.percent)) {
        return invalid("the credit rule's share of the limit is a percentage from 1 to 1000");
    }
    if let Some(fees) = &new.late_fees {
        fees.validate()?;
    }
    validate_audience(&new.audience)
}

/// The owner is told at most this many days before a step (each day looks that far ahead).
const MAX_OWNER_NOTICE_DAYS: i64 = 60;
/// Steps counted from the event are at most a year away from it.
const MAX_EVENT_OFFSET_DAYS: i64 = 366;
/// "No reply to the last N reminders" looks at most this many back.
const MAX_SILENT_REMINDERS: i64 = 50;

fn validate_event(new: &NewCampaign) -> CampaignResult<()> {
    if let Some(w) = new.window {
        if w.start > w.end {
            return Err(CampaignError::Invalid(format!(
                "the window ends ({}) before it starts ({})",
                w.end, w.start
            )));
        }
    }
    match new.event.and_then(|e| e.invalid()) {
        Some(why) => Err(CampaignError::Invalid(why.to_string())),
        None => Ok(()),
    }
}

fn validate_audience(a: &Audience) -> CampaignResult<()> {
    let invalid = |m: &str| Err(CampaignError::Invalid(m.to_string()));
    if matches!(a.no_reply_to_last, Some(n) if !(1..=MAX_SILENT_REMINDERS).contains(&n)) {
        return invalid("\"no reply to the last N reminders\" needs N from 1 to 50");
    }
    if matches!(a.usually_late, Some(u) if u.min_average_days_late < 1) {
        return invalid("\"usually late\" needs an average of at least 1 day late");
    }
    if matches!(a.min_credit_used_percent, Some(p) if !(1..=1000).contains(&p)) {
        return invalid("the share of the credit limit is a percentage from 1 to 1000");
    }
    for c in &a.custom_fields {
        if c.key.trim().is_empty() {
            return invalid("a custom-field condition needs a field name");
        }
        if c.value.trim().is_empty() {
            return invalid("a custom-field condition needs a value to compare with");
        }
    }
    Ok(())
}
