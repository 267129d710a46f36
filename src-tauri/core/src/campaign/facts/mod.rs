//! What a campaign plan reads, loaded only for the customers the date can concern.
//!
//! On most days almost every open invoice has already received the step it is at, so a plan
//! concerns a few customers out of many. Loading takes two passes:
//! 1. every open invoice's due date (read from the partial index `invoices_open_invoices`
//!    alone) and this campaign's reminder state tell which customers have an invoice at a step
//!    it has not received; with the customers whose reminded invoices were all paid since,
//!    these are the customers to plan;
//! 2. everything the rules need — names, balances, contacts, notes, messages, disputes,
//!    promises — is read for those customers only, through each table's index by customer.
//!
//! A customer left out by pass 1 has every open invoice at a step it received, so the rules
//! would neither contact nor exclude them. Pass 1 errs only the other way: it does not look at
//! steps sent by hand, so a customer whose step went out by hand reaches pass 2 with nothing
//! due, and the rules pass over them.
//!
//! One-step escalation (see [`super::escalation`]) holds an invoice below its age's step, so it
//! stays at a step it has not received while it climbs. Pass 1 also leaves out an invoice this
//! campaign reminded within its gap: its customer was contacted within the gap, which the rules
//! would only exclude — and after a backlog's first day that is most customers, every day until
//! the ladder is climbed. Such customers are only counted ("between steps"). Pass 2 then also
//! reads, for the customers to plan only, which step each open invoice last received and when.

pub mod mailbox;
mod pass1;
mod plans;
pub mod silence;

pub use mailbox::{Away, Reply};

pub(super) use pass1::Received;
use pass1::{
    gap_start, open_invoice_customers, paid_since_reminder, reminder_state, OPEN_INVOICES,
};

use super::calendar::Reach;
use super::{Campaign, CampaignResult, Escalation, USUALLY_LATE_MIN_PAID};
use crate::model::PromiseStatus;
use crate::store::json_ids;
use crate::store::promises;
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use std::collections::{BTreeMap, HashMap, HashSet};

pub(super) struct OpenInvoice {
    pub id: i64,
    pub number: String,
    pub due: NaiveDate,
}

pub(super) struct CustomerRow {
    pub name: String,
    pub segment: Option<String>,
    pub do_not_contact: bool,
    pub oldest_open_due: Option<NaiveDate>,
    /// The JSON object as stored; parsed only when the audience has field conditions.
    pub custom_fields: String,
    /// The credit limit: (currency, minor units).
    pub credit_limit: Option<(String, i64)>,
}

/// Per invoice, the templates sent outside this campaign and the latest date of each.
#[derive(Default)]
pub(super) struct SentByHand(HashMap<i64, Vec<(String, NaiveDate)>>);

impl SentByHand {
    /// When `template` was last sent for `invoice` outside this campaign, if it was.
    pub fn on(&self, invoice: i64, template: &str) -> Option<NaiveDate> {
        let sent = self.0.get(&invoice)?;
        sent.iter().find(|(t, _)| t == template).map(|(_, on)| *on)
    }
}

