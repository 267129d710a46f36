//! A generated history of several customers, and the report views worked out from it row by
//! row, straight from their definitions: no SQL and nothing of the production code but its
//! result types.

use chrono::{Datelike, Days, NaiveDate};
use duebook_core::store::Database;
use duebook_core::test_support::campaign::customer;
use duebook_core::test_support::ledger::{write_history, HistoryInvoice};
use std::collections::BTreeMap;

const CURRENCIES: [&str; 3] = ["USD", "EUR", "JPY"];
/// No payment is dated after this day.
pub const END: &str = "2025-06-30";

pub struct Invoice {
    pub customer: i64,
    pub currency: &'static str,
    pub issue: NaiveDate,
    pub due: NaiveDate,
    pub total: i64,
    pub void: bool,
}

pub struct Payment {
    invoice: usize,
    on: NaiveDate,
    amount: i64,
}

pub struct History {
    pub customers: Vec<i64>,
    pub invoices: Vec<Invoice>,
    payments: Vec<Payment>,
}

fn plus(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).unwrap()
}

pub fn end() -> NaiveDate {
    END.parse().unwrap()
}

/// (currency, customer) → buckets and the oldest due date still owed past due.
pub type AgingRows = BTreeMap<(String, i64), ([i64; 5], Option<NaiveDate>)>;

impl History {
    /// Writes `count` invoices for 12 customers into `db`: one in eight a credit note (used up
    /// by a negative payment half the time), the rest paid at once, in parts, partly or not at
    /// all (payments never past [`END`] nor above the amount), one in thirty void.
    pub fn generate(db: &Database, seed: u64, count: usize) -> History {
        let mut rng = fastrand::Rng::with_seed(seed);
        let customers: Vec<i64> = (0..12)
            .map(|n| customer(db, &format!("Customer {seed}-{n}"), None, &[]).0)
            .collect();
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let mut history = History {
            customers,
            invoices: Vec::new(),
            payments: Vec::new(),
        };
        for n in 0..count {
            let issue = plus(start, rng.u64(0..540));
            let total = match rng.usize(0..8) {
                0 => -(rng.i64(1..400) * 100),
                _ => rng.i64(1..5_000) * 100 + rng.i64(0..100),
            };
            history.invoices.push(Invoice {
                customer: history.customers[rng.usize(0..12)],
                currency: CURRENCIES[rng.usize(0..3)],
                issue,
                due: plus(issue, [0, 14, 30, 45, 60][rng.usize(0..5)]),
                total,
                void: rng.usize(0..30) == 0,
            });
            history.pay(&mut rng, n);
        }
        history.write(db);
        history
    }

    fn pay(&mut self, rng: &mut fastrand::Rng, n: usize) {
        let invoice = &self.invoices[n];
        let (issue, total) = (invoice.issue, invoice.total);
        let parts: Vec<i64> = match (total < 0, rng.usize(0..5)) {
            (true, 0 | 1) => vec![total],
            (true, _) => vec![],
            (false, 0 | 1) => vec![total],
            (false, 2) => vec![total / 3, total - total / 3],
            (false, 3) => vec![total / 2],
            _ => vec![],
        };
        let mut on = issue;
        for amount in parts {
            on = plus(on, rng.u64(0..70));
            if on > end() {
                return;
            }
            self.payments.push(Payment {
                invoice: n,
                on,
                amount,
            });
        }
    }

    fn write(&self, db: &Database) {
        let invoices: Vec<HistoryInvoice> = (self.invoices.iter())
            .map(|inv| HistoryInvoice {
                customer_id: inv.customer,
                currency: inv.currency,
                issue: inv.issue,
                due: inv.due,
                total: inv.total,
                void: inv.void,
            })
            .collect();
        let payments = self.payments.iter().map(|p| (p.invoice, p.amount, p.on));
        write_history(db, &invoices, payments);
    }

    /// Payments on invoice `n` dated on or before `day`.
    fn paid_by(&self, n: usize, day: NaiveDate) -> i64 {
        let on_it = self.payments.iter().filter(|p| p.invoice == n);
        on_it.filter(|p| p.on <= day).map(|p| p.amount).sum()
    }

    /// The first day the invoice's payments (a day's together) reached its amount, if they
    /// still do: the KPIs' "paid in full" day.
    fn paid_in_full_day(&self, n: usize) -> Option<NaiveDate> {
        let total = self.invoices[n].total;
        let mut days: Vec<NaiveDate> = (self.payments.iter())
            .filter(|p| p.invoice == n)
            .map(|p| p.on)
            .collect();
        days.sort();
        let last = *days.last()?;
        if self.paid_by(n, last) < total {
            return None;
        }
        days.into_iter().find(|day| self.paid_by(n, *day) >= total)
    }

