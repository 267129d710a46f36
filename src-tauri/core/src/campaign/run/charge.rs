//! The late fees and interest a campaign's reminder carries, recorded (`store::charges`) when it
//! is queued: a fee once per invoice, interest as of the reminder's day.

use super::*;
use crate::campaign::fees::{LateFees, StatutoryRate};
use crate::store::charges;
use rusqlite::OptionalExtension;

/// What a campaign charges on this run; None: nothing. A statutory rate that is not set is an
/// error before anything is queued, not a reminder without its interest.
pub(super) fn charging(
    conn: &Connection,
    campaign: &Campaign,
) -> CampaignResult<Option<(LateFees, Option<StatutoryRate>)>> {
    let Some(fees) = campaign.late_fees.filter(LateFees::charges_anything) else {
        return Ok(None);
    };
    let rate = crate::campaign::fees::statutory_rate(conn)?;
    fees.annual_basis_points(rate)?;
    Ok(Some((fees, rate)))
}

/// Records what the reminder to `contact` carries on each invoice it advances.
pub(super) fn record(
    conn: &Connection,
    campaign: &Campaign,
    contact: &PlannedContact,
    today: NaiveDate,
    (fees, rate): &(LateFees, Option<StatutoryRate>),
) -> CampaignResult<()> {
    let mut open = conn.prepare_cached(
        "SELECT due_date, total_minor - paid_minor FROM invoices WHERE id = ?1 AND status = 'open'",
    )?;
    for inv in &contact.invoices {
        let Some((due, open_minor)) = open
            .query_row([inv.invoice_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .optional()?
        else {
            continue;
        };
        // A due date the importer wrote is a date; one that is not charges nothing.
        let Ok(due) = due.parse::<NaiveDate>() else {
            continue;
        };
        for c in fees.charges(*rate, due, open_minor, today)? {
            let charge = (c.kind.as_str(), c.amount_minor);
            charges::record(
                conn,
                inv.invoice_id,
                campaign.id,
                charge,
                &today.to_string(),
            )?;
        }
    }
    Ok(())
}
