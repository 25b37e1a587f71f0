use sqlx::PgPool;

use crate::common::{geo_dir, load_geo};
use simlontar::places::load::{load_boundaries, load_dir};
use simlontar::places::{store, Geom};

/// Every row of the reference tables, as one string, to compare loads.
async fn snapshot(pool: &PgPool) -> String {
    sqlx::query_scalar(
        "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
           SELECT format('%s', p) AS t FROM province p UNION ALL
           SELECT format('%s', r) FROM region r UNION ALL
           SELECT format('%s', d) FROM district d UNION ALL
           SELECT format('%s', v) FROM village v UNION ALL
           SELECT format('%s', u) FROM upt u UNION ALL
           SELECT format('%s', s) FROM upt_service s UNION ALL
           SELECT format('%s %s %s %s', w.id, w.code, w.beds, w.occupied) FROM ward w UNION ALL
           SELECT format('%s', h) FROM hub h UNION ALL
           SELECT format('%s', l) FROM link l UNION ALL
           SELECT format('%s', x) FROM relay_rule x) all_rows",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn geo_load_brings_east_javas_38_regions(pool: PgPool) {
    let summary = load_dir(&pool, &geo_dir()).await.unwrap();
    assert_eq!(summary.provinces, 38);
    assert_eq!(summary.regions, 38);
    assert!(summary.districts >= 660, "{summary:?}");
    assert!(summary.villages >= 8400, "{summary:?}");
    assert!(summary.upts >= 25, "{summary:?}");
    let kota: i64 = sqlx::query_scalar("SELECT count(*) FROM region WHERE kind = 'kota'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(kota, 9);
}

#[sqlx::test]
async fn geo_load_twice_leaves_the_same_rows(pool: PgPool) {
    load_geo(&pool).await;
    let first = snapshot(&pool).await;
    load_geo(&pool).await;
    assert_eq!(snapshot(&pool).await, first);
}

#[sqlx::test]
async fn a_broken_geo_file_changes_nothing(pool: PgPool) {
    load_geo(&pool).await;
    let before = snapshot(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(geo_dir()).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_some_and(|e| e == "csv") {
            std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).unwrap();
        }
    }
    // A ward that needs a service no UPT offers: the foreign key refuses it, and the
    // provinces already upserted in the same transaction are rolled back.
    let wards = std::fs::read_to_string(dir.path().join("wards.csv")).unwrap();
    std::fs::write(
        dir.path().join("wards.csv"),
        wards + "RSBL-KEDIRI,RSBL-KEDIRI-X,Wisma X,male,astrology,10,true,test\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("provinces.csv"),
        "code,name,iso_code,capital,lat,lon\n11,Renamed,ID-AC,Banda Aceh,5.55,95.32\n",
    )
    .unwrap();
    let err = load_dir(&pool, dir.path()).await.unwrap_err();
    assert!(format!("{err:#}").contains("RSBL-KEDIRI-X"), "{err:#}");
    assert_eq!(snapshot(&pool).await, before);
}

#[sqlx::test]
async fn swapped_coordinates_are_refused_with_the_row(pool: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("provinces.csv"),
        "code,name,iso_code,capital,lat,lon\n35,Jawa Timur,ID-JI,Surabaya,112.75,-7.25\n",
    )
    .unwrap();
    for f in [
        "relay.csv",
        "regencies.csv",
        "districts.csv",
        "villages.csv",
        "upts.csv",
        "wards.csv",
        "hubs.csv",
        "links.csv",
    ] {
        std::fs::copy(geo_dir().join(f), dir.path().join(f)).unwrap();
    }
    let err = format!("{:#}", load_dir(&pool, dir.path()).await.unwrap_err());
    assert!(err.contains("provinces.csv: 35"), "{err}");
    assert!(err.contains("not in Indonesia"), "{err}");
}

#[sqlx::test]
async fn a_point_in_surabaya_resolves_to_35_78(pool: PgPool) {
    load_geo(&pool).await;
    // Tugu Pahlawan, central Surabaya.
    let r = store::region_at(&pool, &Geom::point(112.7378, -7.2458))
        .await
        .unwrap();
    assert_eq!(r.as_deref(), Some("35.78"));
    // Banyuwangi town.
    let r = store::region_at(&pool, &Geom::point(114.3690, -8.2190))
        .await
        .unwrap();
    assert_eq!(r.as_deref(), Some("35.10"));
}

#[sqlx::test]
async fn a_point_far_outside_east_java_resolves_to_nothing(pool: PgPool) {
    load_geo(&pool).await;
    // Jakarta.
    let r = store::region_at(&pool, &Geom::point(106.8272, -6.1754))
        .await
        .unwrap();
    assert_eq!(r, None);
}

#[sqlx::test]
async fn official_boundaries_take_precedence_over_nearest_village(pool: PgPool) {
    load_geo(&pool).await;
    // A (made-up) boundary file that draws Kota Batu's polygon over central Surabaya.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.geojson");
    std::fs::write(
        &file,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"kode":"3579"},
           "geometry":{"type":"Polygon","coordinates":[[[112.70,-7.28],[112.78,-7.28],[112.78,-7.21],[112.70,-7.21],[112.70,-7.28]]]}}]}"#,
    )
    .unwrap();
    assert_eq!(load_boundaries(&pool, &file).await.unwrap(), 1);
    let r = store::region_at(&pool, &Geom::point(112.7378, -7.2458))
        .await
        .unwrap();
    assert_eq!(r.as_deref(), Some("35.79"));
}

#[sqlx::test]
async fn a_boundary_for_an_unknown_region_is_refused_and_nothing_is_kept(pool: PgPool) {
    load_geo(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.geojson");
    std::fs::write(
        &file,
        r#"{"type":"FeatureCollection","features":[
           {"type":"Feature","properties":{"kode":"3578"},"geometry":{"type":"Polygon","coordinates":[[[112.7,-7.3],[112.8,-7.3],[112.8,-7.2],[112.7,-7.3]]]}},
           {"type":"Feature","properties":{"kode":"3599"},"geometry":{"type":"Polygon","coordinates":[[[112.7,-7.3],[112.8,-7.3],[112.8,-7.2],[112.7,-7.3]]]}}]}"#,
    )
    .unwrap();
    let err = format!("{:#}", load_boundaries(&pool, &file).await.unwrap_err());
    assert!(err.contains("35.99"), "{err}");
    let with_boundary: i64 =
        sqlx::query_scalar("SELECT count(*) FROM region WHERE boundary IS NOT NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(with_boundary, 0);
}

#[sqlx::test]
async fn geometry_round_trips_through_geozero_with_srid_4326(pool: PgPool) {
    let (back, srid): (Geom, i32) = sqlx::query_as("SELECT $1::geometry, ST_SRID($1)")
        .bind(Geom::point(112.75, -7.25))
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(back.as_lon_lat(), Some((112.75, -7.25)));
    assert_eq!(srid, 4326);
}
