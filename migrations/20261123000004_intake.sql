-- What an intake submission contained, to tell a retry (same key, same content) from a
-- different intake that reuses a key (refused).
ALTER TABLE intake ADD COLUMN request_sha256 bytea CHECK (length(request_sha256) = 32);

-- Photos received with a desk form that was sent back (an error, a map pick) wait here
-- under the form's idempotency key, so the officer never has to choose them again.
CREATE TABLE intake_upload (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key uuid NOT NULL,
    sha256          bytea NOT NULL CHECK (length(sha256) = 32),
    content_type    text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    bytes           bytea NOT NULL CHECK (length(bytes) BETWEEN 1 AND 5242880),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (idempotency_key, sha256)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON intake_upload TO simlontar_app;
