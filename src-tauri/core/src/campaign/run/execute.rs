//! One campaign's planned contacts become outbox messages (with a statement PDF on a statement
//! step) and call tasks, each with the reminder state it stands for.

use super::*;
use crate::campaign::fees::{LateFees, StatutoryRate};

pub(super) fn execute(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
    run: &mut CampaignRun,
) -> CampaignResult<()> {
    let started = now_timestamp();
    let charging = charge::charging(conn, campaign.late_fees)?;
    // Owners first: told at the latest with the customer's message, never after it.
    if run
        .plan
        .owner_notices
        .iter()
        .any(|n| n.owner_email.is_some())
    {
        let account = account::require(conn).map_err(compose::ComposeError::from)?;
        let queued = owner::execute(conn, campaign, &run.plan.owner_notices, today, &account)?;
        run.messages.extend(queued.messages);
        run.failed.extend(queued.failed);
    }
    let emails: Vec<&PlannedContact> = run.plan.emails().collect();
    if !emails.is_empty() {
        let account = account::require(conn).map_err(compose::ComposeError::from)?;
        let mut keys: Vec<&str> = emails.iter().map(|c| c.template_key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        let list = keys
            .iter()
            .map(|k| templates::get(conn, k))
            .collect::<Result<Vec<_>, _>>()
            .map_err(compose::ComposeError::from)?;
        let renderer = Renderer::new(&list).map_err(compose::ComposeError::from)?;
        for contact in emails {
            let with = (&renderer, &account, charging.as_ref());
            match queue_email(conn, campaign, contact, today, with)? {
                Queued::New(id) => run.messages.push(id),
                Queued::Already(id) => {
                    run.already_queued.push(id);
                    run.messages.push(id);
                }
                Queued::Failed(reason) => run.failed.push((contact.customer_id, reason)),
            }
        }
    }
    if !run.plan.thanks.is_empty() {
        let account = account::require(conn).map_err(compose::ComposeError::from)?;
        let queued = thanks::queue(conn, campaign, &run.plan.thanks, today, &account)?;
        run.messages.extend(&queued.messages);
        run.thank_yous = queued.messages;
        run.failed.extend(queued.failed);
    }
    if campaign.credit_rule.is_some() {
        let account = match run.plan.credit.iter().any(|c| c.notice) {
            true => Some(account::require(conn).map_err(compose::ComposeError::from)?),
            false => None,
        };
        let queued =
            credit_rule::execute(conn, campaign, &run.plan.credit, today, account.as_ref())?;
        run.messages.extend(queued.messages);
        run.failed.extend(queued.failed);
    }
    if run.plan.digests.iter().any(|d| d.owner_email.is_some()) {
        let account = account::require(conn).map_err(compose::ComposeError::from)?;
        let queued = digest::execute(conn, campaign, &run.plan.digests, today, &account)?;
        run.messages.extend(queued.messages);
        run.failed.extend(queued.failed);
    }
    for contact in run.plan.calls() {
        let tx = conn.unchecked_transaction()?;
        let mut title = format!(
            "Call {} ({}: step {}, {})",
            contact.customer_name, campaign.name, contact.step_position, contact.template_key
        );
        if contact.no_email {
            title.push_str(" — no email address");
        }
        let title: String = clean_line(&title).chars().take(200).collect();
        let task = tasks::add(
            &tx,
            &NewTask {
                customer_id: contact.customer_id,
                kind: TaskKind::Call,
                title: &title,
                due_date: today,
            },
        )?;
        record(&tx, campaign, contact, today, None, Some(task))?;
        tx.commit()?;
        run.tasks.push(task);
    }
    conn.execute(
        "INSERT INTO campaign_runs (campaign_id, run_date, started_at, finished_at, emails, calls, excluded)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            campaign.id,
            today.to_string(),
            started,
            now_timestamp(),
            run.messages.len() as i64,
            run.tasks.len() as i64,
            run.plan.excluded.len() as i64
        ],
    )?;
    Ok(())
}

/// What an email is prepared with: the templates, the account, what its reminders charge.
type Sending<'a> = (
    &'a Renderer,
    &'a AccountSettings,
    Option<&'a (LateFees, Option<StatutoryRate>)>,
);

/// What became of one planned email.
enum Queued {
    New(i64),
    /// An earlier (interrupted) run of the same day had queued it.
    Already(i64),
    /// It could not be prepared or queued: the reason.
    Failed(String),
}

