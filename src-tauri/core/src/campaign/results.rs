//! What a campaign's messages achieved, per step and per A/B variant.
//!
//! Delivery comes from the outbox (sent, failed, uncertain, still queued). Then, for each sent
//! message, within [`RESULTS_WINDOW_DAYS`] of its send date (the campaign's date, so simulated
//! schedules count too):
//! - paid: a payment dated in the window against an invoice the message listed;
//! - promised: a promise recorded in the window by the customer;
//! - paid or promised: either (each message counted once);
//! - replied: a person's reply read from the mailbox that answers the message, or that came
//!   from the customer in the window (an answer written as a new email);
//! - bounced: a delivery failure that returned the message (at any time).
//!
//! Sends whose window has not closed yet on `as_of` are counted in `window_open`: their figures
//! may still grow. Thank-yous on payment (see [`super::thanks`]) and offers have their own
//! lines, and so do the playbook's other parts the campaign uses ([`extras`]).

mod extras;
pub use extras::{
    ChargeTotal, CreditResults, Delivery, FeeResults, OwnerNoticeResults, PlanResults,
};

use super::{get, parse_send_key, CampaignResult, Step, Trigger, Variant};
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

pub const RESULTS_WINDOW_DAYS: i64 = 14;

#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Outcomes {
    pub sent: usize,
    pub failed: usize,
    pub uncertain: usize,
    /// Queued or being sent (a run in progress or interrupted).
    pub queued: usize,
    pub paid: usize,
    pub promised: usize,
    pub paid_or_promised: usize,
    pub replied: usize,
    pub bounced: usize,
    /// Sent messages younger than the window on `as_of`.
    pub window_open: usize,
    /// paid / sent, None before anything was sent.
    pub paid_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct VariantResults {
    pub variant: Variant,
    pub template_key: String,
    pub outcomes: Outcomes,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StepResults {
    pub position: i64,
    pub template_key: String,
    pub outcomes: Outcomes,
    /// Both variants of an A/B step (empty for a single-template step).
    pub variants: Vec<VariantResults>,
    /// An event step's results per occurrence of the event, oldest first (empty for others).
    pub occurrences: Vec<OccurrenceResults>,
}

/// What an event step's messages for one occurrence of the event achieved.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct OccurrenceResults {
    /// The event's day ('YYYY-MM-DD').
    pub occurrence: String,
    pub outcomes: Outcomes,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CampaignResults {
    pub campaign_id: i64,
    pub name: String,
    pub as_of: NaiveDate,
    pub window_days: i64,
    pub steps: Vec<StepResults>,
    pub thank_yous: ThankYouResults,
    pub offers: OfferResults,
    /// The lines below are None when the campaign does not use the part (see [`extras`]).
    pub owner_notices: Option<OwnerNoticeResults>,
    pub digests: Option<Delivery>,
    pub plans: Option<PlanResults>,
    pub fees: Option<FeeResults>,
    pub credit: Option<CreditResults>,
}

/// The campaign's early-payment offers (see [`super::offer`]): one per invoice and step that
/// made it, and those taken (the invoice paid in full by the offer's last day).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OfferResults {
    pub made: i64,
    pub taken: i64,
}

/// The campaign's thank-yous on payment: messages by state and the invoices they thanked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ThankYouResults {
    pub sent: usize,
    pub failed: usize,
    /// Queued, being sent or uncertain.
    pub waiting: usize,
    pub invoices: usize,
}

/// One campaign email and what followed it.
struct Sent {
    position: i64,
    /// The event's occurrence an event step's message was for.
    occurrence: Option<String>,
    variant: Option<Variant>,
    state: String,
    paid: bool,
    promised: bool,
    replied: bool,
    bounced: bool,
    window_open: bool,
}

