-- Duebook schema, version 23: payment plans (issue 20, part 4). Open invoices of one customer
-- turned into instalments agreed case by case. Whether a plan is kept or broken is worked out
-- from the payments recorded after it was agreed (model::plan::standing), never stored, so it
-- cannot go stale. Append-only.
CREATE TABLE payment_plans (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    currency    TEXT NOT NULL,
    total_minor INTEGER NOT NULL CHECK (total_minor > 0),
    agreed_on   TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    -- Set when ended by hand; a cancelled plan is history only.
    cancelled_at TEXT,
    -- The day run-due first found it broken and put a call on the Today list (once).
    broken_flagged_on TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX payment_plans_customer ON payment_plans (customer_id);
CREATE TABLE payment_plan_invoices (
    plan_id    INTEGER NOT NULL REFERENCES payment_plans (id) ON DELETE CASCADE,
    invoice_id INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    PRIMARY KEY (plan_id, invoice_id)
) WITHOUT ROWID;
CREATE INDEX payment_plan_invoices_invoice ON payment_plan_invoices (invoice_id);
CREATE TABLE payment_plan_instalments (
    plan_id      INTEGER NOT NULL REFERENCES payment_plans (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL CHECK (seq > 0),
    due_date     TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (plan_id, seq)
) WITHOUT ROWID;
-- Plans change what run-due sends (instalment reminders, invoices left out): its fingerprint
-- (migration 7) counts their changes.
INSERT INTO plan_inputs (table_name) VALUES ('payment_plans');
CREATE TRIGGER plan_inputs_payment_plans_update AFTER UPDATE ON payment_plans
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'payment_plans'; END;
CREATE TRIGGER plan_inputs_payment_plans_delete AFTER DELETE ON payment_plans
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'payment_plans'; END;
INSERT INTO plan_inputs (table_name) VALUES ('payment_plan_instalments');
CREATE TRIGGER plan_inputs_payment_plan_instalments_update AFTER UPDATE ON payment_plan_instalments
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'payment_plan_instalments'; END;
CREATE TRIGGER plan_inputs_payment_plan_instalments_delete AFTER DELETE ON payment_plan_instalments
BEGIN UPDATE plan_inputs SET changes = changes + 1 WHERE table_name = 'payment_plan_instalments'; END;
