//! How failed attempts are tried again.

use std::time::Duration;

/// How 4xx replies are retried.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// Messages handed to the server at the same time.
    pub concurrency: usize,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            first_backoff: Duration::from_secs(30),
            max_backoff: Duration::from_secs(10 * 60),
            concurrency: 4,
        }
    }
}

impl RetryPolicy {
    /// Wait after the `attempt`-th failed attempt: first, ×4 each time, capped.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 4u32.saturating_pow(attempt.saturating_sub(1));
        self.first_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }
}
