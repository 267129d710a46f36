//! A run's owner digests (see `plan::digest`): one internal email per owner with an address,
//! queued under its weekly send key, so a rerun (or a later day of the week) finds it and never
//! sends a second. Like owner notices, it names no customer in the outbox.

use super::super::plan::{PlannedDigest, OWNER_DIGEST_TEMPLATE};
use super::super::{renderer_of, Campaign, CampaignResult, Queued};
use crate::company::fields::{self, ContextInput, DigestCustomerFields, DigestFields, OwnerFields};
use crate::company::{self, format_date};
use crate::mail::account::AccountSettings;
use crate::mail::internal::prepare_internal;
use crate::mail::outbox::{self, MessageMeta, OutboxError};
use crate::mail::templates;
use crate::model::link::customer_link;
use chrono::{Datelike, NaiveDate};
use rusqlite::Connection;

pub(super) fn execute(
    conn: &Connection,
    campaign: &Campaign,
    digests: &[PlannedDigest],
    today: NaiveDate,
    account: &AccountSettings,
) -> CampaignResult<Queued> {
    let mut done = Queued::default();
    let renderer = renderer_of(conn, OWNER_DIGEST_TEMPLATE)?;
    for digest in digests {
        let Some(email) = digest.owner_email.as_deref() else {
            continue;
        };
        let meta = MessageMeta {
            customer_id: None,
            send_key: Some(digest.send_key.clone()),
            template_key: Some(OWNER_DIGEST_TEMPLATE.to_string()),
            campaign_id: Some(campaign.id),
            step_id: None,
            invoice_ids: Vec::new(),
        };
        let queued = fields_of(conn, digest, today, account)
            .and_then(|fields| {
                let owner = OwnerFields {
                    name: digest.owner_name.clone().unwrap_or_default(),
                    email: email.to_string(),
                };
                let to = (digest.owner_name.as_deref().unwrap_or(""), email);
                let target = (None, OWNER_DIGEST_TEMPLATE);
                prepare_internal(conn, (&renderer, account), target, today, to, |ctx| {
                    ctx.owner = Some(owner);
                    ctx.digest = Some(fields);
                })
                .map_err(|e| e.to_string())
            })
            .and_then(|e| match outbox::enqueue(conn, &e, &meta) {
                Ok(id) | Err(OutboxError::AlreadyQueued { id, .. }) => Ok(id),
                Err(e) => Err(e.to_string()),
            });
        match queued {
            Ok(id) => done.messages.push(id),
            Err(reason) => {
                outbox::record_unprepared(conn, &meta, &reason)?;
                // 0: about no one customer; the reason names the owner.
                let reason = format!("the weekly digest to {}: {reason}", digest.owner);
                done.failed.push((0, reason));
            }
        }
    }
    Ok(done)
}

/// The digest as its template sees it: each customer's totals read now.
fn fields_of(
    conn: &Connection,
    digest: &PlannedDigest,
    today: NaiveDate,
    account: &AccountSettings,
) -> Result<DigestFields, String> {
    let company = company::load(conn).map_err(|e| e.to_string())?;
    let monday = today - chrono::Days::new(u64::from(today.weekday().num_days_from_monday()));
    let mut customers = Vec::new();
    for c in &digest.customers {
        let input = ContextInput {
            customer_id: c.customer_id,
            as_of: today,
            company: &company,
            sender_name: &account.sender_name,
            sender_email: &account.from_address,
        };
        let ctx = fields::build(conn, &input).map_err(|e| e.to_string())?;
        let next = c
            .next
            .iter()
            .map(|s| {
                let step = templates::get(conn, &s.template_key)
                    .map_or_else(|_| s.template_key.clone(), |t| t.name);
                format!("{}: {step} ({})", format_date(s.date), s.campaign)
            })
            .collect::<Vec<_>>()
            .join("; ");
        customers.push(DigestCustomerFields {
            name: c.name.clone(),
            link: customer_link(c.customer_id),
            total_due: ctx.total_due,
            total_overdue: ctx.total_overdue,
            held: c.held.clone(),
            next,
        });
    }
    Ok(DigestFields {
        week: format!("week of {}", format_date(monday)),
        customers,
    })
}