    /// Non-void invoices and credit notes issued on or before `day`, with their open amount then.
    pub fn open_on(&self, day: NaiveDate) -> Vec<(usize, i64)> {
        let issued = self.invoices.iter().enumerate();
        let issued = issued.filter(|(_, i)| !i.void && i.issue <= day);
        let open = issued.map(|(n, i)| (n, i.total - self.paid_by(n, day)));
        open.filter(|(_, open)| *open != 0).collect()
    }

    pub fn aging(&self, day: NaiveDate) -> AgingRows {
        let mut rows = AgingRows::new();
        for (n, open) in self.open_on(day) {
            let inv = &self.invoices[n];
            let past = (day - inv.due).num_days();
            let bucket = match past {
                ..=0 => 0,
                1..=30 => 1,
                31..=60 => 2,
                61..=90 => 3,
                _ => 4,
            };
            let key = (inv.currency.to_string(), inv.customer);
            let row = rows.entry(key).or_insert(([0; 5], None));
            row.0[bucket] += open;
            if past > 0 && open > 0 {
                row.1 = Some(row.1.map_or(inv.due, |d: NaiveDate| d.min(inv.due)));
            }
        }
        rows.retain(|_, row| row.0 != [0; 5]);
        rows
    }

    /// Payments on invoices (not credit notes, not void) per currency and `YYYY-MM` in
    /// [`from`, `to`].
    pub fn collected(&self, from: NaiveDate, to: NaiveDate) -> BTreeMap<(String, String), i64> {
        let mut out = BTreeMap::new();
        for p in self.payments.iter().filter(|p| p.on >= from && p.on <= to) {
            let inv = &self.invoices[p.invoice];
            if inv.void || inv.total < 0 {
                continue;
            }
            let month = format!("{}-{:02}", p.on.year(), p.on.month());
            *out.entry((inv.currency.to_string(), month)).or_insert(0) += p.amount;
        }
        out
    }

    /// (customer, currency) → (invoices, Σ amount, Σ amount × days to pay, Σ amount × days
    /// late) over the invoices paid in full, each on the day its payments reached its amount.
    pub fn habits(&self) -> BTreeMap<(i64, String), (i64, i64, f64, f64)> {
        let mut out = BTreeMap::new();
        for (n, inv) in self.invoices.iter().enumerate() {
            let Some(paid_day) = self.paid_in_full_day(n) else {
                continue;
            };
            if inv.void || inv.total <= 0 {
                continue;
            }
            let to_pay = (paid_day - inv.issue).num_days() as f64;
            let late = (paid_day - inv.due).num_days().max(0) as f64;
            let key = (inv.customer, inv.currency.to_string());
            let sums = out.entry(key).or_insert((0, 0, 0.0, 0.0));
            let amount = inv.total as f64;
            *sums = (
                sums.0 + 1,
                sums.1 + inv.total,
                sums.2 + amount * to_pay,
                sums.3 + amount * late,
            );
        }
        out
    }

    /// The forecast from `today`: (currency, line) → amount, line 0 "overdue, expected now",
    /// 1..=8 the weeks, 9 later; and per (customer, currency) the shift in days and its source.
    #[allow(clippy::type_complexity)]
    pub fn forecast(
        &self,
        today: NaiveDate,
    ) -> (
        BTreeMap<(String, usize), i64>,
        BTreeMap<(i64, String), (i64, &'static str)>,
    ) {
        let habits = self.habits();
        let round2 = |x: f64| (x * 100.0).round() / 100.0;
        let currency_late = |currency: &str| {
            let mine = habits.iter().filter(|((_, c), _)| c == currency);
            let (amount, late) = mine.fold((0, 0.0), |(a, l), (_, s)| (a + s.1, l + s.3));
            (amount > 0).then(|| round2(late / amount as f64))
        };
        let mut lines = BTreeMap::new();
        let mut shifts = BTreeMap::new();
        for (n, inv) in self.invoices.iter().enumerate() {
            let open = inv.total - self.paid_by(n, today);
            if inv.void || inv.total < 0 || open <= 0 {
                continue;
            }
            let key = (inv.customer, inv.currency.to_string());
            let (late, source) = match habits.get(&key) {
                Some(s) => (Some(round2(s.3 / s.1 as f64)), "customer"),
                None => match currency_late(inv.currency) {
                    Some(late) => (Some(late), "currency"),
                    None => (None, "none"),
                },
            };
            let shift = late.map_or(0, |l| l.round() as i64);
            let expected = inv.due + chrono::Duration::days(shift);
            let days = (expected - today).num_days();
            let line = if days < 0 {
                0
            } else {
                (days / 7 + 1).min(9) as usize
            };
            *lines.entry((inv.currency.to_string(), line)).or_insert(0) += open;
            shifts.insert(key, (shift, source));
        }
        (lines, shifts)
    }
}
