-- The whole plan as computed (legs, offices, escort, relay), its destination code, and
-- where its hand-over notice goes.
ALTER TABLE transport_plan ADD COLUMN plan jsonb NOT NULL DEFAULT '{}';
ALTER TABLE transport_plan ADD COLUMN destination_code text NOT NULL DEFAULT '';
ALTER TABLE transport_plan ADD COLUMN decided_by bigint REFERENCES app_user;

-- The notice to the receiving office: no personal data leaves in it, only the case
-- number and a link whose random token is kept here as a hash. Opening the link and
-- confirming acknowledges it; confirming the person's arrival closes the case.
CREATE TABLE handover_notice (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id           bigint NOT NULL REFERENCES transport_plan,
    case_id           bigint NOT NULL REFERENCES ot_case,
    office            text NOT NULL,
    -- A regency (35.10) or, for a relay, the hand-over province (33).
    office_code       text NOT NULL,
    to_address        text NOT NULL,
    token_sha256      bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    sent_at           timestamptz NOT NULL,
    expires_at        timestamptz NOT NULL,
    acknowledged_at   timestamptz,
    received_at       timestamptz,
    escalations       integer NOT NULL DEFAULT 0,
    last_escalated_at timestamptz,
    CHECK (expires_at > sent_at)
);
CREATE UNIQUE INDEX handover_notice_one_per_plan ON handover_notice (plan_id);
CREATE INDEX handover_notice_open ON handover_notice (sent_at) WHERE acknowledged_at IS NULL;

GRANT SELECT, INSERT, UPDATE ON handover_notice TO simlontar_app;
