//! What the window sees of a campaign run ([`RunProgress`]) and its pause/cancel requests,
//! kept in [`Scheduler`] (managed by Tauri).

use crate::error::{CommandError, CommandResult};
use duebook_core::campaign::run::RunReport;
use serde::Serialize;
use std::sync::{Mutex, MutexGuard, PoisonError};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RunPhase {
    Queueing,
    Sending,
    Paused,
    Finished,
    Cancelled,
    Failed,
}

/// One campaign's share of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CampaignRunSummary {
    pub campaign_id: i64,
    pub name: String,
    pub emails: u32,
    pub calls: u32,
    pub excluded: u32,
    /// Customers whose email could not be prepared, with why.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RunProgress {
    /// Started from the window (false: the scheduler).
    pub manual: bool,
    /// Only planned: nothing was queued or sent.
    pub dry_run: bool,
    pub phase: RunPhase,
    /// Emails this run queued (or would queue, on a dry run).
    pub total: u32,
    /// Of those, how many have been handed to the server (sent, failed or uncertain).
    pub done: u32,
    pub sent: u32,
    pub failed: u32,
    pub uncertain: u32,
    /// Taken out of the queue by Cancel.
    pub cancelled: u32,
    pub campaigns: Vec<CampaignRunSummary>,
    /// What the person should know: why it failed, that another process is sending ...
    pub message: Option<String>,
}

impl RunProgress {
    pub(super) fn new(manual: bool, dry_run: bool) -> RunProgress {
        RunProgress {
            manual,
            dry_run,
            phase: RunPhase::Queueing,
            total: 0,
            done: 0,
            sent: 0,
            failed: 0,
            uncertain: 0,
            cancelled: 0,
            campaigns: Vec::new(),
            message: None,
        }
    }

    pub(super) fn calls(&self) -> u32 {
        self.campaigns.iter().map(|c| c.calls).sum()
    }

    fn is_over(&self) -> bool {
        matches!(
            self.phase,
            RunPhase::Finished | RunPhase::Cancelled | RunPhase::Failed
        )
    }
}

pub(super) fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The run in progress (or the last one) and the window's pause/cancel requests (managed by
/// Tauri).
#[derive(Default)]
pub struct Scheduler {
    inner: Mutex<Control>,
}

#[derive(Default)]
struct Control {
    progress: Option<RunProgress>,
    pause: bool,
    cancel: bool,
}

impl Control {
    fn under_way(&self) -> Option<&RunProgress> {
        self.progress.as_ref().filter(|p| !p.is_over())
    }
}

impl Scheduler {
    fn lock(&self) -> MutexGuard<'_, Control> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Claims the runner; refuses while a run is under way.
    pub(super) fn begin(&self, progress: RunProgress) -> CommandResult<()> {
        let mut control = self.lock();
        if control.under_way().is_some() {
            return Err(CommandError::InvalidInput(
                "a campaign run is already under way".into(),
            ));
        }
        *control = Control {
            progress: Some(progress),
            pause: false,
            cancel: false,
        };
        Ok(())
    }

    pub fn status(&self) -> Option<RunProgress> {
        self.lock().progress.clone()
    }

    pub(super) fn update(&self, change: impl FnOnce(&mut RunProgress)) -> Option<RunProgress> {
        let mut control = self.lock();
        let progress = control.progress.as_mut()?;
        change(progress);
        Some(progress.clone())
    }

    /// Pause (true) or resume (false) a manual run between chunks.
    pub fn set_paused(&self, paused: bool) -> CommandResult<()> {
        let mut control = self.lock();
        if !control
            .progress
            .as_ref()
            .is_some_and(|p| p.manual && !p.is_over())
        {
            return Err(CommandError::InvalidInput(
                "no campaign run started here is under way".into(),
            ));
        }
        control.pause = paused;
        Ok(())
    }

    pub fn request_cancel(&self) -> CommandResult<()> {
        let mut control = self.lock();
        if control.under_way().is_none() {
            return Err(CommandError::InvalidInput(
                "no campaign run is under way".into(),
            ));
        }
        control.cancel = true;
        control.pause = false;
        Ok(())
    }

    pub(super) fn requests(&self) -> (bool, bool) {
        let control = self.lock();
        (control.pause, control.cancel)
    }
}

pub(super) fn summaries(report: &RunReport) -> Vec<CampaignRunSummary> {
    report
        .campaigns
        .iter()
        .map(|c| {
            let (emails, calls) = if report.dry_run {
                (c.plan.emails().count(), c.plan.calls().count())
            } else {
                (c.messages.len(), c.tasks.len())
            };
            CampaignRunSummary {
                campaign_id: c.campaign_id,
                name: c.name.clone(),
                emails: count(emails),
                calls: count(calls),
                excluded: count(c.plan.excluded.len()),
                problems: c
                    .failed
                    .iter()
                    .map(|(customer, why)| format!("customer {customer}: {why}"))
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_run_at_a_time_and_controls_only_while_running() {
        let scheduler = Scheduler::default();
        assert!(scheduler.set_paused(true).is_err(), "nothing to pause");
        scheduler.begin(RunProgress::new(true, false)).unwrap();
        assert!(scheduler.begin(RunProgress::new(false, false)).is_err());
        scheduler.set_paused(true).unwrap();
        assert_eq!(scheduler.requests(), (true, false));
        scheduler.request_cancel().unwrap();
        assert_eq!(scheduler.requests(), (false, true), "cancel ends a pause");
        scheduler.update(|p| p.phase = RunPhase::Cancelled);
        assert!(scheduler.request_cancel().is_err());
        scheduler.begin(RunProgress::new(false, false)).unwrap();
        assert!(
            scheduler.set_paused(true).is_err(),
            "scheduled runs hand sending to the outbox"
        );
    }
}
