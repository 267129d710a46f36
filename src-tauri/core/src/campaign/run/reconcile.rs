//! Repairs reminder state missing for a campaign message (a crash between the enqueue and
//! the state write), and reads send keys back.

use super::super::parse_send_key;
use super::*;

/// Writes reminder state missing for messages this campaign queued (a run that stopped between
/// the enqueue and the state write). Each invoice of the message gets the step it had reached on
/// the message's date. Returns how many messages were repaired.
pub fn reconcile(conn: &Connection, campaign: &Campaign) -> CampaignResult<usize> {
    let pattern = format!("campaign:{}:step:%", campaign.id);
    // A failed message (never prepared, refused for good, cancelled) stands for no reminder:
    // the customer stays on its step and the next run tries again. A resent one counts again.
    let orphans: Vec<(i64, String)> = conn
        .prepare(
            "SELECT m.id, m.send_key FROM messages m
             WHERE m.send_key LIKE ?1 AND m.state <> 'failed'
               AND NOT EXISTS (SELECT 1 FROM invoice_reminders r WHERE r.message_id = m.id)",
        )?
        .query_map([&pattern], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut repaired = 0;
    for (message_id, key) in orphans {
        let Some((_, position, customer_id, date)) = parse_send_key(&key) else {
            continue;
        };
        let invoices: Vec<(i64, String)> = conn
            .prepare_cached(
                "SELECT i.id, i.due_date FROM message_invoices mi JOIN invoices i ON i.id = mi.invoice_id
                 WHERE mi.message_id = ?1",
            )?
            .query_map([message_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        // The variant is a fixed function of the customer, so the repair finds the one sent.
        let variant = campaign
            .step(position)
            .and_then(|s| s.variant_for(campaign.id, customer_id).0);
        let reach = Reach::new(campaign, date);
        let tx = conn.unchecked_transaction()?;
        for (invoice_id, due) in invoices {
            let Ok(due) = due.parse::<NaiveDate>() else {
                continue;
            };
            let Some((p, period)) = reach.target(due) else {
                continue;
            };
            if p > position {
                continue;
            }
            let template = campaign
                .step(p)
                .map_or("", |s| s.template_of(variant.filter(|_| p == position)));
            tx.execute(
                "INSERT OR IGNORE INTO invoice_reminders (invoice_id, campaign_id, step_position, period,
                     customer_id, template_key, channel, sent_on, message_id, task_id, variant)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'email', ?7, ?8, NULL, ?9)",
                params![
                    invoice_id,
                    campaign.id,
                    p,
                    period,
                    customer_id,
                    template,
                    date.to_string(),
                    message_id,
                    variant.map(Variant::as_str)
                ],
            )?;
        }
        tx.commit()?;
        repaired += 1;
    }
    Ok(repaired)
}
