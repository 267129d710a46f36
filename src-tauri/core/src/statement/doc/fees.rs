//! The statement's "Late fees and interest" section: the unwaived charges on open invoices, per
//! currency, after the invoices and apart from them (never in the balance or the aging).

use super::statement::{BODY_ROW, DATE_W};
use super::*;
use crate::store::charges::StoredCharge;
use std::collections::BTreeMap;

/// Draws the section when there is anything to show.
pub(super) fn charges_section(canvas: &mut Canvas, charges: &[StoredCharge], accent: Color) {
    let mut by_currency: BTreeMap<&str, Vec<&StoredCharge>> = BTreeMap::new();
    for c in charges {
        by_currency.entry(&c.currency).or_default().push(c);
    }
    if by_currency.is_empty() {
        return;
    }
    heading(canvas, "Late fees and interest", accent, BODY_ROW * 4.0);
    for (code, list) in by_currency {
        // The store keeps the invoice's (valid) currency; an unreadable one is left out.
        let Ok(currency) = Currency::parse(code) else {
            continue;
        };
        currency_charges(canvas, &currency, &list, accent);
        canvas.gap(8.0);
    }
    canvas.paragraph(
        MARGIN_X,
        CONTENT_W,
        "These charges are not included in the balance or the amounts due above.",
        SMALL,
    );
    canvas.gap(18.0);
}

fn currency_charges(
    canvas: &mut Canvas,
    currency: &Currency,
    list: &[&StoredCharge],
    accent: Color,
) {
    let amount_w = 90.0;
    let mut table = Table::new(
        vec![
            col(
                "Invoice",
                CONTENT_W - 2.0 * DATE_W - amount_w - 120.0,
                Align::Left,
            ),
            col("Charge", 120.0, Align::Left),
            col("As of", 2.0 * DATE_W, Align::Left),
            col(
                format!("Amount ({})", currency.code()),
                amount_w,
                Align::Right,
            ),
        ],
        accent.tint(0.82),
    );
    table.header(canvas, 2);
    let mut total: i64 = 0;
    for c in list {
        total = total.saturating_add(c.amount_minor);
        let label = if c.kind == "fee" {
            "Late payment fee"
        } else {
            "Interest"
        };
        let as_of = c
            .as_of
            .parse()
            .map(format_date)
            .unwrap_or_else(|_| c.as_of.clone());
        table.row(
            canvas,
            &[
                &c.invoice_number,
                label,
                &as_of,
                &number(c.amount_minor, currency),
            ],
            RowKind::Normal,
        );
    }
    table.row(
        canvas,
        &[
            "Total late fees and interest",
            "",
            "",
            &number(total, currency),
        ],
        RowKind::Emphasis,
    );
}
