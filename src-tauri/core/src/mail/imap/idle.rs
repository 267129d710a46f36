//! Waiting for new mail while the app is open: IMAP IDLE (RFC 2177) on INBOX, examined
//! read-only, on a connection of its own. The app loops: sync, wait, sync again — and, when the
//! server has no IDLE (an error here) or the wait ends without news, syncs on its timer anyway:
//! an incremental sync with nothing new costs a login and four short commands.

use super::folders::timed;
use super::login;
use super::ImapLogin;
use crate::mail::account::ImapSettings;
use crate::mail::smtp::{error_text, MailError, MailerOptions, Stage};
use async_imap::extensions::idle::IdleResponse;
use std::time::Duration;

/// Waits up to `wait` for the server to say INBOX changed (new mail, most often): true when it
/// did, false when the time passed quietly. Servers end an IDLE after 30 minutes; keep `wait`
/// under that.
pub async fn wait_for_new_mail(
    settings: &ImapSettings,
    login: &ImapLogin,
    mail_options: &MailerOptions,
    wait: Duration,
) -> Result<bool, MailError> {
    let settings = settings
        .validated()
        .map_err(|e| MailError::Invalid(e.to_string()))?;
    let limit = mail_options.timeouts.command;
    let mut session = login::log_in(&settings, login, mail_options).await?;
    timed(limit, session.examine("INBOX")).await?;
    let mut idle = session.idle();
    timed(limit, idle.init()).await?;
    let woke = {
        let (waiting, _stop) = idle.wait_with_timeout(wait);
        tokio::time::timeout(wait, waiting).await
    };
    // Ending the IDLE and logging out are courtesies: the answer is in hand.
    if let Ok(Ok(mut session)) = tokio::time::timeout(limit, idle.done()).await {
        let _ = tokio::time::timeout(limit, session.logout()).await;
    }
    match woke {
        Err(_) | Ok(Ok(IdleResponse::Timeout | IdleResponse::ManualInterrupt)) => Ok(false),
        Ok(Ok(IdleResponse::NewData(_))) => Ok(true),
        Ok(Err(e)) => Err(MailError::Connection {
            stage: Stage::Data,
            detail: error_text(&e),
        }),
    }
}
