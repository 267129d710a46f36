//! Building a customer's fields from the database.

use super::*;
use crate::company::CompanyProfile;
use crate::model::{Currency, InvoiceKind, InvoiceStatus, Money};
use crate::sandbox::render_inline;
use crate::store::invoices;
use crate::store::{DbError, DbResult};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;

/// Everything needed beside the database to build a context.
pub struct ContextInput<'a> {
    pub customer_id: i64,
    pub as_of: NaiveDate,
    pub company: &'a CompanyProfile,
    pub sender_name: &'a str,
    pub sender_email: &'a str,
}

/// The fields of a message about no one customer (an owner's digest): the company, the sender
/// and the day; `input.customer_id` is not read.
pub fn without_customer(input: &ContextInput) -> TemplateContext {
    let customer = CustomerFields {
        id: 0,
        name: String::new(),
        segment: None,
        currency: None,
        custom: serde_json::Value::Object(Default::default()),
    };
    let contact = ContactFields {
        name: String::new(),
        first_name: String::new(),
        email: String::new(),
    };
    assemble(customer, contact, input, Vec::new())
}

/// The fields of one customer as of `input.as_of`, read from the database.
pub fn build(conn: &Connection, input: &ContextInput) -> DbResult<TemplateContext> {
    let (segment, currency, custom_json, name, customer_limit) = conn
        .prepare_cached(
            "SELECT segment, currency, custom_fields, name, credit_limit_minor,
                    credit_limit_currency
             FROM customers WHERE id = ?1",
        )?
        .query_row([input.customer_id], |r| {
            let limit = match (r.get::<_, Option<i64>>(4)?, r.get::<_, Option<String>>(5)?) {
                (Some(minor), Some(code)) => {
                    Currency::parse(&code).ok().map(|c| Money::new(minor, c))
                }
                _ => None,
            };
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                limit,
            ))
        })
        .optional()?
        .ok_or_else(|| DbError::NotFound(format!("customer {}", input.customer_id)))?;
    let customer = CustomerFields {
        id: input.customer_id,
        name,
        segment,
        currency,
        custom: serde_json::from_str(&custom_json)
            .unwrap_or_else(|_| serde_json::Value::Object(Default::default())),
    };
    let contact = match crate::company::recipient(conn, input.customer_id)? {
        Some((name, email)) => {
            let name = name.unwrap_or_default();
            let first = name.split_whitespace().next().unwrap_or("").to_string();
            ContactFields {
                first_name: if first.is_empty() {
                    customer.name.clone()
                } else {
                    first
                },
                name,
                email,
            }
        }
        None => ContactFields {
            name: String::new(),
            first_name: customer.name.clone(),
            email: String::new(),
        },
    };
    let rows: Vec<_> = invoices::for_customer(conn, input.customer_id, input.as_of)?
        .into_iter()
        .filter(|r| r.invoice.status == InvoiceStatus::Open && r.open.minor != 0)
        .collect();
    let mut ctx = assemble(customer, contact, input, Vec::new());
    let list = rows.iter().map(invoice_fields).collect();
    ctx.promise = promise(conn, input.customer_id)?;
    ctx.dispute = dispute(conn, input.customer_id)?;
    ctx.payment = payment(conn, input.customer_id)?;
    ctx.paid_invoices = paid_invoices(conn, input.customer_id, input.as_of)?;
    ctx.credit_limit = customer_limit.as_ref().map(format_money);
    ctx.fees = fees_of(&shown_charges(conn, input.customer_id, input.as_of)?);
    ctx.plan = super::plan::plan(conn, input.customer_id, input.as_of)?;
    ctx.offer = super::offer::offer(conn, input.customer_id, input.as_of)?;
    ctx.owner = owner(conn, input.customer_id)?;
    fill_invoices(&mut ctx, list, input.company);
    Ok(ctx)
}

/// One open invoice as templates see it (links and references are filled in later).
fn invoice_fields(row: &crate::model::InvoiceRow) -> InvoiceFields {
    let inv = &row.invoice;
    let currency = inv.total.currency.clone();
    let paid = Money::new(inv.paid_minor, currency.clone());
    let days = row.days_overdue.max(0);
    InvoiceFields {
        id: inv.id,
        number: inv.number.clone(),
        kind: match inv.kind {
            InvoiceKind::Invoice => "invoice",
            InvoiceKind::CreditNote => "credit_note",
        },
        issue_date: format_date(inv.issue_date),
        due_date: format_date(inv.due_date),
        issue_date_iso: inv.issue_date.to_string(),
        due_date_iso: inv.due_date.to_string(),
        days_overdue: days,
        is_overdue: days > 0 && inv.kind == InvoiceKind::Invoice,
        currency: currency.code().to_string(),
        total: format_money(&inv.total),
        total_number: inv.total.decimal_string(),
        paid: format_money(&paid),
        paid_number: paid.decimal_string(),
        open: format_money(&row.open),
        open_number: row.open.decimal_string(),
        amount: format_money(&row.open),
        amount_number: row.open.decimal_string(),
        payment_link: None,
        reference: String::new(),
    }
}

