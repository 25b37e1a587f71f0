-- The case search (intake::store::name_search): one trigram index over the stated name and
-- the aliases together, and a prefix index on case numbers whatever the database's collation.
-- array_to_string is only STABLE in general (for types whose output depends on settings);
-- for text[] its result depends on nothing but its input, so the wrapper may be IMMUTABLE,
-- which an index expression requires.
CREATE FUNCTION intake_search_names(name text, aliases text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT lower(name || ' ' || array_to_string(aliases, ' ')) $$;

CREATE INDEX intake_search_trgm ON intake
    USING gin (intake_search_names(stated_name, aliases) gin_trgm_ops);
DROP INDEX intake_name_trgm;
CREATE INDEX ot_case_number_prefix ON ot_case (number text_pattern_ops);

-- The intake policy's test as a function, so that the search below applies exactly it.
CREATE FUNCTION scope_admits_intake(p_id bigint, p_found text, p_home text) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT scope_all()
        OR p_found = ANY(scope_list('pickup'))
        OR p_found = ANY(scope_list('home'))
        OR p_home = ANY(scope_list('home'))
        OR scope_admits_case_of(p_id)
$$;
ALTER POLICY intake_read ON intake USING (scope_admits_intake(id, found_region_code, home_region_code));

-- Intakes whose names match the search box (LIKE `pattern`, or a word like `word`) among
-- those the scope admits. A word is alike at a word similarity of 0.5, not the default 0.6:
-- one letter added to a six-letter name ("Selamet" for "Slamet") scores 0.5. Under row security the app's role cannot reach the trigram index:
-- LIKE and <% are not leakproof, so the planner must test the policy on every row before
-- them. The owner scans the index and then applies the same test itself.
CREATE FUNCTION intake_name_search(pattern text, word text) RETURNS SETOF bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    SET pg_trgm.word_similarity_threshold = 0.5 ROWS 50 AS $$
    SELECT id FROM intake
     WHERE (intake_search_names(stated_name, aliases) LIKE pattern
            OR word <% intake_search_names(stated_name, aliases))
       AND scope_admits_intake(id, found_region_code, home_region_code)
$$;
REVOKE ALL ON FUNCTION intake_name_search(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake_name_search(text, text) TO simlontar_app;