/// Everything the rules need about the customers to plan (see the module note).
pub(super) struct Facts {
    /// The customers to plan, by id.
    pub customers: BTreeMap<i64, CustomerRow>,
    /// Their open invoices, oldest due first (then by number: the index's order).
    pub invoices: HashMap<i64, Vec<OpenInvoice>>,
    pub tags: HashMap<i64, HashSet<String>>,
    pub balances: HashMap<i64, Vec<(String, i64)>>,
    pub received: Received,
    /// Templates sent outside this campaign (by hand or by another campaign).
    pub manual: SentByHand,
    /// One-step campaigns only: per open invoice, the most advanced due-date step this campaign
    /// sent it and when (empty when jumping).
    pub step_sent: HashMap<i64, (i64, NaiveDate)>,
    /// Last date each customer was contacted (any campaign or by hand).
    pub last_contact: HashMap<i64, NaiveDate>,
    /// Customers with an open dispute not tied to one invoice; invoices with one.
    pub disputed_customers: HashSet<i64>,
    pub disputed_invoices: HashSet<i64>,
    pub promised_customers: HashSet<i64>,
    pub promised_invoices: HashSet<i64>,
    /// Customers whose latest promise is broken: contacted first when the limits defer some.
    pub broken_promises: HashSet<i64>,
    /// Invoices on a running payment plan, with what the plan says next (see [`plans`]).
    pub planned_invoices: HashMap<i64, String>,
    /// Customers whose reply holds reminders back (see [`mailbox`]).
    pub replied: HashMap<i64, Reply>,
    /// Customers away until a stated day by their out-of-office.
    pub away: HashMap<i64, Away>,
    /// Customers with bounced addresses, and which.
    pub bounced: HashMap<i64, String>,
    pub stop_notes: HashSet<i64>,
    /// Customers whose account owner holds their reminders, and why.
    pub owner_holds: HashMap<i64, String>,
    pub has_email: HashSet<i64>,
    /// Customers without open invoices whose invoices this campaign reminded lately were paid.
    pub paid_since_reminder: HashSet<i64>,
    /// Customers left out by pass 1 only because this campaign reminded them within its gap.
    pub between_steps: usize,
    /// Customers who usually pay late, when the audience asks for them (else empty).
    pub late_payers: HashSet<i64>,
    /// Who did not answer their last N reminders, when the audience asks (see [`silence`]).
    pub silence: silence::Silence,
}

pub(super) fn date_of(text: &str) -> Option<NaiveDate> {
    text.get(..10).and_then(|d| d.parse().ok())
}

/// How far back "paid since a reminder" looks.
const PAID_SINCE_REMINDER_DAYS: i64 = 90;

pub(super) fn load(
    conn: &Connection,
    campaign: &Campaign,
    reach: &Reach,
    today: NaiveDate,
) -> CampaignResult<Facts> {
    let since = (today - chrono::Duration::days(PAID_SINCE_REMINDER_DAYS)).to_string();
    let gap_from = gap_start(campaign.min_gap_days, today);
    let mut received = reminder_state(conn, campaign.id, reach, &since, &gap_from)?;
    let open = open_invoice_customers(conn, reach, &mut received)?;
    let paid_since_reminder = paid_since_reminder(conn, &received, &open.with_open)?;
    let between_steps = open
        .between_steps
        .iter()
        .filter(|c| open.with_due.binary_search(c).is_err())
        .count();
    let mut ids = open.with_due;
    ids.extend(&paid_since_reminder);
    ids.sort_unstable();
    ids.dedup();
    let ids = json_ids(&ids);

    let (disputed_customers, disputed_invoices) = open_disputes(conn, &ids)?;
    let (promised_customers, promised_invoices, broken_promises) =
        pending_promises(conn, &ids, today)?;
    let invoices = open_invoices(conn, &ids)?;
    let one_step = campaign.escalation == Escalation::OneStep;

    Ok(Facts {
        customers: customer_rows(conn, &ids)?,
        manual: sent_outside(conn, campaign.id, &ids)?,
        step_sent: if one_step {
            step_sent(conn, campaign.id, &ids, &invoices)?
        } else {
            HashMap::new()
        },
        invoices,
        tags: if campaign.audience.tags.is_empty() {
            HashMap::new()
        } else {
            grouped(
                conn,
                "SELECT customer_id, tag FROM customer_tags
                 WHERE customer_id IN (SELECT value FROM json_each(?1))",
                &ids,
            )?
        },
        balances: balances(conn, &ids)?,
        received,
        last_contact: last_contact(conn, &ids, today)?,
        disputed_customers,
        disputed_invoices,
        promised_customers,
        promised_invoices,
        broken_promises,
        planned_invoices: plans::running(conn, today)?,
        replied: mailbox::replies(conn, &ids, today)?,
        away: mailbox::away(conn, &ids, today)?,
        bounced: mailbox::bounced(conn, &ids)?,
        // "stop", "Stop: ..." or "STOP please" (LIKE ignores ASCII case); the cheap prefix test
        // first, since almost no note starts so.
        stop_notes: customer_set(
            conn,
            "SELECT customer_id FROM notes
             WHERE customer_id IN (SELECT value FROM json_each(?1)) AND ltrim(body) LIKE 'stop%'
               AND (trim(body) LIKE 'stop' OR trim(body) LIKE 'stop:%' OR trim(body) LIKE 'stop %')",
            &ids,
        )?,
        owner_holds: pairs(
            conn,
            "SELECT id, owner_hold FROM customers
             WHERE id IN (SELECT value FROM json_each(?1)) AND owner_hold IS NOT NULL",
            &ids,
        )?
        .into_iter()
        .collect(),
        has_email: customer_set(
            conn,
            "SELECT customer_id FROM contacts
             WHERE customer_id IN (SELECT value FROM json_each(?1))
               AND email IS NOT NULL AND trim(email) != '' AND email_bad = 0",
            &ids,
        )?,
        paid_since_reminder,
        between_steps,
        late_payers: match campaign.audience.usually_late {
            Some(rule) => late_payers(conn, rule.min_average_days_late)?,
            None => HashSet::new(),
        },
        silence: silence::silence(conn, &ids, campaign.audience.no_reply_to_last)?,
    })
}

