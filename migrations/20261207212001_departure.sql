-- The plan's departure as scheduled (editable until the person leaves: the receiving
-- office may ask for another date) and the escort's name. `departs_at` stays the moment
-- the departure was recorded, which cannot be undone.
ALTER TABLE transport_plan
    ADD COLUMN planned_departure timestamptz,
    ADD COLUMN escort_name       text CHECK (escort_name IS NULL OR length(btrim(escort_name)) >= 3);

-- Every change an officer makes to a plan (its departure, a leg): before and after,
-- why, who and when. Append-only: the history of a plan is what the office was told.
CREATE TABLE plan_change (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id    bigint NOT NULL REFERENCES transport_plan,
    case_id    bigint NOT NULL REFERENCES ot_case,
    kind       text NOT NULL CHECK (kind IN ('departure', 'leg', 'collect')),
    before     jsonb NOT NULL,
    after      jsonb NOT NULL,
    reason     text NOT NULL,
    changed_by bigint REFERENCES app_user,
    changed_at timestamptz NOT NULL
);
CREATE INDEX plan_change_plan ON plan_change (plan_id);
CREATE TRIGGER plan_change_append_only BEFORE UPDATE OR DELETE ON plan_change
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER plan_change_raw_change AFTER INSERT OR UPDATE OR DELETE ON plan_change
    FOR EACH ROW EXECUTE FUNCTION audit_raw_change();
GRANT SELECT, INSERT ON plan_change TO simlontar_app;
