//! A run's owner notices (see `plan::owner`): each becomes an internal email to the owner
//! through the outbox, and its invoices, steps and occurrences are marked told, so the owner
//! hears about each once. The message names no customer in the outbox (`customer_id` NULL),
//! so an owner's reply is never taken for the customer's, nor the notice for a reminder they got.

use super::super::plan::{PlannedOwnerNotice, OWNER_NOTICE_TEMPLATE};
use super::super::{renderer_of, Campaign, CampaignResult, Queued};
use crate::company::fields::NoticeFields;
use crate::company::format_date;
use crate::mail::account::AccountSettings;
use crate::mail::internal::prepare_internal;
use crate::mail::outbox::{self, MessageMeta, OutboxError};
use crate::mail::templates::{self, Renderer};
use crate::model::link::customer_link;
use chrono::NaiveDate;
use rusqlite::{params, Connection};

/// Queues the notices of owners with an address and marks them told. A notice that cannot be
/// prepared marks nothing, so the next run tries again.
pub(super) fn execute(
    conn: &Connection,
    campaign: &Campaign,
    notices: &[PlannedOwnerNotice],
    today: NaiveDate,
    account: &AccountSettings,
) -> CampaignResult<Queued> {
    let mut done = Queued::default();
    let renderer = renderer_of(conn, OWNER_NOTICE_TEMPLATE)?;
    for notice in notices {
        let Some(email) = notice.owner_email.as_deref() else {
            continue;
        };
        let meta = MessageMeta {
            customer_id: None,
            send_key: Some(notice.send_key.clone()),
            template_key: Some(OWNER_NOTICE_TEMPLATE.to_string()),
            campaign_id: Some(campaign.id),
            step_id: None,
            invoice_ids: Vec::new(),
        };
        let queued = prepare(conn, notice, (&renderer, account), today, email).and_then(|e| {
            match outbox::enqueue(conn, &e, &meta) {
                Ok(id) | Err(OutboxError::AlreadyQueued { id, .. }) => Ok(id),
                Err(e) => Err(e.to_string()),
            }
        });
        match queued {
            Ok(id) => {
                mark_told(conn, campaign.id, notice, today, id)?;
                done.messages.push(id);
            }
            Err(reason) => {
                outbox::record_unprepared(conn, &meta, &reason)?;
                done.failed.push((notice.customer_id, reason));
            }
        }
    }
    Ok(done)
}

fn prepare(
    conn: &Connection,
    notice: &PlannedOwnerNotice,
    how: (&Renderer, &AccountSettings),
    today: NaiveDate,
    email: &str,
) -> Result<crate::mail::compose::OutgoingEmail, String> {
    let step = templates::get(conn, &notice.template_key)
        .map_or_else(|_| notice.template_key.clone(), |t| t.name);
    let fields = NoticeFields {
        step,
        template: notice.template_key.clone(),
        date: format_date(notice.step_on),
        days: (notice.step_on - today).num_days(),
        link: customer_link(notice.customer_id),
    };
    let name = notice.owner.as_deref().unwrap_or("");
    let target = (Some(notice.customer_id), OWNER_NOTICE_TEMPLATE);
    prepare_internal(conn, how, target, today, (name, email), |ctx| {
        ctx.notice = Some(fields);
    })
    .map_err(|e| e.to_string())
}

fn mark_told(
    conn: &Connection,
    campaign_id: i64,
    notice: &PlannedOwnerNotice,
    today: NaiveDate,
    message_id: i64,
) -> CampaignResult<()> {
    let tx = conn.unchecked_transaction()?;
    for i in &notice.invoices {
        tx.execute(
            "INSERT OR IGNORE INTO owner_notices (campaign_id, step_position, period, invoice_id,
                                                  customer_id, notified_on, step_on, message_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                campaign_id,
                i.step_position,
                i.period,
                i.invoice_id,
                notice.customer_id,
                today.to_string(),
                notice.step_on.to_string(),
                message_id
            ],
        )?;
    }
    tx.commit()?;
    Ok(())
}
