-- Referrals, and the facts behind a case's state (issue 22, findings 1 and 3).
--
-- A referral is the case officer's decision that a person goes to one UPT: the route
-- decision "UPT" (the proposal's UPT or one the officer picks), or a bed the officer holds
-- there. It is what lets that UPT's staff see the person and hold a bed for them; a bed
-- hold by itself opens no case. It ends when the person is placed, referred elsewhere,
-- routed home, or the case is finished.
CREATE TABLE referral (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     bigint NOT NULL REFERENCES ot_case,
    upt_code    text NOT NULL REFERENCES upt,
    referred_at timestamptz NOT NULL,
    referred_by bigint REFERENCES app_user,
    ended_at    timestamptz,
    end_reason  text CHECK (end_reason IN ('placed', 'moved', 'home', 'finished')),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL)),
    CHECK (ended_at IS NULL OR ended_at >= referred_at)
);
CREATE UNIQUE INDEX referral_one_open ON referral (case_id) WHERE ended_at IS NULL;
CREATE INDEX referral_open_upt ON referral (upt_code, case_id) WHERE ended_at IS NULL;
CREATE TRIGGER referral_no_delete BEFORE DELETE ON referral
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER referral_raw_change AFTER INSERT OR UPDATE OR DELETE ON referral
    FOR EACH ROW EXECUTE FUNCTION audit_raw_change();
GRANT SELECT, INSERT ON referral TO simlontar_app;
GRANT UPDATE (ended_at, end_reason) ON referral TO simlontar_app;

-- Beds held by case officers before this migration were their decision where the person
-- goes: they become referrals, so the UPT keeps seeing whom it expects. Holds made by
-- anyone else (UPT staff typing any case number) are not turned into anything.
INSERT INTO referral (case_id, upt_code, referred_at, referred_by)
SELECT h.case_id, w.upt_code, h.held_at, h.held_by
  FROM bed_hold h JOIN ward w ON w.id = h.ward_id JOIN ot_case c ON c.id = h.case_id
 WHERE h.released_at IS NULL AND c.closed_at IS NULL
   AND EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = h.held_by AND r.role = 'case_officer');

-- UPT staff's scope: a case referred to their UPT, instead of a case with a bed held
-- there. The same change is made in `CaseScope`'s CONDITION (src/auth/policy.rs).
CREATE OR REPLACE FUNCTION scope_admits_case_of(p_intake bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM ot_case c
         WHERE c.intake_id = p_intake
           AND (scope_broke_glass(c.id)
                OR EXISTS (SELECT 1 FROM placement p JOIN ward w ON w.id = p.ward_id
                            WHERE p.case_id = c.id AND w.upt_code = ANY(scope_list('upts')))
                OR EXISTS (SELECT 1 FROM referral r
                            WHERE r.case_id = c.id AND r.ended_at IS NULL
                              AND r.upt_code = ANY(scope_list('upts')))))
$$;

-- What must be true of a case in `p_state`: NULL when it is, else the missing fact.
-- `lifecycle::transition` asks this before a move (to refuse it with words); the
-- constraint trigger below asks it again at commit, for every way a row can change.
CREATE FUNCTION case_state_missing(p_case bigint, p_state text) RETURNS text
    LANGUAGE sql STABLE AS $$
    SELECT CASE
        -- A finished case keeps no bed: the stay ends first (discharge, departure).
        WHEN p_state IN ('handed_over', 'discharged', 'closed')
             AND EXISTS (SELECT 1 FROM placement WHERE case_id = p_case AND ended_at IS NULL)
            THEN 'bed_not_given_back'
        WHEN p_state = 'placed'
             AND NOT EXISTS (SELECT 1 FROM placement WHERE case_id = p_case AND ended_at IS NULL)
            THEN 'open_placement'
        WHEN p_state = 'routed_home'
             AND NOT EXISTS (SELECT 1 FROM transport_plan WHERE case_id = p_case
                                AND state IN ('proposed', 'accepted', 'in_transit'))
            THEN 'live_plan'
        WHEN p_state = 'in_transit'
             AND NOT EXISTS (SELECT 1 FROM transport_plan WHERE case_id = p_case
                                AND state = 'in_transit' AND departs_at IS NOT NULL)
            THEN 'departure'
        WHEN p_state = 'handed_over'
             AND NOT EXISTS (SELECT 1 FROM transport_plan WHERE case_id = p_case
                                AND state = 'handed_over' AND departs_at IS NOT NULL)
            THEN 'hand_over'
        WHEN p_state = 'discharged'
             AND NOT EXISTS (SELECT 1 FROM placement WHERE case_id = p_case AND ended_at IS NOT NULL)
            THEN 'ended_placement'
    END
$$;

-- The checks above look a case's placements and plans up by case: every state change
-- asks, so neither may be a scan of the whole table.
CREATE INDEX placement_case ON placement (case_id);
CREATE INDEX transport_plan_case ON transport_plan (case_id);

-- Deferred to commit, so a domain operation may write the fact after the state; the row
-- is read again as it is then (a case may move twice in one transaction). SECURITY
-- DEFINER: the check must see the row whatever scope the transaction acts for.
CREATE FUNCTION case_state_facts() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_state text;
    v_missing text;
BEGIN
    SELECT c.state, case_state_missing(c.id, c.state) INTO v_state, v_missing
      FROM ot_case c WHERE c.id = NEW.id;
    IF v_missing IS NOT NULL THEN
        RAISE EXCEPTION 'case % cannot be % without its facts (%)', NEW.number, v_state, v_missing
            USING ERRCODE = 'check_violation', CONSTRAINT = 'case_state_facts';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER case_state_facts AFTER INSERT OR UPDATE OF state ON ot_case
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION case_state_facts();
