//! The results lines of the playbook's other parts (issue 20): owner notices, the owners' weekly
//! digest, payment plans, late fees and the credit-limit rule. Each is None when the campaign
//! neither uses the part nor has anything of it recorded (a part switched off later still shows
//! what it did). Reads only; one query per line (plans also read each reminded plan's standing).
//!
//! - Owner notices: by delivery state; of those sent whose customer's step then went out, how
//!   many went at least the step's `notify_owner_days` before it ("told ahead", as promised).
//! - Digests: by delivery state.
//! - Payment plans: instalment reminders belong to the plan, not to a campaign, so a campaign's
//!   plans are those covering an invoice it reminded; the line counts their reminders sent,
//!   instalments paid in full by their date after a reminder, and plans flagged broken by a run.
//! - Late fees: per currency, the charges the campaign recorded (each invoice's fee and its
//!   latest interest, as statements show them) and those of them waived.
//! - Credit rule: notices by delivery state, and customers on hold set by the campaign.

use crate::campaign::credit_rule::hold_set_by;
use crate::campaign::instalments::instalment_key;
use crate::campaign::{Campaign, CampaignResult};
use crate::model::plan::InstalmentState;
use crate::model::{format_minor, Currency};
use crate::store::plans;
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::Serialize;
use ts_rs::TS;

