-- Duebook schema, version 25: early-payment offers (issue 20, part 3). A campaign step may carry
-- an offer; each invoice a step's email offers it to is recorded. Append-only.
-- The step's offer as JSON (campaign::Offer); NULL: the step offers nothing.
ALTER TABLE campaign_steps ADD COLUMN offer TEXT;
-- One row per invoice and step that made it an offer: a rerun or a later day offers it again
-- never (the primary key), so "made" counts each offer once.
CREATE TABLE invoice_offers (
    invoice_id           INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    campaign_id          INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    step_position        INTEGER NOT NULL,
    -- Exactly one of the two: a percentage in basis points, or an amount off in minor units.
    percent_basis_points INTEGER,
    amount_minor         INTEGER,
    currency             TEXT NOT NULL,
    -- What the offer takes off the invoice's open amount when made, in minor units.
    discount_minor       INTEGER NOT NULL,
    -- The invoice's open amount when the offer was made, in minor units.
    open_minor           INTEGER NOT NULL,
    valid_until          TEXT NOT NULL,
    made_on              TEXT NOT NULL,
    message_id           INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    PRIMARY KEY (invoice_id, campaign_id, step_position),
    CHECK ((percent_basis_points IS NULL) <> (amount_minor IS NULL))
);
CREATE INDEX invoice_offers_campaign ON invoice_offers(campaign_id);
-- A message that fails for good made no offer (as it gives its step back, migration 11): the
-- step's next email makes it afresh.
CREATE TRIGGER messages_failed_takes_back_the_offer AFTER UPDATE OF state ON messages
WHEN NEW.state = 'failed' AND OLD.state <> 'failed'
BEGIN
    DELETE FROM invoice_offers WHERE message_id = NEW.id;
END;
