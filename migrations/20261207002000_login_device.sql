-- Browsers that have completed a sign-in for an account (OWASP's "device cookies"): their
-- later attempts at that account are counted against that browser alone, so a stranger's
-- failures cannot lock the officer out. Only a SHA-256 of the cookie's value is kept.
CREATE TABLE login_device (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
    token_sha256  bytea NOT NULL CHECK (length(token_sha256) = 32),
    first_seen_at timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    UNIQUE (token_sha256, user_id)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON login_device TO simlontar_app;

-- A failure from a known browser names it; failures without one count per account name
-- and per address.
ALTER TABLE login_failure
    ADD COLUMN device_id bigint REFERENCES login_device ON DELETE CASCADE;
CREATE INDEX login_failure_device ON login_failure (device_id, at) WHERE device_id IS NOT NULL;