/// Messages of one kind by delivery state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Delivery {
    pub sent: usize,
    pub failed: usize,
    /// Queued, being sent or uncertain.
    pub waiting: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OwnerNoticeResults {
    pub delivery: Delivery,
    /// Sent notices whose customer's step went out afterwards.
    pub step_went: usize,
    /// Of those, the notices sent at least the step's `notify_owner_days` before it.
    pub told_ahead: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PlanResults {
    /// Plans covering an invoice the campaign reminded.
    pub plans: usize,
    pub reminders_sent: usize,
    /// Instalments with a sent reminder, paid in full by their date.
    pub paid_on_time: usize,
    /// Plans a run found broken (and put a call on the Today list for).
    pub broken: usize,
}

/// Charges in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ChargeTotal {
    pub currency: String,
    pub count: usize,
    pub total_minor: i64,
    /// The total as a decimal in the currency's precision ("40.00").
    pub total: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FeeResults {
    /// Every charge recorded, waived ones included, per currency.
    pub charged: Vec<ChargeTotal>,
    /// The waived ones, per currency.
    pub waived: Vec<ChargeTotal>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CreditResults {
    pub notices: Delivery,
    /// Customers on hold now whose hold the campaign set.
    pub on_hold: usize,
}

fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// The campaign's messages whose send key starts `campaign:ID:KIND:`, by delivery state.
pub(super) fn delivery(
    conn: &Connection,
    campaign_id: i64,
    kind: &str,
) -> CampaignResult<Delivery> {
    let (sent, failed, all): (i64, i64, i64) = conn
        .prepare_cached(
            "SELECT coalesce(SUM(state = 'sent'), 0), coalesce(SUM(state = 'failed'), 0), COUNT(*)
             FROM messages WHERE campaign_id = ?1 AND direction = 'out'
               AND send_key LIKE 'campaign:' || ?1 || ':' || ?2 || ':%'",
        )?
        .query_row(params![campaign_id, kind], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    Ok(Delivery {
        sent: count(sent),
        failed: count(failed),
        waiting: count(all - sent - failed),
    })
}

fn any(d: &Delivery) -> bool {
    d.sent + d.failed + d.waiting > 0
}

pub(super) fn owner_notices(
    conn: &Connection,
    campaign: &Campaign,
) -> CampaignResult<Option<OwnerNoticeResults>> {
    let delivery = delivery(conn, campaign.id, "owner")?;
    let used = campaign.steps.iter().any(|s| s.notify_owner_days.is_some());
    if !used && !any(&delivery) {
        return Ok(None);
    }
    // Per sent notice: days from it to the first customer message of its invoices' steps.
    let (went, ahead): (i64, i64) = conn
        .prepare_cached(
            "SELECT COUNT(*), coalesce(SUM(ahead), 0) FROM (
               SELECT MIN(julianday(r.sent_on) - julianday(n.notified_on))
                        >= MAX(coalesce(s.notify_owner_days, 0)) AS ahead
               FROM owner_notices n
               JOIN messages m ON m.id = n.message_id AND m.state = 'sent'
               JOIN invoice_reminders r ON r.campaign_id = n.campaign_id
                 AND r.step_position = n.step_position AND r.period = n.period
                 AND r.invoice_id = n.invoice_id
               LEFT JOIN campaign_steps s ON s.campaign_id = n.campaign_id
                 AND s.position = n.step_position
               WHERE n.campaign_id = ?1 GROUP BY n.message_id)",
        )?
        .query_row([campaign.id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(Some(OwnerNoticeResults {
        delivery,
        step_went: count(went),
        told_ahead: count(ahead),
    }))
}

pub(super) fn digests(conn: &Connection, campaign: &Campaign) -> CampaignResult<Option<Delivery>> {
    let delivery = delivery(conn, campaign.id, "digest")?;
    Ok((campaign.owner_digest || any(&delivery)).then_some(delivery))
}

pub(super) fn credit(
    conn: &Connection,
    campaign: &Campaign,
) -> CampaignResult<Option<CreditResults>> {
    let notices = delivery(conn, campaign.id, "credit")?;
    if campaign.credit_rule.is_none() && !any(&notices) {
        return Ok(None);
    }
    let on_hold: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM customers WHERE on_hold = 1 AND on_hold_by = ?1")?
        .query_row([hold_set_by(&campaign.name)], |r| r.get(0))?;
    Ok(Some(CreditResults {
        notices,
        on_hold: count(on_hold),
    }))
}

pub(super) fn fees(conn: &Connection, campaign: &Campaign) -> CampaignResult<Option<FeeResults>> {
    // An invoice's interest rows are its history: the latest (of any campaign) is the total.
    let mut stmt = conn.prepare_cached(
        "SELECT c.currency, COUNT(*), SUM(c.amount_minor), SUM(c.waived_at IS NOT NULL),
                SUM(CASE WHEN c.waived_at IS NULL THEN 0 ELSE c.amount_minor END)
         FROM charges c
         WHERE c.campaign_id = ?1
           AND (c.kind = 'fee' OR NOT EXISTS (
                 SELECT 1 FROM charges o WHERE o.invoice_id = c.invoice_id AND o.kind = 'interest'
                   AND (o.as_of > c.as_of OR (o.as_of = c.as_of AND o.id > c.id))))
         GROUP BY c.currency ORDER BY c.currency",
    )?;
    let rows = stmt
        .query_map([campaign.id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<Vec<(String, i64, i64, i64, i64)>, _>>()?;
    let uses = campaign.late_fees.is_some_and(|f| f.charges_anything());
    if !uses && rows.is_empty() {
        return Ok(None);
    }
    let total = |currency: &str, n: i64, minor: i64| ChargeTotal {
        currency: currency.to_string(),
        count: count(n),
        total_minor: minor,
        total: format_minor(minor, Currency::parse(currency).map_or(2, |c| c.decimals())),
    };
    Ok(Some(FeeResults {
        charged: rows.iter().map(|(c, n, m, ..)| total(c, *n, *m)).collect(),
        waived: rows
            .iter()
            .filter(|r| r.3 > 0)
            .map(|(c, _, _, n, m)| total(c, *n, *m))
            .collect(),
    }))
}

pub(super) fn plans(conn: &Connection, campaign_id: i64) -> CampaignResult<Option<PlanResults>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.customer_id, p.broken_flagged_on IS NOT NULL FROM payment_plans p
         WHERE EXISTS (SELECT 1 FROM payment_plan_invoices pi JOIN invoice_reminders r
                         ON r.invoice_id = pi.invoice_id
                       WHERE pi.plan_id = p.id AND r.campaign_id = ?1)
         ORDER BY p.id",
    )?;
    let rows = stmt
        .query_map([campaign_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<Vec<(i64, i64, bool)>, _>>()?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut out = PlanResults {
        plans: rows.len(),
        ..PlanResults::default()
    };
    for (plan_id, customer_id, broken) in rows {
        out.broken += usize::from(broken);
        let reminded = reminded_instalments(conn, plan_id)?;
        out.reminders_sent += reminded.len();
        for (seq, due) in reminded {
            out.paid_on_time +=
                usize::from(paid_by_its_date(conn, (plan_id, customer_id), seq, due)?);
        }
    }
    Ok(Some(out))
}

/// The plan's instalments (seq, date) whose reminder was sent.
fn reminded_instalments(conn: &Connection, plan_id: i64) -> CampaignResult<Vec<(i64, NaiveDate)>> {
    let all: Vec<(i64, NaiveDate)> = conn
        .prepare_cached(
            "SELECT seq, due_date FROM payment_plan_instalments WHERE plan_id = ?1 ORDER BY seq",
        )?
        .query_map([plan_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut sent = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM messages WHERE send_key = ?1 AND state = 'sent')",
    )?;
    let mut reminded = Vec::new();
    for (seq, due) in all {
        if sent.query_row([instalment_key(plan_id, seq)], |r| r.get(0))? {
            reminded.push((seq, due));
        }
    }
    Ok(reminded)
}

/// Whether the plan as it stood on the instalment's date says it was paid in full.
fn paid_by_its_date(
    conn: &Connection,
    (plan_id, customer_id): (i64, i64),
    seq: i64,
    due: NaiveDate,
) -> CampaignResult<bool> {
    let state = plans::for_customer(conn, customer_id, due)?
        .into_iter()
        .find(|p| p.id == plan_id)
        .and_then(|p| p.instalments.into_iter().find(|i| i.seq == seq))
        .map(|i| i.state);
    Ok(state == Some(InstalmentState::Paid))
}
