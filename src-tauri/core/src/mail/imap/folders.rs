//! The folders the test and the sync look at: the Sent folder (where replies are threaded from)
//! and INBOX, opened read-only (EXAMINE), so nothing in the mailbox changes, not even \Recent.

use super::login::LoggedIn;
use crate::mail::smtp::{error_text, MailError, Stage};
use async_imap::error::Error as ImapError;
use async_imap::types::{Mailbox, NameAttribute};
use futures_util::TryStreamExt;
use std::future::Future;
use std::time::Duration;

/// The usual names of the Sent folder, for servers without SPECIAL-USE (RFC 6154).
const SENT_NAMES: &[&str] = &["sent", "sent items", "sent messages", "sent mail"];

/// The Sent folder among `folders` (name, marked `\Sent`): the marked one, else the first whose
/// last name part is a usual name for it.
pub fn sent_folder<'a>(
    folders: impl IntoIterator<Item = (&'a str, bool)> + Clone,
) -> Option<String> {
    let marked = folders.clone().into_iter().find(|(_, sent)| *sent);
    let named = || {
        folders.into_iter().find(|(name, _)| {
            let last = name.rsplit(['/', '.']).next().unwrap_or(name);
            SENT_NAMES.iter().any(|s| last.eq_ignore_ascii_case(s))
        })
    };
    marked.or_else(named).map(|(name, _)| name.to_string())
}

/// Lists every folder and examines INBOX: the Sent folder and INBOX's state.
pub(super) async fn look(
    session: &mut LoggedIn,
    limit: Duration,
) -> Result<(Option<String>, Mailbox), MailError> {
    let sent = find_sent(session, limit).await?;
    let inbox = timed(limit, session.examine("INBOX")).await?;
    Ok((sent, inbox))
}

/// The Sent folder, from the list of every folder.
pub(super) async fn find_sent(
    session: &mut LoggedIn,
    limit: Duration,
) -> Result<Option<String>, MailError> {
    let listing = async {
        let names: Vec<_> = session
            .list(Some(""), Some("*"))
            .await?
            .try_collect()
            .await?;
        Ok(names)
    };
    let names = timed(limit, listing).await?;
    Ok(sent_folder(names.iter().map(|n| {
        (
            n.name(),
            n.attributes()
                .iter()
                .any(|a| matches!(a, NameAttribute::Sent)),
        )
    })))
}

/// One exchange with the server within `limit`, its failure named as reading the folders.
pub(super) async fn timed<T>(
    limit: Duration,
    exchange: impl Future<Output = Result<T, ImapError>>,
) -> Result<T, MailError> {
    match tokio::time::timeout(limit, exchange).await {
        Err(_) => Err(MailError::Timeout {
            stage: Stage::Data,
            hint: None,
        }),
        Ok(Err(e)) => Err(MailError::Connection {
            stage: Stage::Data,
            detail: error_text(&e),
        }),
        Ok(Ok(value)) => Ok(value),
    }
}

#[cfg(test)]
mod tests {
    use super::sent_folder;

    #[test]
    fn the_marked_folder_wins_else_a_usual_name() {
        let marked = [("INBOX", false), ("Sent", false), ("Gesendet", true)];
        assert_eq!(sent_folder(marked).as_deref(), Some("Gesendet"));
        let gmail = [("INBOX", false), ("[Gmail]/Sent Mail", false)];
        assert_eq!(sent_folder(gmail).as_deref(), Some("[Gmail]/Sent Mail"));
        let dotted = [("INBOX", false), ("INBOX.Sent Items", false)];
        assert_eq!(sent_folder(dotted).as_deref(), Some("INBOX.Sent Items"));
        assert_eq!(sent_folder([("INBOX", false), ("Sentinel", false)]), None);
    }
}
