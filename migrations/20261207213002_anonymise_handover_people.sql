-- The hand-over added people's words and names beside the case: the escort's name and the
-- reasons of each plan change (`plan_change`, whose before/after hold the escort too), the
-- receiving office's notes (`handover_response`), and who received the person
-- (`handover_notice.received_by`, a relative's name and relation). They go when the
-- intake is anonymised, whatever path does it, as the case's event reasons do; the rows
-- stay (what changed, when, by which account), so the statistics and the audit hold.

CREATE FUNCTION plan_change_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('simlontar.erasing_case', true) = OLD.case_id::text
       AND (NEW.id, NEW.plan_id, NEW.case_id, NEW.kind, NEW.changed_at)
           = (OLD.id, OLD.plan_id, OLD.case_id, OLD.kind, OLD.changed_at)
       AND NEW.changed_by IS NOT DISTINCT FROM OLD.changed_by
       AND NEW.reason = '' AND NEW.before = '{}'::jsonb AND NEW.after = '{}'::jsonb THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'plan_change is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
DROP TRIGGER plan_change_append_only ON plan_change;
CREATE TRIGGER plan_change_append_only BEFORE UPDATE OR DELETE ON plan_change
    FOR EACH ROW EXECUTE FUNCTION plan_change_guard();

CREATE FUNCTION handover_response_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('simlontar.erasing_case', true) = OLD.case_id::text
       AND (NEW.id, NEW.notice_id, NEW.case_id, NEW.kind, NEW.at)
           = (OLD.id, OLD.notice_id, OLD.case_id, OLD.kind, OLD.at)
       AND NEW.proposed_date IS NOT DISTINCT FROM OLD.proposed_date
       AND NEW.by_user IS NOT DISTINCT FROM OLD.by_user
       AND NEW.note = '' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'handover_response is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
DROP TRIGGER handover_response_append_only ON handover_response;
CREATE TRIGGER handover_response_append_only BEFORE UPDATE OR DELETE ON handover_response
    FOR EACH ROW EXECUTE FUNCTION handover_response_guard();

CREATE FUNCTION forget_handover_people() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_case bigint;
BEGIN
    FOR v_case IN SELECT id FROM ot_case WHERE intake_id = NEW.id LOOP
        PERFORM set_config('simlontar.erasing_case', v_case::text, true);
        UPDATE plan_change SET reason = '', before = '{}', after = '{}'
         WHERE case_id = v_case AND (reason <> '' OR before <> '{}' OR after <> '{}');
        UPDATE handover_response SET note = '' WHERE case_id = v_case AND note <> '';
        PERFORM set_config('simlontar.erasing_case', '', true);
        UPDATE transport_plan SET escort_name = NULL
         WHERE case_id = v_case AND escort_name IS NOT NULL;
        UPDATE handover_notice SET received_by = '', received_by_ref = ''
         WHERE case_id = v_case AND (received_by <> '' OR received_by_ref <> '');
    END LOOP;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION forget_handover_people() FROM PUBLIC;

CREATE TRIGGER intake_anonymised_forgets_handover_people
    AFTER UPDATE OF anonymised_at ON intake
    FOR EACH ROW WHEN (OLD.anonymised_at IS NULL AND NEW.anonymised_at IS NOT NULL)
    EXECUTE FUNCTION forget_handover_people();