impl Outcomes {
    fn add(&mut self, m: &Sent) {
        match m.state.as_str() {
            "sent" => self.sent += 1,
            "failed" => self.failed += 1,
            "uncertain" => self.uncertain += 1,
            _ => self.queued += 1,
        }
        if m.state != "sent" {
            return;
        }
        self.paid += usize::from(m.paid);
        self.promised += usize::from(m.promised);
        self.paid_or_promised += usize::from(m.paid || m.promised);
        self.replied += usize::from(m.replied);
        self.bounced += usize::from(m.bounced);
        self.window_open += usize::from(m.window_open);
        self.paid_rate = Some(self.paid as f64 / self.sent as f64);
    }
}

/// Per-step (and per-variant) results of campaign `campaign_id` as of `as_of`. Reads only.
pub fn results(
    conn: &Connection,
    campaign_id: i64,
    as_of: NaiveDate,
) -> CampaignResult<CampaignResults> {
    let campaign = get(conn, campaign_id)?;
    let messages = load(conn, campaign_id, as_of)?;
    let steps = campaign
        .steps
        .iter()
        .map(|step| step_results(step, &messages))
        .collect();
    Ok(CampaignResults {
        campaign_id,
        name: campaign.name.clone(),
        as_of,
        window_days: RESULTS_WINDOW_DAYS,
        steps,
        thank_yous: thank_you_results(conn, campaign_id)?,
        offers: {
            let (made, taken) = crate::store::offers::made_and_taken(conn, campaign_id)?;
            OfferResults { made, taken }
        },
        owner_notices: extras::owner_notices(conn, &campaign)?,
        digests: extras::digests(conn, &campaign)?,
        plans: extras::plans(conn, campaign_id)?,
        fees: extras::fees(conn, &campaign)?,
        credit: extras::credit(conn, &campaign)?,
    })
}

fn thank_you_results(conn: &Connection, campaign_id: i64) -> CampaignResult<ThankYouResults> {
    let delivery = extras::delivery(conn, campaign_id, "thanks")?;
    let invoices: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM payment_thanks WHERE campaign_id = ?1 AND message_id IS NOT NULL",
        )?
        .query_row([campaign_id], |r| r.get(0))?;
    Ok(ThankYouResults {
        sent: delivery.sent,
        failed: delivery.failed,
        waiting: delivery.waiting,
        invoices: usize::try_from(invoices).unwrap_or(0),
    })
}

fn step_results(step: &Step, messages: &[Sent]) -> StepResults {
    let mine = || messages.iter().filter(|m| m.position == step.position);
    let mut outcomes = Outcomes::default();
    mine().for_each(|m| outcomes.add(m));
    let variants = match step.alt_template_key {
        None => Vec::new(),
        Some(_) => [Variant::A, Variant::B]
            .into_iter()
            .map(|variant| {
                let mut outcomes = Outcomes::default();
                mine()
                    .filter(|m| m.variant == Some(variant))
                    .for_each(|m| outcomes.add(m));
                VariantResults {
                    variant,
                    template_key: step.template_of(Some(variant)).to_string(),
                    outcomes,
                }
            })
            .collect(),
    };
    StepResults {
        position: step.position,
        template_key: step.template_key.clone(),
        outcomes,
        variants,
        occurrences: match step.trigger {
            Trigger::EventOffset(_) => by_occurrence(mine()),
            _ => Vec::new(),
        },
    }
}

/// An event step's messages grouped by the occurrence they were for.
fn by_occurrence<'a>(messages: impl Iterator<Item = &'a Sent>) -> Vec<OccurrenceResults> {
    let mut by: BTreeMap<&str, Outcomes> = BTreeMap::new();
    for m in messages {
        if let Some(occurrence) = &m.occurrence {
            by.entry(occurrence).or_default().add(m);
        }
    }
    by.into_iter()
        .map(|(occurrence, outcomes)| OccurrenceResults {
            occurrence: occurrence.to_string(),
            outcomes,
        })
        .collect()
}

/// A campaign message as stored, with its step and send date worked out.
struct MessageRow {
    id: i64,
    customer_id: Option<i64>,
    state: String,
    position: Option<i64>,
    sent_on: Option<NaiveDate>,
    variant: Option<Variant>,
    occurrence: Option<String>,
}

