-- Which waiting message goes first when several are due, as after a mail outage:
-- 0 urgent (capacity alerts, escalations), 1 normal (hand-over notices), 2 routine
-- (weekly digests).
ALTER TABLE email_outbox ADD COLUMN priority smallint NOT NULL DEFAULT 1 CHECK (priority BETWEEN 0 AND 2);
