use super::{Currency, Money};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;
use unicode_normalization::UnicodeNormalization;

/// How the customer prefers to be chased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "PreferredChannel")]
pub enum Channel {
    Email,
    Phone,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Phone => "phone",
        }
    }

    pub fn from_db(text: &str) -> Channel {
        if text == "phone" {
            Channel::Phone
        } else {
            Channel::Email
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub segment: Option<String>,
    pub currency: Option<Currency>,
    pub terms_days: Option<i64>,
    pub preferred_channel: Channel,
    pub do_not_contact: bool,
    pub tags: Vec<String>,
    /// The user's own fields ("Account manager" → "Priya").
    pub custom_fields: BTreeMap<String, String>,
    /// How much the customer may owe (in one currency); None: no limit.
    #[serde(default)]
    pub credit_limit: Option<Money>,
    /// Set while the customer is on hold (no further credit).
    #[serde(default)]
    pub hold: Option<Hold>,
    /// Who at the company looks after the customer.
    pub owner: Option<super::Owner>,
    /// Why the account owner holds the customer's reminders, while they do.
    pub owner_hold: Option<String>,
}

/// Why, by whom and since when a customer is on hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Hold {
    pub reason: String,
    /// "you" when set by hand, else the campaign rule's name.
    pub set_by: String,
    pub set_on: NaiveDate,
}

/// A credit limit as the user gives it: an amount, in `currency` or else the customer's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LimitInput {
    pub amount: String,
    pub currency: Option<String>,
}

/// One change to a customer, saved as soon as the user makes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
#[ts(export)]
pub enum CustomerEdit {
    Name(String),
    Segment(Option<String>),
    TermsDays(Option<i64>),
    PreferredChannel(Channel),
    DoNotContact(bool),
    Tags(Vec<String>),
    /// Sets a custom field, or removes it when `value` is None.
    CustomField {
        key: String,
        value: Option<String>,
    },
    /// Sets the credit limit, or removes it with None.
    CreditLimit(Option<LimitInput>),
    /// Puts the customer on hold with this reason, or takes them off hold with None.
    Hold(Option<String>),
    /// The account owner as typed (`Name <email>`, an email or a name); blank removes it.
    Owner(String),
}

/// What it takes to create a customer.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCustomer {
    pub name: String,
    pub segment: Option<String>,
    pub currency: Option<Currency>,
    pub terms_days: Option<i64>,
    pub preferred_channel: Channel,
}

impl NewCustomer {
    pub fn named(name: &str) -> Self {
        NewCustomer {
            name: name.trim().to_string(),
            segment: None,
            currency: None,
            terms_days: None,
            preferred_channel: Channel::Email,
        }
    }
}

/// The key customers are matched by: trimmed, Unicode NFC, case-insensitive.
pub fn customer_name_key(name: &str) -> String {
    name.trim().nfc().collect::<String>().to_lowercase()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Contact {
    pub id: i64,
    pub customer_id: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Option<String>,
    pub is_billing: bool,
    /// Why reminders skip this address ("bounced (5.1.1): user unknown"); None while it works.
    /// Editing the address clears it.
    pub email_bounced: Option<String>,
}

/// A contact as the user types it in; validated by `contacts::add` / `contacts::update`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ContactInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Option<String>,
    pub is_billing: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewContact {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Option<String>,
    pub is_billing: bool,
}

/// One customer's open amount in one currency, as the list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Balance {
    pub open: Money,
    /// The part of `open` that is past its due date.
    pub overdue: Money,
    /// `open` as a decimal string in the currency's precision, e.g. "1234.50".
    pub open_decimal: String,
    pub overdue_decimal: String,
}

/// A row of the customer list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CustomerRow {
    pub id: i64,
    pub name: String,
    pub segment: Option<String>,
    /// The account owner as shown: `Name <email>`, or the one part set.
    pub owner: Option<String>,
    pub balances: Vec<Balance>,
    pub oldest_due_date: Option<NaiveDate>,
    /// Days the oldest open invoice is past due; None when nothing is overdue.
    pub oldest_days_overdue: Option<i64>,
    /// RFC 3339 timestamp of the last note, call or email.
    pub last_contact_at: Option<String>,
    pub next_follow_up: Option<NaiveDate>,
    /// Why the customer is on hold; None when not on hold.
    pub on_hold: Option<String>,
    pub credit_limit: Option<Money>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CustomerSort {
    /// Oldest overdue first, then name: who to chase.
    #[default]
    MostOverdue,
    /// Largest open balance first (currencies compared at face value).
    Balance,
    Name,
    /// Never contacted first, then the longest since the last contact.
    LastContact,
    /// Soonest follow-up task first; customers without one last.
    NextFollowUp,
}

/// Where a customer's oldest open invoice stands on the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum AgingBucket {
    #[serde(rename = "current")]
    Current,
    #[serde(rename = "1-30")]
    Days1To30,
    #[serde(rename = "31-60")]
    Days31To60,
    #[serde(rename = "61-90")]
    Days61To90,
    #[serde(rename = "90+")]
    Over90,
}

/// The list's filters; all that are set must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct CustomerFilters {
    pub aging_bucket: Option<AgingBucket>,
    pub currency: Option<String>,
    pub segment: Option<String>,
    /// An account owner as the filter menu shows them (`Name <email>`).
    pub owner: Option<String>,
    pub tag: Option<String>,
    pub open_promise: bool,
    pub broken_promise: bool,
    pub disputed: bool,
    pub do_not_contact: bool,
    pub no_email: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CustomerListQuery {
    pub search: Option<String>,
    pub sort: CustomerSort,
    #[serde(default)]
    pub filters: CustomerFilters,
    pub limit: u32,
    pub offset: u32,
    /// The date "overdue" is measured against (today in the user's timezone).
    pub as_of: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CustomerPage {
    pub rows: Vec<CustomerRow>,
    /// How many customers match, over all pages.
    pub total: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_trimmed_nfc_and_case_insensitive() {
        let composed = "Café Ölmann";
        let decomposed = "  cafe\u{301} O\u{308}lmann ";
        assert_eq!(customer_name_key(composed), customer_name_key(decomposed));
        assert_ne!(customer_name_key("Acme"), customer_name_key("Acme Ltd"));
    }
}
