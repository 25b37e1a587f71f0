-- The coast and the district areas the maps draw, both written by `simlontar geo load`.
-- land: Natural Earth's 1:10m land clipped to East Java (geo/east_java_land.geojson).
CREATE TABLE land (
    name   text PRIMARY KEY,
    source text NOT NULL,
    geom   geometry(MultiPolygon, 4326) NOT NULL
);

-- A district's area as far as the village centroids tell: the Voronoi cells of its
-- villages merged and clipped to the land. An approximation for maps, not a boundary.
CREATE TABLE district_area (
    district_code text PRIMARY KEY REFERENCES district ON DELETE CASCADE,
    area          geometry(MultiPolygon, 4326) NOT NULL,
    -- Where the map writes the district's name (inside the area).
    label_point   geometry(Point, 4326) NOT NULL
);
CREATE INDEX district_area_gix ON district_area USING gist (area);
GRANT SELECT ON land, district_area TO simlontar_app;
