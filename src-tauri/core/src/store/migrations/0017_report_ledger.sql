-- Duebook schema, version 17: reports over history (issue 18). The KPIs ask "what was owed on
-- day D?" for many days at once (a 12-month trend is 13 of them); summing a million invoices and
-- their payments for each day is seconds. These three tables keep the same sums grouped by the
-- few dates the definitions compare, so a report reads thousands of rows, not millions. Triggers
-- keep them in step with every write to invoices and payments; void invoices count nowhere.
-- A payment counts from the later of its own date and its invoice's issue date (AR on D sums
-- payments on invoices issued by D, dated by D: both at once), and an invoice is paid in full on
-- the later of the day its payments first reached its amount and its issue date.

-- The day the payments of an invoice (not a credit note) first reached its amount; kept by
-- store::payments whenever it syncs an invoice. NULL while anything is due.
ALTER TABLE invoices ADD COLUMN paid_in_full_on TEXT;

-- Invoiced (credit notes negative) per currency, issue day and due day.
CREATE TABLE report_invoiced (
    currency     TEXT NOT NULL,
    issue_date   TEXT NOT NULL,
    due_date     TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (currency, issue_date, due_date)
) WITHOUT ROWID;

-- Paid per currency, the day the payment counts from, and its invoice's due day.
CREATE TABLE report_paid (
    currency     TEXT NOT NULL,
    counted_on   TEXT NOT NULL,
    due_date     TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (currency, counted_on, due_date)
) WITHOUT ROWID;

-- Invoices paid in full per currency and day: their amount, and the amount-weighted days from
-- issue to that day and past the due day (for the average days to pay and late).
CREATE TABLE report_settled (
    currency     TEXT NOT NULL,
    paid_day     TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    weighted_days_to_pay INTEGER NOT NULL,
    weighted_days_late   INTEGER NOT NULL,
    PRIMARY KEY (currency, paid_day)
) WITHOUT ROWID;

-- Each trigger below adds a row's share with its sign (+ for NEW, − for OLD); the shares are:
-- invoiced: the invoice itself; settled: the invoice once paid in full; paid: each payment.

CREATE TRIGGER report_invoice_added AFTER INSERT ON invoices
WHEN NEW.status <> 'void'
BEGIN
    INSERT INTO report_invoiced VALUES (NEW.currency, NEW.issue_date, NEW.due_date, NEW.total_minor)
        ON CONFLICT DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor;
END;

-- Before, not after: a cascade deletes the payments after the invoice row, when their own
-- trigger can no longer find the invoice's currency and days.
CREATE TRIGGER report_invoice_removed BEFORE DELETE ON invoices
WHEN OLD.status <> 'void'
BEGIN
    INSERT INTO report_invoiced VALUES (OLD.currency, OLD.issue_date, OLD.due_date, -OLD.total_minor)
        ON CONFLICT DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor;
    INSERT INTO report_settled
        SELECT OLD.currency, day, -OLD.total_minor,
               -OLD.total_minor * CAST(julianday(day) - julianday(OLD.issue_date) AS INTEGER),
               -OLD.total_minor * max(0, CAST(julianday(day) - julianday(OLD.due_date) AS INTEGER))
        FROM (SELECT max(OLD.paid_in_full_on, OLD.issue_date) AS day)
        WHERE OLD.paid_in_full_on IS NOT NULL AND OLD.kind = 'invoice' AND OLD.total_minor > 0
        ON CONFLICT DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor,
            weighted_days_to_pay = weighted_days_to_pay + excluded.weighted_days_to_pay,
            weighted_days_late = weighted_days_late + excluded.weighted_days_late;
    INSERT INTO report_paid
        SELECT OLD.currency, max(paid_on, OLD.issue_date), OLD.due_date, -SUM(amount_minor)
        FROM payments WHERE invoice_id = OLD.id GROUP BY 2
        ON CONFLICT DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor;
END;

-- What an invoice adds to report_invoiced and report_settled changes with these columns.
CREATE TRIGGER report_invoice_changed
AFTER UPDATE OF status, kind, currency, issue_date, due_date, total_minor, paid_in_full_on ON invoices
WHEN (OLD.status = 'void') IS NOT (NEW.status = 'void') OR OLD.kind IS NOT NEW.kind
  OR OLD.currency IS NOT NEW.currency OR OLD.issue_date IS NOT NEW.issue_date
  OR OLD.due_date IS NOT NEW.due_date OR OLD.total_minor IS NOT NEW.total_minor
  OR OLD.paid_in_full_on IS NOT NEW.paid_in_full_on
