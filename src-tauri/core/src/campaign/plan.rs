//! Who a campaign contacts on one date, with what, and why everyone else is left out.
//!
//! Rules (DESIGN.md "Campaigns"): each open invoice is at the most advanced step whose date it
//! has reached; a step an invoice already received (by this campaign, or the same template sent
//! by hand) is never repeated, nor is one before the most advanced due-date step it received
//! (so an edited campaign never goes back, see [`super::update`]); a step missed while the
//! machine was off is skipped in favour of the most advanced one reached (catch-up sends once).
//! A customer gets at most one message per run, at the most advanced step of any of their
//! invoices, listing all their open invoices; nobody is contacted twice within the minimum gap.
//! Invoices stop when paid, disputed or promised (until the promise breaks); customers stop
//! when marked do-not-contact, when they replied, or when a note says "stop". Quiet days plan
//! nothing; the daily cap holds back the least advanced messages. Customers without an email
//! get a call task instead.
//!
//! Audience rules (all optional, all must hold): segment, tags, currency, open balance range,
//! days overdue range, payment history ("usually late", see [`super::UsuallyLate`]) and
//! custom-field conditions (equals / contains). Do-not-contact customers are always excluded.
//! A/B steps give each customer a fixed variant ([`super::Step::variant_for`]).
//!
//! The plan also warns, without blocking, when the newest import or invoice change is older
//! than the "stale after" setting ([`stale_warning`]): balances may be out of date.

use super::{get, Audience, Campaign, CampaignError, CampaignResult, Channel, Trigger, Variant};
use super::{FieldCondition, USUALLY_LATE_MIN_PAID};
use crate::model::PromiseStatus;
use crate::{promises, settings};
use chrono::{Datelike, NaiveDate, Weekday};
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub campaign_id: i64,
    pub date: NaiveDate,
    /// Set on a weekend or holiday: nothing is planned and this says why.
    pub quiet_day: Option<String>,
    /// One entry per customer contacted, most advanced step first.
    pub contacts: Vec<PlannedContact>,
    pub excluded: Vec<Excluded>,
    pub counts: Vec<StepCount>,
    /// Set when the newest import or invoice change is older than the "stale after" setting:
    /// balances may be out of date. A warning only; the plan is made all the same.
    pub stale_data: Option<String>,
}

impl Plan {
    pub fn emails(&self) -> impl Iterator<Item = &PlannedContact> {
        self.contacts.iter().filter(|c| c.channel == Channel::Email)
    }
    pub fn calls(&self) -> impl Iterator<Item = &PlannedContact> {
        self.contacts.iter().filter(|c| c.channel == Channel::Call)
    }
}

/// An invoice a contact moves on, at its own step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedInvoice {
    pub invoice_id: i64,
    pub number: String,
    pub step_position: i64,
    /// '' for due-date steps, 'YYYY-MM' for day-of-month steps.
    pub period: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedContact {
    pub customer_id: i64,
    pub customer_name: String,
    pub step_position: i64,
    /// The template sent: the step's, or on an A/B step the customer's variant's.
    pub template_key: String,
    /// On an A/B step, which of the two templates this customer gets.
    pub variant: Option<Variant>,
    /// Email, or a call task (a call step, or an email step for a customer without email).
    pub channel: Channel,
    /// The email step fell back to a call task because the customer has no usable address.
    pub no_email: bool,
    /// Invoices whose reminder state this contact advances.
    pub invoices: Vec<PlannedInvoice>,
    /// Every open invoice of the customer (what the message lists).
    pub open_invoice_ids: Vec<i64>,
    pub send_key: String,
    pub why: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    Paid,
    Disputed,
    PromisePending,
    DoNotContact,
    Replied,
    StopNote,
    ContactedWithinGap,
    QuietDay,
    OverDailyCap,
}

