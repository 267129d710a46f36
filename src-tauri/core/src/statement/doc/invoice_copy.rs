//! The copy of one invoice, attached to reminders that ask for it.

use super::*;

/// Fails only when the stored logo cannot be read.
pub(crate) fn invoice_copy(data: &InvoiceCopyData) -> Result<Canvas, String> {
    let accent = accent(&data.company);
    let inv = &data.invoice;
    let kind = match inv.kind {
        InvoiceKind::Invoice => "Invoice",
        InvoiceKind::CreditNote => "Credit note",
    };
    let facts = [
        ("Number", inv.number.clone()),
        ("Issue date", format_date(inv.issue_date)),
        ("Due date", format_date(inv.due_date)),
        ("Customer no.", inv.customer_id.to_string()),
    ];
    let (mut canvas, right) = open_document(Opening {
        company: &data.company,
        footer: format!(
            "Copy of {} {}  ·  {}",
            kind.to_lowercase(),
            inv.number,
            format_date(data.as_of)
        ),
        title: &format!("{kind} copy"),
        facts: &facts,
        addressee_label: "BILL TO",
        customer_name: &data.customer_name,
        contact: data.contact.as_ref(),
    })?;
    status_box(&mut canvas, data, accent, &right);
    right.close(&mut canvas);
    canvas.set_continuation(
        format!("Copy of {} {} (continued)", kind.to_lowercase(), inv.number),
        SMALL,
    );

    heading(&mut canvas, &format!("{kind} {}", inv.number), accent, 60.0);
    amounts_table(&mut canvas, data, kind, accent);
    canvas.gap(6.0);
    canvas.paragraph(
        MARGIN_X,
        CONTENT_W,
        &format!(
            "This is a copy of {} {} as recorded in our accounts on {}. The original {} lists the goods and services.",
            kind.to_lowercase(),
            inv.number,
            format_date(data.as_of),
            kind.to_lowercase()
        ),
        SMALL,
    );
    canvas.gap(16.0);
    if data.due > 0 {
        how_to_pay(
            &mut canvas,
            &data.company,
            data.payment_link.as_deref(),
            &data.reference,
            accent,
        );
    }
    Ok(canvas)
}

/// The right-hand box: the amount due and whether it is paid, overdue or when it falls due.
/// Leaves the cursor below the box.
fn status_box(canvas: &mut Canvas, data: &InvoiceCopyData, accent: Color, right: &RightColumn) {
    let inv = &data.invoice;
    let (x, w, top) = (right.x, right.width, right.top);
    let big = Style::new(13.0, Weight::Bold, Color::BLACK);
    let h = 16.0 + LABEL.line_height() + big.line_height() + SMALL.line_height();
    canvas.rect(x, top, w, h, accent.tint(0.9));
    canvas.rect(x, top, 3.0, h, accent);
    canvas.y = top + 8.0;
    canvas.text_line(x + 11.0, "AMOUNT DUE", LABEL, Align::Left, w - 16.0);
    let due = money(data.due, &inv.total.currency);
    canvas.text_line(x + 8.0, &due, big, Align::Right, w - 16.0);
    let status = if data.due == 0 {
        "Paid in full".to_string()
    } else if data.days_overdue > 0 && inv.kind == InvoiceKind::Invoice {
        format!("{} days overdue", data.days_overdue)
    } else {
        format!("due {}", format_date(inv.due_date))
    };
    canvas.text_line(x + 8.0, &status, SMALL, Align::Right, w - 16.0);
    canvas.y = canvas.y.max(top + h);
}

/// The invoice's total, each payment against it, what is paid and what is still due.
fn amounts_table(canvas: &mut Canvas, data: &InvoiceCopyData, kind: &str, accent: Color) {
    let inv = &data.invoice;
    let c = &inv.total.currency;
    let mut table = Table::new(
        vec![
            col("Description", CONTENT_W - 110.0, Align::Left),
            col("Amount", 110.0, Align::Right),
        ],
        accent,
    );
    table.header(canvas, 3);
    let total_label = format!(
        "{kind} total ({}), issued {}",
        c.code(),
        format_date(inv.issue_date)
    );
    table.row(
        canvas,
        &[&total_label, &money(inv.total.minor, c)],
        RowKind::Normal,
    );
    for p in &data.payments {
        let label = match &p.reference {
            Some(r) if !r.is_empty() => {
                format!("Payment received {} (ref. {r})", format_date(p.paid_on))
            }
            _ => format!("Payment received {}", format_date(p.paid_on)),
        };
        table.row(canvas, &[&label, &money(-p.amount, c)], RowKind::Normal);
    }
    table.row(
        canvas,
        &["Amount paid", &money(data.paid, c)],
        RowKind::Normal,
    );
    table.row(
        canvas,
        &[
            &format!("Amount due on {}", format_date(data.as_of)),
            &money(data.due, c),
        ],
        RowKind::Emphasis,
    );
}
