//! Where each folder's sync stands (`mailbox_folders`): the folder's UIDVALIDITY and the highest
//! UID looked at. A UID names a message only while UIDVALIDITY stays the same: a new one starts
//! the folder again from the look-back window (what was kept is found again by its Message-ID).

use crate::store::{now_timestamp, DbError};
use rusqlite::{params, Connection, OptionalExtension};

/// The UID above which this sync of `folder` fetches, for the server's `uid_validity`: the
/// stored one while UIDVALIDITY is unchanged, else 0 (the folder starts again, recorded so);
/// and whether UIDVALIDITY changed since the last sync.
pub(super) fn start(
    conn: &Connection,
    folder: &str,
    uid_validity: u32,
) -> Result<(u32, bool), DbError> {
    let stored: Option<(i64, i64)> = conn
        .prepare_cached("SELECT uid_validity, last_uid FROM mailbox_folders WHERE folder = ?1")?
        .query_row([folder], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match stored {
        Some((validity, last)) if validity == i64::from(uid_validity) => {
            Ok((u32::try_from(last).unwrap_or(0), false))
        }
        _ => {
            conn.prepare_cached(
                "INSERT INTO mailbox_folders (folder, uid_validity, last_uid, synced_at)
                 VALUES (?1, ?2, 0, ?3)
                 ON CONFLICT (folder) DO UPDATE
                 SET uid_validity = excluded.uid_validity, last_uid = 0,
                     synced_at = excluded.synced_at",
            )?
            .execute(params![folder, uid_validity, now_timestamp()])?;
            Ok((0, stored.is_some()))
        }
    }
}

/// Every message of `folder` up to `uid` has been kept or counted: the next sync starts above.
pub(super) fn advance(conn: &Connection, folder: &str, uid: u32) -> Result<(), DbError> {
    conn.prepare_cached(
        "UPDATE mailbox_folders SET last_uid = max(last_uid, ?2), synced_at = ?3
         WHERE folder = ?1",
    )?
    .execute(params![folder, uid, now_timestamp()])?;
    Ok(())
}
