-- Reference geography: provinces, East Java's regencies/cities, districts, villages,
-- the relay rule for other provinces, UPT shelters with wards, and the transport network.
-- All geometry is WGS 84 (SRID 4326).
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE province (
    code          text PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
    name          text NOT NULL CHECK (name <> ''),
    iso_code      text CHECK (iso_code ~ '^ID-[A-Z]{2}$'),
    capital       text,
    capital_point geometry(Point, 4326)
);

-- Which provincial social office East Java hands a person from each province to (estafet).
CREATE TABLE relay_rule (
    province_code          text PRIMARY KEY REFERENCES province,
    handover_province_code text NOT NULL REFERENCES province,
    note                   text
);

-- Kabupaten/kota (second-level regions) with Kemendagri codes such as 35.78.
CREATE TABLE region (
    code          text PRIMARY KEY CHECK (code ~ '^[0-9]{2}\.[0-9]{2}$'),
    province_code text NOT NULL REFERENCES province,
    name          text NOT NULL CHECK (name <> ''),
    kind          text NOT NULL CHECK (kind IN ('kabupaten', 'kota')),
    seat          text NOT NULL,
    seat_point    geometry(Point, 4326) NOT NULL,
    boundary      geometry(MultiPolygon, 4326),
    dinsos_email  text CHECK (dinsos_email ~ '^[^@\s]+@[^@\s]+$'),
    CHECK (substr(code, 1, 2) = province_code)
);
CREATE INDEX region_boundary_gix ON region USING gist (boundary);

CREATE TABLE district (
    code        text PRIMARY KEY CHECK (code ~ '^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$'),
    region_code text NOT NULL REFERENCES region,
    name        text NOT NULL CHECK (name <> ''),
    CHECK (substr(code, 1, 5) = region_code)
);

CREATE TABLE village (
    code          text PRIMARY KEY CHECK (code ~ '^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$'),
    district_code text NOT NULL REFERENCES district,
    name          text NOT NULL CHECK (name <> ''),
    postal_code   text CHECK (postal_code ~ '^[0-9]{5}$'),
    centroid      geometry(Point, 4326),
    CHECK (substr(code, 1, 8) = district_code)
);
CREATE INDEX village_centroid_gix ON village USING gist (centroid);
CREATE INDEX village_name_trgm ON village USING gin (lower(name) gin_trgm_ops);

-- The needs a UPT ward can serve; the vocabulary geo/upts.csv and geo/wards.csv use.
CREATE TABLE need (
    code    text PRIMARY KEY CHECK (code ~ '^[a-z_]+$'),
    name_id text NOT NULL,
    name_en text NOT NULL
);
INSERT INTO need (code, name_id, name_en) VALUES
    ('elderly', 'Lanjut usia', 'Elderly'),
    ('toddler', 'Balita', 'Toddler'),
    ('child', 'Anak', 'Child'),
    ('youth', 'Remaja', 'Youth'),
    ('psychosocial', 'Disabilitas mental (ODGJ)', 'Psychosocial disability'),
    ('physical_disability', 'Disabilitas fisik', 'Physical disability'),
    ('visual_disability', 'Disabilitas netra', 'Visual disability'),
    ('hearing_disability', 'Disabilitas rungu wicara', 'Hearing and speech disability'),
    ('intellectual_disability', 'Disabilitas grahita', 'Intellectual disability'),
    ('women', 'Perempuan rentan', 'Women at social risk'),
    ('homeless', 'Gelandangan dan orang terlantar', 'Homeless and stranded people'),
    ('leprosy', 'Eks kusta', 'Former leprosy patients');

CREATE TABLE upt (
    code               text PRIMARY KEY CHECK (code ~ '^[A-Z0-9-]+$'),
    name               text NOT NULL CHECK (name <> ''),
    region_code        text NOT NULL REFERENCES region,
    town               text NOT NULL,
    location           geometry(Point, 4326) NOT NULL,
    location_estimated boolean NOT NULL
);
CREATE INDEX upt_location_gix ON upt USING gist (location);

CREATE TABLE upt_service (
    upt_code  text NOT NULL REFERENCES upt ON DELETE CASCADE,
    need_code text NOT NULL REFERENCES need,
    PRIMARY KEY (upt_code, need_code)
);

-- A ward's bed count and its occupancy counter. The counter is kept by the placement
-- triggers (a later migration) and the CHECK makes over-filling impossible even when
-- many placements race: each one updates this row, so they serialise on its lock.
CREATE TABLE ward (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    upt_code       text NOT NULL REFERENCES upt,
    code           text NOT NULL CHECK (code ~ '^[A-Z0-9-]+$'),
    name           text NOT NULL CHECK (name <> ''),
    sex            text NOT NULL CHECK (sex IN ('male', 'female', 'any')),
    need_code      text NOT NULL REFERENCES need,
    beds           integer NOT NULL CHECK (beds >= 0),
    beds_estimated boolean NOT NULL,
    source         text,
    occupied       integer NOT NULL DEFAULT 0,
    held           integer NOT NULL DEFAULT 0,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (upt_code, code),
    CHECK (occupied >= 0 AND held >= 0 AND occupied + held <= beds)
);

CREATE TABLE hub (
    code               text PRIMARY KEY CHECK (code ~ '^[A-Z0-9-]+$'),
    name               text NOT NULL CHECK (name <> ''),
    kind               text NOT NULL CHECK (kind IN ('bus_terminal', 'rail_station', 'port')),
    province_code      text NOT NULL REFERENCES province,
    region_code        text REFERENCES region,
    location           geometry(Point, 4326) NOT NULL,
    location_estimated boolean NOT NULL,
    CHECK (region_code IS NULL OR substr(region_code, 1, 2) = province_code)
);
CREATE INDEX hub_location_gix ON hub USING gist (location);

-- An undirected transport link between two hubs (usable both ways).
CREATE TABLE link (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_hub  text NOT NULL REFERENCES hub,
    to_hub    text NOT NULL REFERENCES hub,
    mode      text NOT NULL CHECK (mode IN ('bus', 'rail', 'ferry', 'ship')),
    minutes   integer NOT NULL CHECK (minutes > 0),
    fare_idr  integer NOT NULL CHECK (fare_idr >= 0),
    estimated boolean NOT NULL,
    CHECK (from_hub <> to_hub),
    UNIQUE (from_hub, to_hub, mode)
);

-- Which reference data set was loaded, when, and under which licence (ODbL/CC BY
-- attribution needs to be traceable).
CREATE TABLE geo_dataset (
    name      text PRIMARY KEY,
    rows      integer NOT NULL,
    sha256    text NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);
