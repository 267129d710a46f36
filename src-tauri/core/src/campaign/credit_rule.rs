//! A campaign's credit-limit rule (issue 20, part 6): when a customer's open balance, in their
//! credit limit's currency, reaches `percent` % of the limit, the campaign sends the
//! `credit-limit` template (`notice`) and/or puts the customer on hold with the reason
//! (`hold`). Once per crossing: `credit_crossings` keeps the customers found above, and a run
//! that finds one below again forgets them, so the next crossing is noticed again. It looks at
//! every customer with a limit (not only the audience); do-not-contact customers and those
//! without an email get no notice (the hold still applies). Quiet days do nothing.

use super::{queue_message, renderer_of, Campaign, CampaignResult, Queued};
use crate::mail::account::AccountSettings;
use crate::mail::templates::Renderer;
use crate::model::{Currency, Money};
use crate::store::credit::set_hold;
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The shipped template of a credit-limit notice.
pub const CREDIT_LIMIT_TEMPLATE: &str = "credit-limit";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CreditRule {
    /// The share of the limit (1 to 1000 %) the open balance must reach.
    pub percent: i64,
    /// Send the customer the `credit-limit` template.
    pub notice: bool,
    /// Put the customer on hold.
    pub hold: bool,
}

/// A customer whose balance crossed the rule's share of their limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PlannedCredit {
    pub customer_id: i64,
    pub customer_name: String,
    /// A notice goes out (the rule asks for one and the customer can be written to).
    pub notice: bool,
    /// The customer is put on hold (the rule asks and they are not on hold yet).
    pub hold: bool,
    pub send_key: String,
    /// "balance 1050.00 EUR is 105 % of the 1000.00 EUR limit (rule: 100 %)", and why no
    /// notice when there is none.
    pub why: String,
}

/// SQL condition on `c` (a customer) and `b` (their balance in the limit's currency): at or
/// above `?2` % of the limit.
const ABOVE: &str = "c.credit_limit_minor IS NOT NULL
    AND coalesce(b.open_minor, 0) * 100 >= c.credit_limit_minor * ?2";

const WITH_BALANCE: &str = "customers c LEFT JOIN customer_balances b
    ON b.customer_id = c.id AND b.currency = c.credit_limit_currency";

/// Who a hold the campaign named `name` sets is set by (its results count them).
pub(crate) fn hold_set_by(name: &str) -> String {
    format!("campaign \"{name}\"")
}

/// The send key of a credit-limit notice.
fn credit_key(campaign_id: i64, customer_id: i64, date: NaiveDate) -> String {
    format!("campaign:{campaign_id}:credit:customer:{customer_id}:{date}")
}

/// Who crosses `campaign`'s credit rule on `today` (none without a rule, or on a quiet day).
/// Reads only.
pub(super) fn plan_credit(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
    quiet: bool,
) -> CampaignResult<Vec<PlannedCredit>> {
    let Some(rule) = campaign.credit_rule.filter(|_| !quiet) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT c.id, c.name, coalesce(b.open_minor, 0), c.credit_limit_minor,
                c.credit_limit_currency, c.has_email, c.do_not_contact, c.on_hold
         FROM {WITH_BALANCE}
         WHERE {ABOVE} AND NOT EXISTS (SELECT 1 FROM credit_crossings x
                                       WHERE x.campaign_id = ?1 AND x.customer_id = c.id)
         ORDER BY c.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![campaign.id, rule.percent], |r| {
        let (open, limit, code): (i64, i64, String) = (r.get(2)?, r.get(3)?, r.get(4)?);
        let (has_email, dnc, on_hold): (bool, bool, bool) = (r.get(5)?, r.get(6)?, r.get(7)?);
        let customer_id: i64 = r.get(0)?;
        let notice = rule.notice && has_email && !dnc;
        let mut why = describe(open, limit, &code, rule.percent);
        if rule.notice && !notice {
            why.push_str(if dnc {
                "; do not contact: no notice"
            } else {
                "; no email address: no notice"
            });
        }
        if rule.hold && on_hold {
            why.push_str("; already on hold");
        }
        Ok(PlannedCredit {
            customer_id,
            customer_name: r.get(1)?,
            notice,
            hold: rule.hold && !on_hold,
            send_key: credit_key(campaign.id, customer_id, today),
            why,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// "balance 1050.00 EUR is 105 % of the 1000.00 EUR limit (rule: 100 %)".
fn describe(open: i64, limit: i64, code: &str, percent: i64) -> String {
    let Ok(currency) = Currency::parse(code) else {
        return format!("balance at or above {percent} % of the credit limit");
    };
    let share = if limit > 0 {
        format!("{} %", i128::from(open) * 100 / i128::from(limit))
    } else {
        "over".to_string()
    };
    format!(
        "balance {} {code} is {share} of the {} {code} limit (rule: {percent} %)",
        Money::new(open, currency.clone()).decimal_string(),
        Money::new(limit, currency).decimal_string()
    )
}

/// A run's writes: forgets the crossings of customers now below the rule, then records each
/// planned crossing, puts on hold and queues the notices. A notice that cannot be prepared
/// forgets its crossing, so the next run tries again.
pub(super) fn execute(
    conn: &Connection,
    campaign: &Campaign,
    planned: &[PlannedCredit],
    today: NaiveDate,
    account: Option<&AccountSettings>,
) -> CampaignResult<Queued> {
    let mut done = Queued::default();
    let Some(rule) = campaign.credit_rule else {
        return Ok(done);
    };
    let renderer = match account {
        Some(_) => Some(renderer_of(conn, CREDIT_LIMIT_TEMPLATE)?),
        None => None,
    };
    conn.execute(
        &format!(
            "DELETE FROM credit_crossings WHERE campaign_id = ?1
               AND customer_id NOT IN (SELECT c.id FROM {WITH_BALANCE} WHERE {ABOVE})"
        ),
        params![campaign.id, rule.percent],
    )?;
    for credit in planned {
        let tx = conn.unchecked_transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO credit_crossings (campaign_id, customer_id, crossed_on)
             VALUES (?1, ?2, ?3)",
            params![campaign.id, credit.customer_id, today.to_string()],
        )?;
        if credit.hold {
            let by = hold_set_by(&campaign.name);
            set_hold(&tx, credit.customer_id, Some(&credit.why), &by, today)?;
        }
        tx.commit()?;
        if let (true, Some(account), Some(renderer)) = (credit.notice, account, &renderer) {
            match queue_notice(conn, campaign, credit, today, (renderer, account))? {
                Ok(id) => done.messages.push(id),
                Err(reason) => done.failed.push((credit.customer_id, reason)),
            }
        }
    }
    Ok(done)
}

fn queue_notice(
    conn: &Connection,
    campaign: &Campaign,
    credit: &PlannedCredit,
    today: NaiveDate,
    how: (&Renderer, &AccountSettings),
) -> CampaignResult<Result<i64, String>> {
    let key = (campaign.id, credit.customer_id, credit.send_key.as_str());
    let queued = queue_message(conn, key, CREDIT_LIMIT_TEMPLATE, how, today)?;
    match &queued {
        Ok(id) => conn.execute(
            "UPDATE credit_crossings SET message_id = ?3 WHERE campaign_id = ?1 AND customer_id = ?2",
            params![campaign.id, credit.customer_id, id],
        )?,
        Err(_) => conn.execute(
            "DELETE FROM credit_crossings WHERE campaign_id = ?1 AND customer_id = ?2",
            params![campaign.id, credit.customer_id],
        )?,
    };
    Ok(queued)
}
