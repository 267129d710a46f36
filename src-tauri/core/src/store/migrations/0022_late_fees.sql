-- Duebook schema, version 22: late fees and interest (issue 20, part 5). Off by default: a
-- campaign without them charges nothing. Append-only.
-- The campaign's late fees as JSON (campaign::LateFees): {"fee_minor": 4000, "interest":
-- {"annual": {"basis_points": 800}}, "grace_days": 0}; NULL: none.
ALTER TABLE campaigns ADD COLUMN late_fees TEXT;
-- The late fees and interest reminders carried, recorded when the reminder is queued so they
-- stay as they were sent (auditable) and are never added to the imported invoice amounts. A
-- fee is charged once per invoice; interest is recorded as of each reminder's day, the latest
-- unwaived row being what the invoice owes in interest. A waiver keeps the row.
CREATE TABLE charges (
    id            INTEGER PRIMARY KEY,
    invoice_id    INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    campaign_id   INTEGER REFERENCES campaigns (id) ON DELETE SET NULL,
    kind          TEXT NOT NULL CHECK (kind = 'fee' OR kind = 'interest'),
    amount_minor  INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency      TEXT NOT NULL,
    as_of         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    waived_at     TEXT,
    waived_by     TEXT,
    waived_reason TEXT
);
CREATE UNIQUE INDEX charges_one_fee ON charges (invoice_id) WHERE kind = 'fee';
CREATE UNIQUE INDEX charges_interest_per_day ON charges (invoice_id, as_of) WHERE kind = 'interest';
