//! The report tables of migration 17 stay equal to the sums they stand for, whatever writes the
//! invoices and payments go through: new invoices and credit notes, payments recorded one by
//! one, applied in bulk or synced after a load, dated before the issue day, voided and reopened
//! invoices, corrected terms, payments edited or removed, and customers removed with everything
//! they had (a cascade). Random sequences of those writes are checked against sums recomputed
//! from the invoices and payments after every few steps.

#![allow(clippy::unwrap_used)] // in a test, an unwrap that fails is the failure message

use chrono::{Days, NaiveDate};
use duebook_core::model::{Currency, InvoiceKind, InvoiceStatus, Money, NewCustomer, NewInvoice};
use duebook_core::store::payments::{self, NewPayment, PaymentSource};
use duebook_core::store::{customers, invoices, Database};
use duebook_core::test_support::temp_db;
use rusqlite::{Connection, OptionalExtension};

type Table = Vec<(String, String, String, i64)>;

/// (invoiced, paid, settled) as the triggers kept them, zero rows left out.
fn kept(conn: &Connection) -> (Table, Table, Table) {
    (
        rows(
            conn,
            "SELECT currency, issue_date, due_date, amount_minor FROM report_invoiced",
        ),
        rows(
            conn,
            "SELECT currency, counted_on, due_date, amount_minor FROM report_paid",
        ),
        rows(
            conn,
            "SELECT currency, paid_day, weighted_days_to_pay || '/' || weighted_days_late,
                    amount_minor FROM report_settled",
        ),
    )
}

/// The same sums, straight from the invoices and payments.
fn recomputed(conn: &Connection) -> (Table, Table, Table) {
    (
        rows(
            conn,
            "SELECT currency, issue_date, due_date, SUM(total_minor) FROM invoices
             WHERE status <> 'void' GROUP BY 1, 2, 3",
        ),
        rows(
            conn,
            "SELECT i.currency, max(p.paid_on, i.issue_date), i.due_date, SUM(p.amount_minor)
             FROM payments p JOIN invoices i ON i.id = p.invoice_id
             WHERE i.status <> 'void' GROUP BY 1, 2, 3",
        ),
        rows(
            conn,
            "SELECT currency, day,
                    SUM(total_minor * CAST(julianday(day) - julianday(issue_date) AS INTEGER))
                    || '/' ||
                    SUM(total_minor * max(0, CAST(julianday(day) - julianday(due_date) AS INTEGER))),
                    SUM(total_minor)
             FROM (SELECT *, max(paid_in_full_on, issue_date) AS day FROM invoices
                   WHERE status <> 'void' AND kind = 'invoice' AND total_minor > 0
                     AND paid_in_full_on IS NOT NULL)
             GROUP BY 1, 2",
        ),
    )
}

fn rows(conn: &Connection, sql: &str) -> Table {
    let mut stmt = conn.prepare(sql).unwrap();
    let mut rows: Table = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .filter(|row| row.3 != 0)
        .collect();
    rows.sort();
    rows
}

