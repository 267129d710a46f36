//! Campaigns in the database (`campaigns`, `campaign_steps`): created, updated, switched on
//! and off, read back.

use super::*;

pub(super) fn step_id(
    conn: &Connection,
    campaign_id: i64,
    position: i64,
) -> CampaignResult<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM campaign_steps WHERE campaign_id = ?1 AND position = ?2")?
        .query_row(params![campaign_id, position], |r| r.get(0))
        .optional()?)
}

/// A setting stored as JSON, None as NULL.
fn json_of<T: Serialize>(what: &str, value: Option<&T>) -> CampaignResult<Option<String>> {
    value
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| CampaignError::Invalid(format!("{what}: {e}")))
}

/// Writes the campaign's window, event date and late fees (the last two as JSON).
fn save_event(conn: &Connection, id: i64, new: &NewCampaign) -> CampaignResult<()> {
    conn.execute(
        "UPDATE campaigns SET window_start = ?2, window_end = ?3, event = ?4, late_fees = ?5
         WHERE id = ?1",
        params![
            id,
            new.window.map(|w| w.start.to_string()),
            new.window.map(|w| w.end.to_string()),
            json_of("event", new.event.as_ref())?,
            json_of("late fees", new.late_fees.as_ref())?
        ],
    )?;
    Ok(())
}

/// A stored window and event date; an unreadable one is a campaign error, not a guess.
fn read_event(
    id: i64,
    (start, end, event): (Option<String>, Option<String>, Option<String>),
) -> CampaignResult<(Option<Window>, Option<EventDate>)> {
    let bad =
        |what: &str| CampaignError::Invalid(format!("campaign {id} has an unreadable {what}"));
    let window = match (start, end) {
        (Some(start), Some(end)) => Some(Window {
            start: start.parse().map_err(|_| bad("window"))?,
            end: end.parse().map_err(|_| bad("window"))?,
        }),
        _ => None,
    };
    let event = event
        .map(|e| serde_json::from_str(&e).map_err(|_| bad("event date")))
        .transpose()?;
    Ok((window, event))
}

/// Stored late fees; unreadable ones are a campaign error, never a guess at what to charge.
fn read_late_fees(id: i64, text: Option<String>) -> CampaignResult<Option<LateFees>> {
    text.map(|t| {
        serde_json::from_str(&t)
            .map_err(|_| CampaignError::Invalid(format!("campaign {id} has unreadable late fees")))
    })
    .transpose()
}

/// The stored (JSON) forms of a campaign's audience and holiday list.
fn stored_rules(new: &NewCampaign) -> CampaignResult<(String, String)> {
    let audience = serde_json::to_string(&new.audience)
        .map_err(|e| CampaignError::Invalid(format!("audience: {e}")))?;
    let holidays: Vec<String> = new
        .holidays
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    let holidays = serde_json::to_string(&holidays)
        .map_err(|e| CampaignError::Invalid(format!("holidays: {e}")))?;
    Ok((audience, holidays))
}

/// Writes the campaign's steps by position: a position kept is updated in place (its id, which
/// sent messages point to for results, stays), a new one is added, a missing one is removed.
fn save_steps(conn: &Connection, campaign_id: i64, steps: &[Step]) -> CampaignResult<()> {
    let positions: Vec<String> = steps.iter().map(|s| s.position.to_string()).collect();
    conn.execute(
        "DELETE FROM campaign_steps WHERE campaign_id = ?1
           AND position NOT IN (SELECT value FROM json_each(?2))",
        params![campaign_id, format!("[{}]", positions.join(","))],
    )?;
    let mut upsert = conn.prepare_cached(
        "INSERT INTO campaign_steps (campaign_id, position, trigger, offset_days, day_of_month,
                                     template_key, channel, alt_template_key, event_offset_days,
                                     notify_owner_days, offer)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (campaign_id, position) DO UPDATE SET
             trigger = excluded.trigger, offset_days = excluded.offset_days,
             day_of_month = excluded.day_of_month, template_key = excluded.template_key,
             channel = excluded.channel, alt_template_key = excluded.alt_template_key,
             event_offset_days = excluded.event_offset_days,
             notify_owner_days = excluded.notify_owner_days, offer = excluded.offer",
    )?;
    for s in steps {
        // An event step is stored as a due-date step with its offset (migration 19 says why)
        // and marked by `event_offset_days`.
        let (trigger, offset, day, event) = match s.trigger {
            Trigger::DueOffset(n) => ("due_offset", Some(n), None, None),
            Trigger::DayOfMonth(d) => ("day_of_month", None, Some(d), None),
            Trigger::EventOffset(n) => ("due_offset", Some(n), None, Some(n)),
        };
        upsert.execute(params![
            campaign_id,
            s.position,
            trigger,
            offset,
            day,
            s.template_key.trim(),
            s.channel.as_str(),
            s.alt_template_key.as_deref().map(str::trim),
            event,
            s.notify_owner_days,
            json_of("offer", s.offer.as_ref())?
        ])?;
    }
    Ok(())
}

