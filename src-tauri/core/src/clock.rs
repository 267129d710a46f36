//! "Today" comes from a clock that tests can set, so dunning rules can be checked over months.

use chrono::NaiveDate;

pub trait Clock: Send + Sync {
    /// Today's date in the user's timezone.
    fn today(&self) -> NaiveDate;
}

/// The machine's local date.
pub struct SystemClock;

impl Clock for SystemClock {
    fn today(&self) -> NaiveDate {
        chrono::Local::now().date_naive()
    }
}

/// A clock stopped at one date.
pub struct FixedClock(pub NaiveDate);

impl Clock for FixedClock {
    fn today(&self) -> NaiveDate {
        self.0
    }
}
