//! Pass 1 (see the module note of [`super`]): which customers have an open invoice at a step
//! it has not received, from every open invoice's due date and the campaign's reminder state.

use super::*;

/// The steps each invoice received from the campaign.
#[derive(Default)]
pub(in crate::campaign) struct Received {
    by_invoice: ByInvoice,
    /// (invoice, step) of day-of-month steps received in the step's current period.
    this_period: HashSet<(i64, i64)>,
    /// (customer, step) of event steps received for the event's current occurrence: once
    /// per customer, whatever invoices were added since.
    this_occurrence: HashSet<(i64, i64)>,
}

#[derive(Clone, Copy)]
struct InvoiceReminders {
    /// The most advanced due-date step received (`NONE` if none): every step up to it counts
    /// as received, so an edited campaign never sends a step again or goes back.
    furthest_due_step: i64,
    /// Reminded since the "paid since a reminder" horizon.
    recent: bool,
    /// Still open (set by pass 1).
    open: bool,
    /// Reminded by this campaign within its gap (on any step): its customer waits for the gap.
    within_gap: bool,
}

impl InvoiceReminders {
    const NONE: InvoiceReminders = InvoiceReminders {
        furthest_due_step: i64::MIN,
        recent: false,
        open: false,
        within_gap: false,
    };
}

/// Reminder state addressed by invoice id. Invoice ids are SQLite rowids handed out in
/// sequence, so a vector indexed by id stays compact and pass 1 reads it almost in order; a
/// hash map of a few hundred thousand entries missed the CPU caches on every lookup. An id far
/// beyond the invoices there are (a hand-edited file) goes to a map instead.
#[derive(Default)]
struct ByInvoice {
    dense: Vec<InvoiceReminders>,
    sparse: HashMap<i64, InvoiceReminders>,
}

/// Ids up to this many are kept in the vector (16 bytes each).
const DENSE_IDS: i64 = 16_000_000;

impl ByInvoice {
    fn get(&self, id: i64) -> InvoiceReminders {
        match usize::try_from(id) {
            Ok(i) if id < DENSE_IDS => self.dense.get(i).copied(),
            _ => self.sparse.get(&id).copied(),
        }
        .unwrap_or(InvoiceReminders::NONE)
    }

    fn get_mut(&mut self, id: i64) -> &mut InvoiceReminders {
        match usize::try_from(id) {
            Ok(i) if id < DENSE_IDS => {
                if i >= self.dense.len() {
                    self.dense.resize(i + 1, InvoiceReminders::NONE);
                }
                &mut self.dense[i]
            }
            _ => self.sparse.entry(id).or_insert(InvoiceReminders::NONE),
        }
    }

    /// Invoices reminded lately that are no longer open.
    fn recent_not_open(&self) -> Vec<i64> {
        let dense = self.dense.iter().enumerate().map(|(i, r)| (i as i64, r));
        dense
            .chain(self.sparse.iter().map(|(id, r)| (*id, r)))
            .filter(|(_, r)| r.recent && !r.open)
            .map(|(id, _)| id)
            .collect()
    }
}

impl Received {
    /// Whether the invoice received step `position` (in `period`, '' for due-date steps).
    pub fn has(&self, invoice_id: i64, position: i64, period: &str) -> bool {
        let furthest = self.by_invoice.get(invoice_id).furthest_due_step;
        self.has_given(furthest, invoice_id, position, period)
    }

    /// Whether the customer received event step `position` for its current occurrence.
    pub fn customer_has(&self, customer_id: i64, position: i64) -> bool {
        self.this_occurrence.contains(&(customer_id, position))
    }

    /// [`Received::has`] with the invoice's furthest due-date step already looked up.
    fn has_given(&self, furthest: i64, invoice_id: i64, position: i64, period: &str) -> bool {
        if period.is_empty() {
            furthest >= position
        } else {
            self.this_period.contains(&(invoice_id, position))
        }
    }
}

/// The first day (as text) a reminder sent on counts as within the gap of `min_gap_days` days
/// on `today`: a customer reminded on or after it would be excluded by the gap.
pub(super) fn gap_start(min_gap_days: i64, today: NaiveDate) -> String {
    if min_gap_days < 1 {
        return "9999-12-31T".into(); // no gap: nothing is within it
    }
    (today - chrono::Duration::days(min_gap_days - 1)).to_string()
}

