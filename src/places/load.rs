//! `simlontar geo load`: reads the `geo/` folder and upserts it in one transaction, so a
//! second load leaves the same rows and a bad file leaves the database as it was.
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use geozero::geojson::GeoJson;
use geozero::ToGeo;
use indicatif::ProgressBar;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use sqlx::{PgPool, Postgres, Transaction};

use super::geom::Geom;
use super::model::*;
use crate::csv_lines::Lines;

/// Counts of rows in the database after a load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadSummary {
    pub provinces: i64,
    pub regions: i64,
    pub districts: i64,
    pub villages: i64,
    pub upts: i64,
    pub wards: i64,
    pub hubs: i64,
    pub links: i64,
    /// East Java's districts with an area drawn (see `areas`).
    pub district_areas: i64,
    /// How long building the district areas (the Voronoi step) took in this load.
    pub areas_took: std::time::Duration,
}

struct CsvFile<T> {
    name: &'static str,
    rows: Vec<T>,
    sha256: String,
}

fn read_csv<T: DeserializeOwned>(dir: &Path, name: &'static str) -> anyhow::Result<CsvFile<T>> {
    let path = dir.join(name);
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let rows = parse_csv(&bytes).with_context(|| path.display().to_string())?;
    Ok(CsvFile { name, rows, sha256 })
}

/// Every row of a CSV file with a header, or the first bad row (the error names its line).
pub fn parse_csv<T: DeserializeOwned>(bytes: &[u8]) -> anyhow::Result<Vec<T>> {
    let lines = Lines::of(bytes);
    let mut reader = csv::Reader::from_reader(bytes);
    reader
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|e| anyhow::anyhow!(lines.describe(&e)))
}

fn point(file: &str, code: &str, lon: f64, lat: f64) -> anyhow::Result<Geom> {
    if !in_indonesia(lon, lat) {
        bail!("{file}: {code}: point ({lat}, {lon}) is not in Indonesia (lat, lon swapped?)");
    }
    Ok(Geom::point(lon, lat))
}

