//! Finding a folder's new messages and fetching them in bounded batches: the UIDs first (a few
//! bytes each), then per batch the sizes, then the messages themselves in groups of a bounded
//! total size, each handed on as it arrives, so a mailbox of any size is read in a few MB.
//! Read-only: `BODY.PEEK[]` never sets `\Seen`.

use super::super::folders::timed;
use super::super::login::LoggedIn;
use super::SyncError;
use crate::mail::smtp::{error_text, MailError, Stage};
use async_imap::types::Fetch;
use chrono::NaiveDate;
use futures_util::StreamExt;
use std::time::Duration;

/// The UIDs above `after` of messages that arrived on or after `since`, ascending.
pub(super) async fn new_uids(
    session: &mut LoggedIn,
    after: u32,
    since: NaiveDate,
    limit: Duration,
) -> Result<Vec<u32>, MailError> {
    let query = format!(
        "UID {}:* SINCE {}",
        after.saturating_add(1),
        since.format("%-d-%b-%Y")
    );
    // "N:*" always names the highest UID, even one below N.
    let mut uids: Vec<u32> = timed(limit, session.uid_search(query))
        .await?
        .into_iter()
        .filter(|uid| *uid > after)
        .collect();
    uids.sort_unstable();
    Ok(uids)
}

/// The size of each message of `uids` (RFC822.SIZE), as the server answered.
pub(super) async fn sizes(
    session: &mut LoggedIn,
    uids: &[u32],
    limit: Duration,
) -> Result<Vec<(u32, u32)>, SyncError> {
    let mut sizes = Vec::with_capacity(uids.len());
    each_fetched(session, uids, "RFC822.SIZE", limit, |f| {
        if let (Some(uid), Some(size)) = (f.uid, f.size) {
            sizes.push((uid, size));
        }
        Ok(())
    })
    .await?;
    Ok(sizes)
}

/// `sizes` cut into groups of at most `max_bytes` together (a larger message alone).
pub(super) fn groups(sizes: &[(u32, u32)], max_bytes: usize) -> Vec<Vec<u32>> {
    let mut groups: Vec<Vec<u32>> = Vec::new();
    let mut total = 0usize;
    for &(uid, size) in sizes {
        let size = size as usize;
        match groups.last_mut() {
            Some(group) if total + size <= max_bytes => group.push(uid),
            _ => {
                groups.push(vec![uid]);
                total = 0;
            }
        }
        total += size;
    }
    groups
}

/// Fetches `query` for `uids` and hands each answer to `each` as it arrives; `limit` bounds
/// the wait for each one.
pub(super) async fn each_fetched(
    session: &mut LoggedIn,
    uids: &[u32],
    query: &str,
    limit: Duration,
    mut each: impl FnMut(&Fetch) -> Result<(), SyncError>,
) -> Result<(), SyncError> {
    if uids.is_empty() {
        return Ok(());
    }
    let mut answers = timed(limit, session.uid_fetch(uid_set(uids), query)).await?;
    loop {
        let next = tokio::time::timeout(limit, answers.next())
            .await
            .map_err(|_| MailError::Timeout {
                stage: Stage::Data,
                hint: None,
            })?;
        match next {
            None => return Ok(()),
            Some(Err(e)) => {
                return Err(MailError::Connection {
                    stage: Stage::Data,
                    detail: error_text(&e),
                }
                .into())
            }
            Some(Ok(fetch)) => each(&fetch)?,
        }
    }
}

/// `uids` (ascending) as an IMAP sequence set, runs written as ranges: "1:200,305,310:312".
fn uid_set(uids: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut run: Option<(u32, u32)> = None;
    for &uid in uids {
        run = match run {
            Some((first, last)) if last.checked_add(1) == Some(uid) => Some((first, uid)),
            Some(done) => {
                parts.push(range(done));
                Some((uid, uid))
            }
            None => Some((uid, uid)),
        };
    }
    parts.extend(run.map(range));
    parts.join(",")
}

fn range((first, last): (u32, u32)) -> String {
    if first == last {
        first.to_string()
    } else {
        format!("{first}:{last}")
    }
}

#[cfg(test)]
mod tests {
    use super::{groups, uid_set};

    #[test]
    fn runs_of_uids_are_ranges() {
        assert_eq!(uid_set(&[1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
        assert_eq!(uid_set(&[4]), "4");
        assert_eq!(uid_set(&[u32::MAX - 1, u32::MAX]), "4294967294:4294967295");
    }

    #[test]
    fn groups_stay_under_the_bytes_and_a_large_message_goes_alone() {
        let sizes = [(1, 40), (2, 50), (3, 20), (4, 500), (5, 10)];
        assert_eq!(
            groups(&sizes, 100),
            vec![vec![1, 2], vec![3], vec![4], vec![5]]
        );
    }
}
