-- Duebook schema, version 24: owner notices (issue 20, part 2). A campaign step may tell the
-- customer's account owner N days before it goes out. Append-only.
-- Days before the step the owner is told; NULL: the step tells nobody.
ALTER TABLE campaign_steps ADD COLUMN notify_owner_days INTEGER;
-- One row per invoice, step and occurrence the owner was told about, as invoice_reminders
-- keeps what the customer got: the owner hears about each occurrence of a step once.
CREATE TABLE owner_notices (
    campaign_id   INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    step_position INTEGER NOT NULL,
    -- '' for due-date steps, 'YYYY-MM' for day-of-month steps, the event's day for event steps.
    period        TEXT NOT NULL,
    invoice_id    INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    notified_on   TEXT NOT NULL,
    -- The day the step was planned for when the owner was told.
    step_on       TEXT NOT NULL,
    message_id    INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    PRIMARY KEY (campaign_id, step_position, period, invoice_id)
);
CREATE INDEX owner_notices_customer ON owner_notices(customer_id);
-- 1: the campaign sends each account owner a weekly digest of their customers (campaign::digest).
ALTER TABLE campaigns ADD COLUMN owner_digest INTEGER NOT NULL DEFAULT 0;
-- The plan reads owner_notices: its changes count for run-due's fingerprint (see migration 7).
INSERT INTO plan_inputs (table_name) VALUES ('owner_notices');
CREATE TRIGGER plan_inputs_owner_notices_update AFTER UPDATE ON owner_notices
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'owner_notices'; END;
CREATE TRIGGER plan_inputs_owner_notices_delete AFTER DELETE ON owner_notices
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'owner_notices'; END;
