//! The fields a template can use, built from the database for one customer: what every document
//! (a reminder, a statement's payment link and reference) says about them. The mail layer adds
//! the sender for previews (`mail::context::for_preview`).
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
//! - `credit_limit` — the customer's credit limit ("€5,000.00"), or null
//! - `owner` (`name`, `email`) — the customer's account owner, or null
//! - `notice` (`step`, `template`, `date`, `days`, `link`) — in an owner notice, the step coming
//!   up for the customer (its template's name and key, its day, days until it) and the
//!   `duebook://customer/ID` link that opens the customer in the app; null in any other message
//! - `digest` (`week`, `customers`: each `name`, `link`, `total_due`, `total_overdue`, `held`
//!   (the owner's reason, or null), `next` ("18 Mar 2024: Second reminder (Friendly)", "; "
//!   between, empty when nothing goes)) — in an owner's
//!   weekly digest, their customers; null in any other message
//! - `paid_invoices` (each `amount`, `date`, `invoice_number`) — the invoices a campaign's
//!   thank-you on this day is for (their total and the day they were paid in full); empty in
//!   any other message
//! - `fees.total` ("€52.30"), `fees.lines` (each `kind` "fee"|"interest", `label`, `amount`,
//!   `amount_number`, `invoice_number`, `as_of`) — the late fees and interest recorded on the
//!   customer's open invoices and not waived (a campaign records a reminder's before composing
//!   it); never part of `invoices`, `totals` or `total_due`. Empty when there are none
//! - `plan` — the customer's running payment plan, or null: `total`, `paid`, `remaining`,
//!   `instalment_count`, `invoice_numbers`, `next` and `instalments` (each `number`, `due_date`,
//!   `due_date_iso`, `amount`, `amount_number`, `open`, `state`: paid, part, due or missed)
//! - `offer` — the early-payment offer the customer's latest offering email made and still
//!   valid, or null: `percent` ("2.5", null for an amount off), `amount` (what it takes off,
//!   "€25.00"), `valid_until` ("14 Mar 2024"), `discounted_total` (left to pay on the offered
//!   invoices with it taken), `invoice_numbers` ("INV-1017, INV-1022")

mod build;
mod fees;
mod offer;
mod palette;
mod plan;
mod sample;

use crate::company::{format_date, format_money};
pub use build::{build, without_customer, ContextInput};
pub use fees::{fees_of, shown_charges, FeeLine, FeesFields};
pub use offer::{offer_of, percent_text, OfferFields};
pub use palette::{field_palette, TemplateField, FIELDS};
pub use plan::{InstalmentFields, PlanFields};
pub use sample::{sample, sample_company, sample_context, sample_link_context};

use chrono::NaiveDate;
use serde::Serialize;

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
    pub paid_invoices: Vec<PaymentFields>,
    /// The customer's credit limit with its currency ("€5,000.00"), or null.
    pub credit_limit: Option<String>,
    /// Late fees and interest, apart from the invoices (see [`fees`]).
    pub fees: FeesFields,
    /// The customer's running payment plan, or null.
    pub plan: Option<PlanFields>,
    /// The early-payment offer made to the customer and still valid, or null (see [`offer`]).
    pub offer: Option<OfferFields>,
    pub owner: Option<OwnerFields>,
    pub notice: Option<NoticeFields>,
    pub digest: Option<DigestFields>,
}

/// An owner's weekly digest: their customers, what they owe, who is held, what goes out.
#[derive(Debug, Clone, Serialize)]
pub struct DigestFields {
    /// "week of 6 Jul 2026".
    pub week: String,
    pub customers: Vec<DigestCustomerFields>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DigestCustomerFields {
    pub name: String,
    /// `duebook://customer/ID`.
    pub link: String,
    pub total_due: String,
    pub total_overdue: String,
    /// The owner's hold reason, or null.
    pub held: Option<String>,
    /// What the campaigns send them in the coming days, one "15 Mar 2024: Second reminder
    /// (Friendly reminders)" after the other, "; " between; empty when nothing goes.
    pub next: String,
}

/// The customer's account owner; either part may be empty, not both.
#[derive(Debug, Clone, Serialize)]
pub struct OwnerFields {
    pub name: String,
    pub email: String,
}

/// What an owner notice announces: the step the customer gets next, and when.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeFields {
    /// The template's name ("Second reminder").
    pub step: String,
    pub template: String,
    /// "15 Mar 2024".
    pub date: String,
    pub days: i64,
    /// `duebook://customer/ID`.
    pub link: String,
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

/// Joins per-currency amounts: "€1,200.00 and $300.00".
pub(super) fn join_amounts(amounts: &[String]) -> String {
    match amounts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
