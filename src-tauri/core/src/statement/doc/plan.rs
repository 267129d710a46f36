//! The statement's "Payment plan" section: the instalments of the customer's running plan with
//! what is paid of each, after the invoices (the plan's invoices are in the balance above; the
//! plan says when they are to be paid).

use super::statement::{BODY_ROW, DATE_W};
use super::*;
use crate::model::plan::{InstalmentState, PaymentPlan};

/// Draws the section when the customer has a running plan.
pub(super) fn plan_section(canvas: &mut Canvas, plan: Option<&PaymentPlan>, accent: Color) {
    let Some(plan) = plan else {
        return;
    };
    heading(canvas, "Payment plan", accent, BODY_ROW * 4.0);
    let currency = &plan.total.currency;
    let numbers: Vec<&str> = plan.invoices.iter().map(|i| i.number.as_str()).collect();
    let remaining = plan.total.minor - plan.paid.minor.min(plan.total.minor);
    canvas.paragraph(
        MARGIN_X,
        CONTENT_W,
        &format!(
            "Agreed on {} for {}: {} in {} instalment(s). Paid so far {}; {} remains.",
            format_date(plan.agreed_on),
            numbers.join(", "),
            number(plan.total.minor, currency),
            plan.instalments.len(),
            number(plan.paid.minor, currency),
            number(remaining, currency),
        ),
        BODY,
    );
    canvas.gap(6.0);
    let amount_w = 90.0;
    let mut table = Table::new(
        vec![
            col(
                "Instalment",
                CONTENT_W - 2.0 * DATE_W - 2.0 * amount_w,
                Align::Left,
            ),
            col("Due", 2.0 * DATE_W, Align::Left),
            col(
                format!("Amount ({})", currency.code()),
                amount_w,
                Align::Right,
            ),
            col("Status", amount_w, Align::Left),
        ],
        accent.tint(0.82),
    );
    table.header(canvas, 2);
    for i in &plan.instalments {
        let status = match i.state {
            InstalmentState::Paid => "Paid".to_string(),
            InstalmentState::Part => format!("{} paid", number(i.covered.minor, currency)),
            InstalmentState::Due => "Due".to_string(),
            InstalmentState::Missed => "Missed".to_string(),
        };
        let kind = if i.state == InstalmentState::Missed {
            RowKind::Emphasis
        } else {
            RowKind::Normal
        };
        table.row(
            canvas,
            &[
                &format!("{} of {}", i.seq, plan.instalments.len()),
                &format_date(i.due_date),
                &number(i.amount.minor, currency),
                &status,
            ],
            kind,
        );
    }
    canvas.gap(18.0);
}