/// The campaign's reminder rows, read from the index by campaign and date, which holds every
/// column needed here.
pub(super) fn reminder_state(
    conn: &Connection,
    campaign_id: i64,
    reach: &Reach,
    since: &str,
    gap_from: &str,
) -> CampaignResult<Received> {
    let mut received = Received::default();
    let mut stmt = conn.prepare_cached(
        "SELECT invoice_id, step_position, period, sent_on, customer_id FROM invoice_reminders
         WHERE campaign_id = ?1",
    )?;
    let mut rows = stmt.query([campaign_id])?;
    while let Some(row) = rows.next()? {
        let (invoice, position): (i64, i64) = (row.get(0)?, row.get(1)?);
        let period = row.get_ref(2)?.as_str().unwrap_or("");
        let state = received.by_invoice.get_mut(invoice);
        let sent_on = row.get_ref(3)?.as_str().unwrap_or("");
        state.recent |= sent_on >= since;
        state.within_gap |= sent_on >= gap_from;
        if period.is_empty() {
            state.furthest_due_step = state.furthest_due_step.max(position);
        } else if reach.period_of(position) == Some(period) {
            received.this_period.insert((invoice, position));
            if reach.per_occurrence(position) {
                received.this_occurrence.insert((row.get(4)?, position));
            }
        }
    }
    Ok(received)
}

pub(super) struct OpenInvoiceCustomers {
    /// Customers with an open invoice at a step it has not received (ascending).
    pub(super) with_due: Vec<i64>,
    /// Every customer with an open invoice that reached a step (ascending).
    pub(super) with_open: Vec<i64>,
    /// Customers with an invoice at a step it has not received, left out because this campaign
    /// reminded it within the gap (ascending; some are in `with_due` for another invoice).
    pub(super) between_steps: Vec<i64>,
}

/// Pass 1 over every open invoice that reached a step, in the index's order (by customer);
/// dates compare as text. Marks the reminded invoices still open (an invoice no step reached
/// was never reminded by a due-date step; the day-of-month steps of a campaign reach every
/// invoice, and then none is left out).
pub(super) fn open_invoice_customers(
    conn: &Connection,
    reach: &Reach,
    received: &mut Received,
) -> CampaignResult<OpenInvoiceCustomers> {
    let mut found = OpenInvoiceCustomers {
        with_due: Vec::new(),
        with_open: Vec::new(),
        between_steps: Vec::new(),
    };
    // Invoices due later than any step reaches are left to SQLite; "<" the next day also
    // keeps a date stored with a time of day ("2026-11-27T00:00:00" < "2026-11-28").
    let unreached = reach
        .unreached_from()
        .unwrap_or_else(|| "9999-12-31T".into());
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, customer_id, due_date FROM invoices {OPEN_INVOICES} AND due_date < ?1
         ORDER BY customer_id"
    ))?;
    let mut rows = stmt.query([unreached])?;
    while let Some(row) = rows.next()? {
        let (invoice, customer): (i64, i64) = (row.get(0)?, row.get(1)?);
        if found.with_open.last() != Some(&customer) {
            found.with_open.push(customer);
        }
        let state = received.by_invoice.get_mut(invoice);
        state.open = true;
        let (furthest, within_gap) = (state.furthest_due_step, state.within_gap);
        let due = row.get_ref(2)?.as_str().unwrap_or("");
        let Some((position, period)) = reach.target_of_text(due) else {
            continue;
        };
        if received.has_given(furthest, invoice, position, period)
            || received.customer_has(customer, position)
        {
            continue;
        }
        if within_gap {
            if found.between_steps.last() != Some(&customer) {
                found.between_steps.push(customer);
            }
        } else {
            if found.with_due.last() != Some(&customer) {
                found.with_due.push(customer);
            }
        }
    }
    Ok(found)
}

/// Open invoices as campaigns count them (credit notes and settled ones are not), read from
/// the partial index made for them (migration 0008) alone. INDEXED BY: until ANALYZE has
/// seen the index, SQLite prefers the unique index on (kind, number) for `kind = 'invoice'`.
pub(super) const OPEN_INVOICES: &str = "INDEXED BY invoices_open_invoices
    WHERE status = 'open' AND kind = 'invoice' AND total_minor > paid_minor";

/// Of the customers reminded lately, those with no open invoice left (none that reached a
/// step; the rules look at the others) and a reminded invoice paid: the plan lists them as
/// excluded because they paid.
pub(super) fn paid_since_reminder(
    conn: &Connection,
    received: &Received,
    with_open: &[i64],
) -> CampaignResult<HashSet<i64>> {
    let settled = received.by_invoice.recent_not_open();
    if settled.is_empty() {
        return Ok(HashSet::new());
    }
    let mut paid = customer_set(
        conn,
        "SELECT customer_id FROM invoices
         WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'paid'",
        &json_ids(&settled),
    )?;
    paid.retain(|customer| with_open.binary_search(customer).is_err());
    Ok(paid)
}
