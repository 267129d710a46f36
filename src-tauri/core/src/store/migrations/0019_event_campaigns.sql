-- Duebook schema, version 19: event campaigns (issue 20, part 7). A campaign may send only inside
-- a date window (both ends included) and may have an event date — one day, or one that comes
-- back every year — that its event steps are counted from. Append-only.
ALTER TABLE campaigns ADD COLUMN window_start TEXT;
ALTER TABLE campaigns ADD COLUMN window_end TEXT;
-- The event date as JSON (campaign::EventDate): {"on_date": "2026-12-15"},
-- {"yearly": {"month": 12, "day": 15}} or {"fiscal_year_end": {"end_month": 6}}.
ALTER TABLE campaigns ADD COLUMN event TEXT;
-- Set on a step counted from the event (N days before, negative, or after it). The step keeps
-- trigger = 'due_offset' with the same offset for the CHECK of 0001, which cannot be changed
-- without rebuilding the table; this column decides how the step reads.
ALTER TABLE campaign_steps ADD COLUMN event_offset_days INTEGER;
