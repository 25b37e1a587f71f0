//! The map backdrop written at `geo load`: the coast (Natural Earth land clipped to East
//! Java, from `geo/east_java_land.geojson`) and district areas built from the village
//! centroids (Voronoi cells merged per district, clipped to the land). Both are
//! recomputed from their inputs on every load, so a reload leaves the same rows.
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use sha2::{Digest, Sha256};
use sqlx::{Postgres, Transaction};

pub const LAND_FILE: &str = "east_java_land.geojson";

/// The land file's geometry (one feature, or a bare geometry) and its checksum; `None`
/// when the folder has none (the maps are then drawn without a coast).
pub fn read_land(dir: &Path) -> anyhow::Result<Option<(String, String)>> {
    let path = dir.join(LAND_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let json: serde_json::Value =
        serde_json::from_slice(&bytes).with_context(|| format!("{LAND_FILE}: not JSON"))?;
    let geometry = match json["type"].as_str() {
        Some("FeatureCollection") => json["features"][0]["geometry"].clone(),
        Some("Feature") => json["geometry"].clone(),
        _ => json,
    };
    if !matches!(geometry["type"].as_str(), Some("Polygon" | "MultiPolygon")) {
        anyhow::bail!("{LAND_FILE}: the first feature is not a polygon");
    }
    Ok(Some((geometry.to_string(), sha256)))
}

pub async fn load_land(
    tx: &mut Transaction<'_, Postgres>,
    geometry: Option<&str>,
) -> anyhow::Result<()> {
    match geometry {
        Some(g) => sqlx::query(
            "INSERT INTO land (name, source, geom)
             VALUES ('east_java', 'Natural Earth 1:10m land (public domain)',
                     ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)), 3)))
             ON CONFLICT (name) DO UPDATE SET source = EXCLUDED.source, geom = EXCLUDED.geom
             WHERE NOT ST_Equals(land.geom, EXCLUDED.geom)",
        )
        .bind(g)
        .execute(&mut **tx)
        .await
        .context(LAND_FILE)?,
        None => sqlx::query("DELETE FROM land").execute(&mut **tx).await?,
    };
    Ok(())
}

/// Builds East Java's district areas from its village centroids; returns how many
/// districts got an area and how long it took. A cell goes to the district of the village
/// inside it (two villages on one point: the lower code). Clipped to the land and to
/// small disks around villages off the coastline; without land, to the villages' extent.
pub async fn build_district_areas(
    tx: &mut Transaction<'_, Postgres>,
) -> anyhow::Result<(u64, Duration)> {
    let started = Instant::now();
    // Each step once (MATERIALIZED): inlined, the shore was rebuilt for every district.
    sqlx::query(
        "CREATE TEMP TABLE new_area ON COMMIT DROP AS
         WITH pts AS (
           SELECT ST_Collect(centroid) AS g FROM village
            WHERE code LIKE '35.%' AND centroid IS NOT NULL
         ), cells AS MATERIALIZED (
           SELECT (ST_Dump(ST_VoronoiPolygons(g, 0, ST_Expand(g, 0.2)))).geom AS cell FROM pts
            WHERE g IS NOT NULL
         ), owned AS MATERIALIZED (
           SELECT DISTINCT ON (c.cell) v.district_code, c.cell
             FROM cells c JOIN village v ON v.centroid && c.cell AND ST_Intersects(c.cell, v.centroid)
            WHERE v.code LIKE '35.%'
            ORDER BY c.cell, v.code
         ), merged AS MATERIALIZED (
           SELECT district_code, ST_Union(cell) AS g FROM owned GROUP BY district_code
         ), coast AS MATERIALIZED (
           SELECT ST_Union(geom) AS g FROM land
         ), shore AS MATERIALIZED (
           -- The land, and a disk of about 550 m around each village the coastline
           -- leaves in the sea (small islands and shore villages Natural Earth misses),
           -- so that every village lies within its district's area.
           SELECT ST_Union(coast.g, coalesce(
                    (SELECT ST_Union(ST_Buffer(v.centroid, 0.005, 4)) FROM village v
                      WHERE v.code LIKE '35.%' AND v.centroid IS NOT NULL
                        AND NOT ST_Intersects(v.centroid, coast.g)), coast.g)) AS g
             FROM coast WHERE coast.g IS NOT NULL
         )
         SELECT m.district_code,
                ST_Multi(ST_CollectionExtract(ST_MakeValid(
                  CASE WHEN s.g IS NULL THEN m.g ELSE ST_Intersection(m.g, s.g) END), 3)) AS area
           FROM merged m LEFT JOIN shore s ON true",
    )
    .execute(&mut **tx)
    .await
    .context("district areas")?;
    sqlx::query(
        "DELETE FROM district_area d
          WHERE NOT EXISTS (SELECT 1 FROM new_area n WHERE n.district_code = d.district_code AND NOT ST_IsEmpty(n.area))",
    )
    .execute(&mut **tx)
    .await?;
    let written = sqlx::query(
        "INSERT INTO district_area (district_code, area, label_point)
         SELECT district_code, area, ST_PointOnSurface(area) FROM new_area WHERE NOT ST_IsEmpty(area)
         ON CONFLICT (district_code) DO UPDATE SET area = EXCLUDED.area, label_point = EXCLUDED.label_point
         -- A reload rewrites only the areas that changed.
         WHERE NOT ST_Equals(district_area.area, EXCLUDED.area)",
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    sqlx::query("DROP TABLE new_area")
        .execute(&mut **tx)
        .await?;
    Ok((written, started.elapsed()))
}
