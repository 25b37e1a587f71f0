-- UPT staff admit people: a case becomes visible to the staff of a UPT once a bed is held
-- for it there (an open hold), so they can open it and place the person on arrival. Before
-- this, only a placement made a case visible to a UPT, and nobody at the UPT could admit.
CREATE OR REPLACE FUNCTION scope_admits_case_of(p_intake bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM ot_case c
         WHERE c.intake_id = p_intake
           AND (scope_broke_glass(c.id)
                OR EXISTS (SELECT 1 FROM placement p JOIN ward w ON w.id = p.ward_id
                            WHERE p.case_id = c.id AND w.upt_code = ANY(scope_list('upts')))
                OR EXISTS (SELECT 1 FROM bed_hold h JOIN ward w ON w.id = h.ward_id
                            WHERE h.case_id = c.id AND h.released_at IS NULL
                              AND w.upt_code = ANY(scope_list('upts')))))
$$;
