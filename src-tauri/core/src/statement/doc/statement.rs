//! The statement of account: what is due, per currency, with aging and how to pay.

use super::*;

/// Fails only when the stored logo cannot be read.
pub(crate) fn statement(data: &StatementData) -> Result<Canvas, String> {
    let accent = accent(&data.company);
    let date = format_date(data.as_of);
    let facts = [
        ("Statement date", date.clone()),
        (
            "Period",
            format!("{} – {}", format_date(data.period_start), date),
        ),
        ("Customer no.", data.customer_id.to_string()),
    ];
    let (mut canvas, right) = open_document(Opening {
        company: &data.company,
        // The name goes last: a long one is cut to fit, the date stays.
        footer: format!("{date}  ·  Statement for {}", data.customer_name),
        title: "Statement of account",
        facts: &facts,
        addressee_label: "STATEMENT FOR",
        customer_name: &data.customer_name,
        contact: data.contact.as_ref(),
    })?;
    due_box(
        &mut canvas,
        &data.sections,
        data.payment_link.as_deref(),
        accent,
        right.x,
        right.width,
    );
    right.close(&mut canvas);
    canvas.set_continuation(
        format!(
            "Statement of account (continued)  ·  {date}  ·  {}",
            data.customer_name
        ),
        SMALL,
    );

    if data.sections.is_empty() {
        canvas.paragraph(
            MARGIN_X,
            CONTENT_W,
            "There was no activity on this account in the period and nothing is due.",
            BODY,
        );
    }
    for section in &data.sections {
        currency_section(&mut canvas, data, section, accent);
    }
    plan::plan_section(&mut canvas, data.plan.as_ref(), accent);
    fees::charges_section(&mut canvas, &data.charges, accent);
    how_to_pay(
        &mut canvas,
        &data.company,
        data.payment_link.as_deref(),
        &data.reference,
        accent,
    );
    Ok(canvas)
}

/// The right-hand box: what is due, per currency, and how much of it is overdue.
fn due_box(
    canvas: &mut Canvas,
    sections: &[CurrencySection],
    link: Option<&str>,
    accent: Color,
    x: f32,
    w: f32,
) {
    let pad = 8.0;
    let big = Style::new(13.0, Weight::Bold, Color::BLACK);
    let lines = sections.len().max(1);
    let link = link.filter(|l| !l.is_empty() && sections.iter().any(|s| s.closing > 0));
    let link_h = if link.is_some() {
        BODY.line_height() + 2.0
    } else {
        0.0
    };
    let h = pad * 2.0
        + LABEL.line_height()
        + lines as f32 * (big.line_height() + SMALL.line_height())
        + link_h;
    let top = canvas.y;
    canvas.rect(x, top, w, h, accent.tint(0.9));
    canvas.rect(x, top, 3.0, h, accent);
    canvas.y = top + pad;
    canvas.text_line(
        x + pad + 3.0,
        "AMOUNT DUE",
        LABEL,
        Align::Left,
        w - 2.0 * pad,
    );
    if sections.is_empty() {
        canvas.text_line(x + pad + 3.0, "Nothing", big, Align::Left, w - 2.0 * pad);
    }
    for s in sections {
        let line_top = canvas.y;
        canvas.text_at(
            x + pad + 3.0,
            line_top,
            s.currency.code(),
            SMALL,
            Align::Left,
            w - 2.0 * pad,
        );
        canvas.text_at(
            x + pad,
            line_top,
            &money(s.closing, &s.currency),
            big,
            Align::Right,
            w - 2.0 * pad,
        );
        canvas.y += big.line_height();
        let overdue = s.aging.total() - s.aging.0[0];
        let note = if overdue > 0 {
            format!("of which overdue {}", money(overdue, &s.currency))
        } else {
            "nothing overdue".to_string()
        };
        canvas.text_line(x + pad, &note, SMALL, Align::Right, w - 2.0 * pad);
    }
    if let Some(link) = link {
        canvas.gap(2.0);
        let style = Style::new(9.0, Weight::Bold, accent.readable_on_white());
        canvas.link_line(
            x + pad,
            "Pay online ›",
            link,
            style,
            Align::Right,
            w - 2.0 * pad,
        );
    }
    canvas.y = top + h;
}

/// One currency's part of the statement: activity, aging and the open items.
fn currency_section(canvas: &mut Canvas, data: &StatementData, s: &CurrencySection, accent: Color) {
    heading(
        canvas,
        &format!("Account activity in {}", s.currency.code()),
        accent,
        BODY_ROW * 4.0,
    );
    activity_table(canvas, data, s, accent);
    canvas.gap(12.0);
    aging_table(canvas, &s.currency, &s.aging, accent);
    if !s.open_items.is_empty() {
        canvas.gap(12.0);
        open_items_table(canvas, data, s, accent);
    }
    canvas.gap(18.0);
}

/// A table body row's height (8.5 pt text and its padding), for keeping rows with headings.
pub(super) const BODY_ROW: f32 = 8.5 * LEADING + 8.0;
/// The width of a date column.
pub(super) const DATE_W: f32 = 70.0;