pub async fn load_dir(pool: &PgPool, dir: &Path) -> anyhow::Result<LoadSummary> {
    let provinces: CsvFile<ProvinceRow> = read_csv(dir, "provinces.csv")?;
    let relay: CsvFile<RelayRow> = read_csv(dir, "relay.csv")?;
    let regions: CsvFile<RegionRow> = read_csv(dir, "regencies.csv")?;
    let districts: CsvFile<DistrictRow> = read_csv(dir, "districts.csv")?;
    let villages: CsvFile<VillageRow> = read_csv(dir, "villages.csv")?;
    let upts: CsvFile<UptRow> = read_csv(dir, "upts.csv")?;
    let wards: CsvFile<WardRow> = read_csv(dir, "wards.csv")?;
    let hubs: CsvFile<HubRow> = read_csv(dir, "hubs.csv")?;
    let links: CsvFile<LinkRow> = read_csv(dir, "links.csv")?;
    let land = super::areas::read_land(dir)?;

    let progress = ProgressBar::new(11).with_message("loading geo/");
    let mut tx = pool.begin().await?;
    // One loader at a time: two concurrent loads would otherwise deadlock on upserts.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('simlontar geo load'))")
        .execute(&mut *tx)
        .await?;

    for p in &provinces.rows {
        let at = point(provinces.name, &p.code, p.lon, p.lat)?;
        sqlx::query(
            "INSERT INTO province (code, name, iso_code, capital, capital_point) VALUES ($1,$2,$3,$4,$5)
             ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, iso_code = EXCLUDED.iso_code,
               capital = EXCLUDED.capital, capital_point = EXCLUDED.capital_point",
        )
        .bind(&p.code)
        .bind(&p.name)
        .bind(&p.iso_code)
        .bind(&p.capital)
        .bind(at)
        .execute(&mut *tx)
        .await
        .with_context(|| format!("provinces.csv: {}", p.code))?;
    }
    progress.inc(1);
    for r in &relay.rows {
        sqlx::query(
            "INSERT INTO relay_rule (province_code, handover_province_code, note) VALUES ($1,$2,$3)
             ON CONFLICT (province_code) DO UPDATE SET handover_province_code = EXCLUDED.handover_province_code,
               note = EXCLUDED.note",
        )
        .bind(&r.province_code)
        .bind(&r.handover_province_code)
        .bind(&r.note)
        .execute(&mut *tx)
        .await
        .with_context(|| format!("relay.csv: {}", r.province_code))?;
    }
    progress.inc(1);
    load_regions(&mut tx, &regions).await?;
    progress.inc(1);
    load_areas(&mut tx, &districts, &villages).await?;
    progress.inc(2);
    load_upts(&mut tx, &upts, &wards).await?;
    progress.inc(2);
    load_network(&mut tx, &hubs, &links).await?;
    progress.inc(2);
    super::areas::load_land(&mut tx, land.as_ref().map(|(g, _)| g.as_str())).await?;
    let (_, areas_took) = super::areas::build_district_areas(&mut tx).await?;
    progress.inc(2);

    let sums: [(&str, usize, &str); 9] = [
        (provinces.name, provinces.rows.len(), &provinces.sha256),
        (relay.name, relay.rows.len(), &relay.sha256),
        (regions.name, regions.rows.len(), &regions.sha256),
        (districts.name, districts.rows.len(), &districts.sha256),
        (villages.name, villages.rows.len(), &villages.sha256),
        (upts.name, upts.rows.len(), &upts.sha256),
        (wards.name, wards.rows.len(), &wards.sha256),
        (hubs.name, hubs.rows.len(), &hubs.sha256),
        (links.name, links.rows.len(), &links.sha256),
    ];
    let land_sum = land
        .as_ref()
        .map(|(_, sha)| (super::areas::LAND_FILE, 1, sha.as_str()));
    for (name, rows, sha) in sums.into_iter().chain(land_sum) {
        sqlx::query(
            "INSERT INTO geo_dataset (name, rows, sha256) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET rows = EXCLUDED.rows, sha256 = EXCLUDED.sha256,
               loaded_at = now()",
        )
        .bind(name)
        .bind(rows as i32)
        .bind(sha)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    progress.finish_and_clear();
    Ok(LoadSummary {
        areas_took,
        ..summary(pool).await?
    })
}

/// One statement for all 514 regencies (a row at a time took a round trip each).
async fn load_regions(
    tx: &mut Transaction<'_, Postgres>,
    regions: &CsvFile<RegionRow>,
) -> anyhow::Result<()> {
    let mut points = Vec::with_capacity(regions.rows.len());
    for r in &regions.rows {
        points.push(point(regions.name, &r.code, r.lon, r.lat)?);
    }
    let col = |f: fn(&RegionRow) -> &str| regions.rows.iter().map(f).collect::<Vec<&str>>();
    let seats: Vec<Option<&str>> = regions
        .rows
        .iter()
        .map(|r| r.seat.as_deref().filter(|s| !s.is_empty()))
        .collect();
    let estimated: Vec<bool> = regions.rows.iter().map(|r| r.estimated_location).collect();
    sqlx::query(
        "INSERT INTO region (code, province_code, name, kind, seat, seat_point, seat_point_estimated)
         SELECT code, substr(code, 1, 2), name, kind, seat, at, estimated
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::geometry[], $6::bool[])
                AS t(code, name, kind, seat, at, estimated)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
           seat = EXCLUDED.seat, seat_point = EXCLUDED.seat_point,
           seat_point_estimated = EXCLUDED.seat_point_estimated",
    )
    .bind(col(|r| &r.code))
    .bind(col(|r| &r.name))
    .bind(col(|r| &r.kind))
    .bind(&seats)
    .bind(&points)
    .bind(&estimated)
    .execute(&mut **tx)
    .await
    .context("regencies.csv")?;
    Ok(())
}

