-- Duebook schema, version 3: campaign rules and per-invoice reminder state. Append-only.

-- Quiet days and the daily send cap; holidays is a JSON array of YYYY-MM-DD dates.
ALTER TABLE campaigns ADD COLUMN quiet_weekends INTEGER NOT NULL DEFAULT 1 CHECK (quiet_weekends = 0 OR quiet_weekends = 1);
ALTER TABLE campaigns ADD COLUMN holidays TEXT NOT NULL DEFAULT '[]';
-- Most emails one run may queue in a day; NULL: no cap.
ALTER TABLE campaigns ADD COLUMN daily_cap INTEGER CHECK (daily_cap IS NULL OR daily_cap > 0);

-- Which step each invoice has received (by email or call task), so no step is ever repeated.
-- period: '' for steps relative to the due date; 'YYYY-MM' for day-of-month steps (statements).
-- sent_on is the campaign's date (the user's "today"), not a wall-clock timestamp.
CREATE TABLE invoice_reminders (
    invoice_id    INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    campaign_id   INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    step_position INTEGER NOT NULL,
    period        TEXT NOT NULL DEFAULT '',
    customer_id   INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    template_key  TEXT NOT NULL,
    channel       TEXT NOT NULL CHECK (channel = 'email' OR channel = 'call'),
    sent_on       TEXT NOT NULL,
    message_id    INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    task_id       INTEGER REFERENCES tasks (id) ON DELETE SET NULL,
    PRIMARY KEY (invoice_id, campaign_id, step_position, period)
) WITHOUT ROWID;
CREATE INDEX invoice_reminders_customer ON invoice_reminders (customer_id, sent_on);
CREATE INDEX invoice_reminders_campaign_day ON invoice_reminders (campaign_id, sent_on);

-- One row per run of a campaign (not dry runs): what it planned and queued.
CREATE TABLE campaign_runs (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    run_date    TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    emails      INTEGER NOT NULL DEFAULT 0,
    calls       INTEGER NOT NULL DEFAULT 0,
    excluded    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX campaign_runs_campaign ON campaign_runs (campaign_id, run_date);