/// Stores a campaign and its steps; returns its id. One created active counts as confirmed:
/// the caller decided (seeding, tests, a file of campaigns already running). What the user
/// creates goes through [`create_pending`].
pub fn create(conn: &Connection, new: &NewCampaign) -> CampaignResult<i64> {
    insert(conn, new, new.active)
}

/// Stores a campaign the user made (in the app or from a preset) never confirmed: it sends
/// nothing until [`activation::activate`] confirms its backlog summary, even when `active`.
pub fn create_pending(conn: &Connection, new: &NewCampaign) -> CampaignResult<i64> {
    insert(conn, new, false)
}

fn insert(conn: &Connection, new: &NewCampaign, confirmed: bool) -> CampaignResult<i64> {
    let new = &input::checked(new)?;
    let (audience, holidays) = stored_rules(new)?;
    let tx = conn.unchecked_transaction()?;
    let now = now_timestamp();
    tx.execute(
        "INSERT INTO campaigns (name, audience, min_gap_days, active, quiet_weekends, holidays,
                                daily_cap, escalation, created_at, updated_at, confirmed_at,
                                thank_you, credit_rule, owner_digest)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?9, ?8, ?8, CASE WHEN ?10 THEN ?8 END, ?11, ?12, ?13)",
        params![
            new.name.trim(),
            audience,
            new.min_gap_days,
            new.active,
            new.quiet_weekends,
            holidays,
            new.daily_cap,
            now,
            new.escalation.as_str(),
            confirmed,
            new.thank_you,
            json_of("credit rule", new.credit_rule.as_ref())?,
            new.owner_digest
        ],
    )?;
    let id = tx.last_insert_rowid();
    save_event(&tx, id, new)?;
    save_steps(&tx, id, &new.steps)?;
    tx.commit()?;
    Ok(id)
}

/// Replaces campaign `id`'s name, audience, steps and rules with `new`, checked like
/// [`create`]: a refused edit changes nothing.
///
/// Reminder state (`invoice_reminders`) is kept per invoice by step position, and an invoice
/// counts as having received every due-date step up to the most advanced position it received
/// (see [`plan`]). So no step is ever sent again after an edit, and none goes backwards:
/// - a step whose timing, template or channel changed keeps its position: invoices that
///   received it are not sent it again, the others get it on its new date;
/// - a step removed from the end: invoices that had received it are past every remaining
///   step, so the campaign sends them nothing more;
/// - steps that move (renumbered, or a step removed before them): state follows the position,
///   not the content — an invoice that received position N counts as having received whatever
///   step is at N now, and goes on with N + 1.
///
/// Day-of-month (statement) steps are per month, so an edit does not change what a month got.
pub fn update(conn: &Connection, id: i64, new: &NewCampaign) -> CampaignResult<()> {
    let new = &input::checked(new)?;
    let (audience, holidays) = stored_rules(new)?;
    let tx = conn.unchecked_transaction()?;
    let changed = tx.execute(
        "UPDATE campaigns SET name = ?2, audience = ?3, min_gap_days = ?4, active = ?5,
                              quiet_weekends = ?6, holidays = ?7, daily_cap = ?8, updated_at = ?9,
                              escalation = ?10, thank_you = ?11, credit_rule = ?12,
                              owner_digest = ?13
         WHERE id = ?1",
        params![
            id,
            new.name.trim(),
            audience,
            new.min_gap_days,
            new.active,
            new.quiet_weekends,
            holidays,
            new.daily_cap,
            now_timestamp(),
            new.escalation.as_str(),
            new.thank_you,
            json_of("credit rule", new.credit_rule.as_ref())?,
            new.owner_digest
        ],
    )?;
    if changed == 0 {
        return Err(CampaignError::NotFound(id));
    }
    save_event(&tx, id, new)?;
    save_steps(&tx, id, &new.steps)?;
    tx.commit()?;
    Ok(())
}