impl ExclusionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ExclusionReason::Paid => "paid",
            ExclusionReason::Disputed => "disputed",
            ExclusionReason::PromisePending => "pending promise",
            ExclusionReason::DoNotContact => "do not contact",
            ExclusionReason::Replied => "replied",
            ExclusionReason::StopNote => "note says stop",
            ExclusionReason::ContactedWithinGap => "contacted within the gap",
            ExclusionReason::QuietDay => "quiet day",
            ExclusionReason::OverDailyCap => "over the daily cap",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    pub customer_id: i64,
    pub customer_name: String,
    pub reason: ExclusionReason,
    /// The step the customer would have received, when one was due.
    pub step_position: Option<i64>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepCount {
    pub position: i64,
    pub template_key: String,
    pub emails: usize,
    pub calls: usize,
    pub excluded: usize,
}

/// The send key of a campaign message: unique per campaign, step, customer and date, so a
/// rerun after a crash finds the message already queued instead of sending it again.
pub fn send_key(campaign_id: i64, position: i64, customer_id: i64, date: NaiveDate) -> String {
    format!("campaign:{campaign_id}:step:{position}:customer:{customer_id}:{date}")
}

/// Why `date` is a quiet day for the campaign, if it is.
pub fn quiet_day(campaign: &Campaign, date: NaiveDate) -> Option<String> {
    if campaign.quiet_weekends && matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        return Some(format!("{date} is a weekend"));
    }
    if campaign.holidays.contains(&date) {
        return Some(format!("{date} is on the holiday list"));
    }
    None
}

fn last_day_of_month(year: i32, month: u32) -> u32 {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .map_or(28, |d| d.day())
}

/// The most recent day D of a month on or before `today` (D clamped to the month's length).
pub(crate) fn month_occurrence(day: u32, today: NaiveDate) -> NaiveDate {
    let this = day.min(last_day_of_month(today.year(), today.month()));
    if today.day() >= this {
        return today.with_day(this).unwrap_or(today);
    }
    let (y, m) = if today.month() == 1 {
        (today.year() - 1, 12)
    } else {
        (today.year(), today.month() - 1)
    };
    let d = day.min(last_day_of_month(y, m));
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(today)
}

/// The period a step has reached for an invoice due on `due`, or None when not yet.
pub(crate) fn reached(trigger: Trigger, due: NaiveDate, today: NaiveDate) -> Option<String> {
    match trigger {
        Trigger::DueOffset(n) => {
            let on = due + chrono::Duration::days(n);
            (today >= on).then(String::new)
        }
        Trigger::DayOfMonth(d) => Some(month_occurrence(d, today).format("%Y-%m").to_string()),
    }
}

/// The most advanced step `campaign` has reached for an invoice, with its period.
pub(crate) fn target_step(
    campaign: &Campaign,
    due: NaiveDate,
    today: NaiveDate,
) -> Option<(i64, String)> {
    campaign
        .steps
        .iter()
        .rev()
        .find_map(|s| reached(s.trigger, due, today).map(|p| (s.position, p)))
}

struct OpenInvoice {
    id: i64,
    number: String,
    due: NaiveDate,
}

struct CustomerRow {
    name: String,
    segment: Option<String>,
    do_not_contact: bool,
    oldest_open_due: Option<NaiveDate>,
    /// The JSON object as stored; parsed only when the audience has field conditions.
    custom_fields: String,
}

fn fields_match(conditions: &[FieldCondition], json: &str) -> bool {
    if conditions.is_empty() {
        return true;
    }
    // A malformed object (hand-edited file) has no fields, so it matches no condition.
    let fields: BTreeMap<String, String> = serde_json::from_str(json).unwrap_or_default();
    conditions.iter().all(|c| c.matches(&fields))
}