async fn load_areas(
    tx: &mut Transaction<'_, Postgres>,
    districts: &CsvFile<DistrictRow>,
    villages: &CsvFile<VillageRow>,
) -> anyhow::Result<()> {
    let codes: Vec<&str> = districts.rows.iter().map(|d| d.code.as_str()).collect();
    let regions: Vec<&str> = districts
        .rows
        .iter()
        .map(|d| d.regency_code.as_str())
        .collect();
    let names: Vec<&str> = districts.rows.iter().map(|d| d.name.as_str()).collect();
    sqlx::query(
        "INSERT INTO district (code, region_code, name)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
         ON CONFLICT (code) DO UPDATE SET region_code = EXCLUDED.region_code, name = EXCLUDED.name
         WHERE (district.region_code, district.name) IS DISTINCT FROM (EXCLUDED.region_code, EXCLUDED.name)",
    )
    .bind(&codes)
    .bind(&regions)
    .bind(&names)
    .execute(&mut **tx)
    .await
    .context("districts.csv")?;

    let mut centroids = Vec::with_capacity(villages.rows.len());
    for v in &villages.rows {
        centroids.push(match (v.lon, v.lat) {
            (Some(lon), Some(lat)) => Some(point(villages.name, &v.code, lon, lat)?),
            _ => None,
        });
    }
    let codes: Vec<&str> = villages.rows.iter().map(|v| v.code.as_str()).collect();
    let parents: Vec<&str> = villages
        .rows
        .iter()
        .map(|v| v.district_code.as_str())
        .collect();
    let names: Vec<&str> = villages.rows.iter().map(|v| v.name.as_str()).collect();
    let postal: Vec<Option<&str>> = villages
        .rows
        .iter()
        .map(|v| v.postal_code.as_deref())
        .collect();
    sqlx::query(
        "INSERT INTO village (code, district_code, name, postal_code, centroid)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::geometry[])
         ON CONFLICT (code) DO UPDATE SET district_code = EXCLUDED.district_code, name = EXCLUDED.name,
           postal_code = EXCLUDED.postal_code, centroid = EXCLUDED.centroid
         -- A reload rewrites only the rows that changed (83,762 villages).
         WHERE (village.district_code, village.name, village.postal_code, village.centroid)
               IS DISTINCT FROM (EXCLUDED.district_code, EXCLUDED.name, EXCLUDED.postal_code, EXCLUDED.centroid)",
    )
    .bind(&codes)
    .bind(&parents)
    .bind(&names)
    .bind(&postal)
    .bind(&centroids)
    .execute(&mut **tx)
    .await
    .context("villages.csv")?;
    Ok(())
}

