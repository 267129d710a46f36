//! The account's sending limits as figures: messages per minute and per day, the cautious
//! figures for an unknown server and a local one, and what they mean in days. Counting what
//! went out against them is [`super::pacing`]'s job.

use crate::model::validation::FieldError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Messages per minute and per day; None: no limit of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SendingLimits {
    pub per_minute: Option<u32>,
    pub per_day: Option<u32>,
}

/// For a server no preset knows: cautious figures (Gmail's daily limit, the lowest common
/// one), to be raised in the settings for an office server that takes more.
pub const CUSTOM_SERVER: SendingLimits = SendingLimits {
    per_minute: Some(20),
    per_day: Some(500),
};

/// A server on this computer (a relay, a bridge, a test server) queues for onward delivery
/// itself: no limit unless the user sets one.
pub const LOCAL_SERVER: SendingLimits = SendingLimits {
    per_minute: None,
    per_day: None,
};

/// The highest figure accepted (a typing slip, not a real limit, above it).
const MOST: u32 = 10_000_000;

impl SendingLimits {
    /// Refuses a limit of 0 (nothing could ever be sent) or an absurd one.
    pub fn check(&self) -> Result<(), FieldError> {
        for (field, value) in [
            ("limits.per_minute", self.per_minute),
            ("limits.per_day", self.per_day),
        ] {
            if value.is_some_and(|v| v == 0 || v > MOST) {
                return Err(FieldError::new(
                    field,
                    format!("a sending limit must be between 1 and {MOST}, or none"),
                ));
            }
        }
        Ok(())
    }
}

/// "30 a minute, 10,000 a day", "no limit".
pub fn describe(limits: &SendingLimits) -> String {
    let parts: Vec<String> = [(limits.per_minute, "a minute"), (limits.per_day, "a day")]
        .into_iter()
        .filter_map(|(n, per)| n.map(|n| format!("{n} {per}")))
        .collect();
    if parts.is_empty() {
        "no limit".into()
    } else {
        parts.join(", ")
    }
}
/// How many days sending `messages` takes at `per_day` a day (from today on, today
/// included); 1 without a limit, 0 for no message.
pub fn days_to_send(messages: u64, per_day: Option<u32>) -> u64 {
    match per_day {
        _ if messages == 0 => 0,
        Some(limit) => messages.div_ceil(u64::from(limit.max(1))),
        None => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_to_send_rounds_up() {
        assert_eq!(days_to_send(0, Some(500)), 0);
        assert_eq!(days_to_send(500, Some(500)), 1);
        assert_eq!(days_to_send(501, Some(500)), 2);
        assert_eq!(days_to_send(41_207, Some(2_000)), 21);
        assert_eq!(days_to_send(41_207, None), 1);
    }
}