fn in_audience(
    a: &Audience,
    c: &CustomerRow,
    tags: &HashSet<String>,
    balances: &[(String, i64)],
    late_payer: bool,
    today: NaiveDate,
) -> bool {
    if (a.usually_late.is_some() && !late_payer)
        || !fields_match(&a.custom_fields, &c.custom_fields)
    {
        return false;
    }
    if let Some(seg) = &a.segment {
        if c.segment.as_deref().map(str::trim) != Some(seg.trim()) {
            return false;
        }
    }
    if !a.tags.iter().all(|t| tags.contains(t)) {
        return false;
    }
    let balance: i64 = match &a.currency {
        Some(cur) => {
            let mut found = None;
            for (c, b) in balances {
                if c.eq_ignore_ascii_case(cur) {
                    found = Some(*b);
                }
            }
            match found {
                Some(b) => b,
                None => return false,
            }
        }
        None => balances.iter().map(|(_, b)| *b).sum(),
    };
    if a.min_balance_minor.is_some_and(|m| balance < m)
        || a.max_balance_minor.is_some_and(|m| balance > m)
    {
        return false;
    }
    if a.min_days_overdue.is_some() || a.max_days_overdue.is_some() {
        let days = c
            .oldest_open_due
            .map_or(i64::MIN, |d| (today - d).num_days());
        if a.min_days_overdue.is_some_and(|m| days < m)
            || a.max_days_overdue.is_some_and(|m| days > m)
        {
            return false;
        }
    }
    true
}

/// Everything the rules need, read in a few queries.
struct Facts {
    customers: BTreeMap<i64, CustomerRow>,
    invoices: HashMap<i64, Vec<OpenInvoice>>,
    tags: HashMap<i64, HashSet<String>>,
    balances: HashMap<i64, Vec<(String, i64)>>,
    /// (invoice, step position, period) already received from this campaign.
    received: HashSet<(i64, i64, String)>,
    /// Per invoice, the most advanced due-date step received from this campaign: every step up
    /// to it counts as received, so an edited campaign never sends a step again or goes back.
    furthest_due_step: HashMap<i64, i64>,
    /// (invoice, template) sent outside this campaign (by hand or by another campaign).
    manual: HashSet<(i64, String)>,
    /// Last date each customer was contacted (any campaign or by hand).
    last_contact: HashMap<i64, NaiveDate>,
    /// Customers with an open dispute not tied to one invoice; invoices with one.
    disputed_customers: HashSet<i64>,
    disputed_invoices: HashSet<i64>,
    promised_customers: HashSet<i64>,
    promised_invoices: HashSet<i64>,
    replied: HashSet<i64>,
    stop_notes: HashSet<i64>,
    has_email: HashSet<i64>,
    /// Customers whose invoices this campaign reminded and that are now paid.
    paid_since_reminder: HashSet<i64>,
    /// Customers who usually pay late, when the audience asks for them (else empty).
    late_payers: HashSet<i64>,
    emails_today: i64,
}

fn date_of(text: &str) -> Option<NaiveDate> {
    text.get(..10).and_then(|d| d.parse().ok())
}

