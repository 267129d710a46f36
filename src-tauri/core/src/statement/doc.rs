//! The two documents, laid out on a [`Canvas`]: the statement of account and the invoice copy.

use super::canvas::{
    load_image, Align, Canvas, Color, Column, RowKind, Style, Table, CONTENT_W, MARGIN_X, PAGE_W,
};
use super::data::{CurrencySection, EntryKind, StatementData};
use super::text::Weight;
use super::InvoiceCopyData;
use crate::mail::company::{CompanyLogo, CompanyProfile, DEFAULT_ACCENT};
use crate::mail::context::{format_date, format_money};
use crate::model::{Contact, Currency, InvoiceKind, Money};
use crate::report::aging::Buckets;

const TITLE: Style = Style::new(15.0, Weight::Bold, Color::BLACK);
const BODY: Style = Style::new(9.0, Weight::Regular, Color::BLACK);
const SMALL: Style = Style::new(8.0, Weight::Regular, Color::MUTED);
const LABEL: Style = Style::new(7.5, Weight::Bold, Color::MUTED);
/// A field name beside its value (same size, so the baselines line up).
const FIELD: Style = Style::new(9.0, Weight::Regular, Color::MUTED);

/// The company's accent colour (or Duebook's default).
fn accent(company: &CompanyProfile) -> Color {
    Color::parse_hex(company.accent())
        .or_else(|| Color::parse_hex(DEFAULT_ACCENT))
        .unwrap_or(Color::BLACK)
}

fn money(minor: i64, currency: &Currency) -> String {
    format_money(&Money::new(minor, currency.clone()))
}

