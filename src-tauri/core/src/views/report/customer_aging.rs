//! The aging report as of a day D, one line per customer and currency, and the drill-down to
//! one customer's invoices as they stood on D.
//!
//! An invoice's open amount on D is its amount less the payments dated on or before D; only
//! invoices (and credit notes, as negative amounts) issued on or before D count, void ones
//! never. It is read as what is open today plus the payments dated after D, so one pass over
//! the open invoices and the later payments answers it: an invoice the store marks paid was
//! covered by its payments, and was open on D only by the payments that came after.

use super::aging::{cutoffs, Buckets};
use super::table::{amount, Cell, ReportTable};
use crate::store::DbResult;
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::Serialize;
use ts_rs::TS;

/// One customer's open amounts in one currency on the report's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CustomerAgingRow {
    pub customer_id: i64,
    pub name: String,
    pub currency: String,
    /// Minor units per bucket, in the order of [`super::aging::BUCKETS`].
    pub buckets: Buckets,
    pub total: i64,
    /// Days past due of the oldest invoice still owed on the day (`None` when nothing is due).
    pub oldest_days_past_due: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CustomerAging {
    pub as_of: NaiveDate,
    /// By currency, then the largest total first, then name.
    pub rows: Vec<CustomerAgingRow>,
}

/// One invoice of the drill-down: what was open on it on the report's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AgingInvoice {
    pub invoice_id: i64,
    pub number: String,
    /// `invoice` or `credit_note`.
    pub kind: String,
    pub currency: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub total: i64,
    pub open: i64,
    /// Days past due on the day (0 when not yet due).
    pub days_past_due: i64,
}

/// The open amount of every invoice on ?1, one row per invoice part (open today, or paid after
/// ?1); `{customer}` narrows both parts to one customer. `+status` keeps SQLite off the partial
/// index of open invoices: it lacks the issue date, and reading half the table through it costs
/// ten times a plain scan.
fn open_then(customer: &str) -> String {
    format!(
        "open_then AS (
             SELECT id AS invoice_id, customer_id, currency, due_date,
                    total_minor - paid_minor AS amount
             FROM invoices WHERE +status = 'open' AND issue_date <= ?1{customer}
             UNION ALL
             SELECT i.id, i.customer_id, i.currency, i.due_date, p.amount_minor
             FROM payments p JOIN invoices i ON i.id = p.invoice_id
             WHERE p.paid_on > ?1 AND i.issue_date <= ?1 AND i.status <> 'void'{customer}
         )"
    )
}

/// Every customer's aging on `as_of`, in one aggregate query.
pub fn customer_aging(conn: &Connection, as_of: NaiveDate) -> DbResult<CustomerAging> {
    let [current, days30, days60, days90] = cutoffs(as_of).map(|d| d.to_string());
    let sql = format!(
        "WITH {}, bucketed AS (
             SELECT customer_id, currency, due_date, amount,
                    CASE WHEN due_date >= ?1 THEN 0 WHEN due_date >= ?2 THEN 1
                         WHEN due_date >= ?3 THEN 2 WHEN due_date >= ?4 THEN 3 ELSE 4 END AS b
             FROM open_then
         ), grouped AS (
             SELECT currency, customer_id,
                    SUM(CASE WHEN b = 0 THEN amount ELSE 0 END) AS b0,
                    SUM(CASE WHEN b = 1 THEN amount ELSE 0 END) AS b1,
                    SUM(CASE WHEN b = 2 THEN amount ELSE 0 END) AS b2,
                    SUM(CASE WHEN b = 3 THEN amount ELSE 0 END) AS b3,
                    SUM(CASE WHEN b = 4 THEN amount ELSE 0 END) AS b4,
                    MIN(CASE WHEN b > 0 AND amount > 0 THEN due_date END) AS oldest
             FROM bucketed GROUP BY currency, customer_id
         )
         -- The names are looked up once per customer, after grouping.
         SELECT g.currency, g.customer_id, c.name, b0, b1, b2, b3, b4, oldest
         FROM grouped g JOIN customers c ON c.id = g.customer_id",
        open_then("")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![current, days30, days60, days90], |r| {
        let buckets = Buckets([r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?]);
        let oldest: Option<NaiveDate> = r.get(8)?;
        Ok(CustomerAgingRow {
            currency: r.get(0)?,
            customer_id: r.get(1)?,
            name: r.get(2)?,
            total: buckets.total(),
            buckets,
            oldest_days_past_due: oldest.map(|due| (as_of - due).num_days()),
        })
    })?;
    let mut rows: Vec<CustomerAgingRow> = rows
        .filter(|row| row.as_ref().map_or(true, |row| row.buckets.0 != [0; 5]))
        .collect::<Result<_, _>>()?;
    rows.sort_by(|a, b| {
        (&a.currency, b.total, &a.name, a.customer_id).cmp(&(
            &b.currency,
            a.total,
            &b.name,
            b.customer_id,
        ))
    });
    Ok(CustomerAging { as_of, rows })
}