fn load(conn: &Connection, campaign: &Campaign, today: NaiveDate) -> CampaignResult<Facts> {
    let cid = campaign.id;
    let mut customers = BTreeMap::new();
    let mut stmt = conn.prepare(
        "SELECT id, name, segment, do_not_contact, oldest_open_due, custom_fields FROM customers
         WHERE oldest_open_due IS NOT NULL OR id IN (SELECT customer_id FROM invoice_reminders WHERE campaign_id = ?1)",
    )?;
    let rows = stmt.query_map([cid], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            CustomerRow {
                name: r.get(1)?,
                segment: r.get(2)?,
                do_not_contact: r.get(3)?,
                oldest_open_due: r.get::<_, Option<String>>(4)?.and_then(|d| date_of(&d)),
                custom_fields: r.get(5)?,
            },
        ))
    })?;
    for row in rows {
        let (id, c) = row?;
        customers.insert(id, c);
    }

    let mut invoices: HashMap<i64, Vec<OpenInvoice>> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT id, customer_id, number, due_date FROM invoices
         WHERE status = 'open' AND kind = 'invoice' AND total_minor > paid_minor
         ORDER BY customer_id, due_date, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (id, customer, number, due) = row?;
        if let Some(due) = date_of(&due) {
            invoices
                .entry(customer)
                .or_default()
                .push(OpenInvoice { id, number, due });
        }
    }

    let mut tags: HashMap<i64, HashSet<String>> = HashMap::new();
    if !campaign.audience.tags.is_empty() {
        let mut stmt = conn.prepare("SELECT customer_id, tag FROM customer_tags")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
            let (c, t) = row?;
            tags.entry(c).or_default().insert(t);
        }
    }
    let mut balances: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
    let mut stmt =
        conn.prepare("SELECT customer_id, currency, open_minor FROM customer_balances")?;
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (c, cur, b) = row?;
        balances.entry(c).or_default().push((cur, b));
    }

    let mut received = HashSet::new();
    let mut furthest_due_step: HashMap<i64, i64> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT invoice_id, step_position, period FROM invoice_reminders WHERE campaign_id = ?1",
    )?;
    for row in stmt.query_map([cid], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (invoice, position, period) = row?;
        if period.is_empty() {
            let furthest = furthest_due_step.entry(invoice).or_insert(position);
            *furthest = (*furthest).max(position);
        }
        received.insert((invoice, position, period));
    }

    // Messages outside this campaign count as the step with the same template.
    let own_prefix = format!("campaign:{cid}:%");
    let mut manual = HashSet::new();
    let mut stmt = conn.prepare(
        "SELECT mi.invoice_id, m.template_key FROM messages m
         JOIN message_invoices mi ON mi.message_id = m.id
         WHERE m.direction = 'out' AND m.state != 'failed' AND m.template_key IS NOT NULL
           AND (m.send_key IS NULL OR m.send_key NOT LIKE ?1)",
    )?;
    for row in stmt.query_map([&own_prefix], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })? {
        manual.insert(row?);
    }

    let mut last_contact: HashMap<i64, NaiveDate> = HashMap::new();
    let mut bump = |c: i64, d: NaiveDate| {
        let e = last_contact.entry(c).or_insert(d);
        if d > *e {
            *e = d;
        }
    };
    let mut stmt = conn
        .prepare("SELECT customer_id, max(sent_on) FROM invoice_reminders GROUP BY customer_id")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (c, d) = row?;
        if let Some(d) = date_of(&d) {
            bump(c, d);
        }
    }
    // Messages not from a campaign (campaign ones are dated by their campaign date above).
    let mut stmt = conn.prepare(
        "SELECT customer_id, max(coalesce(sent_at, created_at)) FROM messages
         WHERE direction = 'out' AND state != 'failed' AND customer_id IS NOT NULL
           AND (send_key IS NULL OR send_key NOT LIKE 'campaign:%')
         GROUP BY customer_id",
    )?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (c, d) = row?;
        if let Some(d) = date_of(&d).filter(|d| *d <= today) {
            bump(c, d);
        }
    }

    let mut disputed_customers = HashSet::new();
    let mut disputed_invoices = HashSet::new();
    let mut stmt =
        conn.prepare("SELECT customer_id, invoice_id FROM disputes WHERE resolved_at IS NULL")?;
    for row in stmt.query_map([], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
    })? {
        match row? {
            (_, Some(i)) => disputed_invoices.insert(i),
            (c, None) => disputed_customers.insert(c),
        };
    }

    let mut promised_customers = HashSet::new();
    let mut promised_invoices = HashSet::new();
    let with_pending: HashSet<i64> = promises::customers_with(conn, PromiseStatus::Pending, today)?
        .into_iter()
        .collect();
    for c in with_pending {
        for p in promises::for_customer(conn, c, today)? {
            if p.status == PromiseStatus::Pending {
                match p.invoice_id {
                    Some(i) => promised_invoices.insert(i),
                    None => promised_customers.insert(c),
                };
            }
        }
    }

    let mut replied = HashSet::new();
    let mut stmt = conn.prepare(
        "SELECT DISTINCT i.customer_id FROM messages i
         WHERE i.direction = 'in' AND i.customer_id IS NOT NULL
           AND i.created_at > coalesce((SELECT max(o.created_at) FROM messages o
                                        WHERE o.direction = 'out' AND o.customer_id = i.customer_id), '')",
    )?;
    for row in stmt.query_map([], |r| r.get::<_, i64>(0))? {
        replied.insert(row?);
    }

    let mut stop_notes = HashSet::new();
    let mut stmt = conn.prepare(
        "SELECT DISTINCT customer_id FROM notes
         WHERE lower(trim(body)) = 'stop' OR lower(trim(body)) LIKE 'stop:%' OR lower(trim(body)) LIKE 'stop %'",
    )?;
    for row in stmt.query_map([], |r| r.get::<_, i64>(0))? {
        stop_notes.insert(row?);
    }

    let mut has_email = HashSet::new();
    let mut stmt = conn.prepare(
        "SELECT DISTINCT customer_id FROM contacts
         WHERE email IS NOT NULL AND trim(email) != '' AND email_bad = 0",
    )?;
    for row in stmt.query_map([], |r| r.get::<_, i64>(0))? {
        has_email.insert(row?);
    }

    let since = (today - chrono::Duration::days(90)).to_string();
    let mut paid_since_reminder = HashSet::new();
    let mut stmt = conn.prepare(
        "SELECT DISTINCT r.customer_id FROM invoice_reminders r JOIN invoices i ON i.id = r.invoice_id
         WHERE r.campaign_id = ?1 AND r.sent_on >= ?2 AND i.status = 'paid'",
    )?;
    for row in stmt.query_map(params![cid, since], |r| r.get::<_, i64>(0))? {
        paid_since_reminder.insert(row?);
    }

    let late_payers = match campaign.audience.usually_late {
        Some(rule) => late_payers(conn, rule.min_average_days_late)?,
        None => HashSet::new(),
    };

    let emails_today: i64 = conn.query_row(
        "SELECT count(DISTINCT customer_id) FROM invoice_reminders
         WHERE campaign_id = ?1 AND sent_on = ?2 AND channel = 'email'",
        params![cid, today.to_string()],
        |r| r.get(0),
    )?;

    Ok(Facts {
        customers,
        invoices,
        tags,
        balances,
        received,
        furthest_due_step,
        manual,
        last_contact,
        disputed_customers,
        disputed_invoices,
        promised_customers,
        promised_invoices,
        replied,
        stop_notes,
        has_email,
        paid_since_reminder,
        late_payers,
        emails_today,
    })
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