/// Customers with an open dispute not tied to one invoice, and invoices with one.
fn open_disputes(conn: &Connection, ids: &str) -> CampaignResult<(HashSet<i64>, HashSet<i64>)> {
    let (mut customers, mut invoices) = (HashSet::new(), HashSet::new());
    for (customer, invoice) in pairs::<Option<i64>>(
        conn,
        "SELECT customer_id, invoice_id FROM disputes
         WHERE resolved_at IS NULL AND customer_id IN (SELECT value FROM json_each(?1))",
        ids,
    )? {
        match invoice {
            Some(i) => invoices.insert(i),
            None => customers.insert(customer),
        };
    }
    Ok((customers, invoices))
}

/// Customers with a pending promise for part of the balance, and invoices with one (kept and
/// broken promises stop nothing); and customers whose latest promise is broken (most urgent).
fn pending_promises(
    conn: &Connection,
    ids: &str,
    today: NaiveDate,
) -> CampaignResult<(HashSet<i64>, HashSet<i64>, HashSet<i64>)> {
    let (mut customers, mut invoices) = (HashSet::new(), HashSet::new());
    let mut latest: HashMap<i64, (NaiveDate, i64, bool)> = HashMap::new();
    for p in promises::of_customers(conn, ids, today)? {
        let this = (p.promised_date, p.id, p.status == PromiseStatus::Broken);
        let entry = latest.entry(p.customer_id).or_insert(this);
        *entry = (*entry).max(this);
        if p.status == PromiseStatus::Pending {
            match p.invoice_id {
                Some(i) => invoices.insert(i),
                None => customers.insert(p.customer_id),
            };
        }
    }
    let broken = latest
        .into_iter()
        .filter_map(|(customer, (_, _, broken))| broken.then_some(customer))
        .collect();
    Ok((customers, invoices, broken))
}

/// Customers the campaign emailed on `today`: what counts against its daily cap.
pub(super) fn emailed_on(
    conn: &Connection,
    campaign_id: i64,
    today: NaiveDate,
) -> CampaignResult<i64> {
    Ok(conn.query_row(
        "SELECT count(DISTINCT customer_id) FROM invoice_reminders
         WHERE campaign_id = ?1 AND sent_on = ?2 AND channel = 'email'",
        params![campaign_id, today.to_string()],
        |r| r.get(0),
    )?)
}