pub(super) fn assemble(
    customer: CustomerFields,
    contact: ContactFields,
    input: &ContextInput,
    invoices: Vec<InvoiceFields>,
) -> TemplateContext {
    let c = input.company;
    let r = &c.remittance;
    TemplateContext {
        customer,
        contact,
        invoices,
        overdue_invoices: Vec::new(),
        totals: Vec::new(),
        total_due: String::new(),
        total_overdue: String::new(),
        days_overdue: 0,
        invoice_count: 0,
        overdue_count: 0,
        payment_link: None,
        company: CompanyFields {
            name: if c.name.is_empty() {
                input.sender_name.to_string()
            } else {
                c.name.clone()
            },
            signature: c.signature.trim().to_string(),
            phone: c.phone.clone(),
            website: c.website.clone(),
            logo_url: c.logo_url.clone(),
            accent_color: c.accent().to_string(),
            has_remittance: !(r.account_number.is_empty() && r.instructions.is_empty()),
            remittance: RemittanceFields {
                bank_name: r.bank_name.clone(),
                account_name: if r.account_name.is_empty() {
                    c.name.clone()
                } else {
                    r.account_name.clone()
                },
                account_number: r.account_number.clone(),
                bank_code: r.bank_code.clone(),
                reference: String::new(),
                instructions: r.instructions.trim().to_string(),
            },
        },
        sender: SenderFields {
            name: input.sender_name.to_string(),
            email: input.sender_email.to_string(),
        },
        today: format_date(input.as_of),
        promise: None,
        dispute: None,
        payment: None,
        paid_invoices: Vec::new(),
        credit_limit: None,
        fees: FeesFields::default(),
        plan: None,
        offer: None,
        owner: None,
        notice: None,
        digest: None,
    }
}

/// Open and overdue amounts per currency, in currency-code order.
fn totals_per_currency(list: &[InvoiceFields]) -> Vec<TotalFields> {
    let mut totals: BTreeMap<String, (i64, i64, usize, Currency)> = BTreeMap::new();
    for inv in list {
        let Ok(currency) = Currency::parse(&inv.currency) else {
            continue;
        };
        let decimals = currency.decimals();
        let open = crate::model::parse_minor(&inv.open_number, decimals).unwrap_or(0);
        let entry = totals
            .entry(inv.currency.clone())
            .or_insert((0, 0, 0, currency));
        entry.0 += open;
        if inv.days_overdue > 0 {
            entry.1 += open;
        }
        entry.2 += 1;
    }
    totals
        .into_values()
        .map(|(open, overdue, count, currency)| {
            let open = Money::new(open, currency.clone());
            let overdue = Money::new(overdue, currency);
            TotalFields {
                currency: open.currency.code().to_string(),
                open: format_money(&open),
                open_number: open.decimal_string(),
                overdue: format_money(&overdue),
                overdue_number: overdue.decimal_string(),
                count,
            }
        })
        .collect()
}

/// Per-invoice links and references, totals per currency, the overdue subset.
pub(super) fn fill_invoices(
    ctx: &mut TemplateContext,
    mut list: Vec<InvoiceFields>,
    company: &CompanyProfile,
) {
    // One context for all invoices: serializing the customer (custom fields and all) once, not
    // once per invoice, is most of what building a reminder costs.
    let mut local = tera::Context::new();
    local.insert("customer", &ctx.customer);
    for inv in &mut list {
        local.insert("invoice", &*inv);
        if !company.payment_link_pattern.is_empty() {
            inv.payment_link = render_inline(&company.payment_link_pattern, &local, true).ok();
        }
        let format = if company.remittance.reference_format.is_empty() {
            "{{ invoice.number }}"
        } else {
            company.remittance.reference_format.as_str()
        };
        inv.reference = render_inline(format, &local, false).unwrap_or_else(|_| inv.number.clone());
    }
    ctx.totals = totals_per_currency(&list);
    ctx.total_due = join_amounts(
        &ctx.totals
            .iter()
            .map(|t| t.open.clone())
            .collect::<Vec<_>>(),
    );
    ctx.total_overdue = join_amounts(
        &ctx.totals
            .iter()
            .filter(|t| {
                !t.overdue_number
                    .trim_start_matches(['0', '.', '-'])
                    .is_empty()
            })
            .map(|t| t.overdue.clone())
            .collect::<Vec<_>>(),
    );
    ctx.overdue_invoices = list.iter().filter(|i| i.is_overdue).cloned().collect();
    ctx.days_overdue = list.iter().map(|i| i.days_overdue).max().unwrap_or(0);
    ctx.invoice_count = list.len();
    ctx.overdue_count = ctx.overdue_invoices.len();
    let first = list.iter().find(|i| i.kind == "invoice");
    ctx.payment_link = first.and_then(|i| i.payment_link.clone());
    ctx.company.remittance.reference = first.map(|i| i.reference.clone()).unwrap_or_default();
    ctx.invoices = list;
}

