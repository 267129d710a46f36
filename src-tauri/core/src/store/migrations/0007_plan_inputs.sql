-- Duebook schema, version 7: what `run-due` needs to tell, without planning, that nothing
-- changed since its last run. Append-only.

-- One change counter per table a campaign plan reads, bumped by the triggers below on every
-- update and delete: exact where timestamps are not (an update that keeps `updated_at`, a
-- delete followed by an insert that reuses the rowid). Inserts are told by the table's row
-- count instead (an insert with no delete beside it always changes it), so bulk imports pay
-- no trigger per new row.
CREATE TABLE plan_inputs (
    table_name TEXT PRIMARY KEY,
    changes    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- The inputs of the last `run-due` that left nothing to send: if they are unchanged (same
-- date, same counters, same build) the next one has nothing to send either.
CREATE TABLE run_due_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

INSERT INTO plan_inputs (table_name) VALUES ('campaigns');
CREATE TRIGGER plan_inputs_campaigns_update AFTER UPDATE ON campaigns
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'campaigns'; END;
CREATE TRIGGER plan_inputs_campaigns_delete AFTER DELETE ON campaigns
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'campaigns'; END;

INSERT INTO plan_inputs (table_name) VALUES ('campaign_steps');
CREATE TRIGGER plan_inputs_campaign_steps_update AFTER UPDATE ON campaign_steps
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'campaign_steps'; END;
CREATE TRIGGER plan_inputs_campaign_steps_delete AFTER DELETE ON campaign_steps
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'campaign_steps'; END;

INSERT INTO plan_inputs (table_name) VALUES ('contacts');
CREATE TRIGGER plan_inputs_contacts_update AFTER UPDATE ON contacts
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'contacts'; END;
CREATE TRIGGER plan_inputs_contacts_delete AFTER DELETE ON contacts
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'contacts'; END;

INSERT INTO plan_inputs (table_name) VALUES ('customer_balances');
CREATE TRIGGER plan_inputs_customer_balances_update AFTER UPDATE ON customer_balances
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'customer_balances'; END;
CREATE TRIGGER plan_inputs_customer_balances_delete AFTER DELETE ON customer_balances
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'customer_balances'; END;

INSERT INTO plan_inputs (table_name) VALUES ('customer_tags');
CREATE TRIGGER plan_inputs_customer_tags_update AFTER UPDATE ON customer_tags
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'customer_tags'; END;
CREATE TRIGGER plan_inputs_customer_tags_delete AFTER DELETE ON customer_tags
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'customer_tags'; END;

INSERT INTO plan_inputs (table_name) VALUES ('customers');
CREATE TRIGGER plan_inputs_customers_update AFTER UPDATE ON customers
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'customers'; END;
CREATE TRIGGER plan_inputs_customers_delete AFTER DELETE ON customers
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'customers'; END;

INSERT INTO plan_inputs (table_name) VALUES ('disputes');
CREATE TRIGGER plan_inputs_disputes_update AFTER UPDATE ON disputes
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'disputes'; END;
CREATE TRIGGER plan_inputs_disputes_delete AFTER DELETE ON disputes
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'disputes'; END;

INSERT INTO plan_inputs (table_name) VALUES ('imports');
CREATE TRIGGER plan_inputs_imports_update AFTER UPDATE ON imports
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'imports'; END;
CREATE TRIGGER plan_inputs_imports_delete AFTER DELETE ON imports
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'imports'; END;

INSERT INTO plan_inputs (table_name) VALUES ('invoice_reminders');
CREATE TRIGGER plan_inputs_invoice_reminders_update AFTER UPDATE ON invoice_reminders
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'invoice_reminders'; END;
CREATE TRIGGER plan_inputs_invoice_reminders_delete AFTER DELETE ON invoice_reminders
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'invoice_reminders'; END;

INSERT INTO plan_inputs (table_name) VALUES ('invoices');
CREATE TRIGGER plan_inputs_invoices_update AFTER UPDATE ON invoices
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'invoices'; END;
CREATE TRIGGER plan_inputs_invoices_delete AFTER DELETE ON invoices
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'invoices'; END;

INSERT INTO plan_inputs (table_name) VALUES ('message_invoices');
CREATE TRIGGER plan_inputs_message_invoices_update AFTER UPDATE ON message_invoices
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'message_invoices'; END;
CREATE TRIGGER plan_inputs_message_invoices_delete AFTER DELETE ON message_invoices
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'message_invoices'; END;

INSERT INTO plan_inputs (table_name) VALUES ('messages');
CREATE TRIGGER plan_inputs_messages_update AFTER UPDATE ON messages
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'messages'; END;
CREATE TRIGGER plan_inputs_messages_delete AFTER DELETE ON messages
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'messages'; END;

INSERT INTO plan_inputs (table_name) VALUES ('notes');
CREATE TRIGGER plan_inputs_notes_update AFTER UPDATE ON notes
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'notes'; END;
CREATE TRIGGER plan_inputs_notes_delete AFTER DELETE ON notes
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'notes'; END;

INSERT INTO plan_inputs (table_name) VALUES ('payments');
CREATE TRIGGER plan_inputs_payments_update AFTER UPDATE ON payments
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'payments'; END;
CREATE TRIGGER plan_inputs_payments_delete AFTER DELETE ON payments
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'payments'; END;

INSERT INTO plan_inputs (table_name) VALUES ('promises');
CREATE TRIGGER plan_inputs_promises_update AFTER UPDATE ON promises
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'promises'; END;
CREATE TRIGGER plan_inputs_promises_delete AFTER DELETE ON promises
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'promises'; END;

INSERT INTO plan_inputs (table_name) VALUES ('settings');
CREATE TRIGGER plan_inputs_settings_update AFTER UPDATE ON settings
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'settings'; END;
CREATE TRIGGER plan_inputs_settings_delete AFTER DELETE ON settings
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'settings'; END;

INSERT INTO plan_inputs (table_name) VALUES ('tasks');
CREATE TRIGGER plan_inputs_tasks_update AFTER UPDATE ON tasks
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'tasks'; END;
CREATE TRIGGER plan_inputs_tasks_delete AFTER DELETE ON tasks
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'tasks'; END;

-- The stale-data warning reads the newest invoice change; `run-due` prints it even when it
-- skips planning, so it must not scan every invoice.
CREATE INDEX invoices_updated ON invoices (updated_at);
