//! The owners' weekly digest (issue 20, part 2; the "owner-digest" preset): a campaign with
//! `owner_digest` sends each account owner, once per ISO week (on the week's first run day,
//! Monday unless it is quiet or the machine was off), one email listing their customers with an
//! open balance or held: what they owe, the owner's hold, and what every sending campaign plans
//! for them in the 7 days from that day (each campaign planned day by day as if nothing changed
//! meanwhile, the first message per customer and campaign). Owners are told apart by their
//! address (any case); an owner without one gets no digest, and the plan says so.

use super::super::calendar::quiet_day;
use super::plan_day;
use crate::campaign::{list, Campaign, CampaignResult};
use chrono::{Datelike, Days, NaiveDate};
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// The shipped template of the digest.
pub const OWNER_DIGEST_TEMPLATE: &str = "owner-digest";

/// Days the digest looks ahead, from its own day.
const DIGEST_DAYS: u64 = 7;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PlannedDigest {
    /// The owner's name, else their address.
    pub owner: String,
    pub owner_name: Option<String>,
    /// None: no digest (no address), and `why` says so.
    pub owner_email: Option<String>,
    pub customers: Vec<DigestCustomer>,
    pub send_key: String,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DigestCustomer {
    pub customer_id: i64,
    pub name: String,
    /// The owner's hold reason.
    pub held: Option<String>,
    pub next: Vec<DigestStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DigestStep {
    pub date: NaiveDate,
    pub campaign: String,
    pub template_key: String,
}

/// The digest's key: one per owner and ISO week.
fn digest_key(campaign_id: i64, owner: &str, today: NaiveDate) -> String {
    let week = today.iso_week();
    let owner = owner.trim().to_lowercase();
    format!(
        "campaign:{campaign_id}:digest:{owner}:{}-W{:02}",
        week.year(),
        week.week()
    )
}

/// The digests `campaign` sends on `today` (none without `owner_digest`, on a quiet day, or
/// for an owner whose digest of this week is in the outbox already). Reads only.
pub(super) fn plan_digests(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
) -> CampaignResult<Vec<PlannedDigest>> {
    if !campaign.owner_digest || quiet_day(campaign, today).is_some() {
        return Ok(Vec::new());
    }
    let mut owners: BTreeMap<String, PlannedDigest> = BTreeMap::new();
    for (id, name, owner_name, owner_email, held) in owned_customers(conn)? {
        let owner = owner_name.clone().or_else(|| owner_email.clone());
        let Some(owner) = owner else { continue };
        let who = owner_email
            .as_deref()
            .unwrap_or(&owner)
            .trim()
            .to_lowercase();
        let entry = owners.entry(who).or_insert_with(|| PlannedDigest {
            send_key: digest_key(campaign.id, owner_email.as_deref().unwrap_or(&owner), today),
            why: match &owner_email {
                Some(_) => format!("weekly digest to {owner}"),
                None => format!("no digest for {owner}: no email address for them"),
            },
            owner,
            owner_name,
            owner_email,
            customers: Vec::new(),
        });
        entry.customers.push(DigestCustomer {
            customer_id: id,
            name,
            held,
            next: Vec::new(),
        });
    }
    let mut digests = Vec::new();
    for digest in owners.into_values() {
        let sent: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM messages WHERE send_key = ?1)")?
            .query_row(params![digest.send_key], |r| r.get(0))?;
        if !sent {
            digests.push(digest);
        }
    }
    if digests.iter().any(|d| d.owner_email.is_some()) {
        fill_next_week(conn, today, &mut digests)?;
    }
    Ok(digests)
}

type Owned = (i64, String, Option<String>, Option<String>, Option<String>);

/// Customers with an owner and an open balance or the owner's hold, by name.
fn owned_customers(conn: &Connection) -> CampaignResult<Vec<Owned>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.name, c.owner_name, c.owner_email, c.owner_hold FROM customers c
         WHERE (c.owner_name IS NOT NULL OR c.owner_email IS NOT NULL)
           AND (c.owner_hold IS NOT NULL
                OR EXISTS (SELECT 1 FROM customer_balances b
                           WHERE b.customer_id = c.id AND b.open_minor <> 0))
         ORDER BY c.name COLLATE NOCASE, c.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What every sending campaign plans for the digests' customers in the days from `today`.
fn fill_next_week(
    conn: &Connection,
    today: NaiveDate,
    digests: &mut [PlannedDigest],
) -> CampaignResult<()> {
    let mut next: BTreeMap<i64, Vec<DigestStep>> = BTreeMap::new();
    for campaign in list(conn)?.into_iter().filter(Campaign::sends) {
        if campaign.steps.is_empty() {
            continue;
        }
        let mut seen = std::collections::HashSet::new();
        for n in 0..DIGEST_DAYS {
            let day = today + Days::new(n);
            for c in plan_day(conn, &campaign, day)?.contacts {
                if seen.insert(c.customer_id) {
                    next.entry(c.customer_id).or_default().push(DigestStep {
                        date: day,
                        campaign: campaign.name.clone(),
                        template_key: c.template_key,
                    });
                }
            }
        }
    }
    for customer in digests.iter_mut().flat_map(|d| d.customers.iter_mut()) {
        if let Some(steps) = next.remove(&customer.customer_id) {
            customer.next = steps;
            customer.next.sort_by_key(|s| s.date);
        }
    }
    Ok(())
}
