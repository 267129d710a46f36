-- Duebook schema, version 8: campaign plans find the open invoices a date can concern from one
-- index. Append-only.

-- Open invoices as campaigns count them (not credit notes, not settled), by customer and due
-- date, with the number the plan shows: a plan's first pass reads this index alone to tell
-- which invoices are at a step they have not received, and its second pass reads the chosen
-- customers' invoices from it.
CREATE INDEX invoices_open_invoices ON invoices (customer_id, due_date, number)
    WHERE status = 'open' AND kind = 'invoice' AND total_minor > paid_minor;
