//! Makes one demo customer at a time from a seeded random generator.

use super::words::*;
use super::*;
use std::collections::HashSet;

/// How far back the demo's invoices go: 13 months, so a 12-month trend has every point.
const HISTORY_DAYS: u64 = 395;
/// When the demo company started sending reminders.
const REMINDERS_STARTED_DAYS_AGO: u64 = 150;

/// How a demo customer pays.
#[derive(Clone, Copy)]
struct Payer {
    terms: i64,
    slow: bool,
}

pub(super) struct Generator {
    rng: fastrand::Rng,
    today: NaiveDate,
    used_names: HashSet<String>,
    invoice_counter: u32,
    summary: DemoSummary,
}

impl Generator {
    pub(super) fn new(seed: u64, today: NaiveDate) -> Generator {
        Generator {
            rng: fastrand::Rng::with_seed(seed),
            today,
            used_names: HashSet::new(),
            invoice_counter: 0,
            summary: DemoSummary {
                customers: 0,
                invoices: 0,
                payments: 0,
            },
        }
    }

    pub(super) fn summary(self) -> DemoSummary {
        self.summary
    }

    pub(super) fn customer(&mut self, tx: &rusqlite::Connection, index: usize) -> DbResult<()> {
        let (name, currency, segment) = self.identity(index);
        let currency = Currency::parse(currency).unwrap_or_else(|_| usd());
        let mut new = NewCustomer::named(&name);
        new.segment = Some(segment.to_string());
        new.currency = Some(currency.clone());
        new.terms_days = Some(*self.pick(&[14, 30, 30, 30, 45, 60]));
        new.preferred_channel = if self.chance(15) {
            Channel::Phone
        } else {
            Channel::Email
        };
        let id = customers::insert(tx, &new)?;
        if self.chance(1) {
            tx.execute(
                "UPDATE customers SET do_not_contact = 1 WHERE id = ?1",
                [id],
            )?;
        }
        self.summary.customers += 1;
        self.contacts(tx, id, &name)?;
        // A few customers are billed in a second currency too.
        let second = self
            .chance(5)
            .then(|| Currency::parse("EUR").unwrap_or_else(|_| usd()));
        let count = 1 + self.rng.u32(0..19);
        let payer = Payer {
            terms: new.terms_days.unwrap_or(30),
            slow: self.chance(20),
        };
        for n in 0..count {
            let invoice_currency = match &second {
                Some(other) if n % 3 == 2 => other.clone(),
                _ => currency.clone(),
            };
            self.invoice(tx, id, invoice_currency, payer)?;
        }
        self.history(tx, id)
    }

    fn identity(&mut self, index: usize) -> (String, &'static str, &'static str) {
        if let Some((name, currency, segment)) = FEATURED.get(index) {
            self.used_names.insert(name.to_lowercase());
            return (name.to_string(), currency, segment);
        }
        let currency = *self.pick(&[
            "USD", "USD", "USD", "USD", "USD", "USD", "EUR", "GBP", "GBP", "JPY",
        ]);
        let segment = *self.pick(SEGMENTS);
        let base = format!(
            "{} {} {}",
            self.pick(PREFIXES),
            self.pick(TRADES),
            self.pick(SUFFIXES)
        )
        .trim()
        .to_string();
        let mut name = base.clone();
        let mut attempt = 0;
        while !self.used_names.insert(name.to_lowercase()) {
            attempt += 1;
            let city = CITIES[attempt % CITIES.len()];
            name = if attempt < CITIES.len() {
                format!("{base} ({city})")
            } else {
                format!("{base} ({city} {})", attempt / CITIES.len() + 1)
            };
        }
        (name, currency, segment)
    }

    fn contacts(
        &mut self,
        tx: &rusqlite::Connection,
        customer_id: i64,
        company: &str,
    ) -> DbResult<()> {
        let domain: String = company
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(18)
            .collect::<String>()
            .to_lowercase();
        let domain = if domain.is_empty() {
            format!("customer{customer_id}")
        } else {
            domain
        };
        for n in 0..(1 + self.rng.usize(0..2)) {
            let first = *self.pick(FIRST);
            let last = *self.pick(LAST);
            let email = (n > 0 || !self.chance(8)).then(|| {
                format!(
                    "{}.{}@{domain}.example",
                    ascii_lower(first),
                    ascii_lower(last)
                )
            });
            let phone = self.chance(80).then(|| {
                format!(
                    "+1 555 {:03} {:04}",
                    self.rng.u32(100..1000),
                    self.rng.u32(0..10000)
                )
            });
            let contact = NewContact {
                name: Some(format!("{first} {last}")),
                email,
                phone,
                role: Some(if n == 0 { "Accounts payable" } else { "Owner" }.to_string()),
                is_billing: n == 0,
            };
            contacts::insert(tx, customer_id, &contact)?;
        }
        Ok(())
    }

    fn invoice(
        &mut self,
        tx: &rusqlite::Connection,
        customer_id: i64,
        currency: Currency,
        payer: Payer,
    ) -> DbResult<()> {
        self.invoice_counter += 1;
        let credit = self.chance(2);
        let age_days = self.rng.u64(0..HISTORY_DAYS);
        let issue = self.days_ago(age_days);
        let due = issue + Days::new(payer.terms as u64);
        let major = match currency.decimals() {
            0 => self.rng.i64(5_000..2_000_000),
            d => self.rng.i64(50..25_000) * 10i64.pow(d) + self.rng.i64(0..10i64.pow(d)),
        };
        let (kind, number, total) = if credit {
            (
                InvoiceKind::CreditNote,
                format!("CN-{:06}", self.invoice_counter),
                -(major / 4).max(1),
            )
        } else {
            (
                InvoiceKind::Invoice,
                format!("INV-{:06}", self.invoice_counter),
                major,
            )
        };
        let invoice_id = invoices::insert(
            tx,
            &NewInvoice {
                customer_id,
                kind,
                number,
                issue_date: issue,
                due_date: due,
                total: Money::new(total, currency),
                source: "demo".into(),
            },
        )?;
        self.summary.invoices += 1;
        if credit {
            return Ok(());
        }
        self.pay(tx, invoice_id, total, due, payer)
    }