/// The first day each invoice's payments reached its amount, computed here in Rust.
fn paid_in_full_days(conn: &Connection) -> Vec<(i64, Option<String>)> {
    let mut stmt = conn
        .prepare("SELECT id, kind, total_minor, paid_in_full_on FROM invoices ORDER BY id")
        .unwrap();
    let invoices: Vec<(i64, String, i64, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut payments = conn
        .prepare(
            "SELECT paid_on, amount_minor FROM payments WHERE invoice_id = ?1 ORDER BY paid_on",
        )
        .unwrap();
    invoices
        .into_iter()
        .map(|(id, kind, total, stored)| {
            let mut want = None;
            if kind == "invoice" && total > 0 {
                let list: Vec<(String, i64)> = payments
                    .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                let mut sum = 0;
                for (n, (day, amount)) in list.iter().enumerate() {
                    sum += amount;
                    // Payments of one day count together.
                    let last_of_day = list.get(n + 1).is_none_or(|next| next.0 != *day);
                    if last_of_day && sum >= total && want.is_none() {
                        want = Some(day.clone());
                    }
                }
                // A later negative payment (a bounced one) opens it again.
                if sum < total {
                    want = None;
                }
            }
            assert_eq!(stored, want, "invoice {id}'s paid-in-full day");
            (id, want)
        })
        .collect()
}

struct Writer {
    rng: fastrand::Rng,
    customers: Vec<i64>,
    invoices: Vec<i64>,
    number: u32,
}

impl Writer {
    fn day(&mut self, from: NaiveDate, spread: u64) -> NaiveDate {
        from.checked_add_days(Days::new(self.rng.u64(0..spread)))
            .unwrap()
    }

    fn new_invoice(&mut self, conn: &Connection) -> NewInvoice {
        self.number += 1;
        let credit = self.rng.u8(0..8) == 0;
        let currency = Currency::parse(["USD", "EUR"][self.rng.usize(0..2)]).unwrap();
        let issue_date = self.day(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), 300);
        let amount = self.rng.i64(100..50_000);
        let customer_id = self.customer(conn);
        NewInvoice {
            customer_id,
            kind: if credit {
                InvoiceKind::CreditNote
            } else {
                InvoiceKind::Invoice
            },
            number: format!("R-{}", self.number),
            issue_date,
            due_date: self.day(issue_date, 61),
            total: Money::new(if credit { -amount / 4 } else { amount }, currency),
            source: "test".into(),
        }
    }

    fn customer(&mut self, conn: &Connection) -> i64 {
        if self.customers.is_empty() || self.rng.u8(0..10) == 0 {
            let name = format!("Customer {}", self.customers.len() + 1);
            let id = customers::insert(conn, &NewCustomer::named(&name)).unwrap();
            self.customers.push(id);
        }
        self.customers[self.rng.usize(0..self.customers.len())]
    }

    fn some_invoice(&mut self, conn: &Connection) -> Option<invoices_row::Row> {
        let n = self.invoices.len();
        if n == 0 {
            return None;
        }
        let id = self.invoices[self.rng.usize(0..n)];
        invoices_row::get(conn, id)
    }

    fn payment(&mut self, invoice: &invoices_row::Row) -> NewPayment<'static> {
        // Some are dated before the invoice was issued (a deposit).
        let from = invoice.issue.checked_sub_days(Days::new(5)).unwrap();
        let whole = self.rng.u8(0..3) > 0;
        NewPayment {
            invoice_id: invoice.id,
            amount_minor: if whole {
                invoice.total
            } else {
                invoice.total / 3
            },
            paid_on: self.day(from, 120),
            reference: None,
            source: PaymentSource::Manual,
        }
    }

    fn step(&mut self, conn: &Connection) {
        match self.rng.u8(0..14) {
            0..=3 => {
                let new = self.new_invoice(conn);
                self.invoices.push(invoices::insert(conn, &new).unwrap());
            }
            4..=6 => self.pay(conn, |conn, p| payments::record(conn, p).map(drop)),
            7 => self.pay(conn, |conn, p| payments::record_applied(conn, p).map(drop)),
            8 => self.pay(conn, |conn, p| {
                payments::insert_unsynced(conn, p)?;
                payments::sync_all(conn)
            }),
            9 => {
                if let Some(invoice) = self.some_invoice(conn) {
                    let status = if invoice.void {
                        InvoiceStatus::Open
                    } else {
                        InvoiceStatus::Void
                    };
                    invoices::set_status(conn, invoice.id, status).unwrap();
                    payments::sync_invoice(conn, invoice.id).unwrap();
                }
            }
            10 => {
                if let Some(invoice) = self.some_invoice(conn) {
                    let mut new = self.new_invoice(conn);
                    new.kind = invoice.kind;
                    if self.rng.bool() {
                        // Only the due day moves, as a corrected export often has it.
                        new.issue_date = invoice.issue;
                        new.due_date = self.day(invoice.issue, 61);
                    }
                    new.total = Money::new(invoice.total.saturating_add(100), new.total.currency);
                    invoices::update_terms(conn, invoice.id, &new).unwrap();
                    payments::sync_invoice(conn, invoice.id).unwrap();
                }
            }
            11 => self.change_a_payment(
                conn,
                "UPDATE payments SET paid_on = date(paid_on, ?2 || ' days'),
                                     amount_minor = amount_minor - 7 WHERE id = ?1",
            ),
            12 => self.change_a_payment(conn, "DELETE FROM payments WHERE id = ?1 AND ?2 = ?2"),
            _ => {
                if self.rng.u8(0..4) > 0 {
                    conn.execute(
                        "DELETE FROM invoices WHERE id = (SELECT id FROM invoices ORDER BY random() LIMIT 1)",
                        [],
                    )
                    .unwrap();
                } else if let Some(id) = self.customers.pop() {
                    conn.execute("DELETE FROM customers WHERE id = ?1", [id])
                        .unwrap();
                }
                let live = |id: &i64| invoices_row::get(conn, *id).is_some();
                self.invoices.retain(live);
            }
        }
    }

    /// Runs `sql` on a random payment (?1, with ?2 a number of days) and syncs its invoice.
    fn change_a_payment(&mut self, conn: &Connection, sql: &str) {
        let picked: Option<(i64, i64)> = conn
            .query_row(
                "SELECT id, invoice_id FROM payments ORDER BY random() LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .unwrap();
        if let Some((id, invoice_id)) = picked {
            let days = self.rng.i64(-30..30);
            conn.execute(sql, rusqlite::params![id, days]).unwrap();
            payments::sync_invoice(conn, invoice_id).unwrap();
        }
    }

    fn pay(
        &mut self,
        conn: &Connection,
        write: impl Fn(&Connection, &NewPayment) -> duebook_core::store::DbResult<()>,
    ) {
        if let Some(invoice) = self.some_invoice(conn) {
            let payment = self.payment(&invoice);
            write(conn, &payment).unwrap();
        }
    }
}

