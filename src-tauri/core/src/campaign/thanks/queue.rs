//! A run's writes for thank-yous: noticing newly paid invoices, and queueing the planned
//! thank-yous under their send keys with what they cover.

use super::super::{Campaign, CampaignResult, Queued};
use super::{
    paid_since, reminded_by_hand, reminder_keys, PlannedThanks, THANKS_WITHIN_DAYS,
    THANK_YOU_TEMPLATE,
};
use crate::mail::account::AccountSettings;
use crate::mail::compose::{self, SendRequest};
use crate::mail::outbox::{self, MessageMeta, OutboxError};
use crate::mail::templates::{self, Renderer};
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
    let template = templates::get(conn, THANK_YOU_TEMPLATE).map_err(compose::ComposeError::from)?;
    let renderer = Renderer::new(&[template]).map_err(compose::ComposeError::from)?;
    for thanks in planned {
        let ids = serde_json::to_string(
            &thanks
                .invoices
                .iter()
                .map(|i| i.invoice_id)
                .collect::<Vec<_>>(),
        )
        .unwrap_or_else(|_| "[]".into());
        if !claim(conn, campaign.id, thanks.customer_id, &ids, today)? {
            continue;
        }
        let meta = MessageMeta {
            customer_id: Some(thanks.customer_id),
            send_key: Some(thanks.send_key.clone()),
            template_key: Some(THANK_YOU_TEMPLATE.into()),
            campaign_id: Some(campaign.id),
            step_id: None,
            invoice_ids: Vec::new(),
        };
        let request = SendRequest {
            customer_id: thanks.customer_id,
            template_key: THANK_YOU_TEMPLATE.into(),
            attachments: Vec::new(),
        };
        let queued = compose::prepare_with(conn, &renderer, account, &request, today)
            .map_err(|e| e.to_string())
            .and_then(|p| match outbox::enqueue(conn, &p.email, &meta) {
                Ok(id) | Err(OutboxError::AlreadyQueued { id, .. }) => Ok(id),
                Err(e) => Err(e.to_string()),
            });
        match queued {
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
                outbox::record_unprepared(conn, &meta, &reason)?;
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
