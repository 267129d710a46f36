//! Realistic sample data: checks templates on save and previews without a customer.

use super::build::{assemble, fill_invoices, ContextInput};
use super::*;
use crate::company::CompanyProfile;
use crate::model::{Currency, Money};

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

/// The sample's company: Northwind, with remittance details and a payment link pattern
/// (benchmarks seed it too).
pub fn sample_company() -> CompanyProfile {
    CompanyProfile {
        name: "Northwind Supplies Ltd".into(),
        signature: "Dana Ortiz\nAccounts Receivable".into(),
        phone: "+44 20 7946 0000".into(),
        website: "https://northwind.example".into(),
        remittance: crate::company::Remittance {
            bank_name: "Example Bank".into(),
            account_name: "Northwind Supplies Ltd".into(),
            account_number: "GB33BUKB20201555555555".into(),
            bank_code: "BUKBGB22".into(),
            reference_format: "{{ invoice.number }}".into(),
            instructions: String::new(),
        },
        payment_link_pattern: "https://pay.example.com/{{ invoice.number }}".into(),
        ..CompanyProfile::default()
    }
}

/// The sample as a typed value (benchmarks and tests render it many times).
pub fn sample() -> TemplateContext {
    let company = sample_company();
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
    let list = vec![
        sample_invoice("INV-1001", (2024, 1, 31), 123450, "EUR", 44),
        sample_invoice("INV-1017", (2024, 2, 29), 48000, "EUR", 15),
        sample_invoice("INV-1030", (2024, 3, 31), 30000, "USD", -16),
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
    let paid = PaymentFields {
        amount: "€480.00".into(),
        amount_number: "480.00".into(),
        date: "14 Mar 2024".into(),
        invoice_number: "INV-1017".into(),
    };
    ctx.paid_invoices = vec![paid.clone()];
    ctx.credit_limit = Some("€5,000.00".into());
    ctx.fees = sample_fees();
    ctx.offer = Some(OfferFields {
        percent: Some("2.5".into()),
        amount: "€30.00".into(),
        valid_until: "25 Mar 2024".into(),
        discounted_total: "€1,170.00".into(),
        invoice_numbers: "INV-1017".into(),
    });
    ctx.owner = Some(OwnerFields {
        name: "Sam Lee".into(),
        email: "sam.lee@northwind.example".into(),
    });
    ctx.notice = Some(NoticeFields {
        step: "Second reminder".into(),
        template: "overdue-2".into(),
        date: "18 Mar 2024".into(),
        days: 3,
        link: "duebook://customer/1".into(),
    });
    ctx.digest = Some(DigestFields {
        week: "week of 11 Mar 2024".into(),
        customers: vec![DigestCustomerFields {
            name: "Acme Trading Co".into(),
            link: "duebook://customer/1".into(),
            total_due: "€1,714.50 and $300.00".into(),
            total_overdue: "€1,714.50".into(),
            held: Some("Renewal under negotiation".into()),
            next: "18 Mar 2024: Second reminder (Friendly reminders)".into(),
        }],
    });
    ctx.payment = Some(paid);
    ctx.plan = Some(super::plan::plan_fields(&sample_plan()));
    fill_invoices(&mut ctx, list, &company);
    ctx
}

/// A late payment fee and interest on the sample's oldest invoice.
fn sample_fees() -> FeesFields {
    let line = |kind: &str, label, amount: &str, as_of: &str| FeeLine {
        kind: kind.into(),
        label,
        amount: format!("€{amount}"),
        amount_number: amount.into(),
        invoice_number: "INV-1001".into(),
        as_of: as_of.into(),
    };
    FeesFields {
        total: "€52.30".into(),
        lines: vec![
            line("fee", "Late payment fee", "40.00", "15 Mar 2024"),
            line("interest", "Interest", "12.30", "15 Mar 2024"),
        ],
    }
}

/// One invoice of the sample customer.
fn sample_invoice(
    number: &str,
    due: (i32, u32, u32),
    minor: i64,
    code: &str,
    days: i64,
) -> InvoiceFields {
    let currency = Currency::parse(code).unwrap_or_else(|_| Currency::parse("EUR").expect("EUR"));
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
}

/// A plan of three monthly instalments of €300.00, the first paid.
fn sample_plan() -> crate::model::plan::PaymentPlan {
    use crate::model::plan::{Instalment, InstalmentState, PaymentPlan, PlanInvoice, PlanStatus};
    let eur = |minor| Money::new(minor, Currency::parse("EUR").expect("EUR"));
    let day = |m| chrono::NaiveDate::from_ymd_opt(2024, m, 15).unwrap_or_default();
    let instalment = |seq: i64, covered, state| Instalment {
        seq,
        due_date: day(u32::try_from(seq + 1).unwrap_or(1)),
        amount: eur(30_000),
        covered: eur(covered),
        state,
        amount_decimal: "300.00".into(),
    };
    PaymentPlan {
        id: 1,
        customer_id: 1,
        total: eur(90_000),
        paid: eur(30_000),
        total_decimal: "900.00".into(),
        paid_decimal: "300.00".into(),
        agreed_on: day(1),
        note: String::new(),
        invoices: vec![PlanInvoice {
            id: 1,
            number: "INV-1017".into(),
        }],
        instalments: vec![
            instalment(1, 30_000, InstalmentState::Paid),
            instalment(2, 0, InstalmentState::Due),
            instalment(3, 0, InstalmentState::Due),
        ],
        status: PlanStatus::Active,
        broken_on: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
