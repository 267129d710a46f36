-- Duebook schema, version 1. Append-only: never edit a migration that has shipped; add a new file.
-- Dates are ISO-8601 text (YYYY-MM-DD) in the user's timezone; timestamps are UTC RFC 3339 text.
-- Money is INTEGER minor units beside a TEXT ISO 4217 currency code.
-- CHECKs list allowed values with OR, not IN: SQLite builds a temporary table for every
-- `IN (...)` check it evaluates, which costs a second per million imported invoices.

CREATE TABLE customers (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL,
    -- trimmed, NFC, lower-case name: how imports recognise the same customer
    name_key          TEXT NOT NULL UNIQUE,
    segment           TEXT,
    currency          TEXT,
    terms_days        INTEGER,
    preferred_channel TEXT NOT NULL DEFAULT 'email' CHECK (preferred_channel = 'email' OR preferred_channel = 'phone'),
    do_not_contact    INTEGER NOT NULL DEFAULT 0 CHECK (do_not_contact = 0 OR do_not_contact = 1),
    custom_fields     TEXT NOT NULL DEFAULT '{}',
    -- kept by derived.rs so the list never aggregates invoices
    oldest_open_due   TEXT,
    last_contact_at   TEXT,
    next_follow_up    TEXT,
    -- 1 when some contact has an email not known to bounce: the "no email" filter reads this
    has_email         INTEGER NOT NULL DEFAULT 0,
    -- open amount over all currencies at face value, in thousandths of a major unit: sorts
    -- "largest balance first" without floats
    open_sort_key     INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
-- One index per list order, so a page is read without sorting 100,000 rows.
CREATE INDEX customers_by_oldest_due ON customers (coalesce(oldest_open_due, '9999-12-31'), name_key);
CREATE INDEX customers_by_balance ON customers (open_sort_key DESC, name_key);
CREATE INDEX customers_by_last_contact ON customers (coalesce(last_contact_at, ''), name_key);
CREATE INDEX customers_by_follow_up ON customers (coalesce(next_follow_up, '9999-12-31'), name_key);
CREATE INDEX customers_segment ON customers (segment) WHERE segment IS NOT NULL;

CREATE TABLE customer_tags (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (customer_id, tag)
) WITHOUT ROWID;
CREATE INDEX customer_tags_tag ON customer_tags (tag);

-- Open amount per customer and currency, kept by derived::refresh_customers.
CREATE TABLE customer_balances (
    customer_id     INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    currency        TEXT NOT NULL,
    open_minor      INTEGER NOT NULL,
    open_count      INTEGER NOT NULL,
    oldest_open_due TEXT,
    PRIMARY KEY (customer_id, currency)
) WITHOUT ROWID;
CREATE INDEX customer_balances_open ON customer_balances (currency, open_minor);

CREATE TABLE contacts (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name        TEXT,
    email       TEXT,
    phone       TEXT,
    role        TEXT,
    is_billing  INTEGER NOT NULL DEFAULT 0 CHECK (is_billing = 0 OR is_billing = 1),
    email_bad   INTEGER NOT NULL DEFAULT 0 CHECK (email_bad = 0 OR email_bad = 1),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX contacts_customer ON contacts (customer_id);

CREATE TABLE invoices (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL DEFAULT 'invoice' CHECK (kind = 'invoice' OR kind = 'credit_note'),
    number      TEXT NOT NULL,
    issue_date  TEXT NOT NULL,
    due_date    TEXT NOT NULL,
    currency    TEXT NOT NULL,
    -- credit notes carry negative totals
    total_minor INTEGER NOT NULL,
    -- sum of payments recorded against it, kept by the payments module
    paid_minor  INTEGER NOT NULL DEFAULT 0,
    -- open: something is still due; paid: settled; void: cancelled in the accounting system
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status = 'open' OR status = 'paid' OR status = 'void'),
    source      TEXT NOT NULL DEFAULT 'manual',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (kind, number)
);
-- Partial covering indexes on open invoices: the customer screen and aging read only these.
CREATE INDEX invoices_open_by_customer ON invoices (customer_id, due_date, total_minor, paid_minor, currency)
    WHERE status = 'open';
CREATE INDEX invoices_open_by_currency ON invoices (currency, due_date, total_minor, paid_minor)
    WHERE status = 'open';
CREATE INDEX invoices_customer ON invoices (customer_id, issue_date);
-- Search by invoice number prefix, as typed: "inv-00" finds INV-000123.
CREATE INDEX invoices_number ON invoices (number COLLATE NOCASE);

CREATE TABLE payments (
    id           INTEGER PRIMARY KEY,
    invoice_id   INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    amount_minor INTEGER NOT NULL,
    paid_on      TEXT NOT NULL,
    reference    TEXT,
    -- manual, import (an import lowered the amount due), close (missing from a full import)
    source       TEXT NOT NULL DEFAULT 'manual',
    created_at   TEXT NOT NULL
);
CREATE INDEX payments_invoice ON payments (invoice_id);

CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    body        TEXT NOT NULL,
    pinned      INTEGER NOT NULL DEFAULT 0 CHECK (pinned = 0 OR pinned = 1),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX notes_customer ON notes (customer_id, created_at);

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind = 'call' OR kind = 'email' OR kind = 'other'),
    title       TEXT NOT NULL,
    due_date    TEXT NOT NULL,
    done_at     TEXT,
    outcome     TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX tasks_open_due ON tasks (due_date) WHERE done_at IS NULL;
