-- Duebook schema, version 20: a thank-you when a payment closes a reminded invoice, and credit
-- limits with an "on hold" flag (issue 20, parts 1 and 6). Append-only.

-- Per campaign: whether it thanks the customers it reminded once their invoice is paid.
-- Existing campaigns stay as they were (off); the shipped presets turn it on.
ALTER TABLE campaigns ADD COLUMN thank_you INTEGER NOT NULL DEFAULT 0 CHECK (thank_you = 0 OR thank_you = 1);

-- One row per reminded invoice a payment closed: seen by a run on seen_on, thanked (at most once,
-- ever) by the next run on a later day if it is still paid then, so a payment the next import
-- reverses is never thanked (its row is dropped when the invoice opens again). thanked_on and
-- campaign_id are set just before the message is queued and message_id right after, so a crash
-- between the two leaves a row the same day's rerun finishes under the same send key.
CREATE TABLE payment_thanks (
    invoice_id  INTEGER PRIMARY KEY REFERENCES invoices (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    seen_on     TEXT NOT NULL,
    campaign_id INTEGER REFERENCES campaigns (id) ON DELETE SET NULL,
    thanked_on  TEXT,
    message_id  INTEGER REFERENCES messages (id) ON DELETE SET NULL
);
CREATE INDEX payment_thanks_customer ON payment_thanks (customer_id, thanked_on);

-- Runs look for invoices a payment closed lately; without this they would read every payment.
CREATE INDEX payments_paid_on ON payments (paid_on);

-- Per campaign: its credit-limit rule as JSON (percent, notice, hold); NULL: none.
ALTER TABLE campaigns ADD COLUMN credit_rule TEXT;
-- The customers a campaign's credit rule found at or above its share of their limit, and since
-- when: one notice per crossing. The row goes when the balance falls below, so the next
-- crossing is noticed again.
CREATE TABLE credit_crossings (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    crossed_on  TEXT NOT NULL,
    message_id  INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    PRIMARY KEY (campaign_id, customer_id)
) WITHOUT ROWID;

-- A customer's credit limit, in credit_limit_currency (given with the limit, else the
-- customer's currency, else the one currency they owe in); NULL: no limit.
ALTER TABLE customers ADD COLUMN credit_limit_minor INTEGER CHECK (credit_limit_minor IS NULL OR credit_limit_minor >= 0);
ALTER TABLE customers ADD COLUMN credit_limit_currency TEXT;
-- On hold (no further credit), set by hand or by a campaign rule: why, by whom, on which day.
ALTER TABLE customers ADD COLUMN on_hold INTEGER NOT NULL DEFAULT 0 CHECK (on_hold = 0 OR on_hold = 1);
ALTER TABLE customers ADD COLUMN on_hold_reason TEXT;
ALTER TABLE customers ADD COLUMN on_hold_by TEXT;
ALTER TABLE customers ADD COLUMN on_hold_on TEXT;
