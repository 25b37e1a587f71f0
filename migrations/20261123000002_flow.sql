-- The tables of the flow: people who use the system, the audit trail, intakes and their
-- cases with an append-only event log, identity checks, register records and the links
-- between records, placements, transport plans, capacity alerts and the email outbox.

-- Rows of append-only tables can be added, never changed or removed: a trigger refuses
-- it for every role, and a later migration also withholds the grants from the app's role.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TABLE app_user (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,39}$'),
    display_name  text NOT NULL CHECK (display_name <> ''),
    email         text CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    password_hash text,
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- A user holds one or more roles; some roles are scoped to a regency or a UPT.
CREATE TABLE user_role (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
    role         text NOT NULL CHECK (role IN ('intake_officer', 'identity_officer', 'case_officer',
                                              'upt_staff', 'regency_viewer', 'admin')),
    scope_region text REFERENCES region,
    scope_upt    text REFERENCES upt,
    CHECK (CASE role
        WHEN 'intake_officer' THEN scope_region IS NOT NULL AND scope_upt IS NULL
        WHEN 'regency_viewer' THEN scope_region IS NOT NULL AND scope_upt IS NULL
        WHEN 'upt_staff' THEN scope_upt IS NOT NULL AND scope_region IS NULL
        ELSE scope_region IS NULL AND scope_upt IS NULL END)
);
CREATE UNIQUE INDEX user_role_once ON user_role (user_id, role, coalesce(scope_region, ''), coalesce(scope_upt, ''));

CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint REFERENCES app_user,
    action      text NOT NULL CHECK (action <> ''),
    entity      text NOT NULL,
    entity_id   text,
    remote_addr inet,
    detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- One pick-up of one person by Satpol PP, as the officer recorded it.
CREATE TABLE intake (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key    uuid NOT NULL UNIQUE,
    found_at           timestamptz NOT NULL,
    found_point        geometry(Point, 4326) NOT NULL,
    found_address      text NOT NULL DEFAULT '',
    found_region_code  text NOT NULL REFERENCES region,
    unit               text NOT NULL DEFAULT '',
    officer_id         bigint REFERENCES app_user,
    officer_name       text NOT NULL DEFAULT '',
    stated_name        text NOT NULL DEFAULT '',
    aliases            text[] NOT NULL DEFAULT '{}',
    name_quality       text NOT NULL CHECK (name_quality IN ('full', 'partial', 'alias', 'unknown')),
    sex                text NOT NULL CHECK (sex IN ('male', 'female', 'unknown')),
    birth_date         date,
    estimated_age      smallint CHECK (estimated_age BETWEEN 0 AND 120),
    birth_date_quality text NOT NULL CHECK (birth_date_quality IN ('exact', 'approximate', 'year_only', 'unknown')),
    stated_home        text NOT NULL DEFAULT '',
    home_village_code  text REFERENCES village,
    home_region_code   text REFERENCES region,
    home_province_code text REFERENCES province,
    nik                text CHECK (nik ~ '^[0-9]{16}$'),
    documents          text[] NOT NULL DEFAULT '{}',
    conditions         text[] NOT NULL DEFAULT '{}' CHECK (conditions <@ ARRAY['psychosocial', 'elderly', 'child',
                            'sick', 'pregnant', 'disability', 'other']::text[]),
    belongings         text NOT NULL DEFAULT '',
    notes              text NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((name_quality = 'unknown') = (stated_name = '')),
    CHECK (birth_date_quality = 'unknown' OR birth_date IS NOT NULL OR estimated_age IS NOT NULL),
    CHECK (birth_date_quality <> 'exact' OR birth_date IS NOT NULL),
    CHECK (home_village_code IS NULL OR substr(home_village_code, 1, 5) = home_region_code),
    CHECK (home_region_code IS NULL OR substr(home_region_code, 1, 2) = home_province_code)
);
CREATE INDEX intake_found_at ON intake (found_at);
CREATE INDEX intake_found_region ON intake (found_region_code);
CREATE INDEX intake_home_region ON intake (home_region_code);
CREATE INDEX intake_nik ON intake (nik) WHERE nik IS NOT NULL;
CREATE INDEX intake_name_trgm ON intake USING gin (lower(stated_name) gin_trgm_ops);

CREATE TABLE intake_photo (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    intake_id    bigint NOT NULL REFERENCES intake,
    sha256       bytea NOT NULL CHECK (length(sha256) = 32),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    bytes        bytea NOT NULL CHECK (length(bytes) BETWEEN 1 AND 5242880),
    UNIQUE (intake_id, sha256)
);

