-- Duebook schema, version 26: a late fee or interest charge belongs to the reminder that carried
-- it. A reminder that fails for good or is cancelled told the customer nothing, so it takes back
-- the charges it recorded, as it gives back its step (migration 11) and its offer (migration 25);
-- the step's next reminder records them afresh. A waived charge stays: the waiver is a decision.
-- No foreign key: a plain column can be dropped again, and charged messages are never deleted
-- (only unprepared ones are, and those record no charge).
ALTER TABLE charges ADD COLUMN message_id INTEGER;
CREATE INDEX charges_message ON charges (message_id) WHERE message_id IS NOT NULL;
CREATE TRIGGER messages_failed_takes_back_the_charges AFTER UPDATE OF state ON messages
WHEN NEW.state = 'failed' AND OLD.state <> 'failed'
BEGIN
    DELETE FROM charges WHERE message_id = NEW.id AND waived_at IS NULL;
END;
