//! Early-payment offers made on invoices (`invoice_offers`): what a campaign step's email
//! offered, until when, and whether the offer was taken. The arithmetic is here, in integer
//! minor units, so templates and campaigns agree to the cent.

use crate::model::{format_minor, parse_minor, Currency};
use crate::store::DbResult;
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

/// What an offer takes off: a percentage of the open amount, or an amount per invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terms {
    /// Basis points: 250 = 2.5 %.
    PercentBasisPoints(i64),
    /// In the invoice currency's minor units.
    AmountMinor(i64),
}

/// What `terms` take off `open_minor`, rounded half up to the minor unit, never more than the
/// open amount nor less than 0 (nothing off a credit). Never panics, whatever the inputs.
pub fn discount_minor(open_minor: i64, terms: Terms) -> i64 {
    if open_minor <= 0 {
        return 0;
    }
    let off = match terms {
        Terms::PercentBasisPoints(bp) => {
            let product = i128::from(open_minor) * i128::from(bp.max(0));
            i64::try_from((product + 5_000) / 10_000).unwrap_or(i64::MAX)
        }
        Terms::AmountMinor(amount) => amount.max(0),
    };
    off.min(open_minor)
}

/// One offer to record.
#[derive(Debug, Clone)]
pub struct NewOffer<'a> {
    pub invoice_id: i64,
    pub campaign_id: i64,
    pub step_position: i64,
    /// A percentage in basis points, or an amount as text in the invoice's currency ("25.00").
    pub percent_basis_points: Option<i64>,
    pub amount: Option<&'a str>,
    pub valid_until: NaiveDate,
    pub made_on: NaiveDate,
}

/// Records an offer on an open invoice: true when recorded now; false when the invoice is not
/// open, already had this step's offer (a rerun offers nothing twice), or the amount does not
/// fit the invoice's currency (more decimals than it has).
pub fn record(conn: &Connection, new: &NewOffer) -> DbResult<bool> {
    let row: Option<(String, i64)> = conn
        .prepare_cached(
            "SELECT currency, total_minor - paid_minor FROM invoices
             WHERE id = ?1 AND status = 'open'",
        )?
        .query_row([new.invoice_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((currency, open_minor)) = row else {
        return Ok(false);
    };
    let amount_minor = match new.amount {
        Some(text) => {
            let decimals = Currency::parse(&currency).map_or(2, |c| c.decimals());
            match parse_minor(text, decimals) {
                Ok(minor) if minor > 0 => Some(minor),
                _ => return Ok(false),
            }
        }
        None => None,
    };
    let terms = match (new.percent_basis_points, amount_minor) {
        (Some(bp), None) => Terms::PercentBasisPoints(bp),
        (None, Some(minor)) => Terms::AmountMinor(minor),
        _ => return Ok(false),
    };
    let n = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO invoice_offers
                 (invoice_id, campaign_id, step_position, percent_basis_points, amount_minor,
                  currency, discount_minor, open_minor, valid_until, made_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            new.invoice_id,
            new.campaign_id,
            new.step_position,
            new.percent_basis_points,
            amount_minor,
            currency,
            discount_minor(open_minor, terms),
            open_minor,
            new.valid_until.to_string(),
            new.made_on.to_string()
        ])?;
    Ok(n == 1)
}

/// Removes offers recorded for an email that could not be queued: (invoice, campaign, step).
pub fn forget(conn: &Connection, keys: &[(i64, i64, i64)]) -> DbResult<()> {
    let mut stmt = conn.prepare_cached(
        "DELETE FROM invoice_offers
         WHERE invoice_id = ?1 AND campaign_id = ?2 AND step_position = ?3",
    )?;
    for (invoice, campaign, step) in keys {
        stmt.execute(params![invoice, campaign, step])?;
    }
    Ok(())
}

/// Ties the offers of one step's email, made on `day`, to the message that carried them.
pub fn set_message(
    conn: &Connection,
    (campaign_id, step_position): (i64, i64),
    invoice_ids: &[i64],
    day: NaiveDate,
    message_id: i64,
) -> DbResult<()> {
    let mut stmt = conn.prepare_cached(
        "UPDATE invoice_offers SET message_id = ?5
         WHERE invoice_id = ?1 AND campaign_id = ?2 AND step_position = ?3 AND made_on = ?4",
    )?;
    for invoice in invoice_ids {
        stmt.execute(params![
            invoice,
            campaign_id,
            step_position,
            day.to_string(),
            message_id
        ])?;
    }
    Ok(())
}

/// An offer as templates see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownOffer {
    pub invoice_id: i64,
    pub invoice_number: String,
    pub percent_basis_points: Option<i64>,
    pub currency: String,
    pub discount_minor: i64,
    /// The invoice's open amount now.
    pub open_minor: i64,
    pub valid_until: NaiveDate,
}

