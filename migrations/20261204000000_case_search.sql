-- The case search (intake::store::name_search): one trigram index over the stated name and
-- the aliases together, and a prefix index on case numbers whatever the database's collation.
-- array_to_string is only STABLE in general (for types whose output depends on settings);
-- for text[] its result depends on nothing but its input, so the wrapper may be IMMUTABLE,
-- which an index expression requires. The index's pending list is off: with it, every search
-- read through all the names added since the last vacuum (8.9 ms a search, not 0.5, after
-- 2,000 intakes under .ci/load); an intake pays for its index entries at once instead.
CREATE FUNCTION intake_search_names(name text, aliases text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT lower(name || ' ' || array_to_string(aliases, ' ')) $$;

CREATE INDEX intake_search_trgm ON intake
    USING gin (intake_search_names(stated_name, aliases) gin_trgm_ops) WITH (fastupdate = off);
DROP INDEX intake_name_trgm;
CREATE INDEX ot_case_number_prefix ON ot_case (number text_pattern_ops);
-- Lists are newest pick-up first, ties by intake: a sweep (razia) brings in dozens of
-- people picked up at the same minute, and without the tie in the index a page of them
-- meant sorting every intake of that minute.
DROP INDEX intake_found_at;
CREATE INDEX intake_found_at ON intake (found_at, id);

-- The read policies with each part of the scope in a sub-select: a sub-select that reads
-- no column is computed once per statement (an InitPlan), where a bare scope_all() was
-- called, and the scope's JSON parsed, for every row the statement looked at.
ALTER POLICY intake_read ON intake USING (
    (SELECT scope_all())
    OR found_region_code = ANY((SELECT scope_list('pickup'))::text[])
    OR found_region_code = ANY((SELECT scope_list('home'))::text[])
    OR home_region_code = ANY((SELECT scope_list('home'))::text[])
    OR scope_admits_case_of(id));
ALTER POLICY case_read ON ot_case USING (
    (SELECT scope_all()) OR EXISTS (SELECT 1 FROM intake i WHERE i.id = intake_id));

-- Intakes whose names match the search box (LIKE `pattern`, or a word like `word`) among
-- those the scope admits. A word is alike at a word similarity of 0.5, not the default 0.6:
-- one letter added to a six-letter name ("Selamet" for "Slamet") scores 0.5.
-- Under row security the app's role cannot reach the trigram index: LIKE and <% are not
-- leakproof, so the planner must test the policy on every row before them. The owner scans
-- the index, then applies the test of intake_read above (the same expression: change both).
CREATE FUNCTION intake_name_search(pattern text, word text) RETURNS SETOF bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    SET pg_trgm.word_similarity_threshold = 0.5 ROWS 50 AS $$
    SELECT id FROM intake
     WHERE (intake_search_names(stated_name, aliases) LIKE pattern
            OR word <% intake_search_names(stated_name, aliases))
       AND ((SELECT scope_all())
            OR found_region_code = ANY((SELECT scope_list('pickup'))::text[])
            OR found_region_code = ANY((SELECT scope_list('home'))::text[])
            OR home_region_code = ANY((SELECT scope_list('home'))::text[])
            OR scope_admits_case_of(id))
$$;
REVOKE ALL ON FUNCTION intake_name_search(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake_name_search(text, text) TO simlontar_app;
