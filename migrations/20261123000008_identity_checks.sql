-- DP3AK identity checks as tracked requests: who recorded them, from where (desk, API or
-- batch file), the request fingerprint for idempotent retries, and what the result
-- contradicts in the intake it was run for.
ALTER TABLE identity_check
    ADD COLUMN recorded_by    bigint REFERENCES app_user,
    ADD COLUMN source         text NOT NULL DEFAULT 'api' CHECK (source IN ('desk', 'api', 'batch')),
    ADD COLUMN request_sha256 bytea,
    ADD COLUMN contradictions jsonb NOT NULL DEFAULT '[]';
CREATE INDEX identity_check_intake ON identity_check (intake_id);
CREATE INDEX identity_check_retry ON identity_check (next_attempt_at)
    WHERE outcome IN ('pending', 'device_failure', 'low_quality');

CREATE INDEX record_link_candidates ON record_link (created_at) WHERE state = 'candidate';
CREATE INDEX record_link_right ON record_link (right_kind, right_id);
