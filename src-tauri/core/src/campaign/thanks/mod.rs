//! Thank-you on payment (issue 20, part 1): when a payment closes an invoice that had been
//! reminded (by this campaign, or by hand), the campaign thanks the customer with its
//! `thank-you` template, listing the invoices paid.
//!
//! When it goes: a run notices a newly paid, reminded invoice (`payment_thanks.seen_on`, see
//! [`queue::notice`]); the first run on a later day thanks the customer if the invoice is still
//! paid then. So a payment the next import reverses is never thanked (its row goes when the
//! invoice opens again). One thank-you per customer per day, however many invoices closed (one
//! message listing them all, under the send key [`thanks_key`]), and never twice for an invoice
//! (its row keeps the day and message it was thanked with). A payment noticed more than
//! [`THANKS_WITHIN_DAYS`] days after its date, or left unthanked that long, is not thanked: old
//! news, and the first run does not thank a whole paid history at once.
//!
//! The plan lists who gets a thank-you and why, and why not: the campaign has it off, no
//! reminder preceded the payment, the customer was already thanked today, has no usable email
//! or must not be contacted, or the payment is waiting for the next run day.

mod queue;

pub use queue::notice;
pub(super) use queue::queue;

use super::Campaign;
use crate::mail::templates::REMINDER_KEYS;
use crate::store::DbResult;
use chrono::{Days, NaiveDate};
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// The shipped template a thank-you is written with.
pub const THANK_YOU_TEMPLATE: &str = "thank-you";

/// How many days after its payment an invoice may still be thanked.
pub const THANKS_WITHIN_DAYS: u64 = 14;

/// Where run summaries count thank-yous among a campaign's steps (numbered from 1).
pub const THANKS_STEP: i64 = 0;

/// The send key of a campaign's thank-you to one customer on one day: the outbox refuses a
/// second message under it, so a rerun the same day never thanks twice.
pub fn thanks_key(campaign_id: i64, customer_id: i64, date: NaiveDate) -> String {
    format!("campaign:{campaign_id}:thanks:customer:{customer_id}:{date}")
}

/// The campaign of a thank-you's send key (None for any other key).
pub fn parse_thanks_key(key: &str) -> Option<i64> {
    match key.split(':').collect::<Vec<_>>().as_slice() {
        ["campaign", c, "thanks", "customer", _, _] => c.parse().ok(),
        _ => None,
    }
}

/// An invoice a thank-you is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ThankedInvoice {
    pub invoice_id: i64,
    pub number: String,
    /// The day of its latest payment, the one that closed it.
    pub paid_on: NaiveDate,
}

/// A customer the campaign thanks today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PlannedThanks {
    pub customer_id: i64,
    pub customer_name: String,
    pub invoices: Vec<ThankedInvoice>,
    pub send_key: String,
    pub why: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ThanksSkip {
    /// The campaign's thank-you setting is off.
    Disabled,
    /// Nobody reminded the customer of the invoice before it was paid.
    NoReminder,
    AlreadyThankedToday,
    NoEmail,
    DoNotContact,
    /// Paid since the last run day: thanked on the next one if the payment still stands.
    WaitingADay,
}

impl ThanksSkip {
    pub fn as_str(self) -> &'static str {
        match self {
            ThanksSkip::Disabled => "thank-you off",
            ThanksSkip::NoReminder => "no reminder was sent",
            ThanksSkip::AlreadyThankedToday => "already thanked today",
            ThanksSkip::NoEmail => "no email address",
            ThanksSkip::DoNotContact => "do not contact",
            ThanksSkip::WaitingADay => "waiting a day",
        }
    }
}

/// A customer who paid a reminded invoice lately and gets no thank-you today, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ThanksSkipped {
    pub customer_id: i64,
    pub customer_name: String,
    pub reason: ThanksSkip,
    pub detail: String,
}

/// One paid invoice as the plan reads it.
struct PaidInvoice {
    customer_id: i64,
    customer_name: String,
    invoice: ThankedInvoice,
    /// Reminded by this campaign, or by hand (no campaign at all).
    ours: bool,
    reminded: bool,
    /// Noticed by a run before today (None: not noticed yet).
    seen_before_today: bool,
    do_not_contact: bool,
    has_email: bool,
    /// The customer already has a thank-you today (another campaign's, or an earlier run's).
    thanked_today: bool,
}

/// What `campaign` does about recent payments on `today`: the thank-yous and the reasons for
/// the rest. Reads only. `quiet` (a weekend or holiday) plans none: they wait for a run day.
pub(super) fn plan_thanks(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
    quiet: bool,
) -> DbResult<(Vec<PlannedThanks>, Vec<ThanksSkipped>)> {
    let (mut thanks, mut skipped) = (Vec::new(), Vec::new());
    if quiet {
        return Ok((thanks, skipped));
    }
    let mut by_customer: BTreeMap<i64, Vec<PaidInvoice>> = BTreeMap::new();
    for paid in paid_lately(conn, campaign.id, today)? {
        by_customer.entry(paid.customer_id).or_default().push(paid);
    }
    for (customer_id, invoices) in by_customer {
        let (ready, rest): (Vec<_>, Vec<_>) = invoices
            .into_iter()
            .filter(|p| p.ours || !p.reminded)
            .partition(|p| p.ours);
        let skip = |reason: ThanksSkip, detail: String, name: &str| ThanksSkipped {
            customer_id,
            customer_name: name.to_string(),
            reason,
            detail,
        };
        if let Some(first) = rest.first() {
            let detail = format!("paid {} without a reminder", numbers(&rest));
            skipped.push(skip(ThanksSkip::NoReminder, detail, &first.customer_name));
        }
        let Some(first) = ready.first() else {
            continue;
        };
        let name = first.customer_name.clone();
        if let Some(reason) = why_not(campaign, first) {
            let detail = format!("paid {} after a reminder", numbers(&ready));
            skipped.push(skip(reason, detail, &name));
            continue;
        }
        let (due, waiting): (Vec<_>, Vec<_>) = ready.into_iter().partition(|p| p.seen_before_today);
        if !waiting.is_empty() {
            let detail = format!(
                "paid {}: thanked on the next run day if the payment still stands",
                numbers(&waiting)
            );
            skipped.push(skip(ThanksSkip::WaitingADay, detail, &name));
        }
        if !due.is_empty() {
            thanks.push(PlannedThanks {
                customer_id,
                customer_name: name,
                why: format!("paid {} after a reminder", numbers(&due)),
                invoices: due.into_iter().map(|p| p.invoice).collect(),
                send_key: thanks_key(campaign.id, customer_id, today),
            });
        }
    }
    Ok((thanks, skipped))
}