fn open_invoices(conn: &Connection, ids: &str) -> CampaignResult<HashMap<i64, Vec<OpenInvoice>>> {
    let mut invoices: HashMap<i64, Vec<OpenInvoice>> = HashMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, customer_id, number, due_date FROM invoices {OPEN_INVOICES}
           AND customer_id IN (SELECT value FROM json_each(?1))
         ORDER BY customer_id, due_date, number"
    ))?;
    let mut rows = stmt.query([ids])?;
    while let Some(row) = rows.next()? {
        if let Some(due) = date_of(row.get_ref(3)?.as_str().unwrap_or("")) {
            invoices.entry(row.get(1)?).or_default().push(OpenInvoice {
                id: row.get(0)?,
                number: row.get(2)?,
                due,
            });
        }
    }
    Ok(invoices)
}

/// Open balance per currency.
fn balances(conn: &Connection, ids: &str) -> CampaignResult<HashMap<i64, Vec<(String, i64)>>> {
    let mut by: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, currency, open_minor FROM customer_balances
         WHERE customer_id IN (SELECT value FROM json_each(?1))",
    )?;
    let mut rows = stmt.query([ids])?;
    while let Some(row) = rows.next()? {
        by.entry(row.get(0)?)
            .or_default()
            .push((row.get(1)?, row.get(2)?));
    }
    Ok(by)
}

