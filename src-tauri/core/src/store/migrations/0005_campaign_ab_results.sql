-- Duebook schema, version 5: A/B steps and the variant each reminder used. Append-only.

-- A step may alternate two templates: NULL means a single template (template_key).
ALTER TABLE campaign_steps ADD COLUMN alt_template_key TEXT;

-- 'a' (template_key) or 'b' (alt_template_key) for the message this reminder went out with;
-- NULL for steps without a second template.
ALTER TABLE invoice_reminders ADD COLUMN variant TEXT CHECK (variant IS NULL OR variant = 'a' OR variant = 'b');

-- Results read campaign messages by campaign; payments by invoice and date.
CREATE INDEX messages_campaign ON messages (campaign_id, step_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX invoice_reminders_message ON invoice_reminders (message_id) WHERE message_id IS NOT NULL;