/// Setting: days after the newest import or invoice change when plans warn that balances may
/// be out of date.
pub const STALE_AFTER_DAYS_SETTING: &str = "campaign_stale_after_days";
pub const DEFAULT_STALE_AFTER_DAYS: i64 = 7;

/// The "stale after" setting; an unreadable value counts as the default.
pub fn stale_after_days(conn: &Connection) -> CampaignResult<i64> {
    Ok(settings::get(conn, STALE_AFTER_DAYS_SETTING)?
        .and_then(|v| v.trim().parse().ok())
        .filter(|d: &i64| *d >= 1)
        .unwrap_or(DEFAULT_STALE_AFTER_DAYS))
}

pub fn set_stale_after_days(conn: &Connection, days: i64) -> CampaignResult<()> {
    if days < 1 {
        return Err(CampaignError::Invalid(
            "balances can be called out of date after 1 day at the earliest".into(),
        ));
    }
    settings::set(conn, STALE_AFTER_DAYS_SETTING, &days.to_string())?;
    Ok(())
}

/// A warning when the newest import (or invoice change) is older than the setting on `today`;
/// None when the data is fresh or there is none.
pub fn stale_warning(conn: &Connection, today: NaiveDate) -> CampaignResult<Option<String>> {
    let newest: Option<String> = conn.query_row(
        "SELECT max(coalesce((SELECT max(imported_at) FROM imports), ''),
                    coalesce((SELECT max(updated_at) FROM invoices), ''))",
        [],
        |r| r.get(0),
    )?;
    let Some(newest) = newest.as_deref().and_then(date_of) else {
        return Ok(None);
    };
    let limit = stale_after_days(conn)?;
    let age = (today - newest).num_days();
    Ok((age > limit).then(|| {
        format!(
            "the newest import or invoice change is from {newest} ({age} days ago, more than {limit}): \
             balances may be out of date; import again before sending"
        )
    }))
}

/// Plans campaign `campaign_id` for `today`. Reads only.
pub fn plan(conn: &Connection, campaign_id: i64, today: NaiveDate) -> CampaignResult<Plan> {
    let campaign = get(conn, campaign_id)?;
    plan_campaign(conn, &campaign, today)
}