    /// Pays an invoice the way the demo company's customers do: weeks late before it started
    /// sending reminders, days late since (the story the Reports tab's DSO line tells); a slow
    /// payer later still. Of what was never paid before the reminders, most came in after
    /// them; a little is never paid. One in eight is paid in two halves. Payments after today
    /// have not happened yet.
    fn pay(
        &mut self,
        tx: &rusqlite::Connection,
        invoice_id: i64,
        total: i64,
        due: NaiveDate,
        payer: Payer,
    ) -> DbResult<()> {
        let reminders = self.days_ago(REMINDERS_STARTED_DAYS_AGO);
        let reminded = due >= reminders;
        let unpaid = match (reminded, payer.slow) {
            (false, false) => 8,
            (false, true) => 35,
            (true, false) => 2,
            (true, true) => 10,
        };
        let late = if self.chance(unpaid) {
            if reminded || self.chance(35) {
                return Ok(());
            }
            // Chased once the reminders started.
            (reminders - due).num_days().unsigned_abs() + self.rng.u64(10..120)
        } else {
            match (reminded, payer.slow) {
                (false, false) => self.rng.u64(15..60),
                (false, true) => self.rng.u64(40..120),
                (true, false) => self.rng.u64(0..20),
                (true, true) => self.rng.u64(10..50),
            }
        };
        let half = total / 2;
        let parts = if self.chance(12) {
            [(half, late / 2), (total - half, late)]
        } else {
            [(total, late), (0, late)]
        };
        for (amount, late) in parts {
            let paid_on = due + Days::new(late);
            if amount == 0 || paid_on > self.today {
                continue;
            }
            payments::insert_unsynced(
                tx,
                &NewPayment {
                    invoice_id,
                    amount_minor: amount,
                    paid_on,
                    reference: None,
                    source: PaymentSource::Demo,
                },
            )?;
            self.summary.payments += 1;
        }
        Ok(())
    }

    /// Notes for some customers; a promise or a dispute for a few.
    fn history(&mut self, tx: &rusqlite::Connection, customer_id: i64) -> DbResult<()> {
        for _ in 0..self.rng.usize(0..3) {
            let ago = self.rng.u64(1..60);
            let day = self.days_ago(ago);
            let when = format!(
                "{day}T{:02}:{:02}:00Z",
                self.rng.u32(8..18),
                self.rng.u32(0..60)
            );
            let body = *self.pick(NOTES);
            notes::insert_at(tx, customer_id, body, &when)?;
        }
        if self.chance(5) {
            let promised = self.today + Days::new(self.rng.u64(0..14));
            tx.prepare_cached(
                "INSERT INTO promises (customer_id, amount_minor, currency, promised_date, created_at)
                 SELECT ?1, SUM(total_minor - paid_minor), currency, ?2, ?3 FROM invoices
                 WHERE customer_id = ?1 AND status = 'open' GROUP BY currency
                 HAVING SUM(total_minor - paid_minor) > 0 LIMIT 1",
            )?
            .execute(params![customer_id, promised.to_string(), format!("{}T10:00:00Z", self.days_ago(3))])?;
        }
        if self.chance(3) {
            tx.prepare_cached(
                "INSERT INTO disputes (customer_id, invoice_id, reason, opened_at)
                 SELECT ?1, id, 'Goods arrived damaged; waiting for a credit note.', ?2 FROM invoices
                 WHERE customer_id = ?1 AND kind = 'invoice' ORDER BY due_date LIMIT 1",
            )?
            .execute(params![customer_id, format!("{}T09:30:00Z", self.days_ago(10))])?;
        }
        self.call_task(tx, customer_id)
    }

    /// A call due today or in the last few days for every sixth customer with money overdue, so
    /// the collector's Today list has work in it. Decided by the id, not the random stream, so
    /// the rest of the demo stays the same.
    fn call_task(&self, tx: &rusqlite::Connection, customer_id: i64) -> DbResult<()> {
        if customer_id % 6 != 0 {
            return Ok(());
        }
        let overdue: bool = tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM invoices WHERE customer_id = ?1 AND status = 'open'
                 AND kind = 'invoice' AND due_date < ?2)",
            )?
            .query_row(params![customer_id, self.today.to_string()], |r| r.get(0))?;
        if overdue {
            let due = self.days_ago(customer_id.unsigned_abs() % 4);
            tasks::add(
                tx,
                &tasks::NewTask {
                    customer_id,
                    kind: TaskKind::Call,
                    title: "Call about the overdue invoices",
                    due_date: due,
                },
            )?;
        }
        Ok(())
    }

    fn days_ago(&self, days: u64) -> NaiveDate {
        self.today
            .checked_sub_days(Days::new(days))
            .unwrap_or(self.today)
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.rng.u32(0..100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.usize(0..items.len())]
    }
}

fn usd() -> Currency {
    Currency::parse("USD").expect("USD is an ISO 4217 code")
}

fn ascii_lower(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_lowercase()
}