/// The customer's account owner, when they have one.
fn owner(conn: &Connection, customer_id: i64) -> DbResult<Option<OwnerFields>> {
    let (name, email): (Option<String>, Option<String>) = conn
        .prepare_cached("SELECT owner_name, owner_email FROM customers WHERE id = ?1")?
        .query_row([customer_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok((name.is_some() || email.is_some()).then(|| OwnerFields {
        name: name.unwrap_or_default(),
        email: email.unwrap_or_default(),
    }))
}

fn promise(conn: &Connection, customer_id: i64) -> DbResult<Option<PromiseFields>> {
    let row = conn
        .prepare_cached(
            "SELECT amount_minor, currency, promised_date FROM promises
             WHERE customer_id = ?1 AND kept IS NULL ORDER BY created_at DESC, id DESC LIMIT 1",
        )?
        .query_row([customer_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .optional()?;
    Ok(row.and_then(|(minor, code, date)| {
        let money = Money::new(minor, Currency::parse(&code).ok()?);
        Some(PromiseFields {
            amount: format_money(&money),
            amount_number: money.decimal_string(),
            date: date.parse().map(format_date).unwrap_or(date),
        })
    }))
}

fn dispute(conn: &Connection, customer_id: i64) -> DbResult<Option<DisputeFields>> {
    Ok(conn
        .prepare_cached(
            "SELECT d.reason, i.number, d.opened_at FROM disputes d
             LEFT JOIN invoices i ON i.id = d.invoice_id
             WHERE d.customer_id = ?1 AND d.resolved_at IS NULL
             ORDER BY d.opened_at DESC, d.id DESC LIMIT 1",
        )?
        .query_row([customer_id], |r| {
            let opened: String = r.get(2)?;
            Ok(DisputeFields {
                reason: r.get(0)?,
                invoice_number: r.get(1)?,
                opened_on: opened
                    .get(..10)
                    .and_then(|d| d.parse().ok())
                    .map(format_date)
                    .unwrap_or(opened),
            })
        })
        .optional()?)
}

/// The invoices the customer is thanked for on `as_of` (`payment_thanks`, migration 18), each
/// dated by its latest payment.
fn paid_invoices(
    conn: &Connection,
    customer_id: i64,
    as_of: NaiveDate,
) -> DbResult<Vec<PaymentFields>> {
    let rows = conn
        .prepare_cached(
            "SELECT i.total_minor, i.currency,
                    (SELECT MAX(p.paid_on) FROM payments p WHERE p.invoice_id = i.id) AS paid_on,
                    i.number
             FROM payment_thanks t JOIN invoices i ON i.id = t.invoice_id
             WHERE t.customer_id = ?1 AND t.thanked_on = ?2
             ORDER BY paid_on, i.number",
        )?
        .query_map(params![customer_id, as_of.to_string()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows.into_iter().filter_map(payment_fields).collect())
}

/// One payment (or paid invoice) as templates see it; None for an unknown currency.
fn payment_fields(
    (minor, code, date, number): (i64, String, String, String),
) -> Option<PaymentFields> {
    let money = Money::new(minor, Currency::parse(&code).ok()?);
    Some(PaymentFields {
        amount: format_money(&money),
        amount_number: money.decimal_string(),
        date: date.parse().map(format_date).unwrap_or(date),
        invoice_number: number,
    })
}

fn payment(conn: &Connection, customer_id: i64) -> DbResult<Option<PaymentFields>> {
    let row = conn
        .prepare_cached(
            "SELECT p.amount_minor, i.currency, p.paid_on, i.number FROM payments p
             JOIN invoices i ON i.id = p.invoice_id
             WHERE i.customer_id = ?1 AND p.source != 'close'
             ORDER BY p.paid_on DESC, p.id DESC LIMIT 1",
        )?
        .query_row([customer_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .optional()?;
    Ok(row.and_then(payment_fields))
}
