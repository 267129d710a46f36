//! Deterministic, realistic demo data: companies with contacts, invoices spread over every
//! aging bucket and several currencies, payments (some partial), notes, promises and disputes.
//! The same seed and date always give the same file. Demo data goes into its own file only.

use crate::model::{
    Channel, Currency, InvoiceKind, Money, NewContact, NewCustomer, NewInvoice, TaskKind,
};
use crate::store::payments::{NewPayment, PaymentSource};
use crate::store::{Database, DbError, DbResult};
use crate::{
    store::contacts, store::customers, store::derived, store::invoices, store::notes,
    store::payments, store::settings, store::tasks,
};
use chrono::{Days, NaiveDate};
use rusqlite::params;
use std::collections::HashSet;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub customers: u32,
    pub seed: u64,
    /// Invoices are dated relative to this day so the aging looks the same whenever it runs.
    pub today: NaiveDate,
}

/// The demo the app and `duebook demo` create by default.
pub const STANDARD_CUSTOMERS: u32 = 60;
pub const STANDARD_SEED: u64 = 42;

impl DemoOptions {
    pub fn standard(today: NaiveDate) -> Self {
        DemoOptions {
            customers: STANDARD_CUSTOMERS,
            seed: STANDARD_SEED,
            today,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub customers: u32,
    pub invoices: u32,
    pub payments: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("{0} already holds customers; demo data only goes into a file of its own")]
    NotEmpty(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for DemoError {
    fn from(e: rusqlite::Error) -> Self {
        DemoError::Db(e.into())
    }
}

const FEATURED: &[(&str, &str, &str)] = &[
    // (name, currency, segment): names that exercise accents, CJK, apostrophes and markup.
    ("Northwind Traders", "USD", "Wholesale"),
    ("Café Ölmann GmbH", "EUR", "Retail"),
    ("山田商事株式会社", "JPY", "Wholesale"),
    ("O'Brien & Sons Plumbing", "USD", "Small business"),
    ("Brightwater Dental <Group>", "GBP", "Small business"),
    ("Société Lumière SARL", "EUR", "Enterprise"),
    ("Sunny Side Up ☀ Café", "USD", "Retail"),
    ("Gulf Pearl Trading W.L.L.", "BHD", "Wholesale"),
];
pub(crate) const PREFIXES: &[&str] = &[
    "Alder",
    "Blue Harbor",
    "Copperline",
    "Meridian",
    "Oakridge",
    "Silverleaf",
    "Pinecrest",
    "Redwood",
    "Lakeside",
    "Summit",
    "Ironbridge",
    "Harborview",
    "Foxglove",
    "Kestrel",
    "Granite",
    "Willow",
    "Juniper",
    "Sterling",
    "Bramble",
    "Cobalt",
    "Driftwood",
    "Evergreen",
    "Fairfield",
    "Goldcrest",
    "Hawthorn",
    "Ivywood",
    "Larkspur",
    "Maple & Main",
    "Nightingale",
    "Orchard",
];
pub(crate) const TRADES: &[&str] = &[
    "Traders",
    "Bakery",
    "Logistics",
    "Dental",
    "Studio",
    "Builders",
    "Consulting",
    "Farms",
    "Print Co.",
    "Electric",
    "Coffee",
    "Outfitters",
    "Analytics",
    "Marine",
    "Florists",
    "Supply",
    "Engineering",
    "Veterinary",
    "Catering",
    "Joinery",
];
const SUFFIXES: &[&str] = &["Ltd", "LLC", "Inc.", "GmbH", "& Co.", "Group", "", ""];
const CITIES: &[&str] = &[
    "Leeds", "Austin", "Lyon", "Porto", "Dublin", "Denver", "Ghent", "Malmö", "Kraków", "Perth",
];
// Enough names that a person's name is rare among 100,000 customers, as in real books.
const FIRST: &[&str] = &[
    "Ana", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kara",
    "Liam", "Mei", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tomás", "Aisha", "Bruno",
    "Carla", "Dmitri", "Elena", "Felix", "Gita", "Hugo", "Ivana", "Jamal", "Keiko", "Lars", "Maya",
    "Nils", "Oscar", "Paula", "Rahul", "Sofia", "Theo", "Uma", "Victor", "Wanda", "Xavier", "Yara",
    "Zoltan", "Amara", "Bjorn", "Celine", "Diego", "Esme", "Fatima", "Goran", "Hana", "Ilya",
    "Joana", "Kofi", "Lena", "Marco", "Nadia", "Omar",
];
const LAST: &[&str] = &[
    "Andersen",
    "Brooks",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "García",
    "Hughes",
    "Ito",
    "Jensen",
    "Kowalski",
    "López",
    "Murphy",
    "Nakamura",
    "Okafor",
    "Patel",
    "Rossi",
    "Schmidt",
    "Almeida",
    "Bauer",
    "Carter",
    "Dahl",
    "Eriksen",
    "Ferreira",
    "Gallagher",
    "Hansen",
    "Ibrahim",
    "Jovanović",
    "Kim",
    "Larsen",
    "Mendes",
    "Novak",
    "Olsen",
    "Petrov",
    "Quinn",
    "Reyes",
    "Svensson",
    "Tanaka",
    "Urban",
    "Vargas",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmer",
    "Abbott",
    "Becker",
    "Chen",
    "Duarte",
    "Eklund",
    "Fontaine",
    "Gomez",
    "Horvat",
    "Iversen",
    "Jansen",
    "Keller",
    "Lindqvist",
    "Moreau",
    "Nowak",
];
const SEGMENTS: &[&str] = &[
    "Retail",
    "Wholesale",
    "Enterprise",
    "Small business",
    "Public sector",
];
const NOTES: &[&str] = &[
    "Called accounts payable, left a voicemail.",
    "Spoke to the billing contact: invoice is approved and in the next payment run.",
    "Customer asked for a copy of the invoice; sent it again.",
    "Payment run is on Thursdays; follow up Friday.",
    "New AP contact since last month — updated the email.",
];

/// Fills an empty database with demo data and marks it as a demo file.
pub fn generate(db: &mut Database, options: &DemoOptions) -> Result<DemoSummary, DemoError> {
    if customers::count(db.conn())? > 0 {
        return Err(DemoError::NotEmpty(db.path().display().to_string()));
    }
    let tx = db.conn_mut().transaction()?;
    let mut generator = Generator {
        rng: fastrand::Rng::with_seed(options.seed),
        today: options.today,
        used_names: HashSet::new(),
        invoice_counter: 0,
        summary: DemoSummary {
            customers: 0,
            invoices: 0,
            payments: 0,
        },
    };
    for index in 0..options.customers {
        generator.customer(&tx, index as usize)?;
    }
    payments::sync_all(&tx)?;
    derived::refresh_all(&tx)?;
    settings::set(&tx, settings::IS_DEMO, "1")?;
    settings::set(&tx, settings::HOME_CURRENCY, "USD")?;
    settings::set(&tx, settings::COMPANY_NAME, "Demo Supplies Co.")?;
    tx.commit()?;
    db.conn().execute_batch("PRAGMA optimize")?;
    Ok(generator.summary)
}

struct Generator {
    rng: fastrand::Rng,
    today: NaiveDate,
    used_names: HashSet<String>,
    invoice_counter: u32,
    summary: DemoSummary,
}

impl Generator {
    fn customer(&mut self, tx: &rusqlite::Connection, index: usize) -> DbResult<()> {
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
        for n in 0..count {
            let invoice_currency = match &second {
                Some(other) if n % 3 == 2 => other.clone(),
                _ => currency.clone(),
            };
            self.invoice(tx, id, invoice_currency, new.terms_days.unwrap_or(30))?;
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
            .filter(|c| c.is_ascii_alphanumeric())
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
        terms: i64,
    ) -> DbResult<()> {
        self.invoice_counter += 1;
        let credit = self.chance(2);
        let age_days = self.rng.u64(0..200);
        let issue = self.days_ago(age_days);
        let due = issue + Days::new(terms as u64);
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
        let age = (self.today - due).num_days();
        let paid = if credit {
            0
        } else if age > 10 && self.chance(60) {
            total
        } else if age > 0 && self.chance(12) {
            total / 2
        } else {
            0
        };
        if paid != 0 {
            let paid_on = (due + Days::new(self.rng.u64(0..20))).min(self.today);
            payments::insert_unsynced(
                tx,
                &NewPayment {
                    invoice_id,
                    amount_minor: paid,
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
        .filter(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_lowercase()
}
