-- Duebook schema, version 15: an inbound message (a reply, a bounce) is matched to a customer
-- by its sender's address and, failing that, by the address's domain (mail/inbound/matching.rs),
-- once per message of a mailbox that may hold 50,000. These indexes on the expressions the
-- queries in store/contacts.rs compare keep each lookup to the rows it finds. IF NOT EXISTS: a
-- test that rolls a file back to version 14 leaves them in place. Append-only.
CREATE INDEX IF NOT EXISTS contacts_email ON contacts (lower(email)) WHERE email IS NOT NULL;
CREATE INDEX IF NOT EXISTS contacts_email_domain
    ON contacts (lower(substr(email, instr(email, '@') + 1))) WHERE email IS NOT NULL;
