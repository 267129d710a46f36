-- Call list: a number reported wrong on a call. The flag holds while the contact's phone still
-- equals it, so correcting the number clears it without anyone having to remember to.
ALTER TABLE contacts ADD COLUMN wrong_phone TEXT;
