//! "Slow down" and quota replies: the server refuses this account for a while, not this
//! message, so sending pauses for the whole account and every message stays queued.

use super::MailError;
use std::time::Duration;

/// What a throttling reply asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    /// Slow down (a 4xx): for the time the server states, if it states one.
    SlowDown(Option<Duration>),
    /// The day's sending quota is used up (a 5xx): until the next working morning.
    DailyQuota,
}

/// The longest stated pause taken at its word; a longer one is read as a day.
const LONGEST_STATED: Duration = Duration::from_secs(24 * 3600);

impl MailError {
    /// The reply is a "slow down" or quota answer about the account (421 4.7.0, 450 4.7.x,
    /// 452 4.5.3, Gmail's 550 5.4.5, Microsoft's 554 5.2.0 SubmissionQuotaExceeded, a daily
    /// sending limit named in words), with the server's words.
    pub fn throttle(&self) -> Option<(Throttle, &str)> {
        match self {
            MailError::Rejected { code, reply, .. } => {
                classify(*code, reply).map(|t| (t, reply.as_str()))
            }
            _ => None,
        }
    }
}

/// The enhanced status code (RFC 3463) a reply starts with (or carries first), e.g. (4, 7, 0).
fn enhanced(reply: &str) -> Option<(u16, u16, u16)> {
    reply.split_whitespace().take(3).find_map(|word| {
        let mut parts = word.trim_end_matches([',', ';', ':']).split('.');
        let class = parts.next()?.parse().ok()?;
        let subject = parts.next()?.parse().ok()?;
        let detail = parts.next()?.parse().ok()?;
        parts.next().is_none().then_some((class, subject, detail))
    })
}

/// Classifies a reply code and text (see [`MailError::throttle`]).
pub fn classify(code: u16, reply: &str) -> Option<Throttle> {
    let lower = reply.to_lowercase();
    let daily = lower.contains("daily user sending limit")
        || lower.contains("daily sending limit")
        || lower.contains("submissionquotaexceeded");
    let slow = || Some(Throttle::SlowDown(stated_wait(&lower)));
    match (code, enhanced(reply)) {
        (500..=599, Some((5, 4, 5))) => Some(Throttle::DailyQuota),
        (500..=599, _) if daily => Some(Throttle::DailyQuota),
        (421, Some((4, 7, 0))) | (452, Some((4, 5, 3))) | (450, Some((4, 7, _))) => slow(),
        (400..=499, _) if daily => slow(),
        _ => None,
    }
}

/// A wait the reply states: "try again in 30 seconds", "retry after 5 minutes", "in 1 hour".
pub fn stated_wait(reply: &str) -> Option<Duration> {
    let words: Vec<&str> = reply
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(3).find_map(|w| {
        if !matches!(w[0].to_lowercase().as_str(), "in" | "after" | "for") {
            return None;
        }
        let n: u64 = w[1].parse().ok()?;
        let unit = w[2].to_lowercase();
        let seconds = if unit.starts_with("sec") || unit == "s" {
            n
        } else if unit.starts_with("min") {
            n.saturating_mul(60)
        } else if unit.starts_with("hour") || unit == "h" {
            n.saturating_mul(3600)
        } else {
            return None;
        };
        Some(Duration::from_secs(seconds.max(1)).min(LONGEST_STATED))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slow_down_and_quota_replies_are_told_apart_from_a_refused_message() {
        let slow = Some(Throttle::SlowDown(None));
        assert_eq!(
            classify(421, "4.7.0 Try again later, closing connection."),
            slow
        );
        assert_eq!(classify(452, "4.5.3 Too many recipients"), slow);
        assert_eq!(classify(450, "4.7.1 Rate limit exceeded"), slow);
        assert_eq!(
            classify(550, "5.4.5 Daily user sending limit exceeded. For more information, go to https://support.google.com/mail/?p=ReachedLimit"),
            Some(Throttle::DailyQuota)
        );
        assert_eq!(
            classify(554, "5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception"),
            Some(Throttle::DailyQuota)
        );
        assert_eq!(
            classify(
                550,
                "5.7.1 ar@icloud.com: You have exceeded your daily sending limit."
            ),
            Some(Throttle::DailyQuota)
        );
        // About the message or the recipient: not the account.
        for (code, text) in [
            (550, "5.7.1 Message rejected: looks like spam to us"),
            (550, "5.1.1 No such user"),
            (552, "5.2.2 Mailbox full, quota exceeded"),
            (451, "4.3.0 Temporary local problem, try again later"),
            (421, "4.3.2 Service shutting down"),
            (535, "5.7.8 Username and Password not accepted"),
        ] {
            assert_eq!(classify(code, text), None, "{code} {text}");
        }
    }

    #[test]
    fn a_stated_time_is_taken_at_its_word() {
        assert_eq!(
            classify(421, "4.7.0 Too many messages, try again in 30 seconds"),
            Some(Throttle::SlowDown(Some(Duration::from_secs(30))))
        );
        assert_eq!(
            stated_wait("retry after 5 minutes"),
            Some(Duration::from_secs(300))
        );
        assert_eq!(stated_wait("blocked for 99999 hours"), Some(LONGEST_STATED));
        assert_eq!(stated_wait("try again later"), None);
        let e = MailError::Rejected {
            code: 421,
            reply: "4.7.0 Try again later".into(),
            stage: super::super::Stage::MailFrom,
        };
        assert_eq!(e.throttle().map(|(t, _)| t), slow_none());
    }

    fn slow_none() -> Option<Throttle> {
        Some(Throttle::SlowDown(None))
    }

    proptest! {
        /// Any server text, however odd, classifies without panicking, and a stated wait is
        /// never longer than a day.
        #[test]
        fn any_reply_text_classifies_safely(code in 400u16..600, text in "\\PC*|[\\x00-\\x1f\\u{202e}0-9a-z .]*") {
            let _ = classify(code, &text);
            if let Some(wait) = stated_wait(&text) {
                prop_assert!(wait <= LONGEST_STATED && wait >= Duration::from_secs(1));
            }
        }
    }
}