/// Turns a campaign on or off (only active, confirmed campaigns are run by `run-due`). Turning
/// one on confirms nothing: a never-confirmed campaign goes through [`activation::activate`].
pub fn set_active(conn: &Connection, id: i64, active: bool) -> CampaignResult<()> {
    let n = conn.execute(
        "UPDATE campaigns SET active = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, active, now_timestamp()],
    )?;
    if n == 0 {
        return Err(CampaignError::NotFound(id));
    }
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> CampaignResult<Campaign> {
    let (mut campaign, audience, holidays, event, (credit_rule, late_fees)) = conn
        .prepare_cached(
            "SELECT name, audience, min_gap_days, quiet_weekends, holidays, daily_cap, active,
                    escalation, confirmed_at, catch_up, window_start, window_end, event,
                     thank_you, credit_rule, late_fees, owner_digest
             FROM campaigns WHERE id = ?1",
        )?
        .query_row([id], |r| {
            let definition = NewCampaign {
                name: r.get(0)?,
                // Read from JSON below, where a bad value is a campaign error.
                audience: Audience::default(),
                min_gap_days: r.get(2)?,
                quiet_weekends: r.get(3)?,
                daily_cap: r.get(5)?,
                active: r.get(6)?,
                escalation: Escalation::from_db(&r.get::<_, String>(7)?),
                thank_you: r.get(13)?,
                owner_digest: r.get(16)?,
                ..NewCampaign::new("", Vec::new())
            };
            let campaign = Campaign {
                id,
                definition,
                confirmed_at: r.get(8)?,
                catch_up: r
                    .get::<_, Option<String>>(9)?
                    .as_deref()
                    .and_then(CatchUp::from_db),
            };
            let event = (r.get(10)?, r.get(11)?, r.get(12)?);
            let json: (Option<String>, Option<String>) = (r.get(14)?, r.get(15)?);
            Ok((
                campaign,
                r.get::<_, String>(1)?,
                r.get::<_, String>(4)?,
                event,
                json,
            ))
        })
        .optional()?
        .ok_or(CampaignError::NotFound(id))?;
    campaign.audience = serde_json::from_str(&audience).map_err(|e| {
        CampaignError::Invalid(format!("campaign {id} has an unreadable audience: {e}"))
    })?;
    campaign.holidays = serde_json::from_str(&holidays).map_err(|e| {
        CampaignError::Invalid(format!("campaign {id} has an unreadable holiday list: {e}"))
    })?;
    (campaign.window, campaign.event) = read_event(id, event)?;
    campaign.credit_rule = credit_rule
        .map(|json| serde_json::from_str(&json))
        .transpose()
        .map_err(|e| {
            CampaignError::Invalid(format!("campaign {id} has an unreadable credit rule: {e}"))
        })?;
    campaign.late_fees = read_late_fees(id, late_fees)?;
    campaign.steps = steps_of(conn, id)?;
    Ok(campaign)
}

/// A campaign's steps, by position.
fn steps_of(conn: &Connection, id: i64) -> CampaignResult<Vec<Step>> {
    let mut stmt = conn.prepare_cached(
        "SELECT position, trigger, offset_days, day_of_month, template_key, channel, alt_template_key,
                event_offset_days, notify_owner_days, offer
         FROM campaign_steps WHERE campaign_id = ?1 ORDER BY position",
    )?;
    let steps = stmt
        .query_map([id], |r| {
            let trigger: String = r.get(1)?;
            let trigger = if let Some(n) = r.get::<_, Option<i64>>(7)? {
                Trigger::EventOffset(n)
            } else if trigger == "day_of_month" {
                Trigger::DayOfMonth(r.get::<_, Option<u32>>(3)?.unwrap_or(1))
            } else {
                Trigger::DueOffset(r.get::<_, Option<i64>>(2)?.unwrap_or(0))
            };
            let step = Step {
                position: r.get(0)?,
                trigger,
                template_key: r.get(4)?,
                channel: Channel::from_db(&r.get::<_, String>(5)?),
                alt_template_key: r.get(6)?,
                notify_owner_days: r.get(8)?,
                offer: None,
            };
            Ok((step, r.get::<_, Option<String>>(9)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    steps
        .into_iter()
        .map(|(mut step, offer)| {
            // An unreadable offer is a campaign error, never a guess at what to offer.
            step.offer = offer
                .map(|t| serde_json::from_str(&t))
                .transpose()
                .map_err(|_| {
                    CampaignError::Invalid(format!(
                        "campaign {id} has an unreadable offer on step {}",
                        step.position
                    ))
                })?;
            Ok(step)
        })
        .collect()
}

/// Every campaign, oldest first.
pub fn list(conn: &Connection) -> CampaignResult<Vec<Campaign>> {
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM campaigns ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    ids.into_iter().map(|id| get(conn, id)).collect()
}
