//! One customer's history, newest first: notes, emails, tasks and calls, payments, promises,
//! disputes and status changes, read from the tables that own them (nothing is copied).

use crate::model::{format_minor, Currency};
use crate::store::DbResult;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TimelineKind {
    Note,
    Email,
    Task,
    Payment,
    Promise,
    Dispute,
    Status,
}

impl TimelineKind {
    pub const ALL: [TimelineKind; 7] = [
        TimelineKind::Note,
        TimelineKind::Email,
        TimelineKind::Task,
        TimelineKind::Payment,
        TimelineKind::Promise,
        TimelineKind::Dispute,
        TimelineKind::Status,
    ];

    fn as_str(self) -> &'static str {
        match self {
            TimelineKind::Note => "note",
            TimelineKind::Email => "email",
            TimelineKind::Task => "task",
            TimelineKind::Payment => "payment",
            TimelineKind::Promise => "promise",
            TimelineKind::Dispute => "dispute",
            TimelineKind::Status => "status",
        }
    }

    fn from_db(text: &str) -> TimelineKind {
        TimelineKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .unwrap_or(TimelineKind::Status)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TimelineEntry {
    pub kind: TimelineKind,
    /// RFC 3339 timestamp, or a plain date for dated facts such as payments.
    pub at: String,
    /// One line: "Payment received", "Promise to pay by 2026-12-01", "Email sent: SUBJECT",
    /// "Reply received: SUBJECT", "Bounced (5.1.1): SUBJECT" ...
    pub title: String,
    /// The note's text, the task's outcome, the dispute's reason ...
    pub detail: Option<String>,
    pub invoice_number: Option<String>,
    /// Amount with its currency, e.g. "120.00 EUR".
    pub amount: Option<String>,
    /// The id of the row in its own table (note id, payment id ...).
    pub source_id: i64,
}

/// The newest `limit` entries of the given kinds (all kinds when `kinds` is empty).
pub fn for_customer(
    conn: &Connection,
    customer_id: i64,
    kinds: &[TimelineKind],
    limit: u32,
) -> DbResult<Vec<TimelineEntry>> {
    let wanted: Vec<&str> = if kinds.is_empty() {
        TimelineKind::ALL.iter().map(|k| k.as_str()).collect()
    } else {
        kinds.iter().map(|k| k.as_str()).collect()
    };
    let wanted = serde_json::to_string(&wanted).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(SQL)?;
    let rows = stmt.query_map(params![customer_id, wanted, limit], |r| {
        let kind: String = r.get(0)?;
        let minor: Option<i64> = r.get(5)?;
        let currency: Option<String> = r.get(6)?;
        let amount = minor.zip(currency).map(|(minor, code)| {
            let decimals = Currency::parse(&code).map_or(2, |c| c.decimals());
            format!("{} {code}", format_minor(minor, decimals))
        });
        Ok(TimelineEntry {
            kind: TimelineKind::from_db(&kind),
            at: r.get(1)?,
            title: r.get(2)?,
            detail: r.get(3)?,
            invoice_number: r.get(4)?,
            amount,
            source_id: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// ?1 customer, ?2 JSON array of kinds, ?3 limit. Columns: kind, at, title, detail,
/// invoice number, amount minor, currency, source id, and `later` (1 for the second event of a
/// row — done, resolved — so it sorts above the first when both share a timestamp).
const SQL: &str = "
SELECT * FROM (
    SELECT 'note' AS kind, created_at AS at,
           CASE WHEN pinned THEN 'Pinned note' ELSE 'Note' END, body, NULL, NULL, NULL, id,
           0 AS later
      FROM notes WHERE customer_id = ?1
    UNION ALL
    SELECT 'email', coalesce(sent_at, created_at),
           CASE WHEN direction = 'out' THEN 'Email ' || state
                WHEN inbound_kind = 'reply' THEN 'Reply received'
                WHEN inbound_kind = 'auto_reply' AND return_date IS NOT NULL
                     THEN 'Automatic reply (back ' || return_date || ')'
                WHEN inbound_kind = 'auto_reply' THEN 'Automatic reply'
                WHEN inbound_kind = 'bounce' AND bounce_status IS NOT NULL
                     THEN 'Bounced (' || bounce_status || ')'
                WHEN inbound_kind = 'bounce' THEN 'Bounced'
                ELSE 'Email received' END || ': ' || subject,
           CASE direction WHEN 'in' THEN snippet ELSE failure_reason END, NULL, NULL, NULL, id, 0
      FROM messages WHERE customer_id = ?1
    UNION ALL
    SELECT 'task', created_at, 'Task due ' || due_date || ': ' || title, NULL, NULL, NULL, NULL, id, 0
      FROM tasks WHERE customer_id = ?1
    UNION ALL
    SELECT 'task', done_at, 'Done: ' || title, outcome, NULL, NULL, NULL, id, 1
      FROM tasks WHERE customer_id = ?1 AND done_at IS NOT NULL
    UNION ALL
    SELECT 'payment', p.paid_on,
           CASE p.source WHEN 'close' THEN 'Closed as paid (no longer open in the import)'
                         WHEN 'import' THEN 'Payment (from import)'
                         ELSE 'Payment received' END,
           p.reference, i.number, p.amount_minor, i.currency, p.id, 0
      FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE i.customer_id = ?1
    UNION ALL
    SELECT 'promise', pr.created_at, 'Promise to pay by ' || pr.promised_date, NULL, i.number,
           pr.amount_minor, pr.currency, pr.id, 0
      FROM promises pr LEFT JOIN invoices i ON i.id = pr.invoice_id WHERE pr.customer_id = ?1
    UNION ALL
    SELECT 'dispute', d.opened_at, 'Disputed', d.reason, i.number, NULL, NULL, d.id, 0
      FROM disputes d LEFT JOIN invoices i ON i.id = d.invoice_id WHERE d.customer_id = ?1
    UNION ALL
    SELECT 'dispute', d.resolved_at, 'Dispute resolved', d.resolution, i.number, NULL, NULL, d.id, 1
      FROM disputes d LEFT JOIN invoices i ON i.id = d.invoice_id
     WHERE d.customer_id = ?1 AND d.resolved_at IS NOT NULL
    UNION ALL
    SELECT 'status', a.at, a.summary, NULL, i.number, NULL, NULL, a.id, 0
      FROM activity a LEFT JOIN invoices i ON i.id = a.invoice_id WHERE a.customer_id = ?1
)
WHERE kind IN (SELECT value FROM json_each(?2))
ORDER BY at DESC, later DESC, id DESC
LIMIT ?3";
