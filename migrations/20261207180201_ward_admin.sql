-- Ward administration in the app (issue 24): bed counts, temporary closures and admission
-- rules, each change dated and kept in `ward_change` (who, when, why, before and after).

-- Admission rules beyond the ward's need and sex: an age band (either end optional), the
-- needs it takes besides its own, and the needs it refuses. The codes are the `need`
-- table's (checked by the app: arrays cannot carry foreign keys).
ALTER TABLE ward
    ADD COLUMN min_age        smallint CHECK (min_age BETWEEN 0 AND 130),
    ADD COLUMN max_age        smallint CHECK (max_age BETWEEN 0 AND 130),
    ADD COLUMN needs_accepted text[] NOT NULL DEFAULT '{}',
    ADD COLUMN needs_refused  text[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT ward_age_band CHECK (min_age IS NULL OR max_age IS NULL OR min_age <= max_age),
    ADD CONSTRAINT ward_needs_disjoint CHECK (NOT (needs_accepted && needs_refused));

-- A temporary closure: no placement and no hold while it lasts. `starts_on`..`ends_on` are
-- the local days closed (inclusive; `ends_on` NULL: until ended); `starts_at`/`ends_at` are
-- the same period as instants, written by the app from the user's time zone, so that the
-- trigger below decides without knowing the zone. Ending a closure early sets `ends_on`
-- to the day before and `ends_at` to the moment (a closure ended before it began is empty:
-- `ends_on` = `starts_on` - 1).
CREATE TABLE ward_closure (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ward_id    bigint NOT NULL REFERENCES ward,
    starts_on  date NOT NULL,
    ends_on    date,
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz,
    reason     text NOT NULL CHECK (reason IN ('renovation', 'outbreak', 'staff', 'disaster', 'other')),
    note       text NOT NULL DEFAULT '',
    created_by bigint REFERENCES app_user,
    created_at timestamptz NOT NULL,
    ended_by   bigint REFERENCES app_user,
    ended_at   timestamptz,
    CHECK (ends_on IS NULL OR ends_on >= starts_on - 1),
    CHECK (ends_at IS NULL OR ends_at >= starts_at),
    CHECK ((ends_on IS NULL) = (ends_at IS NULL))
);
CREATE INDEX ward_closure_ward ON ward_closure (ward_id, starts_at);
CREATE TRIGGER ward_closure_no_delete BEFORE DELETE ON ward_closure
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Every change to a ward made in the app, oldest first: the ward's history. `valid_from`
-- is the local day the change takes effect.
CREATE TABLE ward_change (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ward_id    bigint NOT NULL REFERENCES ward,
    kind       text NOT NULL CHECK (kind IN ('beds', 'closure', 'closure_ended', 'rules')),
    valid_from date NOT NULL,
    before     jsonb,
    after      jsonb NOT NULL,
    reason     text NOT NULL DEFAULT '',
    changed_by bigint REFERENCES app_user,
    changed_at timestamptz NOT NULL
);
CREATE INDEX ward_change_ward ON ward_change (ward_id, changed_at);
CREATE TRIGGER ward_change_append_only BEFORE UPDATE OR DELETE ON ward_change
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
GRANT SELECT, INSERT ON ward_change TO simlontar_app;
GRANT SELECT, INSERT, UPDATE ON ward_closure TO simlontar_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO simlontar_app;

-- A closed ward takes nobody: the rule for every path (pages, API, referral, import) at
-- the one place they all pass, like the bed CHECK. The closure takes the ward's row lock
-- (app side) and so does every placement and hold (the occupancy triggers), so one waits
-- for the other and this check sees the closure once it is committed.
CREATE FUNCTION ward_open_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    at timestamptz;
BEGIN
    IF TG_TABLE_NAME = 'placement' THEN
        at := NEW.started_at;
    ELSE
        at := NEW.held_at;
    END IF;
    IF EXISTS (SELECT 1 FROM ward_closure c
                WHERE c.ward_id = NEW.ward_id AND c.starts_at <= at
                  AND (c.ends_at IS NULL OR at < c.ends_at)) THEN
        RAISE EXCEPTION 'ward % is closed on %', NEW.ward_id, at
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ward_closed';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER placement_ward_open BEFORE INSERT ON placement
    FOR EACH ROW EXECUTE FUNCTION ward_open_check();
CREATE TRIGGER bed_hold_ward_open BEFORE INSERT ON bed_hold
    FOR EACH ROW EXECUTE FUNCTION ward_open_check();

-- Changes outside the app leave a trace, as for `ward`.
CREATE TRIGGER ward_closure_raw_change AFTER INSERT OR UPDATE OR DELETE ON ward_closure
    FOR EACH ROW EXECUTE FUNCTION audit_raw_change();
