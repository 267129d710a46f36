//! The cash forecast: when the open invoices are likely to be paid, by week for the next
//! [`WEEKS`] weeks, per currency.
//!
//! Each open invoice's balance (credit notes left out: they are deducted, not paid) is expected
//! on its due date shifted by its customer's average days late in its currency (see
//! [`super::paying`]), rounded to whole days. A customer with no invoice paid in full in that
//! currency gets the currency's average over every customer; a currency with no history at all
//! shifts by 0. Amounts expected before the as-of day are not dropped: they come first, on a
//! line of their own, "overdue, expected now"; amounts expected after the last week are summed
//! on a "later" line, so the lines add up to the open balance.

use super::paying::{all_sums, Sums};
use super::table::{amount, Cell, ReportTable};
use crate::store::DbResult;
use chrono::{Days, NaiveDate};
use rusqlite::{params, Connection};
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// The weeks forecast, the as-of day starting the first.
pub const WEEKS: u64 = 8;

/// Where a customer's shift came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ShiftSource {
    /// The customer's own invoices paid in full.
    Customer,
    /// No history of the customer's: the currency's average.
    Currency,
    /// No history in the currency at all: 0 days.
    None,
}

/// One line of a currency's forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ForecastLine {
    /// "overdue, expected now", "week 1" … "week 8", "later".
    pub label: String,
    /// The first and last day of the line (`None`: open-ended).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub amount: i64,
    pub invoices: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CurrencyForecast {
    /// The shift given to customers without history (`None`: no history, so 0).
    pub average_days_late: Option<f64>,
    /// The overdue line, the weeks, then "later".
    pub lines: Vec<ForecastLine>,
}

/// The basis of one customer's part of the forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ForecastCustomer {
    pub customer_id: i64,
    pub name: String,
    pub currency: String,
    /// The open balance forecast, minor units.
    pub open: i64,
    pub invoices: i64,
    pub shift_days: i64,
    pub shift_source: ShiftSource,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Forecast {
    pub as_of: NaiveDate,
    pub currencies: BTreeMap<String, CurrencyForecast>,
    /// By currency, the largest open balance first.
    pub customers: Vec<ForecastCustomer>,
}

/// Open balances of invoices, summed per customer, currency and due date.
struct Due {
    customer_id: i64,
    name: String,
    currency: String,
    due_date: NaiveDate,
    open: i64,
    invoices: i64,
}

pub fn forecast(conn: &Connection, as_of: NaiveDate) -> DbResult<Forecast> {
    let habits = all_sums(conn)?;
    let mut by_currency: BTreeMap<String, Sums> = BTreeMap::new();
    for ((_, currency), sums) in &habits {
        let total = by_currency.entry(currency.clone()).or_default();
        *total = total.plus(*sums);
    }
    let mut currencies: BTreeMap<String, CurrencyForecast> = BTreeMap::new();
    let mut customers: BTreeMap<(String, i64), ForecastCustomer> = BTreeMap::new();
    for due in open_dues(conn)? {
        let average = by_currency.get(&due.currency).and_then(Sums::days_late);
        let (late, source) = match habits.get(&(due.customer_id, due.currency.clone())) {
            Some(sums) if sums.amount > 0 => (sums.days_late(), ShiftSource::Customer),
            _ if average.is_some() => (average, ShiftSource::Currency),
            _ => (None, ShiftSource::None),
        };
        let shift_days = late.map_or(0, |days| days.round() as i64);
        let expected = shift(due.due_date, shift_days);
        let currency = currencies
            .entry(due.currency.clone())
            .or_insert_with(|| CurrencyForecast {
                average_days_late: average,
                lines: empty_lines(as_of),
            });
        let line = &mut currency.lines[line_index(expected, as_of)];
        line.amount = line.amount.saturating_add(due.open);
        line.invoices += due.invoices;
        let customer = customers
            .entry((due.currency.clone(), due.customer_id))
            .or_insert_with(|| ForecastCustomer {
                customer_id: due.customer_id,
                name: due.name,
                currency: due.currency,
                open: 0,
                invoices: 0,
                shift_days,
                shift_source: source,
            });
        customer.open = customer.open.saturating_add(due.open);
        customer.invoices += due.invoices;
    }
    let mut customers: Vec<ForecastCustomer> = customers.into_values().collect();
    customers.sort_by(|a, b| {
        (&a.currency, b.open, a.customer_id).cmp(&(&b.currency, a.open, b.customer_id))
    });
    Ok(Forecast {
        as_of,
        currencies,
        customers,
    })
}

