//! An account owner's "hold" by email: the owner answers an owner notice (see
//! `campaign::plan::owner`) with a reply whose own words start with "hold" ("Hold — renewal
//! under negotiation"), and the customer the notice was about is held with that reason, exactly
//! as the owner's click in the app would (`store::account_owners::hold`).
//!
//! Only a reply to one of our notices counts (its In-Reply-To or References name the notice's
//! Message-ID), only from the address the customer's owner has, and only when the first line of
//! what they wrote (quotes and signatures aside) says so; anything else is left to the usual
//! reading of inbound mail.

use super::parse::InboundMessage;
use super::quote::own_text;
use crate::store::{account_owners, DbError};
use rusqlite::{Connection, OptionalExtension};

/// A hold an owner asked for by email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerHold {
    pub customer_id: i64,
    pub reason: String,
}

/// The hold `message` asks for, if it is an owner's "hold" reply to one of our owner notices.
pub fn asked(conn: &Connection, message: &InboundMessage) -> Result<Option<OwnerHold>, DbError> {
    let Some(reason) = hold_reason(&message.text) else {
        return Ok(None);
    };
    let Some(from) = &message.from else {
        return Ok(None);
    };
    let answered = message
        .in_reply_to
        .iter()
        .chain(message.references.iter().rev());
    for id in answered {
        let customer: Option<(i64, Option<String>)> = conn
            .prepare_cached(
                "SELECT n.customer_id, c.owner_email FROM messages m
                 JOIN owner_notices n ON n.message_id = m.id
                 JOIN customers c ON c.id = n.customer_id
                 WHERE m.rfc_message_id = ?1 AND m.direction = 'out' LIMIT 1",
            )?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((customer_id, Some(owner))) = customer {
            if owner.eq_ignore_ascii_case(from.email.trim()) {
                return Ok(Some(OwnerHold {
                    customer_id,
                    reason,
                }));
            }
        }
    }
    Ok(None)
}

/// Holds the customer for the owner's reason (a customer already held keeps the first one).
pub fn apply(conn: &Connection, hold: &OwnerHold) -> Result<bool, DbError> {
    if account_owners::held(conn, hold.customer_id)?.is_some() {
        return Ok(false);
    }
    account_owners::hold(conn, hold.customer_id, &hold.reason)?;
    Ok(true)
}

/// "Hold", "hold: renewal under negotiation", "HOLD - talking to them": the reason after the
/// word (or a default), when the first line of the reply's own words starts with it.
fn hold_reason(text: &str) -> Option<String> {
    let own = own_text(text);
    let first = own.lines().map(str::trim).find(|l| !l.is_empty())?;
    let word: String = first.chars().take_while(|c| c.is_alphabetic()).collect();
    if !word.eq_ignore_ascii_case("hold") {
        return None;
    }
    let rest = first[word.len()..]
        .trim_start_matches(|c: char| c.is_whitespace() || ":-–—,.!".contains(c));
    let reason: String = rest.chars().take(200).collect();
    Some(if reason.trim().is_empty() {
        "held by the account owner's reply".to_string()
    } else {
        reason.trim().to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_first_line_starting_with_hold_asks_for_one() {
        assert_eq!(
            hold_reason("Hold: renewal under negotiation\n\n> On Monday ...").as_deref(),
            Some("renewal under negotiation")
        );
        assert_eq!(
            hold_reason("HOLD").as_deref(),
            Some("held by the account owner's reply")
        );
        assert_eq!(
            hold_reason("hold — talking to them").as_deref(),
            Some("talking to them")
        );
        assert_eq!(hold_reason("Holding off is fine by me"), None);
        assert_eq!(hold_reason("Please don't hold"), None);
        assert_eq!(hold_reason(""), None);
    }
}
