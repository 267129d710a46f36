//! The field palette of the template editor.

use serde::Serialize;

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
    ("credit_limit", "The customer's credit limit"),
    ("owner.name", "The customer's account owner"),
    (
        "digest.customers",
        "Owner digest: their customers (loop: name, total_overdue, held, next, link)",
    ),
    ("notice.step", "Owner notice: the step coming up"),
    ("notice.date", "Owner notice: the day it goes out"),
    (
        "notice.link",
        "Owner notice: duebook:// link that opens the customer",
    ),
    (
        "paid_invoices",
        "Invoices a thank-you is for: invoice_number, amount, date (loop: {% for paid in paid_invoices %})",
    ),
    ("fees.total", "Late fees and interest charged, e.g. €52.30 (empty when none)"),
    (
        "fees.lines",
        "Late fees and interest: label, kind, amount, invoice_number, as_of (loop: {% for line in fees.lines %})",
    ),
    ("offer.percent", "Early-payment offer: percent off, e.g. 2.5 (null for an amount off)"),
    ("offer.amount", "Early-payment offer: what it takes off, e.g. €25.00"),
    ("offer.valid_until", "Early-payment offer: its last day"),
    ("offer.discounted_total", "Early-payment offer: left to pay with it taken"),
    ("offer.invoice_numbers", "Early-payment offer: the invoices it is for"),
    (
        "plan.next.amount",
        "Payment plan: the next instalment (also plan.next.due_date, plan.remaining, plan.instalments)",
    ),
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
                || *field == "paid_invoices"
                || *field == "fees.lines"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_palette_field_renders_against_the_sample() {
        let ctx = super::super::sample_context();
        for f in field_palette() {
            if f.field.contains('<') || f.field.starts_with("invoice.") {
                continue;
            }
            let out = crate::sandbox::render_inline(&f.insert, &ctx, false);
            assert!(out.is_ok(), "{}: {:?}", f.insert, out);
        }
    }
}
