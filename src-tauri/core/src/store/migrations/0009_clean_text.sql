-- Duebook schema, version 9: no schema change. Single-line text stored before every way in
-- cleaned it (customer names, contacts, task titles, campaign names) is cleaned by the Rust data
-- step that runs right after this file, in the same transaction (db/clean_text.rs).
SELECT 1;
