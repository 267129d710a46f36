-- Duebook schema, version 14: a campaign sends from a timer only once the user confirmed its
-- first activation after seeing the backlog it would work through (campaign/activation.rs).
-- Campaigns active before this version were already sending, so they count as confirmed.
-- `catch_up`: chosen at activation, the message every customer already past the first overdue
-- step gets first ('tidy_up': the "tidying up our accounts" template; 'statement': the statement
-- cover with the statement attached); NULL: their step as usual.
ALTER TABLE campaigns ADD COLUMN confirmed_at TEXT;
ALTER TABLE campaigns ADD COLUMN catch_up TEXT
    CHECK (catch_up IS NULL OR catch_up = 'tidy_up' OR catch_up = 'statement');
UPDATE campaigns SET confirmed_at = updated_at WHERE active = 1;
