-- A bed held for a person in transit to a UPT. The ward's `held` counter follows open
-- holds through a trigger, under the same CHECK as placements (occupied + held <= beds),
-- so a hold and a placement can never both take the last bed.
CREATE TABLE bed_hold (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ward_id        bigint NOT NULL REFERENCES ward,
    case_id        bigint NOT NULL REFERENCES ot_case,
    held_at        timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    held_by        bigint REFERENCES app_user,
    released_at    timestamptz,
    release_reason text CHECK (release_reason IN ('placed', 'expired', 'cancelled')),
    CHECK (expires_at > held_at),
    CHECK ((released_at IS NULL) = (release_reason IS NULL))
);
CREATE UNIQUE INDEX bed_hold_one_open ON bed_hold (case_id) WHERE released_at IS NULL;
CREATE INDEX bed_hold_expiry ON bed_hold (expires_at) WHERE released_at IS NULL;

CREATE FUNCTION bed_hold_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.released_at IS NULL THEN
        UPDATE ward SET held = held + 1, updated_at = now() WHERE id = NEW.ward_id;
    ELSIF TG_OP = 'UPDATE' AND OLD.released_at IS NULL AND NEW.released_at IS NOT NULL THEN
        UPDATE ward SET held = held - 1, updated_at = now() WHERE id = OLD.ward_id;
    ELSIF TG_OP = 'UPDATE' AND (OLD.ward_id <> NEW.ward_id OR (OLD.released_at IS NOT NULL AND NEW.released_at IS NULL)) THEN
        RAISE EXCEPTION 'a hold''s ward or release cannot be rewritten';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER bed_hold_count AFTER INSERT OR UPDATE ON bed_hold
    FOR EACH ROW EXECUTE FUNCTION bed_hold_count();

-- Each forecast the daily job (or a placement) computed for a ward or a whole UPT (ward_id
-- NULL): what the capacity screen shows, and the record later scoring reads.
CREATE TABLE capacity_forecast (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    upt_code      text NOT NULL REFERENCES upt,
    ward_id       bigint REFERENCES ward,
    computed_at   timestamptz NOT NULL,
    capacity      integer NOT NULL CHECK (capacity >= 0),
    occupied      integer NOT NULL CHECK (occupied >= 0),
    waiting       integer NOT NULL DEFAULT 0 CHECK (waiting >= 0),
    p7            double precision NOT NULL CHECK (p7 BETWEEN 0 AND 1),
    p14           double precision NOT NULL CHECK (p14 BETWEEN 0 AND 1),
    p30           double precision NOT NULL CHECK (p30 BETWEEN 0 AND 1),
    -- Expected days until full, NULL when it is not expected to fill within the horizon.
    days_to_full  double precision CHECK (days_to_full >= 0),
    -- Per day ahead: expected free beds with an 80 % interval, [{"day":1,"free":..,"lo":..,"hi":..}].
    daily         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(daily) = 'array'),
    model         text NOT NULL,
    inputs        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX capacity_forecast_latest ON capacity_forecast (upt_code, coalesce(ward_id, 0), computed_at DESC);

GRANT SELECT, INSERT, UPDATE ON bed_hold TO simlontar_app;
GRANT SELECT, INSERT ON capacity_forecast TO simlontar_app;