/// `customer_id`'s invoices with something open on `as_of`, the oldest due first.
pub fn invoices_as_of(
    conn: &Connection,
    customer_id: i64,
    as_of: NaiveDate,
) -> DbResult<Vec<AgingInvoice>> {
    let sql = format!(
        "WITH {}
         SELECT i.id, i.number, i.kind, i.currency, i.issue_date, i.due_date, i.total_minor,
                SUM(o.amount) AS open
         FROM open_then o JOIN invoices i ON i.id = o.invoice_id
         GROUP BY o.invoice_id HAVING open <> 0
         ORDER BY i.due_date, i.id",
        open_then(" AND customer_id = ?2")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![as_of.to_string(), customer_id], |r| {
        let due_date: NaiveDate = r.get(5)?;
        Ok(AgingInvoice {
            invoice_id: r.get(0)?,
            number: r.get(1)?,
            kind: r.get(2)?,
            currency: r.get(3)?,
            issue_date: r.get(4)?,
            due_date,
            total: r.get(6)?,
            open: r.get(7)?,
            days_past_due: (as_of - due_date).num_days().max(0),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl CustomerAging {
    pub fn table(&self) -> ReportTable {
        let mut columns = vec!["currency", "customer_id", "name"];
        columns.extend(super::aging::BUCKETS);
        columns.extend(["total", "oldest_days_past_due"]);
        let rows = self.rows.iter().map(|row| {
            let mut cells = vec![
                Cell::Plain(row.currency.clone()),
                Cell::Count(row.customer_id),
                Cell::Text(row.name.clone()),
            ];
            cells.extend(
                row.buckets
                    .0
                    .iter()
                    .map(|minor| amount(*minor, &row.currency)),
            );
            cells.push(amount(row.total, &row.currency));
            cells.push(Cell::Days(row.oldest_days_past_due));
            cells
        });
        ReportTable {
            title: format!("Aging by customer as of {}", self.as_of),
            meta: vec![("as_of", self.as_of.to_string())],
            columns,
            rows: rows.collect(),
        }
    }
}

/// The drill-down as a table, for `report aging --customer`.
pub fn invoices_table(
    customer_id: i64,
    as_of: NaiveDate,
    invoices: &[AgingInvoice],
) -> ReportTable {
    let rows = invoices.iter().map(|i| {
        vec![
            Cell::Text(i.number.clone()),
            Cell::Plain(i.kind.clone()),
            Cell::Plain(i.currency.clone()),
            Cell::Plain(i.issue_date.to_string()),
            Cell::Plain(i.due_date.to_string()),
            amount(i.total, &i.currency),
            amount(i.open, &i.currency),
            Cell::Count(i.days_past_due),
        ]
    });
    ReportTable {
        title: format!("Invoices of customer {customer_id} open on {as_of}"),
        meta: vec![
            ("as_of", as_of.to_string()),
            ("customer_id", customer_id.to_string()),
        ],
        columns: vec![
            "number",
            "kind",
            "currency",
            "issue_date",
            "due_date",
            "total",
            "open",
            "days_past_due",
        ],
        rows: rows.collect(),
    }
}