fn message_row(r: &rusqlite::Row) -> rusqlite::Result<MessageRow> {
    let key: Option<String> = r.get(3)?;
    let parsed = key.as_deref().and_then(parse_send_key);
    let stamped: String = r.get(6)?;
    let variant: Option<String> = r.get(5)?;
    Ok(MessageRow {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        state: r.get(2)?,
        position: r.get::<_, Option<i64>>(4)?.or(parsed.map(|k| k.1)),
        // The campaign's date (from the send key) is the user's "today" of the send.
        sent_on: parsed.map(|k| k.3).or_else(|| stamped.parse().ok()),
        variant: variant.as_deref().and_then(Variant::from_db),
        occurrence: r.get(7)?,
    })
}

fn load(conn: &Connection, campaign_id: i64, as_of: NaiveDate) -> CampaignResult<Vec<Sent>> {
    let rows: Vec<MessageRow> = conn
        .prepare(
            "SELECT m.id, m.customer_id, m.state, m.send_key, s.position,
                    -- A failed message gave its step (and reminder rows) back: its template
                    -- still tells the variant.
                    coalesce((SELECT max(r.variant) FROM invoice_reminders r WHERE r.message_id = m.id),
                             CASE WHEN s.alt_template_key IS NULL THEN NULL
                                  WHEN m.template_key = s.alt_template_key THEN 'b'
                                  WHEN m.template_key = s.template_key THEN 'a' END),
                    substr(coalesce(m.sent_at, m.created_at), 1, 10),
                    -- An event step's occurrence ('YYYY-MM-DD'; a month's period is shorter).
                    (SELECT max(r.period) FROM invoice_reminders r
                     WHERE r.message_id = m.id AND length(r.period) = 10)
             FROM messages m LEFT JOIN campaign_steps s ON s.id = m.step_id
             WHERE m.campaign_id = ?1 AND m.direction = 'out'",
        )?
        .query_map([campaign_id], message_row)?
        .collect::<Result<_, _>>()?;
    let mut paid = conn.prepare(
        "SELECT EXISTS (SELECT 1 FROM message_invoices mi JOIN payments p ON p.invoice_id = mi.invoice_id
                        WHERE mi.message_id = ?1 AND substr(p.paid_on, 1, 10) BETWEEN ?2 AND ?3)",
    )?;
    let mut promised = conn.prepare(
        "SELECT EXISTS (SELECT 1 FROM promises
                        WHERE customer_id = ?1 AND substr(created_at, 1, 10) BETWEEN ?2 AND ?3)",
    )?;
    let mut replied = conn.prepare(
        "SELECT EXISTS (SELECT 1 FROM messages
                        WHERE direction = 'in' AND inbound_kind = 'reply'
                          AND (answers_id = ?1 OR (customer_id = ?2
                               AND substr(created_at, 1, 10) BETWEEN ?3 AND ?4)))",
    )?;
    let mut bounced = conn.prepare(
        "SELECT EXISTS (SELECT 1 FROM messages
                        WHERE direction = 'in' AND inbound_kind = 'bounce' AND answers_id = ?1)",
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let (Some(sent_on), Some(position)) = (row.sent_on, row.position) else {
            continue;
        };
        let until = (sent_on + chrono::Duration::days(RESULTS_WINDOW_DAYS)).to_string();
        let from = sent_on.to_string();
        let was_paid: bool = paid.query_row(params![row.id, from, until], |r| r.get(0))?;
        let was_promised: bool = match row.customer_id {
            Some(c) => promised.query_row(params![c, from, until], |r| r.get(0))?,
            None => false,
        };
        let was_answered: bool =
            replied.query_row(params![row.id, row.customer_id, from, until], |r| r.get(0))?;
        out.push(Sent {
            position,
            occurrence: row.occurrence,
            variant: row.variant,
            state: row.state,
            paid: was_paid,
            promised: was_promised,
            replied: was_answered,
            bounced: bounced.query_row([row.id], |r| r.get(0))?,
            window_open: sent_on + chrono::Duration::days(RESULTS_WINDOW_DAYS) > as_of,
        });
    }
    Ok(out)
}
