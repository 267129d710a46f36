-- Duebook schema, version 12: every `run-due` tick reports the failed and uncertain campaign
-- messages that wait for the user's decision. Failed messages accumulate over the years, and
-- messages_state (0001) covers only queued, sending and uncertain, so this partial index keeps
-- that read to the rows it counts. Append-only.
CREATE INDEX IF NOT EXISTS messages_waiting ON messages (state) WHERE state IN ('failed', 'uncertain');
