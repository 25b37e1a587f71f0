-- Sign-in, sessions, API tokens, throttling, and the application's own database role.

-- Server-side sessions (tower-sessions' PostgreSQL store reads and writes this table;
-- the schema is created here because migrations are the only source of schema).
CREATE SCHEMA tower_sessions;
CREATE TABLE tower_sessions.session (
    id          text PRIMARY KEY NOT NULL,
    data        bytea NOT NULL,
    expiry_date timestamptz NOT NULL
);
CREATE INDEX session_expiry ON tower_sessions.session (expiry_date);

-- Bumped whenever a user's password, roles or status change: sessions made before the
-- change no longer match and end at once.
ALTER TABLE app_user ADD COLUMN auth_version integer NOT NULL DEFAULT 0;

-- Bearer tokens for other systems. Only a SHA-256 of the token is kept.
CREATE TABLE api_token (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES app_user,
    name         text NOT NULL CHECK (name <> ''),
    token_sha256 bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

-- Failed sign-ins, counted per account name (known or not) and per address.
CREATE TABLE login_failure (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    username    text NOT NULL,
    remote_addr inet
);
CREATE INDEX login_failure_user ON login_failure (username, at);
CREATE INDEX login_failure_addr ON login_failure (remote_addr, at);

-- The role the web application works as (the pool sets it on every connection). It may
-- read and write the working tables, but only add to the append-only ones.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'simlontar_app') THEN
        CREATE ROLE simlontar_app NOLOGIN;
    END IF;
END $$;
-- The migrating (owner) role may switch to it; so may any login role granted it.
GRANT simlontar_app TO CURRENT_USER;
GRANT USAGE ON SCHEMA public, tower_sessions TO simlontar_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO simlontar_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON tower_sessions.session TO simlontar_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO simlontar_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, case_event FROM simlontar_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON _sqlx_migrations FROM simlontar_app;