CREATE INDEX tasks_customer ON tasks (customer_id);

CREATE TABLE promises (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    invoice_id     INTEGER REFERENCES invoices (id) ON DELETE SET NULL,
    amount_minor   INTEGER NOT NULL,
    currency       TEXT NOT NULL,
    promised_date  TEXT NOT NULL,
    -- NULL while pending; 1 kept, 0 broken
    kept           INTEGER CHECK (kept = 0 OR kept = 1),
    created_at     TEXT NOT NULL,
    resolved_at    TEXT
);
CREATE INDEX promises_customer ON promises (customer_id);
CREATE INDEX promises_pending ON promises (promised_date) WHERE kept IS NULL;

CREATE TABLE disputes (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    invoice_id  INTEGER REFERENCES invoices (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    opened_at   TEXT NOT NULL,
    resolved_at TEXT,
    resolution  TEXT
);
CREATE INDEX disputes_customer ON disputes (customer_id);
CREATE INDEX disputes_open_invoice ON disputes (invoice_id) WHERE resolved_at IS NULL;

-- Status changes for the timeline: do-not-contact switched, invoice closed by an import, ...
CREATE TABLE activity (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    invoice_id  INTEGER REFERENCES invoices (id) ON DELETE SET NULL,
    kind        TEXT NOT NULL,
    summary     TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX activity_customer ON activity (customer_id, at);

CREATE TABLE templates (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body_text  TEXT NOT NULL,
    body_html  TEXT,
    is_builtin INTEGER NOT NULL DEFAULT 0 CHECK (is_builtin = 0 OR is_builtin = 1),
    updated_at TEXT NOT NULL
);

CREATE TABLE campaigns (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    audience     TEXT NOT NULL DEFAULT '{}',
    min_gap_days INTEGER NOT NULL DEFAULT 15,
    active       INTEGER NOT NULL DEFAULT 0 CHECK (active = 0 OR active = 1),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE campaign_steps (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    -- offset_days relative to the due date (negative: before), or day_of_month for statements
    trigger      TEXT NOT NULL CHECK (trigger = 'due_offset' OR trigger = 'day_of_month'),
    offset_days  INTEGER,
    day_of_month INTEGER CHECK (day_of_month BETWEEN 1 AND 31),
    template_key TEXT NOT NULL,
    channel      TEXT NOT NULL DEFAULT 'email' CHECK (channel = 'email' OR channel = 'call'),
    UNIQUE (campaign_id, position)
);

CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    direction      TEXT NOT NULL CHECK (direction = 'out' OR direction = 'in'),
    -- unique per (campaign, step, customer) or per manual send: the outbox never sends a key twice
    send_key       TEXT UNIQUE,
    campaign_id    INTEGER REFERENCES campaigns (id) ON DELETE SET NULL,
    step_id        INTEGER REFERENCES campaign_steps (id) ON DELETE SET NULL,
    template_key   TEXT,
    rfc_message_id TEXT,
    in_reply_to    TEXT,
    from_addr      TEXT,
    to_addrs       TEXT,
    subject        TEXT NOT NULL DEFAULT '',
    body_text      TEXT,
    body_html      TEXT,
    state          TEXT NOT NULL CHECK (state = 'queued' OR state = 'sending' OR state = 'sent' OR state = 'failed' OR state = 'uncertain' OR state = 'received'),
    failure_reason TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    sent_at        TEXT
);
CREATE INDEX messages_customer ON messages (customer_id, created_at);
CREATE INDEX messages_state ON messages (state) WHERE state IN ('queued', 'sending', 'uncertain');
CREATE INDEX messages_rfc_id ON messages (rfc_message_id);

CREATE TABLE message_invoices (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    invoice_id INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, invoice_id)
) WITHOUT ROWID;
CREATE INDEX message_invoices_invoice ON message_invoices (invoice_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    file_name   TEXT NOT NULL,
    format      TEXT NOT NULL,
    full_sync   INTEGER NOT NULL CHECK (full_sync = 0 OR full_sync = 1),
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    closed      INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);

-- One search document per customer: its name and its contacts' names and emails (invoice
-- numbers are searched through invoices_number). Kept by derived.rs; rowid = customers.id.
CREATE VIRTUAL TABLE customer_search USING fts5 (
    name, contacts,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
