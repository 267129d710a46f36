//! What the reminders a plan sends today would charge in late fees and interest: `duebook fees
//! preview`, and what a run records (`run::charge`). Reads only.

use super::{get, plan, CampaignResult, PlannedContact};
use crate::campaign::fees::{statutory_rate, Charge, ChargeKind, LateFees, StatutoryRate};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

/// One charge a reminder would carry on one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InvoiceCharge {
    pub invoice_id: i64,
    pub number: String,
    pub currency: String,
    pub charge: Charge,
}

/// A customer reminded today and what the reminder would charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CustomerCharges {
    pub customer_id: i64,
    pub customer_name: String,
    pub lines: Vec<InvoiceCharge>,
    /// The lines' total with its currency ("€40.66"; per currency, joined with " + ").
    pub total: String,
}

/// What an open invoice would be charged on `today`; None when it is not open (or its due date
/// is unreadable, which charges nothing).
pub(crate) fn invoice_charges(
    conn: &Connection,
    (fees, rate): &(LateFees, Option<StatutoryRate>),
    invoice_id: i64,
    today: NaiveDate,
) -> CampaignResult<Option<(String, String, Vec<Charge>)>> {
    let row = conn
        .prepare_cached(
            "SELECT number, currency, due_date, total_minor - paid_minor FROM invoices
             WHERE id = ?1 AND status = 'open'",
        )?
        .query_row([invoice_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((number, currency, due, open_minor)) = row else {
        return Ok(None);
    };
    let Ok(due) = due.parse::<NaiveDate>() else {
        return Ok(None);
    };
    let mut charges = fees.charges(*rate, due, open_minor, today)?;
    // Interest once waived on an invoice stays waived: later reminders carry none.
    if crate::store::charges::interest_waived(conn, invoice_id)? {
        charges.retain(|c| c.kind != ChargeKind::Interest);
    }
    Ok(Some((number, currency, charges)))
}

/// What campaign `campaign_id` charges and at which rate; None: nothing.
pub(crate) fn charging(
    conn: &Connection,
    fees: Option<LateFees>,
) -> CampaignResult<Option<(LateFees, Option<StatutoryRate>)>> {
    let Some(fees) = fees.filter(LateFees::charges_anything) else {
        return Ok(None);
    };
    let rate = statutory_rate(conn)?;
    // A statutory rate that is not set is an error now, not a reminder without its interest.
    fees.annual_basis_points(rate)?;
    Ok(Some((fees, rate)))
}

/// For each customer the campaign emails today, the charges the reminder would carry (nothing
/// for customers whose reminder carries none).
pub fn preview(
    conn: &Connection,
    campaign_id: i64,
    today: NaiveDate,
) -> CampaignResult<Vec<CustomerCharges>> {
    let campaign = get(conn, campaign_id)?;
    let Some(charging) = charging(conn, campaign.late_fees)? else {
        return Ok(Vec::new());
    };
    let plan = plan(conn, campaign_id, today)?;
    let mut out = Vec::new();
    for contact in plan.emails() {
        let lines = contact_lines(conn, &charging, contact, today)?;
        if !lines.is_empty() {
            out.push(CustomerCharges {
                customer_id: contact.customer_id,
                customer_name: contact.customer_name.clone(),
                total: total_of(&lines),
                lines,
            });
        }
    }
    Ok(out)
}

fn contact_lines(
    conn: &Connection,
    charging: &(LateFees, Option<StatutoryRate>),
    contact: &PlannedContact,
    today: NaiveDate,
) -> CampaignResult<Vec<InvoiceCharge>> {
    let mut lines = Vec::new();
    for inv in &contact.invoices {
        if let Some((number, currency, charges)) =
            invoice_charges(conn, charging, inv.invoice_id, today)?
        {
            lines.extend(charges.into_iter().map(|charge| InvoiceCharge {
                invoice_id: inv.invoice_id,
                number: number.clone(),
                currency: currency.clone(),
                charge,
            }));
        }
    }
    Ok(lines)
}

/// "€40.66", or "€40.66 + $12.00" across currencies.
fn total_of(lines: &[InvoiceCharge]) -> String {
    let mut sums: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for l in lines {
        let sum = sums.entry(&l.currency).or_insert(0);
        *sum = sum.saturating_add(l.charge.amount_minor);
    }
    sums.into_iter()
        .filter_map(|(code, minor)| {
            let currency = crate::model::Currency::parse(code).ok()?;
            Some(crate::company::format_money(&crate::model::Money::new(
                minor, currency,
            )))
        })
        .collect::<Vec<_>>()
        .join(" + ")
}