pub fn plan_campaign(
    conn: &Connection,
    campaign: &Campaign,
    today: NaiveDate,
) -> CampaignResult<Plan> {
    let facts = load(conn, campaign, today)?;
    let empty_tags = HashSet::new();
    let mut contacts = Vec::new();
    let mut excluded = Vec::new();
    for (&customer_id, c) in &facts.customers {
        let tags = facts.tags.get(&customer_id).unwrap_or(&empty_tags);
        let balances = facts
            .balances
            .get(&customer_id)
            .map_or(&[][..], Vec::as_slice);
        let open = facts
            .invoices
            .get(&customer_id)
            .map_or(&[][..], Vec::as_slice);
        let exclude = |reason: ExclusionReason, step: Option<i64>, detail: String| Excluded {
            customer_id,
            customer_name: c.name.clone(),
            reason,
            step_position: step,
            detail,
        };
        if open.is_empty() {
            if facts.paid_since_reminder.contains(&customer_id) {
                excluded.push(exclude(
                    ExclusionReason::Paid,
                    None,
                    "every reminded invoice is paid".into(),
                ));
            }
            continue;
        }
        let late_payer = facts.late_payers.contains(&customer_id);
        if !in_audience(&campaign.audience, c, tags, balances, late_payer, today) {
            continue;
        }
        // Each invoice's most advanced reached step; the ones not received yet are due.
        let mut due_invoices = Vec::new();
        let mut top_reached: Option<i64> = None;
        let mut stopped: Option<(ExclusionReason, String)> = None;
        for inv in open {
            let Some((position, period)) = target_step(campaign, inv.due, today) else {
                continue;
            };
            let Some(step) = campaign.step(position) else {
                continue;
            };
            let received = facts.received.contains(&(inv.id, position, period.clone()))
                || (period.is_empty()
                    && (facts.furthest_due_step.get(&inv.id) >= Some(&position)
                        || facts.manual.contains(&(inv.id, step.template_key.clone()))));
            let invoice_stopped = facts.disputed_invoices.contains(&inv.id)
                || facts.promised_invoices.contains(&inv.id);
            if !invoice_stopped {
                top_reached = top_reached.max(Some(position));
            }
            if received {
                continue;
            }
            if facts.disputed_invoices.contains(&inv.id) {
                stopped.get_or_insert((
                    ExclusionReason::Disputed,
                    format!("invoice {} is disputed", inv.number),
                ));
                continue;
            }
            if facts.promised_invoices.contains(&inv.id) {
                stopped.get_or_insert((
                    ExclusionReason::PromisePending,
                    format!("a payment is promised for invoice {}", inv.number),
                ));
                continue;
            }
            due_invoices.push(PlannedInvoice {
                invoice_id: inv.id,
                number: inv.number.clone(),
                step_position: position,
                period,
            });
        }
        // The message's tone: the most advanced step any (unstopped) open invoice has reached,
        // received or not; sent only when some invoice has a step not received yet.
        let top = if due_invoices.is_empty() {
            None
        } else {
            top_reached
        };
        if top.is_none() && stopped.is_none() {
            continue; // nothing due
        }
        let customer_stop = if c.do_not_contact {
            Some((
                ExclusionReason::DoNotContact,
                "marked do not contact".to_string(),
            ))
        } else if facts.stop_notes.contains(&customer_id) {
            Some((ExclusionReason::StopNote, "a note says stop".to_string()))
        } else if facts.replied.contains(&customer_id) {
            Some((
                ExclusionReason::Replied,
                "replied after the last email; answer them first".to_string(),
            ))
        } else if facts.disputed_customers.contains(&customer_id) {
            Some((
                ExclusionReason::Disputed,
                "the account is disputed".to_string(),
            ))
        } else if facts.promised_customers.contains(&customer_id) {
            Some((
                ExclusionReason::PromisePending,
                "a payment is promised".to_string(),
            ))
        } else {
            None
        };
        if let Some((reason, detail)) = customer_stop {
            excluded.push(exclude(reason, top, detail));
            continue;
        }
        let Some(top) = top else {
            if let Some((reason, detail)) = stopped {
                excluded.push(exclude(reason, None, detail));
            }
            continue;
        };
        if let Some(last) = facts.last_contact.get(&customer_id) {
            let days = (today - *last).num_days();
            if days < campaign.min_gap_days {
                excluded.push(exclude(
                    ExclusionReason::ContactedWithinGap,
                    Some(top),
                    format!(
                        "last contacted {last} ({days} days ago; the gap is {} days)",
                        campaign.min_gap_days
                    ),
                ));
                continue;
            }
        }
        let Some(step) = campaign.step(top) else {
            continue;
        };
        let (variant, template) = step.variant_for(campaign.id, customer_id);
        let no_email = step.channel == Channel::Email && !facts.has_email.contains(&customer_id);
        let channel = if no_email {
            Channel::Call
        } else {
            step.channel
        };
        let moving = due_invoices
            .iter()
            .map(|i| format!("{} to step {}", i.number, i.step_position))
            .collect::<Vec<_>>()
            .join(", ");
        let mut why = format!(
            "{moving}; tone of step {top} ({template}), the most advanced reached; lists {} open invoice(s)",
            open.len()
        );
        if let Some(v) = variant {
            why.push_str(&format!("; A/B variant {}", v.as_str().to_uppercase()));
        }
        if no_email {
            why.push_str("; no usable email address, so a call task instead");
        }
        contacts.push(PlannedContact {
            customer_id,
            customer_name: c.name.clone(),
            step_position: top,
            template_key: template.to_string(),
            variant,
            channel,
            no_email,
            invoices: due_invoices,
            open_invoice_ids: open.iter().map(|i| i.id).collect(),
            send_key: send_key(campaign.id, top, customer_id, today),
            why,
        });
    }

    // Most advanced first, then oldest debt: what the cap keeps.
    let oldest = |id: i64| {
        facts
            .customers
            .get(&id)
            .and_then(|c| c.oldest_open_due)
            .unwrap_or(NaiveDate::MAX)
    };
    contacts.sort_by(|a, b| {
        b.step_position
            .cmp(&a.step_position)
            .then(oldest(a.customer_id).cmp(&oldest(b.customer_id)))
            .then(a.customer_id.cmp(&b.customer_id))
    });

    let quiet = quiet_day(campaign, today);
    let mut kept = Vec::with_capacity(contacts.len());
    let mut room = campaign
        .daily_cap
        .map(|cap| (cap - facts.emails_today).max(0));
    for contact in contacts {
        let held = |reason, detail| Excluded {
            customer_id: contact.customer_id,
            customer_name: contact.customer_name.clone(),
            reason,
            step_position: Some(contact.step_position),
            detail,
        };
        if let Some(q) = &quiet {
            excluded.push(held(ExclusionReason::QuietDay, q.clone()));
            continue;
        }
        if contact.channel == Channel::Email {
            if let Some(r) = room.as_mut() {
                if *r == 0 {
                    excluded.push(held(
                        ExclusionReason::OverDailyCap,
                        format!(
                            "the daily cap of {} emails is reached; planned again tomorrow",
                            campaign.daily_cap.unwrap_or(0)
                        ),
                    ));
                    continue;
                }
                *r -= 1;
            }
        }
        kept.push(contact);
    }

    let counts = campaign
        .steps
        .iter()
        .map(|s| StepCount {
            position: s.position,
            template_key: s.template_key.clone(),
            emails: kept
                .iter()
                .filter(|c| c.step_position == s.position && c.channel == Channel::Email)
                .count(),
            calls: kept
                .iter()
                .filter(|c| c.step_position == s.position && c.channel == Channel::Call)
                .count(),
            excluded: excluded
                .iter()
                .filter(|e| e.step_position == Some(s.position))
                .count(),
        })
        .collect();
    Ok(Plan {
        campaign_id: campaign.id,
        date: today,
        quiet_day: quiet,
        contacts: kept,
        excluded,
        counts,
        stale_data: stale_warning(conn, today)?,
    })
}