BEGIN
    INSERT INTO report_invoiced
        SELECT OLD.currency, OLD.issue_date, OLD.due_date, -OLD.total_minor WHERE OLD.status <> 'void'
        UNION ALL
        SELECT NEW.currency, NEW.issue_date, NEW.due_date, NEW.total_minor WHERE NEW.status <> 'void'
        ON CONFLICT DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor;
    INSERT INTO report_settled
        SELECT currency, day, sign * total,
               sign * total * CAST(julianday(day) - julianday(issue) AS INTEGER),
               sign * total * max(0, CAST(julianday(day) - julianday(due) AS INTEGER))
        FROM (SELECT -1 AS sign, OLD.currency AS currency, OLD.total_minor AS total,
                     OLD.issue_date AS issue, OLD.due_date AS due,
                     max(OLD.paid_in_full_on, OLD.issue_date) AS day
              WHERE OLD.status <> 'void' AND OLD.kind = 'invoice' AND OLD.total_minor > 0
                AND OLD.paid_in_full_on IS NOT NULL
              UNION ALL
              SELECT 1, NEW.currency, NEW.total_minor, NEW.issue_date, NEW.due_date,
                     max(NEW.paid_in_full_on, NEW.issue_date)
              WHERE NEW.status <> 'void' AND NEW.kind = 'invoice' AND NEW.total_minor > 0
                AND NEW.paid_in_full_on IS NOT NULL)
        WHERE true
        ON CONFLICT DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor,
            weighted_days_to_pay = weighted_days_to_pay + excluded.weighted_days_to_pay,
            weighted_days_late = weighted_days_late + excluded.weighted_days_late;
END;

-- What the invoice's payments add to report_paid changes with these columns.
CREATE TRIGGER report_invoice_payments_moved
AFTER UPDATE OF status, currency, issue_date, due_date ON invoices
WHEN (OLD.status = 'void') IS NOT (NEW.status = 'void') OR OLD.currency IS NOT NEW.currency
  OR OLD.issue_date IS NOT NEW.issue_date OR OLD.due_date IS NOT NEW.due_date
BEGIN
    INSERT INTO report_paid
        SELECT currency, counted_on, due, SUM(amount)
        FROM (SELECT OLD.currency AS currency, max(paid_on, OLD.issue_date) AS counted_on,
                     OLD.due_date AS due, -amount_minor AS amount
              FROM payments WHERE invoice_id = OLD.id AND OLD.status <> 'void'
              UNION ALL
              SELECT NEW.currency, max(paid_on, NEW.issue_date), NEW.due_date, amount_minor
              FROM payments WHERE invoice_id = NEW.id AND NEW.status <> 'void')
        GROUP BY 1, 2, 3
        ON CONFLICT DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor;
END;

CREATE TRIGGER report_payment_added AFTER INSERT ON payments
BEGIN
    INSERT INTO report_paid
        SELECT currency, max(NEW.paid_on, issue_date), due_date, NEW.amount_minor
        FROM invoices WHERE id = NEW.invoice_id AND status <> 'void'
        ON CONFLICT DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor;
END;

-- Finds no invoice when a cascade removes the payment (report_invoice_removed took it off).
CREATE TRIGGER report_payment_removed AFTER DELETE ON payments
BEGIN
    INSERT INTO report_paid
        SELECT currency, max(OLD.paid_on, issue_date), due_date, -OLD.amount_minor
        FROM invoices WHERE id = OLD.invoice_id AND status <> 'void'
        ON CONFLICT DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor;
END;

CREATE TRIGGER report_payment_changed AFTER UPDATE OF invoice_id, amount_minor, paid_on ON payments
BEGIN
    INSERT INTO report_paid
        SELECT currency, max(OLD.paid_on, issue_date), due_date, -OLD.amount_minor
        FROM invoices WHERE id = OLD.invoice_id AND status <> 'void'
        UNION ALL
        SELECT currency, max(NEW.paid_on, issue_date), due_date, NEW.amount_minor
        FROM invoices WHERE id = NEW.invoice_id AND status <> 'void'
        ON CONFLICT DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor;
END;

-- The history already in the file.
INSERT INTO report_invoiced
    SELECT currency, issue_date, due_date, SUM(total_minor) FROM invoices
    WHERE status <> 'void' GROUP BY 1, 2, 3;
INSERT INTO report_paid
    SELECT i.currency, max(p.paid_on, i.issue_date), i.due_date, SUM(p.amount_minor)
    FROM payments p JOIN invoices i ON i.id = p.invoice_id
    WHERE i.status <> 'void' GROUP BY 1, 2, 3;
-- The paid-in-full days follow (store::payments::fill_paid_in_full, the migration's data
-- step); report_invoice_changed adds each to report_settled.
