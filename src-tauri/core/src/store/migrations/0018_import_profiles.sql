-- Duebook schema, version 18: saved column mappings for imports (issue 21). A file whose
-- normalised header row hashes to a profile's fingerprint is imported with that profile's
-- mapping, so a weekly export from any ledger is set up once.
CREATE TABLE import_profiles (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    -- SHA-256 (hex) of the header row's normalised cells; one profile per header.
    fingerprint TEXT NOT NULL UNIQUE,
    -- The header cells as written (JSON array), for showing and exporting the profile.
    header      TEXT NOT NULL,
    -- The mapping (JSON, import::mapping::ColumnMapping).
    mapping     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    used_at     TEXT
);
