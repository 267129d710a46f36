//! What a statement says, read from the database: the account's activity in the period with a
//! running balance, per currency, and what is open on the statement date, aged.
//!
//! Everything is computed from the invoices and payments dated up to the statement date, so a
//! statement for an earlier date shows the account as it stood then. Void invoices (and any
//! payments against them) are left out, as the aging report leaves them out. Open amounts are
//! aged with the aging report's own rule ([`crate::views::report::aging::bucket_index`]); for today's
//! date a statement's aging equals `report::aging::customer_aging` (the tests check that). An
//! overpaid invoice shows as a credit here, where the report (which ages open invoices only)
//! leaves it out.

use super::StatementError;
use crate::company::fields::ContextInput;
use crate::company::{self, CompanyProfile};
use crate::model::plan::{PaymentPlan, PlanStatus};
use crate::model::{Contact, Currency, InvoiceKind, InvoiceStatus};
use crate::store::charges::StoredCharge;
use crate::store::plans;
use crate::store::DbError;
use crate::views::report::aging::{bucket_index, Buckets};
use crate::{store::contacts, store::customers};
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use ts_rs::TS;

/// One line of account activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Entry {
    pub date: NaiveDate,
    pub kind: EntryKind,
    /// Invoice or credit-note number the line is about.
    pub number: String,
    /// The payment's reference, if one was recorded.
    pub reference: Option<String>,
    pub due_date: Option<NaiveDate>,
    /// What the line adds to the balance (minor units; negative for payments and credits).
    pub amount: i64,
    /// The balance after this line.
    pub balance: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EntryKind {
    Invoice,
    CreditNote,
    Payment,
}

/// An invoice or credit note with something still open on the statement date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OpenItem {
    pub invoice_id: i64,
    pub kind: InvoiceKind,
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub total: i64,
    pub open: i64,
    /// Positive when past due.
    pub days_overdue: i64,
}

/// The statement for one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CurrencySection {
    pub currency: Currency,
    /// Balance at the end of the day before the period starts.
    pub opening: i64,
    pub entries: Vec<Entry>,
    /// Balance at the end of the statement date.
    pub closing: i64,
    /// Invoices issued in the period.
    pub invoiced: i64,
    /// Payments received in the period (positive).
    pub paid: i64,
    /// Credit notes issued in the period (positive).
    pub credited: i64,
    /// Open amounts on the statement date by days past due (current, 1–30, 31–60, 61–90, 90+).
    pub aging: Buckets,
    /// Oldest due first.
    pub open_items: Vec<OpenItem>,
}

/// Everything a statement shows (the app's preview is drawn from it, too).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StatementData {
    pub company: CompanyProfile,
    pub customer_id: i64,
    pub customer_name: String,
    /// The billing contact (or the first contact).
    pub contact: Option<Contact>,
    pub as_of: NaiveDate,
    pub period_start: NaiveDate,
    /// One per currency the customer has activity or a balance in, by currency code.
    pub sections: Vec<CurrencySection>,
    /// The company's payment link for the oldest open invoice (the one reminders use).
    pub payment_link: Option<String>,
    /// The payment reference to quote.
    pub reference: String,
    /// Late fees and interest on open invoices, not waived: a section of their own, never
    /// part of the invoices, the balance or the aging.
    pub charges: Vec<StoredCharge>,
    /// The customer's running payment plan on `as_of`, if any.
    pub plan: Option<PaymentPlan>,
}

impl StatementData {
    /// Every currency the statement shows an amount in: the sections', the payment plan's and
    /// the late fees' (a charge keeps its invoice's valid code; an unreadable one is left out,
    /// as the PDF leaves it out).
    pub fn currencies(&self) -> impl Iterator<Item = Currency> + '_ {
        let charges = self
            .charges
            .iter()
            .filter_map(|c| Currency::parse(&c.currency).ok());
        self.sections
            .iter()
            .map(|s| s.currency.clone())
            .chain(self.plan.iter().map(|p| p.total.currency.clone()))
            .chain(charges)
    }
}

