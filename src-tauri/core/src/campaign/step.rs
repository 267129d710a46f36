//! A campaign's steps: when each applies, by which channel, and which of its two templates
//! (A/B) a customer gets.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "StepChannel")]
pub enum Channel {
    Email,
    Call,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Call => "call",
        }
    }
    pub(super) fn from_db(s: &str) -> Channel {
        if s == "call" {
            Channel::Call
        } else {
            Channel::Email
        }
    }
}

/// When a step applies to an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Trigger {
    /// N days after the due date (negative: before, 0: on the day).
    DueOffset(i64),
    /// Day D of each month (statements); shorter months use their last day.
    DayOfMonth(u32),
    /// N days from the campaign's event date (negative: before, 0: on the day); every open
    /// invoice of the audience reaches it, once per occurrence of the event.
    EventOffset(i64),
}

impl Trigger {
    /// "3 days before due", "on the due date", "day 1 of each month", "10 days before the
    /// event".
    pub fn describe(self) -> String {
        let days = |n: i64, on: &str, what: &str| match n {
            0 => format!("on the {on}"),
            n if n < 0 => format!("{} days before {what}", -n),
            n => format!("{n} days after {what}"),
        };
        match self {
            Trigger::DueOffset(n) => days(n, "due date", "due"),
            Trigger::DayOfMonth(d) => format!("day {d} of each month"),
            Trigger::EventOffset(n) => days(n, "event's day", "the event"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Step {
    /// 1, 2, ...: later steps are more advanced (firmer tone).
    pub position: i64,
    pub trigger: Trigger,
    pub template_key: String,
    pub channel: Channel,
    /// A/B: a second template the step alternates with `template_key`, per customer.
    #[serde(default)]
    pub alt_template_key: Option<String>,
    /// Tell the customer's account owner this many days before the step goes out (see
    /// `plan::owner`); None: nobody is told.
    #[serde(default)]
    pub notify_owner_days: Option<i64>,
    /// An early-payment offer its email makes (see `offer`); None: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<super::offer::Offer>,
}

/// Which of a step's two templates a customer gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Variant {
    A,
    B,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::A => "a",
            Variant::B => "b",
        }
    }
    pub(super) fn from_db(s: &str) -> Option<Variant> {
        match s {
            "a" => Some(Variant::A),
            "b" => Some(Variant::B),
            _ => None,
        }
    }
}

impl Step {
    /// A single-template step.
    pub fn new(position: i64, trigger: Trigger, template_key: &str, channel: Channel) -> Step {
        Step {
            position,
            trigger,
            template_key: template_key.to_string(),
            channel,
            alt_template_key: None,
            notify_owner_days: None,
            offer: None,
        }
    }

    /// The variant `customer_id` gets at this step (None without a second template) and its
    /// template. The choice is a fixed hash of campaign, step and customer, never random, so a
    /// rerun (or a crash repair) picks the same variant; over many customers it splits in half.
    pub fn variant_for(&self, campaign_id: i64, customer_id: i64) -> (Option<Variant>, &str) {
        let Some(alt) = &self.alt_template_key else {
            return (None, &self.template_key);
        };
        if mix(campaign_id, self.position, customer_id) & 1 == 1 {
            (Some(Variant::B), alt)
        } else {
            (Some(Variant::A), &self.template_key)
        }
    }

    /// The template of `variant` (A when the step has no second template).
    pub fn template_of(&self, variant: Option<Variant>) -> &str {
        match (variant, &self.alt_template_key) {
            (Some(Variant::B), Some(alt)) => alt,
            _ => &self.template_key,
        }
    }
}

/// splitmix64 over the three ids: stable across builds and platforms (std's hasher is not).
fn mix(campaign_id: i64, position: i64, customer_id: i64) -> u64 {
    let mut z = (campaign_id as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((position as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9))
        .wrapping_add(customer_id as u64);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
