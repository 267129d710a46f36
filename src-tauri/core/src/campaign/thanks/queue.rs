//! A run's writes for thank-yous: noticing newly paid invoices, and queueing the planned
//! thank-yous under their send keys with what they cover.

use super::super::{queue_message, renderer_of, Campaign, CampaignResult, Queued};
use super::{
    paid_since, reminded_by_hand, reminder_keys, PlannedThanks, THANKS_WITHIN_DAYS,
    THANK_YOU_TEMPLATE,
};
use crate::mail::account::AccountSettings;
use chrono::{Days, NaiveDate};
use rusqlite::{params, Connection};

/// Notes the reminded invoices paid lately that no run has seen yet (seen today: thanked by the
/// first run of a later day), and forgets the unthanked ones whose payment was reversed (the
/// invoice is open again) or that waited longer than [`THANKS_WITHIN_DAYS`].
/// Every real run does this first; so does a `run-due` tick that finds nothing to send.
pub fn notice(conn: &Connection, today: NaiveDate) -> CampaignResult<()> {
    let since = today
        .checked_sub_days(Days::new(THANKS_WITHIN_DAYS))
        .unwrap_or(today)
        .to_string();
    let keys = reminder_keys();
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "DELETE FROM payment_thanks WHERE thanked_on IS NULL
           AND (seen_on < ?1 OR NOT EXISTS (SELECT 1 FROM invoices i
                                             WHERE i.id = invoice_id AND i.status = 'paid'))",
        [&since],
    )?;
    tx.execute(
        &format!(
            "INSERT OR IGNORE INTO payment_thanks (invoice_id, customer_id, seen_on)
             SELECT i.id, i.customer_id, ?2 FROM invoices i
             WHERE i.id IN ({}) AND i.status = 'paid' AND i.kind = 'invoice'
               AND (EXISTS (SELECT 1 FROM invoice_reminders r WHERE r.invoice_id = i.id)
                    OR {})",
            paid_since("?1"),
            reminded_by_hand("?3")
        ),
        params![since, today.to_string(), keys],
    )?;
    tx.commit()?;
    Ok(())
}

/// Queues `campaign`'s thank-yous: marks the invoices thanked today (so the message lists them
/// and no other campaign thanks the customer today), then queues the message and records it.
pub(in crate::campaign) fn queue(
    conn: &Connection,
    campaign: &Campaign,
    planned: &[PlannedThanks],
    today: NaiveDate,
    account: &AccountSettings,
) -> CampaignResult<Queued> {
    let mut done = Queued::default();
    if planned.is_empty() {
        return Ok(done);
    }
    let renderer = renderer_of(conn, THANK_YOU_TEMPLATE)?;
    for thanks in planned {
        let invoice_ids: Vec<i64> = thanks.invoices.iter().map(|i| i.invoice_id).collect();
        let ids = serde_json::to_string(&invoice_ids).unwrap_or_else(|_| "[]".into());
        if !claim(conn, campaign.id, thanks.customer_id, &ids, today)? {
            continue;
        }
        let key = (campaign.id, thanks.customer_id, thanks.send_key.as_str());
        let how = (&renderer, account);
        match queue_message(conn, key, THANK_YOU_TEMPLATE, how, today)? {
            Ok(id) => {
                conn.execute(
                    "UPDATE payment_thanks SET message_id = ?2
                     WHERE invoice_id IN (SELECT value FROM json_each(?1))",
                    params![ids, id],
                )?;
                done.messages.push(id);
            }
            Err(reason) => {
                // Not thanked after all: the next run tries again.
                conn.execute(
                    "UPDATE payment_thanks SET thanked_on = NULL, campaign_id = NULL
                     WHERE invoice_id IN (SELECT value FROM json_each(?1)) AND message_id IS NULL",
                    [&ids],
                )?;
                done.failed.push((thanks.customer_id, reason));
            }
        }
    }
    Ok(done)
}

/// Marks the invoices thanked by `campaign_id` today, unless another campaign thanked the
/// customer today already (one thank-you per customer per day): false then.
fn claim(
    conn: &Connection,
    campaign_id: i64,
    customer_id: i64,
    ids: &str,
    today: NaiveDate,
) -> CampaignResult<bool> {
    let tx = conn.unchecked_transaction()?;
    let thanked_elsewhere: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM payment_thanks WHERE customer_id = ?1 AND thanked_on = ?2
                          AND campaign_id IS NOT ?3)",
        params![customer_id, today.to_string(), campaign_id],
        |r| r.get(0),
    )?;
    if thanked_elsewhere {
        return Ok(false);
    }
    tx.execute(
        "UPDATE payment_thanks SET thanked_on = ?2, campaign_id = ?3
         WHERE invoice_id IN (SELECT value FROM json_each(?1))
           AND (thanked_on IS NULL OR thanked_on = ?2)",
        params![ids, today.to_string(), campaign_id],
    )?;
    tx.commit()?;
    Ok(true)
}
