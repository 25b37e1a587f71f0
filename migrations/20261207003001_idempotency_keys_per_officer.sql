-- An idempotency key belongs to whoever submitted it (the signed-in officer, or the user
-- an API token belongs to). A key unique across everyone let a second officer who sent
-- the same key get the first one's case number back, whatever their scope; now the same
-- key from two officers makes two intakes, and a retry finds only one's own.
ALTER TABLE intake DROP CONSTRAINT intake_idempotency_key_key;
ALTER TABLE intake ADD CONSTRAINT intake_officer_idempotency_key UNIQUE (officer_id, idempotency_key);

-- Photos waiting for a desk form likewise (the table was emptied by the migration before).
ALTER TABLE intake_upload ADD COLUMN officer_id bigint NOT NULL REFERENCES app_user;
ALTER TABLE intake_upload DROP CONSTRAINT intake_upload_idempotency_key_sha256_key;
ALTER TABLE intake_upload
    ADD CONSTRAINT intake_upload_officer_key UNIQUE (officer_id, idempotency_key, sha256);