/// The amount without symbol, grouped like [`format_money`]: "1,234.50", "-263,852". Table
/// columns name the currency in their heading, which keeps wide amounts (BHD) on one line.
fn number(minor: i64, currency: &Currency) -> String {
    let decimal = Money::new(minor, currency.clone()).decimal_string();
    let (sign, digits) = match decimal.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", decimal.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut out = String::from(sign);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

fn col(title: impl Into<String>, width: f32, align: Align) -> Column {
    Column {
        title: title.into(),
        width,
        align,
    }
}

/// Logo, company name, address and contact lines (left) and the document title with its
/// facts (right).
fn letterhead(
    canvas: &mut Canvas,
    company: &CompanyProfile,
    title: &str,
    facts: &[(&str, String)],
) -> Result<(), String> {
    let accent = accent(company);
    canvas.rect(0.0, 0.0, PAGE_W, 6.0, accent);
    let top = canvas.y;
    let left_w = CONTENT_W * 0.55;
    let right_x = MARGIN_X + left_w + 10.0;
    let right_w = CONTENT_W - left_w - 10.0;

    // Right column first, so the left can flow below its own lines.
    canvas.y = top;
    canvas.text_line(right_x, title, TITLE, Align::Right, right_w);
    canvas.gap(2.0);
    for (label, value) in facts {
        let line_top = canvas.y;
        canvas.text_at(right_x, line_top, label, FIELD, Align::Left, right_w);
        canvas.text_at(right_x, line_top, value, BODY, Align::Right, right_w);
        canvas.y += BODY.line_height();
    }
    let right_bottom = canvas.y;

    canvas.y = top;
    if let Some(logo) = &company.logo {
        draw_logo(canvas, logo, left_w)?;
    }
    let name_style = Style::new(16.0, Weight::Bold, accent.readable_on_white());
    if company.name.is_empty() {
        canvas.paragraph(MARGIN_X, left_w, "Statement", name_style);
    } else {
        canvas.paragraph(MARGIN_X, left_w, &company.name, name_style);
    }
    for line in company.address.lines() {
        canvas.paragraph(MARGIN_X, left_w, line, BODY);
    }
    let details: Vec<&str> = [company.phone.as_str(), company.website.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if !details.is_empty() {
        canvas.paragraph(MARGIN_X, left_w, &details.join("  ·  "), SMALL);
    }
    canvas.y = canvas.y.max(right_bottom) + 14.0;
    Ok(())
}

/// The logo at the cursor, scaled to fit LOGO_MAX_H high and the column's width.
fn draw_logo(canvas: &mut Canvas, logo: &CompanyLogo, width: f32) -> Result<(), String> {
    const LOGO_MAX_H: f32 = 48.0;
    let bytes = logo.bytes().map_err(|e| e.to_string())?;
    let image = load_image(&logo.content_type, bytes)
        .map_err(|e| format!("the stored logo {:?} cannot be read: {e}", logo.file_name))?;
    let (px_w, px_h) = image.size();
    let (px_w, px_h) = (px_w.max(1) as f32, px_h.max(1) as f32);
    let scale = (LOGO_MAX_H / px_h).min(width * 0.6 / px_w);
    let (w, h) = (px_w * scale, px_h * scale);
    canvas.image(MARGIN_X, canvas.y, w, h, image);
    canvas.gap(h + 8.0);
    Ok(())
}

/// "Statement for" / "Bill to": the customer and the billing contact.
fn addressee(
    canvas: &mut Canvas,
    label: &str,
    customer: &str,
    contact: Option<&Contact>,
    width: f32,
) {
    canvas.text_line(MARGIN_X, label, LABEL, Align::Left, width);
    canvas.paragraph(
        MARGIN_X,
        width,
        customer,
        Style::new(11.0, Weight::Bold, Color::BLACK),
    );
    if let Some(contact) = contact {
        if let Some(name) = contact.name.as_deref().filter(|n| !n.is_empty()) {
            canvas.paragraph(MARGIN_X, width, &format!("Attn: {name}"), BODY);
        }
        for line in [contact.email.as_deref(), contact.phone.as_deref()]
            .into_iter()
            .flatten()
            .filter(|l| !l.is_empty())
        {
            canvas.paragraph(MARGIN_X, width, line, BODY);
        }
    }
}

/// A bold heading with an accent rule under it, kept on the page with `keep` more points.
fn heading(canvas: &mut Canvas, text: &str, accent: Color, keep: f32) {
    let style = Style::new(11.5, Weight::Bold, accent.readable_on_white());
    canvas.ensure(style.line_height() + 4.0 + keep);
    canvas.text_line(MARGIN_X, text, style, Align::Left, CONTENT_W);
    canvas.gap(1.0);
    canvas.rect(MARGIN_X, canvas.y, CONTENT_W, 1.2, accent);
    canvas.gap(7.0);
}

/// Fails only when the stored logo cannot be read.
pub(crate) fn statement(data: &StatementData) -> Result<Canvas, String> {
    let accent = accent(&data.company);
    let date = format_date(data.as_of);
    let mut footer = String::new();
    if !data.company.name.is_empty() {
        footer.push_str(&data.company.name);
        footer.push_str("  ·  ");
    }
    // The name goes last: a long one is cut to fit, the date stays.
    footer.push_str(&format!("{date}  ·  Statement for {}", data.customer_name));
    let mut canvas = Canvas::new(footer);
    letterhead(
        &mut canvas,
        &data.company,
        "Statement of account",
        &[
            ("Statement date", date.clone()),
            (
                "Period",
                format!("{} – {}", format_date(data.period_start), date),
            ),
            ("Customer no.", data.customer_id.to_string()),
        ],
    )?;

    // Customer on the left, amount due per currency on the right.
    let top = canvas.y;
    let left_w = CONTENT_W * 0.55;
    addressee(
        &mut canvas,
        "STATEMENT FOR",
        &data.customer_name,
        data.contact.as_ref(),
        left_w,
    );
    let left_bottom = canvas.y;
    canvas.y = top;
    due_box(
        &mut canvas,
        &data.sections,
        data.payment_link.as_deref(),
        accent,
        MARGIN_X + left_w + 10.0,
        CONTENT_W - left_w - 10.0,
    );
    canvas.y = canvas.y.max(left_bottom) + 18.0;
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

fn currency_section(canvas: &mut Canvas, data: &StatementData, s: &CurrencySection, accent: Color) {
    let c = &s.currency;
    let body_row = 8.5 * super::canvas::LEADING + 8.0;
    heading(
        canvas,
        &format!("Account activity in {}", c.code()),
        accent,
        body_row * 4.0,
    );

    let w = CONTENT_W;
    let code = c.code();
    let (date_w, amount_w) = (70.0, 72.0);
    let mut activity = Table::new(
        vec![
            col("Date", date_w, Align::Left),
            col(
                "Description",
                w - 2.0 * date_w - 3.0 * amount_w,
                Align::Left,
            ),
            col("Due date", date_w, Align::Left),
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
    canvas.gap(12.0);

    aging_table(canvas, c, &s.aging, accent);

    if !s.open_items.is_empty() {
        canvas.gap(12.0);
        let style = Style::new(9.5, Weight::Bold, Color::BLACK);
        canvas.ensure(style.line_height() + body_row * 3.0);
        canvas.text_line(
            MARGIN_X,
            &format!("Open items in {} on {}", c.code(), format_date(data.as_of)),
            style,
            Align::Left,
            CONTENT_W,
        );
        canvas.gap(3.0);
        let mut items = Table::new(
            vec![
                col("Number", w - 3.0 * date_w - 2.0 * 90.0, Align::Left),
                col("Issued", date_w, Align::Left),
                col("Due", date_w, Align::Left),
                col("Days overdue", date_w, Align::Right),
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
    canvas.gap(18.0);
}

fn aging_table(canvas: &mut Canvas, currency: &Currency, aging: &Buckets, accent: Color) {
    let style = Style::new(9.5, Weight::Bold, Color::BLACK);
    canvas.ensure(style.line_height() + 3.0 + 2.0 * (8.5 * super::canvas::LEADING + 8.0));
    canvas.text_line(
        MARGIN_X,
        &format!("Aging of the amount due ({})", currency.code()),
        style,
        Align::Left,
        CONTENT_W,
    );
    canvas.gap(3.0);
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

/// Remittance details and the payment link.
fn how_to_pay(
    canvas: &mut Canvas,
    company: &CompanyProfile,
    link: Option<&str>,
    reference: &str,
    accent: Color,
) {
    let r = &company.remittance;
    let account_name = if r.account_name.is_empty() {
        company.name.as_str()
    } else {
        r.account_name.as_str()
    };
    let reference = if !reference.is_empty() {
        reference.to_string()
    } else {
        "the numbers of the invoices you are paying".to_string()
    };
    let mut rows: Vec<(&str, String)> = Vec::new();
    if !r.bank_name.is_empty() {
        rows.push(("Bank", r.bank_name.clone()));
    }
    if !r.account_number.is_empty() {
        if !account_name.is_empty() {
            rows.push(("Account name", account_name.to_string()));
        }
        rows.push(("Account", r.account_number.clone()));
    }
    if !r.bank_code.is_empty() {
        rows.push(("Bank code", r.bank_code.clone()));
    }
    rows.push(("Reference", reference));

    let label_w = 90.0;
    let keep = BODY.line_height() * (rows.len() as f32 + 2.0);
    heading(canvas, "How to pay", accent, keep);
    for (label, value) in &rows {
        canvas.ensure(BODY.line_height());
        let top = canvas.y;
        canvas.text_at(MARGIN_X, top, label, FIELD, Align::Left, label_w);
        canvas.paragraph(MARGIN_X + label_w, CONTENT_W - label_w, value, BODY);
    }
    if let Some(link) = link.filter(|l| !l.is_empty()) {
        canvas.ensure(BODY.line_height());
        let top = canvas.y;
        canvas.text_at(MARGIN_X, top, "Pay online", FIELD, Align::Left, label_w);
        let style = Style::new(9.0, Weight::Regular, accent.readable_on_white());
        canvas.link_paragraph(MARGIN_X + label_w, CONTENT_W - label_w, link, link, style);
    }
    if !r.instructions.trim().is_empty() {
        canvas.gap(6.0);
        canvas.paragraph(MARGIN_X, CONTENT_W, r.instructions.trim(), BODY);
    }
}

/// Fails only when the stored logo cannot be read.
pub(crate) fn invoice_copy(data: &InvoiceCopyData) -> Result<Canvas, String> {
    let accent = accent(&data.company);
    let inv = &data.invoice;
    let c = &inv.total.currency;
    let kind = match inv.kind {
        InvoiceKind::Invoice => "Invoice",
        InvoiceKind::CreditNote => "Credit note",
    };
    let mut footer = String::new();
    if !data.company.name.is_empty() {
        footer.push_str(&data.company.name);
        footer.push_str("  ·  ");
    }
    footer.push_str(&format!(
        "Copy of {} {}  ·  {}",
        kind.to_lowercase(),
        inv.number,
        format_date(data.as_of)
    ));
    let mut canvas = Canvas::new(footer);
    letterhead(
        &mut canvas,
        &data.company,
        &format!("{kind} copy"),
        &[
            ("Number", inv.number.clone()),
            ("Issue date", format_date(inv.issue_date)),
            ("Due date", format_date(inv.due_date)),
            ("Customer no.", inv.customer_id.to_string()),
        ],
    )?;
    let top = canvas.y;
    let left_w = CONTENT_W * 0.55;
    addressee(
        &mut canvas,
        "BILL TO",
        &data.customer_name,
        data.contact.as_ref(),
        left_w,
    );
    let left_bottom = canvas.y;
    canvas.y = top;
    // Status box on the right.
    let x = MARGIN_X + left_w + 10.0;
    let w = CONTENT_W - left_w - 10.0;
    let big = Style::new(13.0, Weight::Bold, Color::BLACK);
    let h = 16.0 + LABEL.line_height() + big.line_height() + SMALL.line_height();
    canvas.rect(x, top, w, h, accent.tint(0.9));
    canvas.rect(x, top, 3.0, h, accent);
    canvas.y = top + 8.0;
    canvas.text_line(x + 11.0, "AMOUNT DUE", LABEL, Align::Left, w - 16.0);
    canvas.text_line(x + 8.0, &money(data.due, c), big, Align::Right, w - 16.0);
    let status = if data.due == 0 {
        "Paid in full".to_string()
    } else if data.days_overdue > 0 && inv.kind == InvoiceKind::Invoice {
        format!("{} days overdue", data.days_overdue)
    } else {
        format!("due {}", format_date(inv.due_date))
    };
    canvas.text_line(x + 8.0, &status, SMALL, Align::Right, w - 16.0);
    canvas.y = canvas.y.max(left_bottom).max(top + h) + 18.0;
    canvas.set_continuation(
        format!("Copy of {} {} (continued)", kind.to_lowercase(), inv.number),
        SMALL,
    );

    heading(&mut canvas, &format!("{kind} {}", inv.number), accent, 60.0);
    let mut table = Table::new(
        vec![
            col("Description", CONTENT_W - 110.0, Align::Left),
            col("Amount", 110.0, Align::Right),
        ],
        accent,
    );
    table.header(&mut canvas, 3);
    let total_label = format!(
        "{kind} total ({}), issued {}",
        c.code(),
        format_date(inv.issue_date)
    );
    table.row(
        &mut canvas,
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
        table.row(
            &mut canvas,
            &[&label, &money(-p.amount, c)],
            RowKind::Normal,
        );
    }
    table.row(
        &mut canvas,
        &["Amount paid", &money(data.paid, c)],
        RowKind::Normal,
    );
    table.row(
        &mut canvas,
        &[
            &format!("Amount due on {}", format_date(data.as_of)),
            &money(data.due, c),
        ],
        RowKind::Emphasis,
    );
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
