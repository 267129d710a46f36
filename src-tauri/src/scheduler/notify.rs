//! The desktop notification at the end of a run.

use super::progress::{RunPhase, RunProgress};
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;

pub(super) fn notify_desktop(app: &AppHandle, progress: &RunProgress) {
    let Some((title, body)) = notification_text(progress) else {
        return;
    };
    // No notification daemon (a bare session) must not fail the run.
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!("cannot show a notification: {e}");
        eprintln!("duebook-app: cannot show a notification: {e}");
    }
}

/// What the desktop notification says, or None when the run did nothing worth a word.
fn notification_text(p: &RunProgress) -> Option<(&'static str, String)> {
    let problems: usize = p.campaigns.iter().map(|c| c.problems.len()).sum();
    if p.phase == RunPhase::Failed {
        let why = p.message.clone().unwrap_or_default();
        return Some(("Campaign run needs attention", why));
    }
    if p.failed > 0 || p.uncertain > 0 || problems > 0 {
        return Some((
            "Campaign run needs attention",
            format!(
                "{} sent, {} failed, {} uncertain, {problems} could not be prepared: check the outbox.",
                p.sent, p.failed, p.uncertain
            ),
        ));
    }
    if p.total == 0 && p.calls() == 0 {
        return None;
    }
    let emails = if p.manual {
        format!("{} of {} emails sent", p.sent, p.total)
    } else {
        format!("{} emails queued for sending", p.total)
    };
    Some((
        "Campaign run finished",
        format!("{emails}, {} call tasks added.", p.calls()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finished(total: u32, sent: u32, failed: u32) -> RunProgress {
        RunProgress {
            phase: RunPhase::Finished,
            total,
            sent,
            failed,
            done: sent + failed,
            ..RunProgress::new(true, false)
        }
    }

    #[test]
    fn notifications_say_what_needs_attention() {
        assert_eq!(notification_text(&finished(0, 0, 0)), None);
        let (title, body) = notification_text(&finished(3, 3, 0)).unwrap();
        assert_eq!(title, "Campaign run finished");
        assert_eq!(body, "3 of 3 emails sent, 0 call tasks added.");
        let (title, body) = notification_text(&finished(3, 2, 1)).unwrap();
        assert_eq!(title, "Campaign run needs attention");
        assert!(body.contains("1 failed"));
        let failed = RunProgress {
            phase: RunPhase::Failed,
            message: Some("no email account is set up".into()),
            ..RunProgress::new(false, false)
        };
        assert_eq!(
            notification_text(&failed).unwrap().1,
            "no email account is set up"
        );
    }
}
