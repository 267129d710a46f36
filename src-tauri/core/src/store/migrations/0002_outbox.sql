-- Duebook schema, version 2: the durable outbox. Append-only.
-- A message is stored with its exact MIME bytes (our own Message-ID inside) before the first
-- attempt, so every retry sends the same bytes and a crash never loses or silently repeats one.

ALTER TABLE messages ADD COLUMN reply_to TEXT;
-- The exact RFC 5322 message handed to SMTP (headers, text + HTML, attachments).
ALTER TABLE messages ADD COLUMN raw_mime BLOB;
-- When a queued message may be tried next (after a 4xx reply); NULL: now.
ALTER TABLE messages ADD COLUMN next_attempt_at TEXT;
ALTER TABLE messages ADD COLUMN last_attempt_at TEXT;
-- The server's last reply line, e.g. "250 2.0.0 Ok: queued as 4F2A1".
ALTER TABLE messages ADD COLUMN server_reply TEXT;

-- What was attached, for the timeline (the bytes themselves are in raw_mime).
CREATE TABLE message_attachments (
    id           INTEGER PRIMARY KEY,
    message_id   INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   INTEGER NOT NULL
);
CREATE INDEX message_attachments_message ON message_attachments (message_id);

-- At most one sender at a time (the app or `duebook send`/`run-due`): the holder renews
-- expires_at while it sends. A `sending` message found while nobody holds the lease was
-- interrupted and becomes `uncertain`.
CREATE TABLE outbox_lease (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
