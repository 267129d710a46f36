//! Escalation on silence: which customers did not answer their last N reminders.
//!
//! A reminder is an email we sent a customer about their invoices (from any campaign or by
//! hand; a call task is not one). A customer is silent when they received at least N and no
//! reply (`inbound_kind = 'reply'`: automatic replies and bounces are not answers) is dated on
//! or after the oldest of their last N: then none of the N got an answer after it. Days, not
//! times, are compared: a campaign email is dated by its campaign day (the day in its send
//! key), like `last_contact`, and a reply on that same day counts as an answer.
//!
//! Replies are known only once the mailbox is read: until INBOX has been synced once
//! (`mailbox_folders`), nobody can be called silent, and the plan says so per customer.

use super::pairs;
use crate::campaign::CampaignResult;
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;

/// What the silence rule found for the customers to plan.
pub(in crate::campaign) enum Silence {
    /// The audience does not ask.
    NotAsked,
    /// The mailbox was never read: nobody can be said to be silent.
    Unread,
    /// The silent customers, each with the day of the oldest of their last N reminders.
    Read {
        last: i64,
        silent: HashMap<i64, NaiveDate>,
    },
}

/// What the silence rule says of one customer.
pub(in crate::campaign) enum Verdict {
    /// The rule is not asked, or the customer is silent: on with the other rules.
    Pass(Option<String>),
    /// They answered, or got fewer than N reminders: not in the audience.
    Out,
    /// Replies are not read: not included, and the plan says why.
    Unknown(String),
}

/// The plan's words for a customer the rule cannot judge.
pub const REPLIES_NOT_READ: &str =
    "replies are not read: connect the mailbox's IMAP to use 'no reply to the last N'";

impl Silence {
    pub(in crate::campaign) fn of(&self, customer_id: i64) -> Verdict {
        match self {
            Silence::NotAsked => Verdict::Pass(None),
            Silence::Unread => Verdict::Unknown(REPLIES_NOT_READ.to_string()),
            Silence::Read { last, silent } => match silent.get(&customer_id) {
                Some(since) => Verdict::Pass(Some(format!(
                    "no reply to the last {last} reminder(s), since {since}"
                ))),
                None => Verdict::Out,
            },
        }
    }
}

/// Whether the mailbox's INBOX has been read at least once.
fn replies_read(conn: &Connection) -> CampaignResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM mailbox_folders WHERE upper(folder) = 'INBOX'")?
        .query_row([], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The silence rule for the customers `ids` (a JSON array), when the audience asks for `last`.
pub(super) fn silence(conn: &Connection, ids: &str, last: Option<i64>) -> CampaignResult<Silence> {
    let Some(last) = last else {
        return Ok(Silence::NotAsked);
    };
    if !replies_read(conn)? {
        return Ok(Silence::Unread);
    }
    let mut stmt = conn.prepare_cached(
        "WITH reminders AS (
             SELECT m.customer_id, m.id,
                    CASE WHEN m.send_key LIKE 'campaign:%' THEN substr(m.send_key, -10)
                         ELSE substr(coalesce(m.sent_at, m.created_at), 1, 10) END AS day
             FROM messages m
             WHERE m.customer_id IN (SELECT value FROM json_each(?1))
               AND m.direction = 'out' AND m.state = 'sent'
               AND EXISTS (SELECT 1 FROM message_invoices mi WHERE mi.message_id = m.id)),
         ranked AS (
             SELECT customer_id, day,
                    row_number() OVER (PARTITION BY customer_id ORDER BY day DESC, id DESC) AS n
             FROM reminders)
         SELECT customer_id, min(day), count(*) FROM ranked WHERE n <= ?2 GROUP BY customer_id",
    )?;
    let rows = stmt.query_map(params![ids, last], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    let mut oldest = HashMap::new();
    for row in rows {
        let (customer, day, count) = row?;
        if let (true, Ok(day)) = (count >= last, day.parse::<NaiveDate>()) {
            oldest.insert(customer, day);
        }
    }
    let replied: HashMap<i64, String> = pairs::<String>(
        conn,
        "SELECT customer_id, max(substr(created_at, 1, 10)) FROM messages
         WHERE customer_id IN (SELECT value FROM json_each(?1)) AND direction = 'in'
           AND coalesce(inbound_kind, 'reply') = 'reply'
         GROUP BY customer_id",
        ids,
    )?
    .into_iter()
    .collect();
    oldest.retain(|customer, since: &mut NaiveDate| {
        replied
            .get(customer)
            .is_none_or(|reply| reply.as_str() < since.to_string().as_str())
    });
    Ok(Silence::Read {
        last,
        silent: oldest,
    })
}
