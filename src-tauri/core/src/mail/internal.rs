//! Internal emails about a customer, to someone at the company (the customer's account owner):
//! rendered with the customer's fields, addressed to that person, never to the customer.

use super::account::AccountSettings;
use super::compose::{mailbox, ComposeError, OutgoingEmail};
use super::templates::Renderer;
use crate::company::fields::{self, ContextInput, TemplateContext};
use crate::company::{self};
use crate::model::text::clean_line;
use chrono::NaiveDate;

/// Renders `template` for `customer` (None: about no one customer, an owner's digest) as of
/// `as_of`, with `adjust` filling what only this message knows (an owner notice's step), to
/// `to` (a display name and an address as typed: checked here, so a bad one is a
/// [`ComposeError`], never a panic).
pub fn prepare_internal(
    conn: &rusqlite::Connection,
    (renderer, account): (&Renderer, &AccountSettings),
    (customer, template): (Option<i64>, &str),
    as_of: NaiveDate,
    to: (&str, &str),
    adjust: impl FnOnce(&mut TemplateContext),
) -> Result<OutgoingEmail, ComposeError> {
    let address: lettre::Address = to.1.trim().parse().map_err(|e| {
        ComposeError::Invalid(format!("the address {:?} is not valid ({e})", to.1.trim()))
    })?;
    let company = company::load(conn)?;
    let input = ContextInput {
        customer_id: customer.unwrap_or(0),
        as_of,
        company: &company,
        sender_name: &account.sender_name,
        sender_email: &account.from_address,
    };
    let mut ctx = match customer {
        Some(_) => fields::build(conn, &input)?,
        None => fields::without_customer(&input),
    };
    adjust(&mut ctx);
    let rendered = renderer.render(template, ctx.to_tera())?;
    let from = account.from_mailbox()?;
    Ok(OutgoingEmail {
        from: mailbox(from.name.as_deref(), from.email),
        reply_to: account.reply_to_mailbox()?,
        to: vec![mailbox(Some(to.0), address)],
        subject: clean_line(&rendered.subject),
        text: rendered.text,
        html: rendered.html,
        attachments: Vec::new(),
        thread: None,
    })
}
