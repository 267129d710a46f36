-- Duebook schema, version 20: late fees and interest (issue 20, part 5). Off by default: a
-- campaign without them charges nothing. Append-only.
-- The campaign's late fees as JSON (campaign::LateFees): {"fee_minor": 4000, "interest":
-- {"annual": {"basis_points": 800}}, "grace_days": 0}; NULL: none.
ALTER TABLE campaigns ADD COLUMN late_fees TEXT;
