-- Email delivery state beyond "sent": a message the server refused for good (a 5xx
-- answer such as an unknown mailbox) stops being retried and is shown to admins.
ALTER TABLE email_outbox ADD COLUMN failed_at timestamptz;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_sent_or_failed
    CHECK (sent_at IS NULL OR failed_at IS NULL);
DROP INDEX email_outbox_due;
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- One row per scheduled slot a job completed. Its primary key is what makes a slot run
-- once however many instances wake for it, and what a restarted instance reads to
-- catch up on the slot it missed; a run that dies rolls back and leaves no row.
CREATE TABLE job_run (
    job           text NOT NULL CHECK (job ~ '^[a-z_]+$'),
    slot          timestamptz NOT NULL,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz NOT NULL,
    instance      text NOT NULL,
    summary       jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (job, slot)
);

-- The demo's local mailbox: what the built-in SMTP sink received, readable in the browser.
CREATE TABLE demo_mail (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now(),
    mail_from   text NOT NULL,
    rcpt_to     text[] NOT NULL,
    raw         text NOT NULL
);

GRANT SELECT, INSERT ON job_run TO simlontar_app;
GRANT SELECT, INSERT ON demo_mail TO simlontar_app;