-- Case numbers run per pick-up regency and year: OT-3578-2026-000123.
CREATE TABLE case_number_counter (
    region_code text NOT NULL REFERENCES region,
    year        integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    last        integer NOT NULL CHECK (last BETWEEN 0 AND 999999),
    PRIMARY KEY (region_code, year)
);

CREATE TABLE ot_case (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number     text NOT NULL UNIQUE CHECK (number ~ '^OT-[0-9]{4}-[0-9]{4}-[0-9]{6}$'),
    intake_id  bigint NOT NULL UNIQUE REFERENCES intake,
    state      text NOT NULL CHECK (state IN ('received', 'identity_pending', 'identified', 'unidentified',
                    'routed_home', 'placed', 'in_transit', 'handed_over', 'discharged', 'closed')),
    opened_at  timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    closed_at  timestamptz,
    close_reason text,
    CHECK ((state IN ('handed_over', 'discharged', 'closed')) = (closed_at IS NOT NULL)),
    CHECK (state <> 'closed' OR close_reason IS NOT NULL)
);
CREATE INDEX ot_case_state ON ot_case (state);

CREATE TABLE case_event (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id    bigint NOT NULL REFERENCES ot_case,
    at         timestamptz NOT NULL,
    actor_id   bigint REFERENCES app_user,
    kind       text NOT NULL CHECK (kind ~ '^[a-z_]+$'),
    from_state text,
    to_state   text,
    reason     text NOT NULL DEFAULT '',
    detail     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX case_event_case ON case_event (case_id, at);
CREATE TRIGGER case_event_append_only BEFORE UPDATE OR DELETE ON case_event
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- A biometric check by DP3AK: a tracked request with an explicit outcome.
CREATE TABLE identity_check (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key   uuid NOT NULL UNIQUE,
    intake_id         bigint REFERENCES intake,
    method            text NOT NULL CHECK (method IN ('fingerprint', 'face', 'iris')),
    requested_at      timestamptz NOT NULL,
    completed_at      timestamptz,
    outcome           text NOT NULL CHECK (outcome IN ('pending', 'matched', 'no_match', 'not_enrolled',
                           'low_quality', 'device_failure')),
    score             real CHECK (score BETWEEN 0 AND 100),
    attempts          integer NOT NULL DEFAULT 1 CHECK (attempts >= 1),
    next_attempt_at   timestamptz,
    nik               text CHECK (nik ~ '^[0-9]{16}$'),
    name              text,
    birth_date        date,
    birth_place       text,
    sex               text CHECK (sex IN ('male', 'female')),
    address           text,
    village_code      text REFERENCES village,
    kk_number         text CHECK (kk_number ~ '^[0-9]{16}$'),
    mother_name       text,
    CHECK ((outcome = 'matched') = (nik IS NOT NULL)),
    CHECK ((outcome = 'pending') = (completed_at IS NULL))
);
CREATE INDEX identity_check_nik ON identity_check (nik) WHERE nik IS NOT NULL;

-- A social-assistance register (DTKS-style) imported from CSV.
CREATE TABLE registry_person (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source       text NOT NULL,
    external_id  text NOT NULL,
    nik          text CHECK (nik ~ '^[0-9]{16}$'),
    name         text NOT NULL,
    birth_date   date,
    sex          text CHECK (sex IN ('male', 'female')),
    village_code text REFERENCES village,
    address      text NOT NULL DEFAULT '',
    programmes   text[] NOT NULL DEFAULT '{}',
    UNIQUE (source, external_id)
);
CREATE INDEX registry_person_nik ON registry_person (nik) WHERE nik IS NOT NULL;

-- Links between records are never merges: each has a state, and a pair marked
-- known_distinct stays so. The pair is stored in a canonical order so it is unique.
CREATE TABLE record_link (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    left_kind     text NOT NULL CHECK (left_kind IN ('intake', 'check', 'registry')),
    left_id       bigint NOT NULL,
    right_kind    text NOT NULL CHECK (right_kind IN ('intake', 'check', 'registry')),
    right_id      bigint NOT NULL,
    state         text NOT NULL CHECK (state IN ('candidate', 'accepted', 'rejected', 'known_distinct')),
    probability   double precision NOT NULL CHECK (probability BETWEEN 0 AND 1),
    contributions jsonb NOT NULL DEFAULT '[]',
    created_at    timestamptz NOT NULL DEFAULT now(),
    decided_at    timestamptz,
    decided_by    bigint REFERENCES app_user,
    CHECK ((left_kind, left_id) < (right_kind, right_id)),
    UNIQUE (left_kind, left_id, right_kind, right_id),
    CHECK ((state = 'candidate') = (decided_at IS NULL))
);

-- A stay in a UPT ward. At most one open placement per case; ward occupancy follows
-- placements through triggers, so the ward's CHECK refuses a bed given twice.
CREATE TABLE placement (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id    bigint NOT NULL REFERENCES ot_case,
    ward_id    bigint NOT NULL REFERENCES ward,
    started_at timestamptz NOT NULL,
    ended_at   timestamptz,
    end_reason text CHECK (end_reason IN ('home', 'family', 'hospital', 'died', 'ran_away', 'transfer')),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL)),
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX placement_one_open ON placement (case_id) WHERE ended_at IS NULL;
CREATE INDEX placement_ward ON placement (ward_id, started_at);

