//! The fields a template can use, built from the database for one customer.
//!
//! Field palette (documented for the editor; `FIELDS` lists the same):
//! - `customer.name`, `customer.id`, `customer.segment`, `customer.currency`, `customer.custom.<field>`
//! - `contact.name`, `contact.first_name`, `contact.email` — the billing contact
//! - `invoices` — open invoices and credit notes, oldest due first; `overdue_invoices` — the past-due ones.
//!   Each has `number`, `kind`, `issue_date`, `due_date` ("15 Mar 2024"), `issue_date_iso`, `due_date_iso`,
//!   `days_overdue` (0 when not yet due), `is_overdue`, `currency`, `total`, `paid`, `open`,
//!   `amount` (= open) formatted with the currency ("€1,234.50"), and `total_number`, `paid_number`,
//!   `open_number`, `amount_number` as plain numbers ("1234.50"), `payment_link`, `reference`
//! - `totals` — per currency: `currency`, `open`, `overdue`, `open_number`, `overdue_number`, `count`
//! - `total_due`, `total_overdue` — formatted, all currencies ("€1,200.00 and $300.00")
//! - `days_overdue` — of the oldest overdue invoice; `invoice_count`, `overdue_count`
//! - `payment_link` — for the oldest open invoice (from the company's payment link pattern)
//! - `company.name`, `company.signature`, `company.phone`, `company.website`, `company.logo_url`,
//!   `company.accent_color`, `company.remittance.{bank_name, account_name, account_number, bank_code,
//!   reference, instructions}`, `company.has_remittance`
//! - `sender.name`, `sender.email`; `today` ("15 Mar 2024")
//! - `promise` (`amount`, `date`) — the customer's open promise to pay, or null
//! - `dispute` (`reason`, `invoice_number`, `opened_on`) — the open dispute, or null
//! - `payment` (`amount`, `date`, `invoice_number`) — the latest payment, or null

use super::company::CompanyProfile;
use super::templates::render_inline;
use crate::db::{DbError, DbResult};
use crate::invoices;
use crate::model::{Currency, InvoiceKind, InvoiceStatus, Money};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use std::collections::BTreeMap;

/// The field palette: (field, description), for the template editor.
pub const FIELDS: &[(&str, &str)] = &[
    ("customer.name", "Customer name"),
    (
        "customer.custom.<field>",
        "A custom field of the customer; write {{ customer.custom.<field> | default(value=\"\") }} when some customers lack it",
    ),
    ("contact.name", "Billing contact's name"),
    (
        "contact.first_name",
        "Billing contact's first name (or the customer name)",
    ),
    ("contact.email", "Billing contact's email"),
    (
        "invoices",
        "Open invoices (loop: {% for invoice in invoices %})",
    ),
    ("overdue_invoices", "Past-due invoices (loop)"),
    ("invoice.number", "Invoice number (inside a loop)"),
    ("invoice.due_date", "Due date, e.g. 15 Mar 2024"),
    ("invoice.days_overdue", "Days past due"),
    (
        "invoice.amount",
        "Amount still open, with currency, e.g. €1,234.50",
    ),
    (
        "invoice.amount_number",
        "Amount still open as a plain number, e.g. 1234.50",
    ),
    ("invoice.total", "Invoice total, with currency"),
    ("invoice.payment_link", "Payment link for this invoice"),
    ("invoice.reference", "Payment reference for this invoice"),
    (
        "totals",
        "Per currency: currency, open, overdue, count (loop)",
    ),
    ("total_due", "Everything open, e.g. €1,200.00 and $300.00"),
    ("total_overdue", "Everything past due"),
    ("days_overdue", "Days the oldest invoice is past due"),
    ("payment_link", "Payment link (oldest open invoice)"),
    ("company.name", "Your company name"),
    ("company.signature", "Your signature"),
    ("company.remittance.account_number", "IBAN / account number"),
    (
        "company.remittance.reference",
        "Payment reference (oldest open invoice)",
    ),
    ("sender.name", "Sender name"),
    ("today", "Today's date"),
    (
        "promise.amount",
        "Promised amount (promise-to-pay confirmation)",
    ),
    ("promise.date", "Promised date"),
    ("dispute.reason", "What the customer disputes"),
    ("payment.amount", "Latest payment received"),
];

/// One entry of the editor's field palette.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct TemplateField {
    /// What to type, e.g. "{{ customer.name }}".
    pub insert: String,
    pub field: String,
    pub description: String,
}

