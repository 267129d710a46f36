-- Duebook schema, version 10: how far one campaign message may move a customer up the overdue
-- steps. 'one_step' (the default, also for campaigns made before): first the earliest overdue
-- step, then one step per message after the gap; 'jump': the step the invoice's age reached.
ALTER TABLE campaigns ADD COLUMN escalation TEXT NOT NULL DEFAULT 'one_step'
    CHECK (escalation = 'one_step' OR escalation = 'jump');
