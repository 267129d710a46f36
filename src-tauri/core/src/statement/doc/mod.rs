//! The documents, laid out on a [`Canvas`]: the statement of account ([`statement`]), the
//! invoice copy ([`invoice_copy`]) and the collections report ([`report`]). This module holds
//! what they draw alike: styles, the letterhead, the addressee, headings and how to pay.

mod fees;
mod invoice_copy;
mod plan;
mod report;
mod statement;

pub(crate) use invoice_copy::invoice_copy;
pub(crate) use report::report;
pub(crate) use statement::statement;

use super::canvas::{
    load_image, Align, Canvas, Color, Column, RowKind, Style, Table, CONTENT_W, LEADING, MARGIN_X,
    PAGE_W,
};
use super::data::{CurrencySection, EntryKind, StatementData};
use super::text::Weight;
use super::InvoiceCopyData;
use crate::company::{format_date, format_money};
use crate::company::{CompanyLogo, CompanyProfile, DEFAULT_ACCENT};
use crate::model::{Contact, Currency, InvoiceKind, Money};
use crate::views::report::aging::Buckets;

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

/// What a document puts on its first page before its own content: who it is from, what it is,
/// and who it is for.
struct Opening<'a> {
    company: &'a CompanyProfile,
    /// The footer after the company name (which goes first when there is one).
    footer: String,
    title: &'a str,
    facts: &'a [(&'a str, String)],
    /// Above the customer's name: "STATEMENT FOR", "BILL TO".
    addressee_label: &'a str,
    customer_name: &'a str,
    contact: Option<&'a Contact>,
}

/// The right-hand column beside the addressee, where each document draws its amount-due box.
struct RightColumn {
    top: f32,
    x: f32,
    width: f32,
    /// Where the addressee (left column) ended.
    left_bottom: f32,
}

impl RightColumn {
    /// Moves below both columns once the right one is drawn (down to the cursor).
    fn close(&self, canvas: &mut Canvas) {
        canvas.y = canvas.y.max(self.left_bottom) + 18.0;
    }
}

/// A new canvas with the footer, the letterhead and the addressee; the cursor is left at the top
/// of the right-hand column. Fails only when the stored logo cannot be read.
fn open_document(opening: Opening) -> Result<(Canvas, RightColumn), String> {
    let mut footer = String::new();
    if !opening.company.name.is_empty() {
        footer.push_str(&opening.company.name);
        footer.push_str("  ·  ");
    }
    footer.push_str(&opening.footer);
    let mut canvas = Canvas::new(footer);
    letterhead(&mut canvas, opening.company, opening.title, opening.facts)?;
    let top = canvas.y;
    let left_w = CONTENT_W * 0.55;
    addressee(
        &mut canvas,
        opening.addressee_label,
        opening.customer_name,
        opening.contact,
        left_w,
    );
    let column = RightColumn {
        top,
        x: MARGIN_X + left_w + 10.0,
        width: CONTENT_W - left_w - 10.0,
        left_bottom: canvas.y,
    };
    canvas.y = top;
    Ok((canvas, column))
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
