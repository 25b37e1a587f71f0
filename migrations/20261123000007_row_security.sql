-- Break-glass access and row-level security.
--
-- Break-glass (DHIS2's "protected programs" idea): a person outside a case's scope may
-- open it in an emergency by giving a reason; the access lasts two hours, is flagged in
-- the audit trail, and an administrator reviews every use each week.
CREATE TABLE break_glass (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES app_user,
    case_id    bigint NOT NULL REFERENCES ot_case,
    reason     text NOT NULL CHECK (char_length(btrim(reason)) >= 20),
    granted_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    reviewed_by bigint REFERENCES app_user,
    reviewed_at timestamptz,
    CHECK (expires_at > granted_at AND expires_at <= granted_at + interval '2 hours')
);
CREATE INDEX break_glass_user_case ON break_glass (user_id, case_id, expires_at);
CREATE INDEX break_glass_granted ON break_glass (granted_at);
GRANT SELECT, INSERT ON break_glass TO simlontar_app;
GRANT UPDATE (reviewed_by, reviewed_at) ON break_glass TO simlontar_app;

-- Row-level security on the two tables every question about a person goes through.
-- The app states, per transaction, whom it is acting for (SET LOCAL simlontar.scope to
-- a JSON scope); without that setting the app's role reads no person at all. This is
-- the net under the explicit scope filter in every query, not a replacement for it:
-- a query that forgot its filter still returns only what the scope allows.
CREATE FUNCTION scope_json() RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('simlontar.scope', true), '')::jsonb, '{}'::jsonb)
$$;
CREATE FUNCTION scope_all() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce((scope_json()->>'all')::boolean, false)
$$;
CREATE FUNCTION scope_list(key text) RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array(SELECT jsonb_array_elements_text(scope_json()->key)), '{}')
$$;
-- Whether the scope's user holds an unexpired break-glass grant for case `p_case`.
CREATE FUNCTION scope_broke_glass(p_case bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM break_glass b
         WHERE b.case_id = p_case AND b.user_id = (scope_json()->>'user')::bigint
           AND (scope_json()->>'at')::timestamptz >= b.granted_at
           AND (scope_json()->>'at')::timestamptz < b.expires_at)
$$;
-- The parts of a scope that depend on what happened to the case (placements in a UPT,
-- a break-glass grant). SECURITY DEFINER: it reads ot_case as the owner, so the intake
-- policy does not recurse through the case policy.
CREATE FUNCTION scope_admits_case_of(p_intake bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM ot_case c
         WHERE c.intake_id = p_intake
           AND (scope_broke_glass(c.id)
                OR EXISTS (SELECT 1 FROM placement p JOIN ward w ON w.id = p.ward_id
                            WHERE p.case_id = c.id AND w.upt_code = ANY(scope_list('upts')))))
$$;

ALTER TABLE intake ENABLE ROW LEVEL SECURITY;
CREATE POLICY intake_read ON intake FOR SELECT TO simlontar_app USING (
    scope_all()
    OR found_region_code = ANY(scope_list('pickup'))
    OR found_region_code = ANY(scope_list('home'))
    OR home_region_code = ANY(scope_list('home'))
    OR scope_admits_case_of(id));
-- Writes are authorised by the policy module before they are made (who may record a
-- pick-up where, who may move a case); the read policy still applies to what they return.
CREATE POLICY intake_insert ON intake FOR INSERT TO simlontar_app WITH CHECK (true);
CREATE POLICY intake_update ON intake FOR UPDATE TO simlontar_app USING (true) WITH CHECK (true);

ALTER TABLE ot_case ENABLE ROW LEVEL SECURITY;
-- A case is visible exactly when its intake is (the subquery runs under intake's policy).
CREATE POLICY case_read ON ot_case FOR SELECT TO simlontar_app USING (
    scope_all() OR EXISTS (SELECT 1 FROM intake i WHERE i.id = intake_id));
CREATE POLICY case_insert ON ot_case FOR INSERT TO simlontar_app WITH CHECK (true);
CREATE POLICY case_update ON ot_case FOR UPDATE TO simlontar_app USING (true) WITH CHECK (true);
