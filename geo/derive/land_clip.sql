-- Clips land_box.json (from land_box.js) to lon 110.8–116.3, lat -8.9 – -6.7, 4 decimals:
--   psql DB_WITH_POSTGIS -At -f land_clip.sql > ../east_java_land.geojson
\set g `cat land_box.json`
SELECT json_build_object('type','FeatureCollection','features',json_build_array(json_build_object('type','Feature',
  'properties',json_build_object('source','Natural Earth 1:10m land (via npm world-atlas 2.0.2, land-10m.json)','licence','public domain'),
  'geometry',ST_AsGeoJSON(ST_Multi(ST_Intersection(ST_SetSRID(ST_GeomFromGeoJSON(:'g'),4326), ST_MakeEnvelope(110.8,-8.9,116.3,-6.7,4326))),4)::json)))
