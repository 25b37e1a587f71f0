-- Row security that works out the scope once per statement, not once per row.
--
-- The intake policy called scope_admits_case_of(id), a SECURITY DEFINER function (never
-- inlined, its query planned and run anew), for every intake outside the viewer's regencies:
-- 0.76 ms a call, 1.4 s for the open-case count on a UPT's home page with the demo year's
-- 3,499 cases. The explicit filter of every list and case page (CaseScope's CONDITION in
-- src/auth/policy.rs) added two EXISTS and scope_broke_glass(c.id) per row on top.
-- Now the cases admitted by what happened to them are one set, computed once per statement
-- (an uncorrelated sub-select, hashed), and each row is a hash probe into it.

-- Who the scope is for and at what moment (break-glass grants), from the scope setting.
CREATE FUNCTION scope_user() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT (scope_json()->>'user')::bigint
$$;
CREATE FUNCTION scope_at() RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT (scope_json()->>'at')::timestamptz
$$;

-- The cases a scope admits by what happened to them rather than by where the person was
-- found or comes from; one branch per way in:
--   placed, now or before, in a ward of one of `upts`;
--   referred to one of `upts` now (a case officer's decision: on their way in, to be
--   admitted; migration 20261207001000 — a bed hold by itself opens nothing);
--   a break-glass grant of `viewer` valid at `at`.
-- THE place to add a way in: one more UNION ALL branch. The read policies, the name search
-- and CaseScope's CONDITION (src/auth/policy.rs) all take the cases from here.
-- PL/pgSQL rather than SQL: it keeps its plan for the session, where a SQL function called
-- in a sub-select is planned again by every statement (half of its cost).
CREATE FUNCTION scope_admitted_cases(upts text[], viewer bigint, at timestamptz)
    RETURNS SETOF bigint LANGUAGE plpgsql STABLE ROWS 100 AS $$
BEGIN
    RETURN QUERY
    SELECT p.case_id FROM placement p JOIN ward w ON w.id = p.ward_id
     WHERE w.upt_code = ANY (upts)
    UNION ALL
    SELECT r.case_id FROM referral r
     WHERE r.ended_at IS NULL AND r.upt_code = ANY (upts)
    UNION ALL
    SELECT b.case_id FROM break_glass b
     WHERE b.user_id = viewer AND at >= b.granted_at AND at < b.expires_at;
END
$$;
-- Open holds by ward (the UPT page and the capacity evaluation list them).
CREATE INDEX bed_hold_open_ward ON bed_hold (ward_id) WHERE released_at IS NULL;

-- The intakes of those cases under the transaction's scope setting. SECURITY DEFINER: it
-- reads ot_case as the owner, so the intake policy does not recurse through the case policy.
CREATE FUNCTION scope_admitted_intakes() RETURNS SETOF bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 100 AS $$
BEGIN
    RETURN QUERY
    SELECT c.intake_id FROM ot_case c
     WHERE c.id IN (SELECT scope_admitted_cases(scope_list('upts'), scope_user(), scope_at()));
END
$$;
REVOKE ALL ON FUNCTION scope_admitted_intakes() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scope_admitted_intakes() TO simlontar_app;

-- Each part of the scope in a sub-select that names no column of the row: computed once per
-- statement (the regency lists as InitPlans, the admitted intakes as a hashed SubPlan).
-- The case policy stays as it was (20261204000000): a case is visible exactly when its
-- intake is, and its correlated EXISTS lets the planner look one intake up per case (a case
-- by its number) or read the visible intakes once and hash them (a count over every case).
ALTER POLICY intake_read ON intake USING (
    (SELECT scope_all())
    OR found_region_code = ANY ((SELECT scope_list('pickup'))::text[])
    OR found_region_code = ANY ((SELECT scope_list('home'))::text[])
    OR home_region_code = ANY ((SELECT scope_list('home'))::text[])
    OR id IN (SELECT scope_admitted_intakes()));

-- The name search (see 20261204000000_case_search.sql) applies the same test as intake_read
-- above, as the owner: change both together.
CREATE OR REPLACE FUNCTION intake_name_search(pattern text, word text) RETURNS SETOF bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    SET pg_trgm.word_similarity_threshold = 0.5 ROWS 50 AS $$
    SELECT id FROM intake
     WHERE (intake_search_names(stated_name, aliases) LIKE pattern
            OR word <% intake_search_names(stated_name, aliases))
       AND ((SELECT scope_all())
            OR found_region_code = ANY ((SELECT scope_list('pickup'))::text[])
            OR found_region_code = ANY ((SELECT scope_list('home'))::text[])
            OR home_region_code = ANY ((SELECT scope_list('home'))::text[])
            OR id IN (SELECT scope_admitted_intakes()))
$$;

-- Nothing calls these any more.
DROP FUNCTION scope_admits_case_of(bigint);
DROP FUNCTION scope_broke_glass(bigint);