/// Prepares and queues one planned email and records the reminder state it stands for. An email
/// that cannot be prepared (a customer's data no header can carry, a template error ...) is
/// recorded in the outbox as failed with the reason and the run goes on with the next
/// customer; its reminder state stays unwritten, so the next run tries again.
fn queue_email(
    conn: &Connection,
    campaign: &Campaign,
    contact: &PlannedContact,
    today: NaiveDate,
    (renderer, account, charging): Sending,
) -> CampaignResult<Queued> {
    let request = SendRequest {
        customer_id: contact.customer_id,
        template_key: contact.template_key.clone(),
        attachments: Vec::new(),
    };
    let mut meta = MessageMeta {
        customer_id: Some(contact.customer_id),
        send_key: Some(contact.send_key.clone()),
        template_key: Some(contact.template_key.clone()),
        campaign_id: Some(campaign.id),
        step_id: step_id(conn, campaign.id, contact.step_position)?,
        invoice_ids: Vec::new(),
    };
    let recorded = match charging {
        Some(charging) => charge::record(conn, campaign, contact, today, charging)?,
        None => Vec::new(),
    };
    let offered = offer::record(conn, campaign, contact, today)?;
    let queued = compose::prepare_with(conn, renderer, account, &request, today)
        .map_err(|e| e.to_string())
        .and_then(|p| attach_statement(conn, campaign, contact, today, p))
        .and_then(|prepared| {
            meta.invoice_ids = prepared.preview.invoice_ids.clone();
            match outbox::enqueue(conn, &prepared.email, &meta) {
                Ok(id) => Ok(Queued::New(id)),
                Err(OutboxError::AlreadyQueued { id, .. }) => Ok(Queued::Already(id)),
                Err(e) => Err(e.to_string()),
            }
        });
    let queued = match queued {
        Ok(queued) => queued,
        Err(reason) => {
            crate::store::charges::forget(conn, &recorded)?;
            crate::store::offers::forget(conn, &offered)?;
            outbox::record_unprepared(conn, &meta, &reason)?;
            return Ok(Queued::Failed(reason));
        }
    };
    if let Queued::New(id) | Queued::Already(id) = queued {
        crate::store::charges::set_message(conn, &recorded, id)?;
        offer::carried_by(conn, campaign, contact, today, id)?;
        let tx = conn.unchecked_transaction()?;
        record(&tx, campaign, contact, today, Some(id), None)?;
        tx.commit()?;
    }
    Ok(queued)
}

/// Adds the customer's statement PDF to the email of a day-of-month (statement) step.
fn attach_statement(
    conn: &Connection,
    campaign: &Campaign,
    contact: &PlannedContact,
    today: NaiveDate,
    mut prepared: PreparedEmail,
) -> Result<PreparedEmail, String> {
    let is_statement = campaign
        .step(contact.step_position)
        .is_some_and(|s| matches!(s.trigger, Trigger::DayOfMonth(_)))
        || catch_up::is_statement_catch_up(campaign, &contact.template_key);
    if !is_statement {
        return Ok(prepared);
    }
    let pdf = statement::render_statement(conn, contact.customer_id, &StatementOptions::new(today))
        .map_err(|e| format!("the statement could not be made: {e}"))?;
    let attachment = Attachment {
        file_name: statement::statement_file_name(
            contact.customer_id,
            &contact.customer_name,
            today,
        ),
        content_type: "application/pdf".into(),
        bytes: pdf,
    };
    compose::attach(&mut prepared, vec![attachment]).map_err(|e| e.to_string())?;
    Ok(prepared)
}

fn record(
    conn: &Connection,
    campaign: &Campaign,
    contact: &PlannedContact,
    today: NaiveDate,
    message_id: Option<i64>,
    task_id: Option<i64>,
) -> CampaignResult<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO invoice_reminders (invoice_id, campaign_id, step_position, period,
             customer_id, template_key, channel, sent_on, message_id, task_id, variant)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let channel = if task_id.is_some() {
        Channel::Call
    } else {
        Channel::Email
    };
    for inv in &contact.invoices {
        let template = match campaign.step(inv.step_position) {
            Some(s) if inv.step_position != contact.step_position => s.template_key.as_str(),
            _ => contact.template_key.as_str(),
        };
        stmt.execute(params![
            inv.invoice_id,
            campaign.id,
            inv.step_position,
            inv.period,
            contact.customer_id,
            template,
            channel.as_str(),
            today.to_string(),
            message_id,
            task_id,
            contact.variant.map(Variant::as_str)
        ])?;
    }
    Ok(())
}