async fn load_upts(
    tx: &mut Transaction<'_, Postgres>,
    upts: &CsvFile<UptRow>,
    wards: &CsvFile<WardRow>,
) -> anyhow::Result<()> {
    for u in &upts.rows {
        let at = point(upts.name, &u.code, u.lon, u.lat)?;
        sqlx::query(
            "INSERT INTO upt (code, name, region_code, town, location, location_estimated)
             VALUES ($1,$2,$3,$4,$5,$6)
             ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, region_code = EXCLUDED.region_code,
               town = EXCLUDED.town, location = EXCLUDED.location,
               location_estimated = EXCLUDED.location_estimated",
        )
        .bind(&u.code)
        .bind(&u.name)
        .bind(&u.regency_code)
        .bind(&u.town)
        .bind(at)
        .bind(u.estimated_location)
        .execute(&mut **tx)
        .await
        .with_context(|| format!("upts.csv: {}", u.code))?;
        let services: Vec<&str> = u.services.split(';').map(str::trim).collect();
        sqlx::query("DELETE FROM upt_service WHERE upt_code = $1 AND NOT need_code = ANY($2)")
            .bind(&u.code)
            .bind(&services)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO upt_service (upt_code, need_code) SELECT $1, unnest($2::text[])
             ON CONFLICT DO NOTHING",
        )
        .bind(&u.code)
        .bind(&services)
        .execute(&mut **tx)
        .await
        .with_context(|| format!("upts.csv: {}: unknown service in `{}`", u.code, u.services))?;
    }
    for w in &wards.rows {
        // Occupancy is the system's own record and survives a reload; the ward CHECK
        // refuses a new bed count below the current occupancy. A bed count or admission
        // rules set in the app (`ward_change`) are newer than the file and survive too.
        sqlx::query(
            "INSERT INTO ward (upt_code, code, name, sex, need_code, beds, beds_estimated, source)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
             ON CONFLICT (upt_code, code) DO UPDATE SET name = EXCLUDED.name,
               sex = CASE WHEN EXISTS (SELECT 1 FROM ward_change c WHERE c.ward_id = ward.id AND c.kind = 'rules')
                          THEN ward.sex ELSE EXCLUDED.sex END,
               need_code = EXCLUDED.need_code,
               beds = CASE WHEN EXISTS (SELECT 1 FROM ward_change c WHERE c.ward_id = ward.id AND c.kind = 'beds')
                           THEN ward.beds ELSE EXCLUDED.beds END,
               beds_estimated = CASE WHEN EXISTS (SELECT 1 FROM ward_change c WHERE c.ward_id = ward.id AND c.kind = 'beds')
                           THEN ward.beds_estimated ELSE EXCLUDED.beds_estimated END,
               source = EXCLUDED.source",
        )
        .bind(&w.upt_code)
        .bind(&w.ward_code)
        .bind(&w.name)
        .bind(&w.sex)
        .bind(&w.need)
        .bind(w.beds)
        .bind(w.beds_estimated)
        .bind(&w.source)
        .execute(&mut **tx)
        .await
        .with_context(|| format!("wards.csv: {}", w.ward_code))?;
    }
    Ok(())
}

async fn load_network(
    tx: &mut Transaction<'_, Postgres>,
    hubs: &CsvFile<HubRow>,
    links: &CsvFile<LinkRow>,
) -> anyhow::Result<()> {
    for h in &hubs.rows {
        let at = point(hubs.name, &h.code, h.lon, h.lat)?;
        let (province, region) = h.place();
        sqlx::query(
            "INSERT INTO hub (code, name, kind, province_code, region_code, location, location_estimated)
             VALUES ($1,$2,$3,$4,$5,$6,$7)
             ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
               province_code = EXCLUDED.province_code, region_code = EXCLUDED.region_code,
               location = EXCLUDED.location, location_estimated = EXCLUDED.location_estimated",
        )
        .bind(&h.code)
        .bind(&h.name)
        .bind(&h.kind)
        .bind(province)
        .bind(region)
        .bind(at)
        .bind(h.estimated_location)
        .execute(&mut **tx)
        .await
        .with_context(|| format!("hubs.csv: {}", h.code))?;
    }
    for l in &links.rows {
        sqlx::query(
            "INSERT INTO link (from_hub, to_hub, mode, minutes, fare_idr, estimated)
             VALUES ($1,$2,$3,$4,$5,$6)
             ON CONFLICT (from_hub, to_hub, mode) DO UPDATE SET minutes = EXCLUDED.minutes,
               fare_idr = EXCLUDED.fare_idr, estimated = EXCLUDED.estimated",
        )
        .bind(&l.from_code)
        .bind(&l.to_code)
        .bind(&l.mode)
        .bind(l.minutes)
        .bind(l.fare_idr)
        .bind(l.estimated)
        .execute(&mut **tx)
        .await
        .with_context(|| format!("links.csv: {} – {}", l.from_code, l.to_code))?;
    }
    Ok(())
}

pub async fn summary(pool: &PgPool) -> anyhow::Result<LoadSummary> {
    let row: (i64, i64, i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM province), (SELECT count(*) FROM region),
                (SELECT count(*) FROM district), (SELECT count(*) FROM village),
                (SELECT count(*) FROM upt), (SELECT count(*) FROM ward),
                (SELECT count(*) FROM hub), (SELECT count(*) FROM link),
                (SELECT count(*) FROM district_area)",
    )
    .fetch_one(pool)
    .await?;
    Ok(LoadSummary {
        provinces: row.0,
        regions: row.1,
        districts: row.2,
        villages: row.3,
        upts: row.4,
        wards: row.5,
        hubs: row.6,
        links: row.7,
        district_areas: row.8,
        areas_took: std::time::Duration::ZERO,
    })
}

