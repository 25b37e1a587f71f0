-- What accepting a DP3AK check as a case's identity changed on the case, so that undoing
-- the accept (the review queue's "Urungkan") puts the case back as it was.
CREATE TABLE identity_application (
    check_id         bigint NOT NULL REFERENCES identity_check ON DELETE CASCADE,
    case_id          bigint NOT NULL REFERENCES ot_case ON DELETE CASCADE,
    state_before     text NOT NULL,
    state_after      text NOT NULL,
    -- The check learnt its intake from this accept (a check from a batch had none).
    set_check_intake boolean NOT NULL,
    -- The case's `identity_linked` event: later events tell what depends on the identity.
    event_id         bigint NOT NULL,
    applied_at       timestamptz NOT NULL,
    PRIMARY KEY (check_id, case_id)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON identity_application TO simlontar_app;