/// The offers the customer's latest offering email made, still open and valid on `day`: what
/// that email (and any other written the same day) shows.
pub fn shown_offers(
    conn: &Connection,
    customer_id: i64,
    day: NaiveDate,
) -> DbResult<Vec<ShownOffer>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.invoice_id, o.percent_basis_points, o.currency, o.discount_minor,
                i.total_minor - i.paid_minor, o.valid_until, i.number
         FROM invoice_offers o JOIN invoices i ON i.id = o.invoice_id
         WHERE i.customer_id = ?1 AND i.status = 'open' AND o.valid_until >= ?2
           AND o.made_on = (SELECT max(o2.made_on) FROM invoice_offers o2
                            JOIN invoices i2 ON i2.id = o2.invoice_id
                            WHERE i2.customer_id = ?1 AND o2.made_on <= ?2)
         ORDER BY o.invoice_id",
    )?;
    let rows = stmt
        .query_map(params![customer_id, day.to_string()], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    // A stored date is always ours; an unreadable one (hand edit) shows no offer.
    Ok(rows
        .into_iter()
        .filter_map(
            |(invoice_id, bp, currency, discount, open, until, number)| {
                Some(ShownOffer {
                    invoice_id,
                    invoice_number: number,
                    percent_basis_points: bp,
                    currency,
                    discount_minor: std::cmp::min(discount, open),
                    open_minor: open,
                    valid_until: until.parse().ok()?,
                })
            },
        )
        .collect())
}

/// Joined to an offer `o` and its invoice `i`: the invoice's last payment day, `p.paid_on`.
const LAST_PAYMENT: &str = "LEFT JOIN (SELECT invoice_id, max(paid_on) AS paid_on FROM payments
                                       GROUP BY invoice_id) p ON p.invoice_id = o.invoice_id";
/// Whether offer `o` was taken: the invoice paid in full, its last payment on or before the
/// offer's last day.
const TAKEN: &str = "(i.status = 'paid' AND p.paid_on IS NOT NULL
                      AND substr(p.paid_on, 1, 10) <= o.valid_until)";

/// Offers campaign `campaign_id` made, and how many were taken (see [`TAKEN`]).
pub fn made_and_taken(conn: &Connection, campaign_id: i64) -> DbResult<(i64, i64)> {
    Ok(conn.query_row(
        &format!(
            "SELECT count(*), coalesce(sum({TAKEN}), 0)
             FROM invoice_offers o JOIN invoices i ON i.id = o.invoice_id {LAST_PAYMENT}
             WHERE o.campaign_id = ?1"
        ),
        [campaign_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Where an invoice's offer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OfferStanding {
    /// The invoice is open and the offer runs until its last day.
    Running,
    /// Paid in full by the offer's last day.
    Taken,
    /// Its last day passed without the invoice being paid in full (or the invoice was voided).
    Lapsed,
}

/// An invoice's latest early-payment offer, as the customer screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InvoiceOffer {
    pub invoice_id: i64,
    /// Basis points (250 = 2.5 %); None for an amount off.
    pub percent_basis_points: Option<i64>,
    /// What the offer takes off, in the invoice currency's minor units, as a decimal ("12.34").
    pub discount: String,
    pub currency: String,
    pub made_on: String,
    pub valid_until: String,
    pub standing: OfferStanding,
}

/// The latest offer on each of the customer's invoices that had one, by invoice, as of `today`.
pub fn for_customer(
    conn: &Connection,
    customer_id: i64,
    today: NaiveDate,
) -> DbResult<Vec<InvoiceOffer>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT o.invoice_id, o.percent_basis_points, o.discount_minor, o.currency, o.made_on,
                o.valid_until, {TAKEN}, i.status = 'open' AND o.valid_until >= ?2
         FROM invoice_offers o JOIN invoices i ON i.id = o.invoice_id {LAST_PAYMENT}
         WHERE i.customer_id = ?1
           AND (o.made_on, o.step_position) = (SELECT o2.made_on, o2.step_position
                                               FROM invoice_offers o2
                                               WHERE o2.invoice_id = o.invoice_id
                                               ORDER BY o2.made_on DESC, o2.step_position DESC
                                               LIMIT 1)
         ORDER BY o.invoice_id"
    ))?;
    let rows = stmt.query_map(params![customer_id, today.to_string()], |r| {
        let currency: String = r.get(3)?;
        let decimals = Currency::parse(&currency).map_or(2, |c| c.decimals());
        let (taken, running): (bool, bool) = (r.get(6)?, r.get(7)?);
        Ok(InvoiceOffer {
            invoice_id: r.get(0)?,
            percent_basis_points: r.get(1)?,
            discount: format_minor(r.get(2)?, decimals),
            currency,
            made_on: r.get(4)?,
            valid_until: r.get(5)?,
            standing: match (taken, running) {
                (true, _) => OfferStanding::Taken,
                (false, true) => OfferStanding::Running,
                (false, false) => OfferStanding::Lapsed,
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
