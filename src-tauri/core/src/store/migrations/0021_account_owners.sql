-- Duebook schema, version 21: account owners (issue 20, part 2). The person at the company who
-- looks after a customer (a sales rep, a client success manager): told before reminders go out,
-- and may hold them. A name, an email, or both; neither is no owner. Append-only.
ALTER TABLE customers ADD COLUMN owner_name TEXT;
ALTER TABLE customers ADD COLUMN owner_email TEXT;
-- Set when the owner holds the customer's reminders: why, as they said it. NULL: not held.
ALTER TABLE customers ADD COLUMN owner_hold TEXT;