CREATE FUNCTION placement_occupancy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.ended_at IS NULL THEN
        UPDATE ward SET occupied = occupied + 1, updated_at = now() WHERE id = NEW.ward_id;
    ELSIF TG_OP = 'UPDATE' AND OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL THEN
        UPDATE ward SET occupied = occupied - 1, updated_at = now() WHERE id = OLD.ward_id;
    ELSIF TG_OP = 'UPDATE' AND (OLD.ward_id <> NEW.ward_id OR (OLD.ended_at IS NOT NULL AND NEW.ended_at IS NULL)) THEN
        RAISE EXCEPTION 'a placement''s ward or end cannot be rewritten; end it and place again';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER placement_occupancy AFTER INSERT OR UPDATE ON placement
    FOR EACH ROW EXECUTE FUNCTION placement_occupancy();
CREATE TRIGGER placement_no_delete BEFORE DELETE ON placement
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- People waiting for a bed that fits them.
CREATE TABLE waiting_list (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     bigint NOT NULL REFERENCES ot_case,
    need_code   text NOT NULL REFERENCES need,
    sex         text NOT NULL CHECK (sex IN ('male', 'female', 'unknown')),
    since       timestamptz NOT NULL,
    resolved_at timestamptz
);
CREATE UNIQUE INDEX waiting_list_one_open ON waiting_list (case_id) WHERE resolved_at IS NULL;

CREATE TABLE transport_plan (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id          bigint NOT NULL REFERENCES ot_case,
    created_at       timestamptz NOT NULL,
    state            text NOT NULL CHECK (state IN ('proposed', 'accepted', 'in_transit', 'handed_over', 'cancelled')),
    legs             jsonb NOT NULL CHECK (jsonb_typeof(legs) = 'array'),
    total_minutes    integer NOT NULL CHECK (total_minutes >= 0),
    total_fare_idr   bigint NOT NULL CHECK (total_fare_idr >= 0),
    escort           text,
    receiving_office text NOT NULL,
    departs_at       timestamptz
);
CREATE UNIQUE INDEX transport_plan_one_live ON transport_plan (case_id)
    WHERE state IN ('proposed', 'accepted', 'in_transit');

-- A capacity alert for a ward (or a whole UPT when ward_id is null): at most one open
-- alert per ward/UPT and level.
CREATE TABLE capacity_alert (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    upt_code        text NOT NULL REFERENCES upt,
    ward_id         bigint REFERENCES ward,
    level           text NOT NULL CHECK (level IN ('watch', 'warning', 'critical')),
    opened_at       timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL,
    acknowledged_at timestamptz,
    acknowledged_by bigint REFERENCES app_user,
    resolved_at     timestamptz,
    probability     double precision CHECK (probability BETWEEN 0 AND 1),
    days_to_full    double precision,
    detail          jsonb NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX capacity_alert_one_open ON capacity_alert (upt_code, coalesce(ward_id, 0), level)
    WHERE resolved_at IS NULL;

-- Email is written here in the same transaction as what caused it and delivered by a
-- worker; the dedupe key keeps one logical message from being queued twice.
CREATE TABLE email_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedupe_key      text NOT NULL UNIQUE,
    to_address      text NOT NULL CHECK (to_address ~ '^[^@\s]+@[^@\s]+$'),
    subject         text NOT NULL,
    body_text       text NOT NULL,
    body_html       text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    last_error      text
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE sent_at IS NULL;
