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
async fn geo_load_brings_all_of_indonesia_and_east_javas_38_regions(pool: PgPool) {
    let summary = load_dir(&pool, &geo_dir()).await.unwrap();
    assert_eq!(summary.provinces, 38);
    assert_eq!(summary.regions, 514);
    assert_eq!(summary.districts, 7285);
    assert_eq!(summary.villages, 83762);
    assert!(summary.upts >= 25, "{summary:?}");
    let (east_java, kota, estimated): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE kind = 'kota'),
                count(*) FILTER (WHERE seat_point_estimated)
           FROM region WHERE province_code = '35'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((east_java, kota, estimated), (38, 9, 0));
    // Outside East Java the seat town is unknown and the point an estimate.
    let (seat, estimated): (Option<String>, bool) =
        sqlx::query_as("SELECT seat, seat_point_estimated FROM region WHERE code = '32.03'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((seat, estimated), (None, true));
}

/// The region picker's search: by name, anywhere in Indonesia, with the province.
#[sqlx::test]
async fn regions_are_found_by_name_with_their_province(pool: PgPool) {
    load_geo(&pool).await;
    let bima = store::search_regions(&pool, "bima", 10).await.unwrap();
    let found: Vec<(&str, &str, &str)> = bima
        .iter()
        .map(|c| (c.code.as_str(), c.name.as_str(), c.province.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("52.06", "Kabupaten Bima", "Nusa Tenggara Barat"),
            ("52.72", "Kota Bima", "Nusa Tenggara Barat"),
        ]
    );
    assert_eq!(bima[1].label(), "Kota Bima, Nusa Tenggara Barat");
    let cianjur = store::search_regions(&pool, " Cianjur ", 10).await.unwrap();
    assert_eq!(cianjur.len(), 1);
    assert_eq!(
        (cianjur[0].code.as_str(), cianjur[0].province.as_str()),
        ("32.03", "Jawa Barat")
    );
    // Wildcards typed are letters, not patterns; one letter finds nothing.
    assert!(store::search_regions(&pool, "%", 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store::search_regions(&pool, "_i", 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store::search_regions(&pool, "b", 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store::search_regions(&pool, "zzzz", 10)
        .await
        .unwrap()
        .is_empty());
}

#[sqlx::test]
async fn a_region_picker_reads_a_name_a_label_or_a_code(pool: PgPool) {
    use store::RegionPick;
    load_geo(&pool).await;
    let one = |p: RegionPick| match p {
        RegionPick::One(c) => c.code,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        one(store::pick_region(&pool, "cianjur").await.unwrap()),
        "32.03"
    );
    assert_eq!(
        one(store::pick_region(&pool, "Kota Bima").await.unwrap()),
        "52.72"
    );
    assert_eq!(
        one(
            store::pick_region(&pool, "Kota Bima, Nusa Tenggara Barat (52.72)")
                .await
                .unwrap()
        ),
        "52.72"
    );
    // The label as the picker gives it back, without a code.
    assert_eq!(
        one(store::pick_region(&pool, "Kota Bima, Nusa Tenggara Barat")
            .await
            .unwrap()),
        "52.72"
    );
    assert_eq!(
        one(store::pick_region(&pool, "Provinsi Jawa Barat")
            .await
            .unwrap()),
        "32"
    );
    assert_eq!(
        one(store::pick_region(&pool, "3203").await.unwrap()),
        "32.03"
    );
    assert_eq!(one(store::pick_region(&pool, "32").await.unwrap()), "32");
    match store::pick_region(&pool, "bima").await.unwrap() {
        RegionPick::Choose(c) => assert_eq!(c.len(), 2, "{c:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        store::pick_region(&pool, " ").await.unwrap(),
        RegionPick::Nothing
    );
    for nothing in ["99.99", "35.10.01.2001", "Atlantis"] {
        assert_eq!(
            store::pick_region(&pool, nothing).await.unwrap(),
            RegionPick::Choose(vec![]),
            "{nothing}"
        );
    }
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
async fn a_point_far_from_any_village_resolves_to_nothing(pool: PgPool) {
    load_geo(&pool).await;
    // Jakarta has villages now (all of Indonesia is loaded); the Indian Ocean has none.
    let r = store::region_at(&pool, &Geom::point(106.8272, -6.1754))
        .await
        .unwrap();
    assert!(r.as_deref().is_some_and(|r| r.starts_with("31.")), "{r:?}");
    let r = store::region_at(&pool, &Geom::point(100.0, -10.5))
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

/// The maps' backdrop (issue 26): the coast is loaded, every East Java district with
/// villages gets an area, a reload leaves the same areas, and every village with a point
/// falls within its own district's area and no other's — the about 200 whose point lies
/// off Natural Earth's coastline (small islands, shore villages) through a small disk.
#[sqlx::test]
async fn district_areas_cover_their_villages_and_a_reload_keeps_them(pool: PgPool) {
    load_geo(&pool).await;
    let areas = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT md5(string_agg(district_code || ST_AsEWKT(area), '|' ORDER BY district_code))
               FROM district_area",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    let first = areas().await;
    let (land,): (i64,) = sqlx::query_as("SELECT count(*) FROM land")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(land, 1, "the coast is loaded");
    let (districts, with_area, villages, outside, elsewhere): (i64, i64, i64, i64, i64) =
        sqlx::query_as(
            "SELECT (SELECT count(DISTINCT district_code) FROM village
                      WHERE code LIKE '35.%' AND centroid IS NOT NULL),
                    (SELECT count(*) FROM district_area),
                    count(*),
                    count(*) FILTER (WHERE NOT ST_Intersects(a.area, v.centroid)),
                    count(*) FILTER (WHERE EXISTS (SELECT 1 FROM district_area o
                        WHERE o.district_code <> v.district_code AND ST_Intersects(o.area, v.centroid)
                          AND NOT ST_Touches(o.area, v.centroid)))
               FROM village v LEFT JOIN district_area a ON a.district_code = v.district_code
              WHERE v.code LIKE '35.%' AND v.centroid IS NOT NULL",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
    eprintln!(
        "{with_area}/{districts} districts with an area; {outside} of {villages} villages outside their own area"
    );
    assert_eq!(with_area, districts);
    assert_eq!((outside, elsewhere), (0, 0), "of {villages}");
    load_geo(&pool).await;
    assert_eq!(areas().await, first, "a reload keeps the same areas");
}