struct InvoiceFact {
    id: i64,
    kind: InvoiceKind,
    number: String,
    issue_date: NaiveDate,
    due_date: NaiveDate,
    currency: String,
    total: i64,
}

struct PaymentFact {
    invoice_id: i64,
    amount: i64,
    paid_on: NaiveDate,
    reference: Option<String>,
}

pub(crate) fn load_company(conn: &Connection) -> Result<CompanyProfile, StatementError> {
    company::load(conn).map_err(|e| match e {
        company::CompanyError::Db(db) => StatementError::Db(db),
        company::CompanyError::Invalid(reason) => StatementError::Company(reason),
    })
}

/// The billing contact, else the first contact.
pub(crate) fn billing_contact(
    conn: &Connection,
    customer_id: i64,
) -> Result<Option<Contact>, DbError> {
    // for_customer lists the billing contact first.
    Ok(contacts::for_customer(conn, customer_id)?
        .into_iter()
        .next())
}

pub fn load(
    conn: &Connection,
    customer_id: i64,
    as_of: NaiveDate,
    period_start: NaiveDate,
    company: &CompanyProfile,
) -> Result<StatementData, StatementError> {
    if period_start > as_of {
        return Err(StatementError::Period {
            start: period_start,
            as_of,
        });
    }
    let customer = customers::get(conn, customer_id)?;
    let (invoices, payments) = facts(conn, customer_id, as_of)?;
    let sections = sections(&invoices, &payments, as_of, period_start);
    let (payment_link, reference) = payment_details(conn, customer_id, as_of, company)?;
    Ok(StatementData {
        company: company.clone(),
        customer_id,
        customer_name: customer.name,
        contact: billing_contact(conn, customer_id)?,
        as_of,
        period_start,
        sections,
        payment_link,
        reference,
        charges: company::fields::shown_charges(conn, customer_id, as_of)?,
        plan: plans::for_customer(conn, customer_id, as_of)?
            .into_iter()
            .find(|p| p.status == PlanStatus::Active),
    })
}

/// The link and reference reminders use, from the same template context (so a statement and
/// an email never disagree).
fn payment_details(
    conn: &Connection,
    customer_id: i64,
    as_of: NaiveDate,
    company: &CompanyProfile,
) -> Result<(Option<String>, String), StatementError> {
    if company.payment_link_pattern.is_empty() && company.remittance.reference_format.is_empty() {
        // Nothing to render: the reference is the invoice number itself.
        return Ok((None, String::new()));
    }
    let ctx = crate::company::fields::build(
        conn,
        &ContextInput {
            customer_id,
            as_of,
            company,
            sender_name: "",
            sender_email: "",
        },
    )?;
    Ok((ctx.payment_link, ctx.company.remittance.reference))
}

