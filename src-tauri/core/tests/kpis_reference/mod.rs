//! A generated history and the KPIs worked out from it directly, row by row, from the
//! definitions in issue 18 — no SQL and nothing of the production code but its result type.

use chrono::{Datelike, Days, NaiveDate};
use duebook_core::store::Database;
use duebook_core::test_support::campaign::customer;
use duebook_core::test_support::ledger::{write_history, HistoryInvoice};
use duebook_core::views::report::kpis::CurrencyKpis;
use std::collections::BTreeMap;

const CURRENCIES: [&str; 3] = ["USD", "EUR", "JPY"];

pub struct Invoice {
    currency: &'static str,
    issue: NaiveDate,
    due: NaiveDate,
    total: i64,
    void: bool,
}

pub struct Payment {
    invoice: usize,
    on: NaiveDate,
    amount: i64,
}

pub struct History {
    invoices: Vec<Invoice>,
    payments: Vec<Payment>,
}

#[derive(Debug, Default)]
pub struct Coverage {
    pub credit_notes: usize,
    pub partial: usize,
    pub voids: usize,
    pub currencies: usize,
}

fn plus(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).unwrap()
}

impl History {
    /// `count` invoices issued from October 2023 to March 2025: one in eight a credit note
    /// (used up by a negative payment half the time), the rest paid in full at once, in two or
    /// three parts (some on the same day), only partly, or not at all; one in thirty void.
    pub fn generate(seed: u64, count: usize) -> History {
        let mut rng = fastrand::Rng::with_seed(seed);
        let start = NaiveDate::from_ymd_opt(2023, 10, 1).unwrap();
        let mut history = History {
            invoices: Vec::new(),
            payments: Vec::new(),
        };
        for n in 0..count {
            let issue = plus(start, rng.u64(0..547));
            let due = plus(issue, [0, 14, 30, 30, 45, 60][rng.usize(0..6)]);
            let credit = rng.usize(0..8) == 0;
            let total = if credit {
                -rng.i64(100..50_000)
            } else {
                rng.i64(100..500_000)
            };
            let currency = CURRENCIES[rng.usize(0..3)];
            let void = rng.usize(0..30) == 0;
            history.invoices.push(Invoice {
                currency,
                issue,
                due,
                total,
                void,
            });
            history.pay(&mut rng, n);
        }
        history
    }

    fn pay(&mut self, rng: &mut fastrand::Rng, n: usize) {
        let (issue, total) = (self.invoices[n].issue, self.invoices[n].total);
        let mut on = plus(issue, rng.u64(0..100));
        let parts: Vec<i64> = match (total < 0, rng.usize(0..5)) {
            (true, 0..=1) => vec![total],
            (true, _) | (false, 0) => vec![],
            (false, 1..=2) => vec![total],
            (false, 3) => {
                let first = rng.i64(1..total);
                vec![first, total - first]
            }
            _ => {
                let third = total / 3;
                let parts = [third, third, total - 2 * third];
                parts[..rng.usize(1..=3)].to_vec()
            }
        };
        for amount in parts {
            self.payments.push(Payment {
                invoice: n,
                on,
                amount,
            });
            on = plus(on, rng.u64(0..20));
        }
    }

