use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Note {
    pub id: i64,
    pub customer_id: i64,
    pub body: String,
    pub pinned: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub updated_at: String,
}
