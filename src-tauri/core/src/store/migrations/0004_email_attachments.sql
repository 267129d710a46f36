-- Duebook schema, version 4: attachments offered by the email composer. Append-only.

-- A file the user linked to an invoice once ("this PDF is invoice INV-1042"): offered afterwards
-- as that invoice's copy. The path is kept, not the bytes: the file stays where the user keeps it.
CREATE TABLE invoice_files (
    invoice_id INTEGER PRIMARY KEY REFERENCES invoices (id) ON DELETE CASCADE,
    path       TEXT NOT NULL CHECK (length(trim(path)) > 0),
    file_name  TEXT NOT NULL,
    linked_at  TEXT NOT NULL
);

-- Per-template options, for shipped templates as well as the user's own (a shipped template has
-- no row in `templates` until it is edited, and "reset to default" keeps its options).
CREATE TABLE template_options (
    template_key          TEXT PRIMARY KEY,
    -- Attach a copy of each overdue invoice (the linked file, or a generated PDF).
    attach_overdue_copies INTEGER NOT NULL DEFAULT 0
        CHECK (attach_overdue_copies = 0 OR attach_overdue_copies = 1)
);