fn facts(
    conn: &Connection,
    customer_id: i64,
    as_of: NaiveDate,
) -> Result<(Vec<InvoiceFact>, Vec<PaymentFact>), StatementError> {
    let as_of_text = as_of.to_string();
    let void = InvoiceStatus::Void.as_str();
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, number, issue_date, due_date, currency, total_minor FROM invoices
         WHERE customer_id = ?1 AND status != ?2 AND issue_date <= ?3
         ORDER BY issue_date, number, id",
    )?;
    let invoices = stmt
        .query_map(rusqlite::params![customer_id, void, as_of_text], |r| {
            let kind: String = r.get(1)?;
            Ok(InvoiceFact {
                id: r.get(0)?,
                kind: InvoiceKind::from_db(&kind),
                number: r.get(2)?,
                issue_date: r.get(3)?,
                due_date: r.get(4)?,
                currency: r.get(5)?,
                total: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT p.invoice_id, p.amount_minor, p.paid_on, p.reference FROM payments p
         JOIN invoices i ON i.id = p.invoice_id
         WHERE i.customer_id = ?1 AND i.status != ?2 AND i.issue_date <= ?3 AND p.paid_on <= ?3
         ORDER BY p.paid_on, p.id",
    )?;
    let payments = stmt
        .query_map(rusqlite::params![customer_id, void, as_of_text], |r| {
            Ok(PaymentFact {
                invoice_id: r.get(0)?,
                amount: r.get(1)?,
                paid_on: r.get(2)?,
                reference: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((invoices, payments))
}

#[derive(Default)]
struct Acc {
    opening: i64,
    entries: Vec<Entry>,
    invoiced: i64,
    paid: i64,
    credited: i64,
    aging: Buckets,
    open_items: Vec<OpenItem>,
}

fn sections(
    invoices: &[InvoiceFact],
    payments: &[PaymentFact],
    as_of: NaiveDate,
    period_start: NaiveDate,
) -> Vec<CurrencySection> {
    let by_id: HashMap<i64, &InvoiceFact> = invoices.iter().map(|i| (i.id, i)).collect();
    let mut paid_by_invoice: HashMap<i64, i64> = HashMap::new();
    for p in payments {
        *paid_by_invoice.entry(p.invoice_id).or_default() += p.amount;
    }
    let mut acc: BTreeMap<&str, Acc> = BTreeMap::new();
    for inv in invoices {
        let a = acc.entry(inv.currency.as_str()).or_default();
        if inv.issue_date < period_start {
            a.opening += inv.total;
        } else {
            let kind = match inv.kind {
                InvoiceKind::Invoice => {
                    a.invoiced += inv.total;
                    EntryKind::Invoice
                }
                InvoiceKind::CreditNote => {
                    a.credited -= inv.total;
                    EntryKind::CreditNote
                }
            };
            a.entries.push(Entry {
                date: inv.issue_date,
                kind,
                number: inv.number.clone(),
                reference: None,
                due_date: Some(inv.due_date),
                amount: inv.total,
                balance: 0,
            });
        }
        let open = inv.total - paid_by_invoice.get(&inv.id).copied().unwrap_or(0);
        if open != 0 {
            a.aging.0[bucket_index(inv.due_date, as_of)] += open;
            a.open_items.push(OpenItem {
                invoice_id: inv.id,
                kind: inv.kind,
                number: inv.number.clone(),
                issue_date: inv.issue_date,
                due_date: inv.due_date,
                total: inv.total,
                open,
                days_overdue: (as_of - inv.due_date).num_days(),
            });
        }
    }
    for p in payments {
        let Some(inv) = by_id.get(&p.invoice_id) else {
            continue;
        };
        let a = acc.entry(inv.currency.as_str()).or_default();
        if p.paid_on < period_start {
            a.opening -= p.amount;
        } else {
            a.paid += p.amount;
            a.entries.push(Entry {
                date: p.paid_on,
                kind: EntryKind::Payment,
                number: inv.number.clone(),
                reference: p.reference.clone(),
                due_date: None,
                amount: -p.amount,
                balance: 0,
            });
        }
    }
    acc.into_iter()
        .filter_map(|(code, mut a)| {
            // Unknown codes cannot be stored (the schema and importers check them).
            let currency = Currency::parse(code).ok()?;
            a.entries
                .sort_by(|x, y| (x.date, x.kind, &x.number).cmp(&(y.date, y.kind, &y.number)));
            let mut balance = a.opening;
            for e in &mut a.entries {
                balance += e.amount;
                e.balance = balance;
            }
            a.open_items
                .sort_by(|x, y| (x.due_date, &x.number).cmp(&(y.due_date, &y.number)));
            let quiet = a.opening == 0 && a.entries.is_empty() && balance == 0;
            (!quiet || !a.open_items.is_empty()).then_some(CurrencySection {
                currency,
                opening: a.opening,
                entries: a.entries,
                closing: balance,
                invoiced: a.invoiced,
                paid: a.paid,
                credited: a.credited,
                aging: a.aging,
                open_items: a.open_items,
            })
        })
        .collect()
}
