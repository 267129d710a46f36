-- Duebook schema, version 16: two-way email. Messages read from the account's mailbox (IMAP)
-- that matched a customer are kept in `messages` beside ours (direction 'in', state
-- 'received'); unmatched ones are only counted, never stored (it is the user's whole mailbox).
-- Append-only.

-- What kind of inbound message it is (mail/inbound/classify.rs) and how it was matched.
ALTER TABLE messages ADD COLUMN inbound_kind TEXT
    CHECK (inbound_kind IS NULL OR inbound_kind IN ('reply', 'auto_reply', 'bounce'));
ALTER TABLE messages ADD COLUMN match_rule TEXT;
-- The reply's own words (no quoted reminder), one short paragraph, for lists and tasks.
ALTER TABLE messages ADD COLUMN snippet TEXT;
-- "paid", "remittance attached": a suggestion for the user, never a payment.
ALTER TABLE messages ADD COLUMN paid_hint INTEGER NOT NULL DEFAULT 0 CHECK (paid_hint IN (0, 1));
-- An out-of-office's stated return day (YYYY-MM-DD).
ALTER TABLE messages ADD COLUMN return_date TEXT;
-- A bounce: 1 permanent (5.x.x), 0 temporary (4.x.x); its status code, the address that failed
-- and the remote server's words.
ALTER TABLE messages ADD COLUMN bounce_hard INTEGER CHECK (bounce_hard IS NULL OR bounce_hard IN (0, 1));
ALTER TABLE messages ADD COLUMN bounce_status TEXT;
ALTER TABLE messages ADD COLUMN bounced_address TEXT;
-- Our message this one answers or returns (matched by In-Reply-To / References or by a DSN).
ALTER TABLE messages ADD COLUMN answers_id INTEGER REFERENCES messages (id) ON DELETE SET NULL;
-- The thread's Message-IDs (References), space-separated: a Reply continues the thread.
ALTER TABLE messages ADD COLUMN references_ids TEXT;
-- One message of the mailbox is stored once, whatever folder, UID or UIDVALIDITY it is found
-- under: its Message-ID, or a digest of its headers when it has none.
ALTER TABLE messages ADD COLUMN mailbox_key TEXT;
CREATE UNIQUE INDEX messages_mailbox_key ON messages (mailbox_key) WHERE mailbox_key IS NOT NULL;
-- Our sent message was found in the mailbox's Sent folder (the provider filed it): evidence
-- it left, and what settles an `uncertain` one.
ALTER TABLE messages ADD COLUMN filed_in_sent_at TEXT;
CREATE INDEX messages_inbound ON messages (customer_id, inbound_kind, created_at)
    WHERE direction = 'in';

-- Where each folder's sync stands: a UID is a message's name only while UIDVALIDITY stays.
CREATE TABLE mailbox_folders (
    folder       TEXT PRIMARY KEY,
    uid_validity INTEGER NOT NULL,
    -- The highest UID looked at; the next sync fetches only above it.
    last_uid     INTEGER NOT NULL DEFAULT 0,
    synced_at    TEXT NOT NULL
) WITHOUT ROWID;

-- A bounced address: why and when, shown on the contact (email_bad is already there).
ALTER TABLE contacts ADD COLUMN email_bad_reason TEXT;
ALTER TABLE contacts ADD COLUMN email_bad_at TEXT;

-- The user read a customer's reply and let reminders go on (a reply pauses them until then,
-- or until the pause set in the settings passes).
ALTER TABLE customers ADD COLUMN replies_resumed_at TEXT;
