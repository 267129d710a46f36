//! The late fees and interest a campaign's reminder carries, recorded (`store::charges`) just
//! before it is composed, so the email shows exactly what was recorded: a fee once per invoice,
//! interest as of the reminder's day.

use super::*;
use crate::campaign::fees::{LateFees, StatutoryRate};
pub(super) use crate::campaign::plan::charges::charging;
use crate::campaign::plan::charges::invoice_charges;
use crate::store::charges;

/// Records what the reminder to `contact` carries on each invoice it advances; the ids of the
/// charges new today (for [`charges::forget`] should the reminder fail to queue).
pub(super) fn record(
    conn: &Connection,
    campaign: &Campaign,
    contact: &PlannedContact,
    today: NaiveDate,
    charging: &(LateFees, Option<StatutoryRate>),
) -> CampaignResult<Vec<i64>> {
    let mut new = Vec::new();
    for inv in &contact.invoices {
        let Some((_, _, list)) = invoice_charges(conn, charging, inv.invoice_id, today)? else {
            continue;
        };
        for c in list {
            let charge = (c.kind.as_str(), c.amount_minor);
            let day = today.to_string();
            new.extend(charges::record(
                conn,
                inv.invoice_id,
                campaign.id,
                charge,
                &day,
            )?);
        }
    }
    Ok(new)
}
