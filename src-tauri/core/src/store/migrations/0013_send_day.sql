-- Duebook schema, version 13: the account's sending limits count the messages handed to the
-- server per day. `send_day` is the sender's local date (the run's date under
-- `run-due --today`) on which a message was handed over; it is set when a message is claimed
-- and cleared again when the server certainly did not take it. The partial index keeps the
-- day's count and the minute window to the rows of that day, however many messages the file
-- holds. Append-only.
ALTER TABLE messages ADD COLUMN send_day TEXT;

-- Existing files: what already went out counts on the day it went out.
UPDATE messages SET send_day = substr(coalesce(sent_at, last_attempt_at), 1, 10)
 WHERE direction = 'out' AND state IN ('sent', 'uncertain')
   AND coalesce(sent_at, last_attempt_at) IS NOT NULL;

CREATE INDEX messages_send_day ON messages (send_day, last_attempt_at) WHERE send_day IS NOT NULL;