/// The few facts of an invoice the writer needs.
mod invoices_row {
    use chrono::NaiveDate;
    use duebook_core::model::InvoiceKind;
    use rusqlite::{Connection, OptionalExtension};

    pub struct Row {
        pub id: i64,
        pub kind: InvoiceKind,
        pub issue: NaiveDate,
        pub total: i64,
        pub void: bool,
    }

    pub fn get(conn: &Connection, id: i64) -> Option<Row> {
        conn.query_row(
            "SELECT kind, issue_date, total_minor, status FROM invoices WHERE id = ?1",
            [id],
            |r| {
                let kind = if r.get::<_, String>(0)? == "invoice" {
                    InvoiceKind::Invoice
                } else {
                    InvoiceKind::CreditNote
                };
                Ok(Row {
                    id,
                    kind,
                    issue: r.get(1)?,
                    total: r.get(2)?,
                    void: r.get::<_, String>(3)? == "void",
                })
            },
        )
        .optional()
        .unwrap()
    }
}

fn check(db: &Database, context: &str) {
    let (invoiced, paid, settled) = kept(db.conn());
    let (want_invoiced, want_paid, want_settled) = recomputed(db.conn());
    assert_eq!(invoiced, want_invoiced, "{context}: report_invoiced");
    assert_eq!(paid, want_paid, "{context}: report_paid");
    assert_eq!(settled, want_settled, "{context}: report_settled");
    paid_in_full_days(db.conn());
}

#[test]
fn the_report_tables_follow_every_kind_of_write() {
    for seed in 1..=6 {
        let (_dir, db) = temp_db();
        let mut writer = Writer {
            rng: fastrand::Rng::with_seed(seed),
            customers: Vec::new(),
            invoices: Vec::new(),
            number: 0,
        };
        for step in 1..=400 {
            writer.step(db.conn());
            if step % 25 == 0 {
                check(&db, &format!("seed {seed} step {step}"));
            }
        }
        let (invoiced, paid, settled) = kept(db.conn());
        // The sequence must have left something in each table, or it proved little.
        assert!(
            invoiced.len() > 20 && paid.len() > 20 && settled.len() > 5,
            "seed {seed}: {} {} {}",
            invoiced.len(),
            paid.len(),
            settled.len()
        );
    }
}

#[test]
fn an_upgraded_file_gets_its_history_in_the_report_tables() {
    let (dir, db) = temp_db();
    let mut writer = Writer {
        rng: fastrand::Rng::with_seed(17),
        customers: Vec::new(),
        invoices: Vec::new(),
        number: 0,
    };
    for _ in 0..300 {
        writer.step(db.conn());
    }
    let before = kept(db.conn());
    let days = paid_in_full_days(db.conn());
    duebook_core::test_support::migration::back_to_version_15(db.conn());
    drop(db);
    // Opening runs migrations 16 and 17 again; 17 fills the tables from the rows.
    let db = Database::open(&dir.path().join("test.sqlite")).unwrap();
    assert_eq!(kept(db.conn()), before);
    assert_eq!(paid_in_full_days(db.conn()), days);
    check(&db, "after the upgrade");
}