/// Why a customer who paid a reminded invoice gets no thank-you at all today (the customer's
/// facts are on each of their invoices).
fn why_not(campaign: &Campaign, paid: &PaidInvoice) -> Option<ThanksSkip> {
    if !campaign.thank_you {
        Some(ThanksSkip::Disabled)
    } else if paid.do_not_contact {
        Some(ThanksSkip::DoNotContact)
    } else if !paid.has_email {
        Some(ThanksSkip::NoEmail)
    } else if paid.thanked_today {
        Some(ThanksSkip::AlreadyThankedToday)
    } else {
        None
    }
}

/// "INV-1 (on 2026-03-02), INV-2 (on 2026-03-03)".
fn numbers(paid: &[PaidInvoice]) -> String {
    let each: Vec<String> = paid
        .iter()
        .map(|p| format!("{} (on {})", p.invoice.number, p.invoice.paid_on))
        .collect();
    each.join(", ")
}

/// SQL condition on `i` (an invoice): a reminder template listing it was delivered by hand
/// (not by a campaign). `keys` is the parameter bound to [`reminder_keys`].
fn reminded_by_hand(keys: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM message_invoices mi JOIN messages m ON m.id = mi.message_id
                 WHERE mi.invoice_id = i.id AND m.campaign_id IS NULL AND m.state = 'sent'
                   AND m.template_key IN (SELECT value FROM json_each({keys})))"
    )
}

/// The reminder templates as a JSON array, for [`reminded_by_hand`].
fn reminder_keys() -> String {
    serde_json::to_string(REMINDER_KEYS).unwrap_or_else(|_| "[]".into())
}

/// The invoices with a payment dated `since` (a parameter) or later. The day a payment closed
/// an invoice is its latest payment's: a payment reversed and made again counts from the second.
fn paid_since(since: &str) -> String {
    format!("SELECT DISTINCT invoice_id FROM payments WHERE paid_on >= {since}")
}

/// Paid invoices a thank-you may still be due for: noticed and not thanked (or thanked today
/// without a message yet: a crash between the two writes), or paid lately and not noticed.
fn paid_lately(
    conn: &Connection,
    campaign_id: i64,
    today: NaiveDate,
) -> DbResult<Vec<PaidInvoice>> {
    let since = today
        .checked_sub_days(Days::new(THANKS_WITHIN_DAYS))
        .unwrap_or(today);
    let sql = format!(
        "WITH ids (id) AS (
             {} AND invoice_id NOT IN (SELECT invoice_id FROM payment_thanks)
             UNION SELECT invoice_id FROM payment_thanks
             WHERE thanked_on IS NULL OR (thanked_on = ?3 AND message_id IS NULL))
         SELECT i.customer_id, c.name, i.id, i.number,
                (SELECT MAX(p.paid_on) FROM payments p WHERE p.invoice_id = i.id),
                EXISTS (SELECT 1 FROM invoice_reminders r
                        WHERE r.invoice_id = i.id AND r.campaign_id = ?1),
                EXISTS (SELECT 1 FROM invoice_reminders r WHERE r.invoice_id = i.id),
                {},
                (SELECT t.seen_on < ?3 FROM payment_thanks t WHERE t.invoice_id = i.id),
                c.do_not_contact, c.has_email,
                EXISTS (SELECT 1 FROM payment_thanks d
                        WHERE d.customer_id = i.customer_id AND d.thanked_on = ?3
                          AND d.message_id IS NOT NULL)
         FROM ids JOIN invoices i ON i.id = ids.id JOIN customers c ON c.id = i.customer_id
         WHERE i.status = 'paid' AND i.kind = 'invoice'
         ORDER BY i.customer_id, 5, i.number",
        paid_since("?2"),
        reminded_by_hand("?4")
    );
    let keys = reminder_keys();
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![campaign_id, since.to_string(), today.to_string(), keys],
        |r| {
            let paid_on: String = r.get(4)?;
            let (by_us, by_campaign, by_hand): (bool, bool, bool) =
                (r.get(5)?, r.get(6)?, r.get(7)?);
            Ok(PaidInvoice {
                customer_id: r.get(0)?,
                customer_name: r.get(1)?,
                invoice: ThankedInvoice {
                    invoice_id: r.get(2)?,
                    number: r.get(3)?,
                    paid_on: paid_on.parse().unwrap_or(today),
                },
                // A reminder sent by hand counts for every campaign that thanks: the first
                // to queue its thank-you that day is the only one (one per customer per day).
                ours: by_us || (by_hand && !by_campaign),
                reminded: by_campaign || by_hand,
                seen_before_today: r.get::<_, Option<bool>>(8)?.unwrap_or(false),
                do_not_contact: r.get(9)?,
                has_email: r.get(10)?,
                thanked_today: r.get(11)?,
            })
        },
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}