/// Fills region boundaries from an official GeoJSON FeatureCollection. Each feature names
/// its region in one of the properties `code`, `kode`, `kode_kab`, `CC_2` (35.78 or 3578).
/// Returns how many regions got a boundary; features of unknown regions are an error.
pub async fn load_boundaries(pool: &PgPool, file: &PathBuf) -> anyhow::Result<usize> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let boundaries = parse_boundaries(&text).with_context(|| file.display().to_string())?;
    let mut tx = pool.begin().await?;
    for (i, (code, geometry)) in boundaries.iter().enumerate() {
        let updated =
            sqlx::query("UPDATE region SET boundary = ST_Multi(ST_MakeValid($2)) WHERE code = $1")
                .bind(code)
                .bind(Geom(geometry.clone()))
                .execute(&mut *tx)
                .await
                .with_context(|| format!("{} feature {i} ({code})", file.display()))?;
        if updated.rows_affected() == 0 {
            bail!(
                "{} feature {i}: region {code} is not loaded",
                file.display()
            );
        }
    }
    tx.commit().await?;
    Ok(boundaries.len())
}

/// Each feature's region code and geometry, or the first feature that has neither.
pub fn parse_boundaries(text: &str) -> anyhow::Result<Vec<(String, geo_types::Geometry)>> {
    let json: serde_json::Value = serde_json::from_str(text).context("not JSON")?;
    let features = json["features"]
        .as_array()
        .context("not a GeoJSON FeatureCollection")?;
    let mut out = Vec::with_capacity(features.len());
    for (i, feature) in features.iter().enumerate() {
        let props = &feature["properties"];
        let code = ["code", "kode", "kode_kab", "CC_2"]
            .iter()
            .find_map(|k| match &props[*k] {
                serde_json::Value::String(s) => normalise_region_code(s),
                serde_json::Value::Number(n) => normalise_region_code(&n.to_string()),
                _ => None,
            })
            .with_context(|| {
                format!("feature {i}: no region code in properties code/kode/kode_kab/CC_2")
            })?;
        let geometry = GeoJson(&feature["geometry"].to_string())
            .to_geo()
            .with_context(|| format!("feature {i} ({code}): bad geometry"))?;
        out.push((code, geometry));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hostile::{csv_bytes, names_a_line};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_bytes_give_villages_or_an_error_with_a_line(
            bytes in csv_bytes("code,district_code,name,postal_code,lat,lon")
        ) {
            if let Err(e) = parse_csv::<VillageRow>(&bytes) {
                prop_assert!(names_a_line(&format!("{e:#}")), "{e:#}");
            }
        }

        #[test]
        fn any_feature_collection_gives_boundaries_or_an_error(
            code in prop_oneof![Just("\"3578\""), Just("3578"), Just("\"KOTA\""), Just("null")],
            kind in proptest::sample::select(vec!["Polygon", "MultiPolygon", "Point", "LineString", "GeometryCollection", "Nope"]),
            coordinates in "[\\[\\]0-9.,eE-]{0,60}",
        ) {
            let text = format!(
                r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"code":{code}}},"geometry":{{"type":"{kind}","coordinates":{coordinates}}}}}]}}"#
            );
            if let Ok(found) = parse_boundaries(&text) {
                prop_assert_eq!(found.len(), 1);
                prop_assert_eq!(found[0].0.as_str(), "35.78");
            }
        }
    }

    #[test]
    fn the_reference_villages_parse() {
        let bytes =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/geo/villages.csv")).unwrap();
        assert!(parse_csv::<VillageRow>(&bytes).unwrap().len() > 100);
    }
}
