-- Duebook schema, version 11: a reminder step counts only when its message went out. A
-- campaign message that fails for good (a permanent answer, cancelled by the user) gives its
-- step back, so the customer stays on the same step and the next plan offers it again instead
-- of skipping it silently. Append-only.

-- Existing files: steps held by messages that already failed.
DELETE FROM invoice_reminders
 WHERE message_id IN (SELECT id FROM messages WHERE state = 'failed');

CREATE TRIGGER messages_failed_gives_back_the_step AFTER UPDATE OF state ON messages
WHEN NEW.state = 'failed' AND OLD.state <> 'failed'
BEGIN
    DELETE FROM invoice_reminders WHERE message_id = NEW.id;
END;
