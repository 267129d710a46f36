//! The early-payment offer a step's email makes, recorded on each invoice it reminds
//! (`store::offers`) just before the email is composed, so the email shows exactly what was
//! recorded; once per invoice and step, however many runs.

use super::*;
use crate::store::offers::{self, NewOffer};

/// Records the contact's offer on each invoice it advances: the (invoice, campaign, step) of
/// those new today, for [`offers::forget`] should the email fail to queue.
pub(super) fn record(
    conn: &Connection,
    campaign: &Campaign,
    contact: &PlannedContact,
    today: NaiveDate,
) -> CampaignResult<Vec<(i64, i64, i64)>> {
    let Some(offer) = &contact.offer else {
        return Ok(Vec::new());
    };
    let mut new = Vec::new();
    for inv in &contact.invoices {
        let made = offers::record(
            conn,
            &NewOffer {
                invoice_id: inv.invoice_id,
                campaign_id: campaign.id,
                step_position: contact.step_position,
                percent_basis_points: offer.percent_basis_points,
                amount: offer.amount.as_deref(),
                valid_until: offer.valid_until,
                made_on: today,
            },
        )?;
        if made {
            new.push((inv.invoice_id, campaign.id, contact.step_position));
        }
    }
    Ok(new)
}

/// Ties today's offers of the contact's email to the message that carries them.
pub(super) fn carried_by(
    conn: &Connection,
    campaign: &Campaign,
    contact: &PlannedContact,
    today: NaiveDate,
    message_id: i64,
) -> CampaignResult<()> {
    if contact.offer.is_none() {
        return Ok(());
    }
    let ids: Vec<i64> = contact.invoices.iter().map(|i| i.invoice_id).collect();
    let step = (campaign.id, contact.step_position);
    Ok(offers::set_message(conn, step, &ids, today, message_id)?)
}