/// Opening balance, each invoice, credit and payment of the period, closing balance.
fn activity_table(canvas: &mut Canvas, data: &StatementData, s: &CurrencySection, accent: Color) {
    let c = &s.currency;
    let code = c.code();
    let amount_w = 72.0;
    let mut activity = Table::new(
        vec![
            col("Date", DATE_W, Align::Left),
            col(
                "Description",
                CONTENT_W - 2.0 * DATE_W - 3.0 * amount_w,
                Align::Left,
            ),
            col("Due date", DATE_W, Align::Left),
            col(format!("Charges ({code})"), amount_w, Align::Right),
            col(format!("Credits ({code})"), amount_w, Align::Right),
            col(format!("Balance ({code})"), amount_w, Align::Right),
        ],
        accent,
    );
    activity.header(canvas, 2);
    activity.row(
        canvas,
        &[
            &format_date(data.period_start),
            "Opening balance",
            "",
            "",
            "",
            &number(s.opening, c),
        ],
        RowKind::Emphasis,
    );
    for e in &s.entries {
        let description = match e.kind {
            EntryKind::Invoice => format!("Invoice {}", e.number),
            EntryKind::CreditNote => format!("Credit note {}", e.number),
            EntryKind::Payment => match &e.reference {
                Some(r) if !r.is_empty() => format!("Payment for {} (ref. {r})", e.number),
                _ => format!("Payment for {}", e.number),
            },
        };
        let (charge, credit) = if e.amount >= 0 {
            (number(e.amount, c), String::new())
        } else {
            (String::new(), number(-e.amount, c))
        };
        activity.row(
            canvas,
            &[
                &format_date(e.date),
                &description,
                &e.due_date.map(format_date).unwrap_or_default(),
                &charge,
                &credit,
                &number(e.balance, c),
            ],
            RowKind::Normal,
        );
    }
    activity.row(
        canvas,
        &[
            &format_date(data.as_of),
            "Closing balance",
            "",
            &number(s.invoiced, c),
            &number(s.paid + s.credited, c),
            &number(s.closing, c),
        ],
        RowKind::Emphasis,
    );
}

/// What is still open on the statement date, with days overdue.
fn open_items_table(canvas: &mut Canvas, data: &StatementData, s: &CurrencySection, accent: Color) {
    let c = &s.currency;
    let code = c.code();
    subheading(
        canvas,
        &format!("Open items in {} on {}", c.code(), format_date(data.as_of)),
        BODY_ROW * 3.0,
    );
    let mut items = Table::new(
        vec![
            col("Number", CONTENT_W - 3.0 * DATE_W - 2.0 * 90.0, Align::Left),
            col("Issued", DATE_W, Align::Left),
            col("Due", DATE_W, Align::Left),
            col("Days overdue", DATE_W, Align::Right),
            col(format!("Amount ({code})"), 90.0, Align::Right),
            col(format!("Open ({code})"), 90.0, Align::Right),
        ],
        accent.tint(0.82),
    );
    items.header(canvas, 1);
    for item in &s.open_items {
        let label = match item.kind {
            InvoiceKind::Invoice => item.number.clone(),
            InvoiceKind::CreditNote => format!("{} (credit note)", item.number),
        };
        let overdue = if item.days_overdue > 0 && item.kind == InvoiceKind::Invoice {
            item.days_overdue.to_string()
        } else {
            String::new()
        };
        items.row(
            canvas,
            &[
                &label,
                &format_date(item.issue_date),
                &format_date(item.due_date),
                &overdue,
                &number(item.total, c),
                &number(item.open, c),
            ],
            RowKind::Normal,
        );
    }
    items.row(
        canvas,
        &["Total open", "", "", "", "", &number(s.aging.total(), c)],
        RowKind::Emphasis,
    );
}

fn aging_table(canvas: &mut Canvas, currency: &Currency, aging: &Buckets, accent: Color) {
    subheading(
        canvas,
        &format!("Aging of the amount due ({})", currency.code()),
        3.0 + 2.0 * BODY_ROW,
    );
    let width = CONTENT_W / 6.0;
    let titles = [
        "Current",
        "1–30 days",
        "31–60 days",
        "61–90 days",
        "Over 90 days",
        "Total due",
    ];
    let mut table = Table::new(
        titles
            .iter()
            .map(|t| col(*t, width, Align::Right))
            .collect(),
        accent.tint(0.82),
    );
    table.header(canvas, 1);
    let cells: Vec<String> = aging
        .0
        .iter()
        .chain(std::iter::once(&aging.total()))
        .map(|m| number(*m, currency))
        .collect();
    let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
    table.row(canvas, &refs, RowKind::Emphasis);
}

/// A bold line above a table, kept on the page with `keep` more points.
fn subheading(canvas: &mut Canvas, text: &str, keep: f32) {
    let style = Style::new(9.5, Weight::Bold, Color::BLACK);
    canvas.ensure(style.line_height() + keep);
    canvas.text_line(MARGIN_X, text, style, Align::Left, CONTENT_W);
    canvas.gap(3.0);
}
