-- Retention (UU PDP Pasal 42–44): when a finished case's retention period has passed, the
-- nightly job removes what identifies the person and keeps what the province counts
-- (dates, regencies, sex, age in years, needs, placements, routes between hubs). The
-- case number, its states and the audit trail stay, so "what happened to case X" still
-- has an answer; "who was X" no longer does.

ALTER TABLE intake ADD COLUMN anonymised_at timestamptz;
ALTER TABLE identity_check ADD COLUMN anonymised_at timestamptz;
-- A matched check keeps its outcome after its NIK is gone.
ALTER TABLE identity_check DROP CONSTRAINT identity_check_check,
    ADD CONSTRAINT identity_check_matched_has_nik
        CHECK (anonymised_at IS NOT NULL OR (outcome = 'matched') = (nik IS NOT NULL));

-- Case events stay append-only, except that anonymise_case may blank an event's free
-- text (reasons and details can name the person); it says which case it is erasing in
-- a transaction-local setting, and nothing else about the row may change.
CREATE FUNCTION case_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('simlontar.erasing_case', true) = OLD.case_id::text
       AND (NEW.id, NEW.case_id, NEW.at, NEW.kind) = (OLD.id, OLD.case_id, OLD.at, OLD.kind)
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.from_state IS NOT DISTINCT FROM OLD.from_state
       AND NEW.to_state IS NOT DISTINCT FROM OLD.to_state
       AND NEW.reason = '' AND NEW.detail = '{}'::jsonb THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'case_event is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
DROP TRIGGER case_event_append_only ON case_event;
CREATE TRIGGER case_event_append_only BEFORE UPDATE OR DELETE ON case_event
    FOR EACH ROW EXECUTE FUNCTION case_event_guard();

-- Anonymises one finished case; false when it is not finished or already done.
-- SECURITY DEFINER: the app's role may not change case events, and must not be able to.
CREATE FUNCTION anonymise_case(p_case bigint, p_at timestamptz) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_intake bigint;
    v_checks bigint[];
BEGIN
    SELECT c.intake_id INTO v_intake
      FROM ot_case c JOIN intake i ON i.id = c.intake_id
     WHERE c.id = p_case AND c.closed_at IS NOT NULL AND i.anonymised_at IS NULL
       FOR UPDATE OF c, i;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE intake SET
        stated_name = '', name_quality = 'unknown', aliases = '{}',
        -- The age in whole years at pick-up stays for the statistics; the date goes.
        estimated_age = coalesce(
            least(120, greatest(0, extract(year FROM age(found_at::date, birth_date))))::smallint,
            estimated_age),
        birth_date = NULL,
        birth_date_quality = CASE WHEN birth_date IS NULL AND estimated_age IS NULL
                                  THEN 'unknown' ELSE 'approximate' END,
        -- Where the person was found, to about 5 km; the regency code stays exact.
        found_point = ST_SnapToGrid(found_point, 0.05),
        found_address = '', stated_home = '', home_village_code = NULL, nik = NULL,
        documents = '{}', belongings = '', notes = '', request_sha256 = NULL,
        anonymised_at = p_at
     WHERE id = v_intake;
    DELETE FROM intake_photo WHERE intake_id = v_intake;
    UPDATE identity_check SET
        nik = NULL, name = NULL, birth_date = NULL, birth_place = NULL, sex = NULL,
        address = NULL, village_code = NULL, kk_number = NULL, mother_name = NULL,
        request_sha256 = NULL, contradictions = '[]', anonymised_at = p_at
     WHERE intake_id = v_intake;
    SELECT coalesce(array_agg(id), '{}') INTO v_checks FROM identity_check WHERE intake_id = v_intake;
    -- Links tie this person to other records; with the identity gone they would only
    -- let someone put it back together.
    DELETE FROM record_link
     WHERE (left_kind = 'intake' AND left_id = v_intake) OR (right_kind = 'intake' AND right_id = v_intake)
        OR (left_kind = 'check' AND left_id = ANY(v_checks)) OR (right_kind = 'check' AND right_id = ANY(v_checks));
    -- The route between hubs stays; the pick-up point and the home village go.
    UPDATE transport_plan SET plan = plan - 'from' - 'destination',
                              destination_code = left(destination_code, 5)
     WHERE case_id = p_case;
    UPDATE ot_case SET close_reason = '' WHERE id = p_case AND close_reason IS NOT NULL;
    PERFORM set_config('simlontar.erasing_case', p_case::text, true);
    UPDATE case_event SET reason = '', detail = '{}'
     WHERE case_id = p_case AND (reason <> '' OR detail <> '{}'::jsonb);
    PERFORM set_config('simlontar.erasing_case', '', true);
    RETURN true;
END $$;
REVOKE ALL ON FUNCTION anonymise_case(bigint, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION anonymise_case(bigint, timestamptz) TO simlontar_app;

-- "Every record user U opened between t1 and t2" (the Pasal 46 breach report).
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