/// The field palette for the template editor.
pub fn field_palette() -> Vec<TemplateField> {
    FIELDS
        .iter()
        .map(|(field, description)| TemplateField {
            insert: if field.starts_with("invoices")
                || field.starts_with("overdue_invoices")
                || *field == "totals"
            {
                format!("{{% for item in {field} %}}{{% endfor %}}")
            } else {
                format!("{{{{ {field} }}}}")
            },
            field: field.to_string(),
            description: description.to_string(),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct TemplateContext {
    pub customer: CustomerFields,
    pub contact: ContactFields,
    pub invoices: Vec<InvoiceFields>,
    pub overdue_invoices: Vec<InvoiceFields>,
    pub totals: Vec<TotalFields>,
    pub total_due: String,
    pub total_overdue: String,
    pub days_overdue: i64,
    pub invoice_count: usize,
    pub overdue_count: usize,
    pub payment_link: Option<String>,
    pub company: CompanyFields,
    pub sender: SenderFields,
    pub today: String,
    pub promise: Option<PromiseFields>,
    pub dispute: Option<DisputeFields>,
    pub payment: Option<PaymentFields>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerFields {
    pub id: i64,
    pub name: String,
    pub segment: Option<String>,
    pub currency: Option<String>,
    pub custom: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactFields {
    pub name: String,
    pub first_name: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InvoiceFields {
    pub id: i64,
    pub number: String,
    pub kind: &'static str,
    pub issue_date: String,
    pub due_date: String,
    pub issue_date_iso: String,
    pub due_date_iso: String,
    pub days_overdue: i64,
    pub is_overdue: bool,
    pub currency: String,
    pub total: String,
    pub total_number: String,
    pub paid: String,
    pub paid_number: String,
    pub open: String,
    pub open_number: String,
    pub amount: String,
    pub amount_number: String,
    pub payment_link: Option<String>,
    pub reference: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TotalFields {
    pub currency: String,
    pub open: String,
    pub open_number: String,
    pub overdue: String,
    pub overdue_number: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompanyFields {
    pub name: String,
    pub signature: String,
    pub phone: String,
    pub website: String,
    pub logo_url: String,
    pub accent_color: String,
    pub remittance: RemittanceFields,
    pub has_remittance: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RemittanceFields {
    pub bank_name: String,
    pub account_name: String,
    pub account_number: String,
    pub bank_code: String,
    pub reference: String,
    pub instructions: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SenderFields {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PromiseFields {
    pub amount: String,
    pub amount_number: String,
    pub date: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DisputeFields {
    pub reason: String,
    pub invoice_number: Option<String>,
    pub opened_on: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PaymentFields {
    pub amount: String,
    pub amount_number: String,
    pub date: String,
    pub invoice_number: String,
}

impl TemplateContext {
    pub fn to_tera(&self) -> tera::Context {
        tera::Context::from_serialize(self).unwrap_or_default()
    }
}

/// "€1,234.50", "-$12.00", "CHF 1,234.50", "¥1,500".
pub fn format_money(money: &Money) -> String {
    let decimal = money.decimal_string();
    let (sign, digits) = match decimal.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", decimal.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let number = if fraction.is_empty() {
        grouped
    } else {
        format!("{grouped}.{fraction}")
    };
    match symbol(&money.currency) {
        Some(s) => format!("{sign}{s}{number}"),
        None => format!("{sign}{} {number}", money.currency.code()),
    }
}

fn symbol(currency: &Currency) -> Option<&'static str> {
    Some(match currency.code() {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        "JPY" => "¥",
        "INR" => "₹",
        "AUD" => "A$",
        "CAD" => "CA$",
        "NZD" => "NZ$",
        "ILS" => "₪",
        "KRW" => "₩",
        _ => return None,
    })
}

/// "15 Mar 2024": unambiguous in every locale.
pub fn format_date(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

/// Joins per-currency amounts: "€1,200.00 and $300.00".
fn join_amounts(amounts: &[String]) -> String {
    match amounts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Everything needed beside the database to build a context.
pub struct ContextInput<'a> {
    pub customer_id: i64,
    pub as_of: NaiveDate,
    pub company: &'a CompanyProfile,
    pub sender_name: &'a str,
    pub sender_email: &'a str,
}

/// The billing contact (or first contact with a usable email) as (name, email).
pub fn recipient(
    conn: &Connection,
    customer_id: i64,
) -> DbResult<Option<(Option<String>, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT name, email FROM contacts
             WHERE customer_id = ?1 AND email IS NOT NULL AND trim(email) != '' AND email_bad = 0
             ORDER BY is_billing DESC, id LIMIT 1",
        )?
        .query_row([customer_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Why the fields for a preview could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PreviewFieldsError {
    #[error(transparent)]
    Company(#[from] super::company::CompanyError),
    #[error(transparent)]
    Account(#[from] super::account::AccountError),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The fields a preview renders for a real customer, with the stored company profile and
/// sender (empty before an email account is set up). Only reads: callers holding a lock take it
/// for this and render after releasing it.
pub fn for_preview(
    conn: &Connection,
    customer_id: i64,
    as_of: NaiveDate,
) -> Result<TemplateContext, PreviewFieldsError> {
    let company = super::company::load(conn)?;
    let sender = super::account::load(conn)?;
    Ok(build(
        conn,
        &ContextInput {
            customer_id,
            as_of,
            company: &company,
            sender_name: sender.as_ref().map_or("", |s| s.sender_name.as_str()),
            sender_email: sender.as_ref().map_or("", |s| s.from_address.as_str()),
        },
    )?)
}

pub fn build(conn: &Connection, input: &ContextInput) -> DbResult<TemplateContext> {
    let (segment, currency, custom_json, name) = conn
        .prepare_cached(
            "SELECT segment, currency, custom_fields, name FROM customers WHERE id = ?1",
        )?
        .query_row([input.customer_id], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
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
    let contact = match recipient(conn, input.customer_id)? {
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
    let mut list = Vec::with_capacity(rows.len());
    for row in rows {
        let inv = &row.invoice;
        let currency = inv.total.currency.clone();
        let paid = Money::new(inv.paid_minor, currency.clone());
        let days = row.days_overdue.max(0);
        list.push(InvoiceFields {
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
        });
    }
    ctx.promise = promise(conn, input.customer_id)?;
    ctx.dispute = dispute(conn, input.customer_id)?;
    ctx.payment = payment(conn, input.customer_id)?;
    fill_invoices(&mut ctx, list, input.company);
    Ok(ctx)
}

fn assemble(
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
    }
}

/// Per-invoice links and references, totals per currency, the overdue subset.
fn fill_invoices(
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
    let mut totals: BTreeMap<String, (i64, i64, usize, Currency)> = BTreeMap::new();
    for inv in &list {
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
    ctx.totals = totals
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
        .collect();
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
    Ok(row.and_then(|(minor, code, date, number)| {
        let money = Money::new(minor, Currency::parse(&code).ok()?);
        Some(PaymentFields {
            amount: format_money(&money),
            amount_number: money.decimal_string(),
            date: date.parse().map(format_date).unwrap_or(date),
            invoice_number: number,
        })
    }))
}

/// Realistic sample data: checks templates on save and previews without a customer.
pub fn sample_context() -> tera::Context {
    sample().to_tera()
}

/// What a payment link pattern or reference format sees: one invoice and its customer.
pub fn sample_link_context() -> tera::Context {
    let s = sample();
    let mut ctx = tera::Context::new();
    if let Some(first) = s.invoices.first() {
        ctx.insert("invoice", first);
    }
    ctx.insert("customer", &s.customer);
    ctx
}

/// The sample as a typed value (benchmarks and tests render it many times).
pub fn sample() -> TemplateContext {
    let company = CompanyProfile {
        name: "Northwind Supplies Ltd".into(),
        signature: "Dana Ortiz\nAccounts Receivable".into(),
        phone: "+44 20 7946 0000".into(),
        website: "https://northwind.example".into(),
        remittance: super::company::Remittance {
            bank_name: "Example Bank".into(),
            account_name: "Northwind Supplies Ltd".into(),
            account_number: "GB33BUKB20201555555555".into(),
            bank_code: "BUKBGB22".into(),
            reference_format: "{{ invoice.number }}".into(),
            instructions: String::new(),
        },
        payment_link_pattern: "https://pay.example.com/{{ invoice.number }}".into(),
        ..CompanyProfile::default()
    };
    let input = ContextInput {
        customer_id: 1,
        as_of: NaiveDate::from_ymd_opt(2024, 3, 15).unwrap_or_default(),
        company: &company,
        sender_name: "Northwind Accounts",
        sender_email: "accounts@northwind.example",
    };
    let customer = CustomerFields {
        id: 1,
        name: "Acme Trading Co".into(),
        segment: Some("wholesale".into()),
        currency: Some("EUR".into()),
        custom: serde_json::json!({ "account_manager": "Sam Lee", "po_required": "yes" }),
    };
    let contact = ContactFields {
        name: "Jordan Smith".into(),
        first_name: "Jordan".into(),
        email: "ap@acme.example".into(),
    };
    let mut ctx = assemble(customer, contact, &input, Vec::new());
    let invoice = |number: &str, due: (i32, u32, u32), minor: i64, code: &str, days: i64| {
        let currency =
            Currency::parse(code).unwrap_or_else(|_| Currency::parse("EUR").expect("EUR"));
        let money = Money::new(minor, currency);
        let due = NaiveDate::from_ymd_opt(due.0, due.1, due.2).unwrap_or_default();
        let zero = Money::new(0, money.currency.clone());
        InvoiceFields {
            id: 1,
            number: number.into(),
            kind: "invoice",
            issue_date: format_date(due - chrono::Days::new(30)),
            due_date: format_date(due),
            issue_date_iso: (due - chrono::Days::new(30)).to_string(),
            due_date_iso: due.to_string(),
            days_overdue: days.max(0),
            is_overdue: days > 0,
            currency: code.into(),
            total: format_money(&money),
            total_number: money.decimal_string(),
            paid: format_money(&zero),
            paid_number: zero.decimal_string(),
            open: format_money(&money),
            open_number: money.decimal_string(),
            amount: format_money(&money),
            amount_number: money.decimal_string(),
            payment_link: None,
            reference: String::new(),
        }
    };
    let list = vec![
        invoice("INV-1001", (2024, 1, 31), 123450, "EUR", 44),
        invoice("INV-1017", (2024, 2, 29), 48000, "EUR", 15),
        invoice("INV-1030", (2024, 3, 31), 30000, "USD", -16),
    ];
    ctx.promise = Some(PromiseFields {
        amount: "€1,234.50".into(),
        amount_number: "1234.50".into(),
        date: "22 Mar 2024".into(),
    });
    ctx.dispute = Some(DisputeFields {
        reason: "Goods on INV-1017 arrived damaged".into(),
        invoice_number: Some("INV-1017".into()),
        opened_on: "12 Mar 2024".into(),
    });
    ctx.payment = Some(PaymentFields {
        amount: "€480.00".into(),
        amount_number: "480.00".into(),
        date: "14 Mar 2024".into(),
        invoice_number: "INV-1017".into(),
    });
    fill_invoices(&mut ctx, list, &company);
    ctx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(minor: i64, code: &str) -> Money {
        Money::new(minor, Currency::parse(code).unwrap())
    }

    #[test]
    fn every_palette_field_renders_against_the_sample() {
        let ctx = sample_context();
        for f in field_palette() {
            if f.field.contains('<') || f.field.starts_with("invoice.") {
                continue;
            }
            let out = super::super::templates::render_inline(&f.insert, &ctx, false);
            assert!(out.is_ok(), "{}: {:?}", f.insert, out);
        }
    }

    #[test]
    fn money_is_formatted_with_symbol_or_code_and_grouping() {
        assert_eq!(format_money(&m(123450, "EUR")), "€1,234.50");
        assert_eq!(format_money(&m(-1200, "USD")), "-$12.00");
        assert_eq!(format_money(&m(150000, "JPY")), "¥150,000");
        assert_eq!(format_money(&m(123456789, "CHF")), "CHF 1,234,567.89");
        assert_eq!(format_money(&m(5, "GBP")), "£0.05");
    }

    #[test]
    fn the_sample_has_totals_per_currency_and_links() {
        let s = sample();
        assert_eq!(s.totals.len(), 2);
        assert_eq!(s.total_due, "€1,714.50 and $300.00");
        assert_eq!(s.total_overdue, "€1,714.50");
        assert_eq!(s.days_overdue, 44);
        assert_eq!(s.overdue_count, 2);
        assert_eq!(
            s.payment_link.as_deref(),
            Some("https://pay.example.com/INV-1001")
        );
        assert_eq!(s.company.remittance.reference, "INV-1001");
    }
}