/// Invoices are told from credit notes by the sign of their total (credit notes carry negative
/// ones), which the partial index of open invoices holds: the sums are read from it alone.
fn open_dues(conn: &Connection) -> DbResult<Vec<Due>> {
    let mut stmt = conn.prepare_cached(
        "WITH dues AS (
             SELECT customer_id, currency, due_date, SUM(total_minor - paid_minor) AS open,
                    COUNT(*) AS invoices
             FROM invoices
             WHERE status = 'open' AND total_minor > 0 AND total_minor > paid_minor
             GROUP BY customer_id, currency, due_date
         )
         SELECT d.customer_id, c.name, d.currency, d.due_date, d.open, d.invoices
         FROM dues d JOIN customers c ON c.id = d.customer_id",
    )?;
    let rows = stmt.query_map(params![], |r| {
        Ok(Due {
            customer_id: r.get(0)?,
            name: r.get(1)?,
            currency: r.get(2)?,
            due_date: r.get(3)?,
            open: r.get(4)?,
            invoices: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// `day` moved by `days` (either way), kept inside the calendar.
fn shift(day: NaiveDate, days: i64) -> NaiveDate {
    let moved = if days >= 0 {
        day.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        day.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    moved.unwrap_or(day)
}

/// 0 for before `as_of`, 1..=WEEKS for the weeks, WEEKS + 1 for later.
fn line_index(expected: NaiveDate, as_of: NaiveDate) -> usize {
    let days = (expected - as_of).num_days();
    if days < 0 {
        return 0;
    }
    (days / 7 + 1).min(WEEKS as i64 + 1) as usize
}

fn empty_lines(as_of: NaiveDate) -> Vec<ForecastLine> {
    let day = |n: u64| as_of.checked_add_days(Days::new(n));
    let line = |label: String, from, to| ForecastLine {
        label,
        from,
        to,
        amount: 0,
        invoices: 0,
    };
    let mut lines = vec![line("overdue, expected now".into(), None, as_of.pred_opt())];
    for week in 0..WEEKS {
        lines.push(line(
            format!("week {}", week + 1),
            day(week * 7),
            day(week * 7 + 6),
        ));
    }
    lines.push(line("later".into(), day(WEEKS * 7), None));
    lines
}

impl Forecast {
    /// The lines of every currency.
    pub fn table(&self) -> ReportTable {
        let date = |d: Option<NaiveDate>| Cell::Plain(d.map(|d| d.to_string()).unwrap_or_default());
        let rows = self.currencies.iter().flat_map(|(currency, forecast)| {
            forecast.lines.iter().map(move |line| {
                vec![
                    Cell::Plain(currency.clone()),
                    Cell::Plain(line.label.clone()),
                    date(line.from),
                    date(line.to),
                    amount(line.amount, currency),
                    Cell::Count(line.invoices),
                    Cell::Figure(forecast.average_days_late),
                ]
            })
        });
        ReportTable {
            title: format!(
                "Cash forecast from {} by week: due dates shifted by each customer's average days late",
                self.as_of
            ),
            meta: vec![("as_of", self.as_of.to_string())],
            columns: vec![
                "currency",
                "line",
                "from",
                "to",
                "expected",
                "invoices",
                "currency_average_days_late",
            ],
            rows: rows.collect(),
        }
    }

    /// The basis per customer: open balance, the shift used and where it came from.
    pub fn customers_table(&self) -> ReportTable {
        let rows = self.customers.iter().map(|c| {
            let source = match c.shift_source {
                ShiftSource::Customer => "customer",
                ShiftSource::Currency => "currency average",
                ShiftSource::None => "no history",
            };
            vec![
                Cell::Plain(c.currency.clone()),
                Cell::Count(c.customer_id),
                Cell::Text(c.name.clone()),
                amount(c.open, &c.currency),
                Cell::Count(c.invoices),
                Cell::Count(c.shift_days),
                Cell::Plain(source.into()),
            ]
        });
        ReportTable {
            title: format!("Cash forecast basis per customer as of {}", self.as_of),
            meta: vec![("as_of", self.as_of.to_string())],
            columns: vec![
                "currency",
                "customer_id",
                "name",
                "open",
                "invoices",
                "shift_days",
                "shift_source",
            ],
            rows: rows.collect(),
        }
    }
}