    /// Writes the history through the store, as imports and the app do.
    pub fn write(&self, db: &Database) {
        let (customer_id, _) = customer(db, "Generated Ltd", None, &[]);
        let invoices: Vec<HistoryInvoice> = (self.invoices.iter())
            .map(|inv| HistoryInvoice {
                customer_id,
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

    pub fn coverage(&self) -> Coverage {
        let paid = |n: usize| -> i64 {
            let mine = self.payments.iter().filter(|p| p.invoice == n);
            mine.map(|p| p.amount).sum()
        };
        let used: std::collections::BTreeSet<_> =
            self.invoices.iter().map(|i| i.currency).collect();
        Coverage {
            credit_notes: self.invoices.iter().filter(|i| i.total < 0).count(),
            partial: (0..self.invoices.len())
                .filter(|&n| paid(n) > 0 && paid(n) < self.invoices[n].total)
                .count(),
            voids: self.invoices.iter().filter(|i| i.void).count(),
            currencies: used.len(),
        }
    }
}

/// The KPIs worked out by walking the rows.
pub struct Reference<'a> {
    history: &'a History,
}

fn days_between(from: NaiveDate, to: NaiveDate) -> f64 {
    (to - from).num_days() as f64
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

impl<'a> Reference<'a> {
    pub fn new(history: &'a History) -> Self {
        Reference { history }
    }

    fn live(&self, currency: &str) -> impl Iterator<Item = (usize, &'a Invoice)> + '_ {
        let currency = currency.to_string();
        let history = self.history;
        (history.invoices.iter().enumerate())
            .filter(move |(_, i)| !i.void && i.currency == currency)
    }

    fn paid_by(&self, n: usize, day: NaiveDate) -> i64 {
        let payments = self.history.payments.iter();
        payments
            .filter(|p| p.invoice == n && p.on <= day)
            .map(|p| p.amount)
            .sum()
    }

    /// (AR, current AR) on `day`.
    fn ar(&self, currency: &str, day: NaiveDate) -> (i64, i64) {
        let (mut all, mut current) = (0, 0);
        for (n, inv) in self.live(currency).filter(|(_, i)| i.issue <= day) {
            let open = inv.total - self.paid_by(n, day);
            all += open;
            if inv.due >= day {
                current += open;
            }
        }
        (all, current)
    }

    /// Open amounts on `day` by days past due: current, 1–30, 31–60, 61–90, over 90.
    pub fn aging(&self, currency: &str, day: NaiveDate) -> [i64; 5] {
        let mut buckets = [0; 5];
        for (n, inv) in self.live(currency).filter(|(_, i)| i.issue <= day) {
            let slot = match (day - inv.due).num_days() {
                ..=0 => 0,
                1..=30 => 1,
                31..=60 => 2,
                61..=90 => 3,
                _ => 4,
            };
            buckets[slot] += inv.total - self.paid_by(n, day);
        }
        buckets
    }

    fn sales(&self, currency: &str, from: NaiveDate, to: NaiveDate) -> i64 {
        let issued = self
            .live(currency)
            .filter(|(_, i)| from <= i.issue && i.issue <= to);
        issued.map(|(_, i)| i.total).sum()
    }

    fn countback(&self, currency: &str, as_of: NaiveDate, ar: i64) -> Option<f64> {
        if ar <= 0 {
            return Some(0.0);
        }
        let first_issue = self.live(currency).map(|(_, i)| i.issue).min()?;
        let (mut remaining, mut dso, mut end) = (ar, 0.0, as_of);
        loop {
            let start = NaiveDate::from_ymd_opt(end.year(), end.month(), 1).unwrap();
            if (end.year(), end.month()) < (first_issue.year(), first_issue.month()) {
                return None;
            }
            let sales = self.sales(currency, start, end);
            let days = f64::from(end.day());
            if remaining <= sales {
                return Some(dso + remaining as f64 / sales as f64 * days);
            }
            remaining -= sales;
            dso += days;
            end = start.pred_opt().unwrap();
        }
    }

    /// The day payments dated on or before `as_of` first reached the invoice's amount.
    fn paid_in_full_on(&self, n: usize, as_of: NaiveDate) -> Option<NaiveDate> {
        let total = self.history.invoices[n].total;
        let mut days: Vec<NaiveDate> = (self.history.payments.iter())
            .filter(|p| p.invoice == n && p.on <= as_of)
            .map(|p| p.on)
            .collect();
        days.sort();
        days.into_iter().find(|day| self.paid_by(n, *day) >= total)
    }

    /// Amount-weighted (days to pay, days late) over invoices paid in full in [from, as_of].
    fn days_to_pay(&self, currency: &str, from: NaiveDate, as_of: NaiveDate) -> Option<(f64, f64)> {
        let (mut weight, mut to_pay, mut late) = (0.0, 0.0, 0.0);
        for (n, inv) in self
            .live(currency)
            .filter(|(_, i)| i.total > 0 && i.issue <= as_of)
        {
            let Some(paid) = self.paid_in_full_on(n, as_of).filter(|p| *p >= from) else {
                continue;
            };
            let amount = inv.total as f64;
            weight += amount;
            to_pay += amount * days_between(inv.issue, paid);
            late += amount * days_between(inv.due, paid).max(0.0);
        }
        (weight > 0.0).then(|| (to_pay / weight, late / weight))
    }

    pub fn kpis(&self, as_of: NaiveDate, days: u32) -> BTreeMap<String, CurrencyKpis> {
        let mut out = BTreeMap::new();
        for currency in CURRENCIES {
            if self.live(currency).all(|(_, i)| i.issue > as_of) {
                continue;
            }
            out.insert(currency.to_string(), self.currency(currency, as_of, days));
        }
        out
    }

    fn currency(&self, currency: &str, as_of: NaiveDate, days: u32) -> CurrencyKpis {
        let (ar, current) = self.ar(currency, as_of);
        let window = as_of - chrono::Duration::days(i64::from(days) - 1);
        let sales = self.sales(currency, window, as_of);
        let n = f64::from(days);
        let standard = (sales > 0).then(|| ar as f64 / sales as f64 * n);
        let best = (sales > 0).then(|| current as f64 / sales as f64 * n);
        let month_start = NaiveDate::from_ymd_opt(as_of.year(), as_of.month(), 1).unwrap();
        let (opening, _) = self.ar(currency, month_start.pred_opt().unwrap());
        let sold = self.sales(currency, month_start, as_of);
        let denominator = opening + sold - current;
        let cei =
            (denominator > 0).then(|| (opening + sold - ar) as f64 / denominator as f64 * 100.0);
        let paid = self.days_to_pay(currency, window, as_of);
        CurrencyKpis {
            ar_total: ar,
            ar_current: current,
            ar_overdue: ar - current,
            dso_countback: self.countback(currency, as_of, ar).map(round2),
            dso_standard: standard.map(round2),
            best_dso: best.map(round2),
            add: standard.zip(best).map(|(s, b)| round2(s - b)),
            cei: cei.map(round2),
            average_days_to_pay: paid.map(|p| round2(p.0)),
            average_days_late: paid.map(|p| round2(p.1)),
        }
    }
}