fn customer_rows(conn: &Connection, ids: &str) -> CampaignResult<BTreeMap<i64, CustomerRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, segment, do_not_contact, oldest_open_due, custom_fields,
                credit_limit_currency, credit_limit_minor
         FROM customers WHERE id IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = stmt.query_map([ids], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            CustomerRow {
                name: r.get(1)?,
                segment: r.get(2)?,
                do_not_contact: r.get(3)?,
                oldest_open_due: r.get::<_, Option<String>>(4)?.and_then(|d| date_of(&d)),
                custom_fields: r.get(5)?,
                credit_limit: match (r.get(6)?, r.get(7)?) {
                    (Some(currency), Some(minor)) => Some((currency, minor)),
                    _ => None,
                },
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Per invoice of the customers `ids`, the templates sent outside this campaign (by hand or by
/// another campaign), with the latest date: they count as the step with the same template. A
/// one-step customer's level counts every open invoice, so this reads by customer (through the
/// messages' index by customer: far fewer lookups than by invoice).
fn sent_outside(conn: &Connection, campaign_id: i64, ids: &str) -> CampaignResult<SentByHand> {
    let own_prefix = format!("campaign:{campaign_id}:%");
    let mut stmt = conn.prepare_cached(
        "SELECT mi.invoice_id, m.template_key, max(coalesce(m.sent_at, m.created_at))
         FROM messages m
         JOIN message_invoices mi ON mi.message_id = m.id
         WHERE m.customer_id IN (SELECT value FROM json_each(?1))
           AND m.direction = 'out' AND m.state != 'failed' AND m.template_key IS NOT NULL
           AND (m.send_key IS NULL OR m.send_key NOT LIKE ?2)
         GROUP BY mi.invoice_id, m.template_key",
    )?;
    let mut sent: HashMap<i64, Vec<(String, NaiveDate)>> = HashMap::new();
    let mut rows = stmt.query(params![ids, own_prefix])?;
    while let Some(row) = rows.next()? {
        // A message without a readable date still counts as sent; it reads as the oldest.
        let on = date_of(row.get_ref(2)?.as_str().unwrap_or("")).unwrap_or(NaiveDate::MIN);
        sent.entry(row.get(0)?).or_default().push((row.get(1)?, on));
    }
    Ok(SentByHand(sent))
}

/// For the customers `ids`, each open invoice's most advanced due-date step from this campaign
/// and its date, read through the reminders' index by customer (`+campaign_id`: SQLite cannot
/// tell how few ids there are and otherwise reads every reminder of the campaign).
fn step_sent(
    conn: &Connection,
    campaign_id: i64,
    ids: &str,
    invoices: &HashMap<i64, Vec<OpenInvoice>>,
) -> CampaignResult<HashMap<i64, (i64, NaiveDate)>> {
    let open: HashSet<i64> = invoices.values().flatten().map(|i| i.id).collect();
    let mut sent: HashMap<i64, (i64, NaiveDate)> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT invoice_id, step_position, sent_on FROM invoice_reminders
         WHERE customer_id IN (SELECT value FROM json_each(?1))
           AND +campaign_id = ?2 AND period = ''",
    )?;
    let mut rows = stmt.query(params![ids, campaign_id])?;
    while let Some(row) = rows.next()? {
        let invoice: i64 = row.get(0)?;
        if !open.contains(&invoice) {
            continue;
        }
        let step = (
            row.get(1)?,
            date_of(row.get_ref(2)?.as_str().unwrap_or("")).unwrap_or(NaiveDate::MIN),
        );
        let best = sent.entry(invoice).or_insert(step);
        *best = (*best).max(step);
    }
    Ok(sent)
}

/// Last contact: the latest campaign date of any campaign's reminder, or the latest email not
/// from a campaign (campaign emails are dated by their campaign date instead).
fn last_contact(
    conn: &Connection,
    ids: &str,
    today: NaiveDate,
) -> CampaignResult<HashMap<i64, NaiveDate>> {
    let mut last: HashMap<i64, NaiveDate> = HashMap::new();
    let reminded = pairs::<String>(
        conn,
        "SELECT customer_id, max(sent_on) FROM invoice_reminders
         WHERE customer_id IN (SELECT value FROM json_each(?1)) GROUP BY customer_id",
        ids,
    )?;
    let emailed = pairs::<String>(
        conn,
        "SELECT customer_id, max(coalesce(sent_at, created_at)) FROM messages
         WHERE customer_id IN (SELECT value FROM json_each(?1))
           AND direction = 'out' AND state != 'failed'
           AND (send_key IS NULL OR send_key NOT LIKE 'campaign:%')
         GROUP BY customer_id",
        ids,
    )?;
    let emailed = emailed
        .into_iter()
        .filter_map(|(c, d)| Some((c, date_of(&d).filter(|d| *d <= today)?)));
    let reminded = reminded
        .into_iter()
        .filter_map(|(c, d)| Some((c, date_of(&d)?)));
    for (customer, date) in reminded.chain(emailed) {
        let latest = last.entry(customer).or_insert(date);
        *latest = (*latest).max(date);
    }
    Ok(last)
}

/// Rows of (customer, value) from `sql`, whose ?1 is a JSON array of ids.
fn pairs<V: rusqlite::types::FromSql>(
    conn: &Connection,
    sql: &str,
    ids: &str,
) -> CampaignResult<Vec<(i64, V)>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([ids], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The first column of `sql`'s rows (customer ids), whose ?1 is a JSON array of ids.
fn customer_set(conn: &Connection, sql: &str, ids: &str) -> CampaignResult<HashSet<i64>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([ids], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn grouped(
    conn: &Connection,
    sql: &str,
    ids: &str,
) -> CampaignResult<HashMap<i64, HashSet<String>>> {
    let mut by: HashMap<i64, HashSet<String>> = HashMap::new();
    for (customer, value) in pairs::<String>(conn, sql, ids)? {
        by.entry(customer).or_default().insert(value);
    }
    Ok(by)
}

/// Customers whose invoices paid in full were, on average, paid at least `min_days` days after
/// their due date (early payments count as 0), over at least [`USUALLY_LATE_MIN_PAID`] invoices.
/// An invoice's payment date is its last payment's.
pub fn late_payers(conn: &Connection, min_days: i64) -> CampaignResult<HashSet<i64>> {
    let mut stmt = conn.prepare(
        "SELECT i.customer_id FROM invoices i
         JOIN (SELECT invoice_id, max(paid_on) AS paid_on FROM payments GROUP BY invoice_id) p
           ON p.invoice_id = i.id
         WHERE i.status = 'paid' AND i.kind = 'invoice'
         GROUP BY i.customer_id
         HAVING count(*) >= ?1
            AND avg(max(julianday(substr(p.paid_on, 1, 10)) - julianday(i.due_date), 0)) >= ?2",
    )?;
    let ids = stmt
        .query_map(params![USUALLY_LATE_MIN_PAID, min_days], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}
