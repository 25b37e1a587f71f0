-- Tasks of a case for a regency office (issue 25 items 6 and 7), one table for every kind:
-- the follow-up visits 30 and 90 days after a hand-over, and the tracing of an unidentified
-- resident's family. Every task belongs to the office that must act on it (`office_code`:
-- a regency code, or a relay province's code for a hand-over outside East Java); a tracing
-- task may name a TKSK (a subdistrict social worker, no account) whom that office oversees.
CREATE TABLE case_task (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id        bigint NOT NULL REFERENCES ot_case,
    kind           text NOT NULL CHECK (kind IN ('follow_up_30', 'follow_up_90', 'tracing')),
    office_code    text NOT NULL CHECK (office_code ~ '^[0-9]{2}(\.[0-9]{2})?$'),
    -- The TKSK who traces (tracing only): name, phone, subdistrict (in the office's regency).
    tksk_name      text,
    tksk_phone     text,
    tksk_district  text REFERENCES district,
    -- The local day the task is due, and the instant that day ends where the users are
    -- (computed with the zone when the task is made): "overdue" is `now >= due_by`.
    due_on         date NOT NULL,
    due_by         timestamptz NOT NULL,
    -- What is known (tracing: where the person was found, what they said).
    known          text NOT NULL DEFAULT '',
    -- The hand-over a follow-up follows.
    notice_id      bigint REFERENCES handover_notice,
    created_at     timestamptz NOT NULL,
    created_by     bigint REFERENCES app_user,
    outcome        text,
    contacted_on   date,
    outcome_note   text NOT NULL DEFAULT '',
    -- Tracing's "family found": where the family lives (free text) and its village.
    family_address text NOT NULL DEFAULT '',
    family_village text REFERENCES village,
    answered_at    timestamptz,
    answered_by    bigint REFERENCES app_user,
    CHECK ((outcome IS NULL) = (answered_at IS NULL)),
    CHECK ((outcome IS NULL) = (contacted_on IS NULL)),
    CHECK (CASE kind
        WHEN 'tracing' THEN outcome IS NULL OR outcome IN ('family_found', 'no_trace', 'known_elsewhere', 'refused_by_family', 'not_reached')
        ELSE outcome IS NULL OR outcome IN ('with_family', 'working', 'back_on_street', 'moved_away', 'died', 'not_reached') END),
    CHECK (kind = 'tracing' OR (tksk_name IS NULL AND tksk_district IS NULL)),
    CHECK ((tksk_name IS NULL) = (tksk_phone IS NULL) AND (tksk_name IS NULL) = (tksk_district IS NULL)),
    CHECK (kind = 'tracing' OR notice_id IS NOT NULL),
    CHECK ((outcome = 'family_found') = (family_village IS NOT NULL))
);
-- One follow-up of each kind per case (a person handed over again is a new case).
CREATE UNIQUE INDEX case_task_one_follow_up ON case_task (case_id, kind) WHERE kind <> 'tracing';
CREATE INDEX case_task_case ON case_task (case_id);
CREATE INDEX case_task_open_office ON case_task (office_code, due_on) WHERE answered_at IS NULL;
CREATE TRIGGER case_task_raw_change AFTER INSERT OR UPDATE OR DELETE ON case_task
    FOR EACH ROW EXECUTE FUNCTION audit_raw_change();
GRANT SELECT, INSERT, UPDATE ON case_task TO simlontar_app;

-- Row security as for cases: everything for the all-seeing roles; an office's own tasks
-- for its regency officers (the scope's `offices`), even of a person they may not
-- otherwise see (a tracing task names someone in a UPT); and the tasks of every case the
-- scope admits (the correlated EXISTS runs under the case policy), for the case page.
ALTER TABLE case_task ENABLE ROW LEVEL SECURITY;
CREATE POLICY case_task_read ON case_task FOR SELECT TO simlontar_app USING (
    (SELECT scope_all())
    OR office_code = ANY ((SELECT scope_list('offices'))::text[])
    OR EXISTS (SELECT 1 FROM ot_case c WHERE c.id = case_id));
-- Writes are authorised by the policy module before they are made.
CREATE POLICY case_task_insert ON case_task FOR INSERT TO simlontar_app WITH CHECK (true);
CREATE POLICY case_task_update ON case_task FOR UPDATE TO simlontar_app USING (true) WITH CHECK (true);

-- Anonymisation forgets what the tasks say about the person: what was known, the notes,
-- the family's address (the rows stay: kind, office, dates, outcome code).
CREATE FUNCTION forget_task_people() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE case_task SET known = '', outcome_note = '', family_address = ''
     WHERE case_id IN (SELECT id FROM ot_case WHERE intake_id = NEW.id)
       AND (known <> '' OR outcome_note <> '' OR family_address <> '');
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION forget_task_people() FROM PUBLIC;
CREATE TRIGGER intake_anonymised_forgets_task_people
    AFTER UPDATE OF anonymised_at ON intake
    FOR EACH ROW WHEN (OLD.anonymised_at IS NULL AND NEW.anonymised_at IS NOT NULL)
    EXECUTE FUNCTION forget_task_people();

-- A task's case number for whoever sees the task (an office tracing someone it may not
-- otherwise see needs the number to speak of them), and only for cases that have a task.
CREATE FUNCTION case_number_of(p_case bigint) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT c.number FROM ot_case c
     WHERE c.id = p_case AND EXISTS (SELECT 1 FROM case_task t WHERE t.case_id = c.id)
$$;
REVOKE ALL ON FUNCTION case_number_of(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION case_number_of(bigint) TO simlontar_app;
