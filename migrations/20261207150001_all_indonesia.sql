-- All of Indonesia in the region tables (geo/ now holds 514 regencies, 7,285 districts and
-- 83,762 villages). Outside East Java a regency's seat town is not known: its point is the
-- mean of its village centroids or its province's capital, flagged as an estimate.
ALTER TABLE region ALTER COLUMN seat DROP NOT NULL;
ALTER TABLE region ADD COLUMN seat_point_estimated boolean NOT NULL DEFAULT false;

-- The region picker searches regencies and districts by name anywhere in Indonesia
-- ("bima" -> Kota Bima, Kabupaten Bima); village names already have village_name_trgm.
CREATE INDEX region_name_trgm ON region USING gin (lower(name) gin_trgm_ops);
CREATE INDEX district_name_trgm ON district USING gin (lower(name) gin_trgm_ops);
-- Prefix scans by code (`code LIKE '35.%'`: East Java's villages for maps and the demo).
CREATE INDEX village_code_prefix ON village (code text_pattern_ops);
