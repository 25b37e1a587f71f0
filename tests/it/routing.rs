//! Transport plans over the real geo/ data: routing::plan_to and `simlontar plan`.
use serde_json::Value;
use sqlx::PgPool;

use crate::cli::run;
use crate::common::{geo_dir, load_geo};
use simlontar::places::Geom;
use simlontar::routing::store::{plan_to, RoutingError};
use simlontar::routing::{map_of, Condition, EscortNeed, EscortRole, Mode, TransportPlan};

const SURABAYA: (f64, f64) = (-7.2575, 112.7521);
/// Desa Rejosari, Kec. Glagah, Kabupaten Banyuwangi.
const REJOSARI: &str = "35.10.15.2001";

/// geo/links.csv as (from, to, mode, minutes, fare).
fn csv_links() -> Vec<(String, String, String, u32, u64)> {
    let mut r = csv::Reader::from_path(geo_dir().join("links.csv")).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                rec[0].to_string(),
                rec[1].to_string(),
                rec[2].to_string(),
                rec[3].parse().unwrap(),
                rec[4].parse().unwrap(),
            )
        })
        .collect()
}

fn no_escort() -> EscortNeed {
    EscortNeed::default()
}

/// Totals are the sums of the legs, each leg starts where the last ended, and every
/// public-transport leg is a row of geo/links.csv (either direction) with its time and fare.
fn assert_consistent(plan: &TransportPlan) {
    assert_eq!(
        plan.total_minutes,
        plan.legs.iter().map(|l| l.minutes).sum::<u32>()
    );
    assert_eq!(
        plan.total_fare_idr,
        plan.legs.iter().map(|l| l.fare_idr).sum::<u64>()
    );
    for w in plan.legs.windows(2) {
        assert_eq!(w[0].to, w[1].from);
    }
    let links = csv_links();
    for leg in plan.legs.iter().filter(|l| l.mode != Mode::Road) {
        let (a, b) = (leg.from_code.clone().unwrap(), leg.to_code.clone().unwrap());
        let row = links
            .iter()
            .find(|(f, t, m, ..)| {
                m == leg.mode.as_str() && ((*f == a && *t == b) || (*f == b && *t == a))
            })
            .unwrap_or_else(|| panic!("no link {a}–{b} {:?} in links.csv", leg.mode));
        assert_eq!(leg.minutes, row.3, "{a}–{b}");
        assert_eq!(leg.fare_per_person_idr, row.4, "{a}–{b}");
        assert_eq!(leg.fare_idr, row.4 * u64::from(leg.tickets));
    }
}

#[sqlx::test]
async fn a_surabaya_pick_up_reaches_a_banyuwangi_village_by_rail_or_bus(pool: PgPool) {
    load_geo(&pool).await;
    let plan = plan_to(&pool, SURABAYA, REJOSARI, no_escort())
        .await
        .unwrap();
    assert!(
        plan.legs
            .iter()
            .any(|l| matches!(l.mode, Mode::Rail | Mode::Bus)),
        "{:#?}",
        plan.legs
    );
    assert_consistent(&plan);
    assert_eq!(plan.legs[0].from, "titik penjemputan");
    let last = plan.legs.last().unwrap();
    assert_eq!(last.to_code.as_deref(), Some(REJOSARI));
    assert!(last.to.starts_with("Desa Rejosari"), "{}", last.to);
    assert_eq!(plan.handover.office, "Dinas Sosial Kabupaten Banyuwangi");
    assert_eq!(last.paid_by, "APBD Kabupaten Banyuwangi");
    assert_eq!(plan.legs[0].office, "Dinas Sosial Provinsi Jawa Timur");
    assert!(plan.escort.is_none());
    // A real trip across the province: more than five hours, under a day.
    assert!(
        (300..1440).contains(&plan.total_minutes),
        "{}",
        plan.total_minutes
    );
}

#[sqlx::test]
async fn a_person_with_psychosocial_disability_travels_with_upt_staff(pool: PgPool) {
    load_geo(&pool).await;
    let alone = plan_to(&pool, SURABAYA, REJOSARI, no_escort())
        .await
        .unwrap();
    let need = EscortNeed {
        conditions: vec![Condition::Psychosocial],
        age: None,
    };
    let plan = plan_to(&pool, SURABAYA, REJOSARI, need).await.unwrap();
    let escort = plan.escort.as_ref().expect("an escort");
    assert_eq!(escort.role, EscortRole::UptStaff);
    assert_consistent(&plan);
    let public: Vec<_> = plan.legs.iter().filter(|l| l.mode != Mode::Road).collect();
    assert!(!public.is_empty());
    assert!(public
        .iter()
        .filter(|l| l.office == "Dinas Sosial Provinsi Jawa Timur")
        .all(|l| l.tickets == 2));
    let extra: u64 = public
        .iter()
        .filter(|l| l.tickets == 2)
        .map(|l| l.fare_per_person_idr)
        .sum();
    assert_eq!(plan.total_fare_idr, alone.total_fare_idr + extra);
    assert_eq!(escort.return_fare_idr, extra);
}

async fn assert_relay(pool: &PgPool, to: &str, handover_province: &str, office: &str) {
    let plan = plan_to(pool, SURABAYA, to, no_escort()).await.unwrap();
    assert_consistent(&plan);
    assert_eq!(plan.handover.office, office, "{to}");
    let end = plan.legs.last().unwrap().to_code.clone().unwrap();
    let province: String = sqlx::query_scalar("SELECT province_code FROM hub WHERE code = $1")
        .bind(&end)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(province, handover_province, "{to} ends at {end}");
    for leg in &plan.legs {
        assert_eq!(
            leg.office, "Dinas Sosial Provinsi Jawa Timur",
            "{to}: {leg:?}"
        );
        assert!(!leg.office.contains("Kabupaten") && !leg.office.contains("Kota"));
    }
    assert!(plan.relay.is_some());
}

#[sqlx::test]
async fn a_person_from_aceh_is_handed_to_the_central_java_dinsos(pool: PgPool) {
    load_geo(&pool).await;
    assert_relay(&pool, "11", "33", "Dinas Sosial Provinsi Jawa Tengah").await;
    let plan = plan_to(&pool, SURABAYA, "11", no_escort()).await.unwrap();
    assert!(plan.relay.unwrap().onward.contains("Aceh"));
}

#[sqlx::test]
async fn a_person_from_manado_is_handed_to_the_south_sulawesi_dinsos(pool: PgPool) {
    load_geo(&pool).await;
    assert_relay(&pool, "71", "73", "Dinas Sosial Provinsi Sulawesi Selatan").await;
    let plan = plan_to(&pool, SURABAYA, "71", no_escort()).await.unwrap();
    assert!(plan.legs.iter().any(|l| l.mode == Mode::Ship));
}

#[sqlx::test]
async fn every_other_province_goes_along_its_relay_rule(pool: PgPool) {
    load_geo(&pool).await;
    let mut r = csv::Reader::from_path(geo_dir().join("relay.csv")).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let name: String = sqlx::query_scalar("SELECT name FROM province WHERE code = $1")
            .bind(&rec[1])
            .fetch_one(&pool)
            .await
            .unwrap();
        let office = format!("Dinas Sosial Provinsi {name}");
        assert_relay(&pool, &rec[0], &rec[1], &office).await;
    }
}

#[sqlx::test]
async fn a_village_and_its_regency_are_different_destinations(pool: PgPool) {
    load_geo(&pool).await;
    let village = plan_to(&pool, SURABAYA, REJOSARI, no_escort())
        .await
        .unwrap();
    let regency = plan_to(&pool, SURABAYA, "35.10", no_escort())
        .await
        .unwrap();
    let centroid: Geom = sqlx::query_scalar("SELECT centroid FROM village WHERE code = $1")
        .bind(REJOSARI)
        .fetch_one(&pool)
        .await
        .unwrap();
    let (lon, lat) = centroid.as_lon_lat().unwrap();
    let end = village.legs.last().unwrap().to_at;
    assert!((end.lat - lat).abs() < 1e-9 && (end.lon - lon).abs() < 1e-9);
    let end = regency.legs.last().unwrap().to_at;
    assert!((end.lat - -8.2325).abs() < 1e-9 && (end.lon - 114.3576).abs() < 1e-9);
    assert_eq!(
        regency.destination.name,
        "Kabupaten Banyuwangi (Banyuwangi)"
    );
    assert_eq!(regency.handover.office, village.handover.office);
    assert_ne!(village.total_minutes, 0);
    let district = plan_to(&pool, SURABAYA, "35.10.15", no_escort())
        .await
        .unwrap();
    assert_eq!(
        district.destination.name,
        "Kec. Glagah, Kabupaten Banyuwangi"
    );
    let end = district.legs.last().unwrap().to_at;
    assert!((end.lat - lat).abs() > 1e-6 || (end.lon - lon).abs() > 1e-6);
}

#[sqlx::test]
async fn a_village_without_a_centroid_falls_back_with_a_note(pool: PgPool) {
    load_geo(&pool).await;
    // Kel. Tanjung Perak (Kota Surabaya) has no centroid in geo/villages.csv.
    let plan = plan_to(&pool, (-7.55, 112.23), "35.78.12.1006", no_escort())
        .await
        .unwrap();
    assert!(
        plan.notes.iter().any(|n| n.contains("Tanjung Perak")),
        "{:?}",
        plan.notes
    );
    assert_eq!(plan.handover.office, "Dinas Sosial Kota Surabaya");
    assert_consistent(&plan);
}

#[sqlx::test]
async fn unknown_and_malformed_destinations_are_errors(pool: PgPool) {
    load_geo(&pool).await;
    for code in ["35.99", "35.10.99.2001", "35.10.99", "99"] {
        let err = plan_to(&pool, SURABAYA, code, no_escort())
            .await
            .unwrap_err();
        assert!(matches!(err, RoutingError::UnknownCode(_)), "{code}: {err}");
    }
    for code in ["", "Banyuwangi", "351", "35.10.15.20011"] {
        let err = plan_to(&pool, SURABAYA, code, no_escort())
            .await
            .unwrap_err();
        assert!(
            matches!(err, RoutingError::MalformedCode(_)),
            "{code}: {err}"
        );
    }
    let err = plan_to(&pool, SURABAYA, "35", no_escort())
        .await
        .unwrap_err();
    assert!(matches!(err, RoutingError::WholeEastJava));
}

/// BPS and DTKS write region codes without dots: they name the same place.
#[sqlx::test]
async fn undotted_codes_plan_like_dotted_ones(pool: PgPool) {
    load_geo(&pool).await;
    let village: String = sqlx::query_scalar(
        "SELECT code FROM village WHERE code LIKE '35.10.%' AND centroid IS NOT NULL ORDER BY code LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    for dotted in ["35.10", village.as_str()] {
        let undotted = dotted.replace('.', "");
        let a = plan_to(&pool, SURABAYA, dotted, no_escort()).await.unwrap();
        let b = plan_to(&pool, SURABAYA, &undotted, no_escort())
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            serde_json::to_value(&b).unwrap(),
            "{dotted} / {undotted}"
        );
    }
}

#[sqlx::test]
async fn a_pick_up_outside_indonesia_is_refused(pool: PgPool) {
    load_geo(&pool).await;
    // Latitude and longitude swapped.
    let err = plan_to(&pool, (112.7521, -7.2575), "35.10", no_escort())
        .await
        .unwrap_err();
    assert!(
        matches!(err, RoutingError::OutsideIndonesia { .. }),
        "{err}"
    );
}

#[sqlx::test]
async fn the_map_of_a_relay_plan_draws_every_leg(pool: PgPool) {
    load_geo(&pool).await;
    let plan = plan_to(&pool, SURABAYA, "71", no_escort()).await.unwrap();
    let svg = map_of(&pool, &plan).await.unwrap().into_string();
    assert!(svg.starts_with("<svg"));
    let links: i64 = sqlx::query_scalar("SELECT count(*) FROM link")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        svg.matches("<line").count(),
        links as usize + plan.legs.len()
    );
    // 38 regency seats and the start.
    assert_eq!(svg.matches("<circle").count(), 38 + 1);
}

#[sqlx::test]
async fn the_plan_command_prints_the_plan_as_json(pool: PgPool) {
    load_geo(&pool).await;
    let (ok, out, err) = run(
        &pool,
        &[
            "plan",
            "--from",
            "-7.2575,112.7521",
            "--to",
            REJOSARI,
            "--escort",
            "psychosocial",
        ],
        "",
    );
    assert!(ok, "{err}");
    let plan: Value = serde_json::from_str(&out).unwrap();
    let legs = plan["legs"].as_array().unwrap();
    assert!(!legs.is_empty());
    let mut minutes = 0;
    let mut fare = 0;
    for leg in legs {
        for key in [
            "mode",
            "from",
            "to",
            "distance_km",
            "minutes",
            "fare_idr",
            "office",
        ] {
            assert!(!leg[key].is_null(), "{key} missing in {leg}");
        }
        minutes += leg["minutes"].as_u64().unwrap();
        fare += leg["fare_idr"].as_u64().unwrap();
    }
    assert_eq!(plan["total_minutes"].as_u64(), Some(minutes));
    assert_eq!(plan["total_fare_idr"].as_u64(), Some(fare));
    assert_eq!(plan["escort"]["role"], "upt_staff");
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("route.svg");
    let (ok, out, _) = run(
        &pool,
        &[
            "plan",
            "--from",
            "-7.2575,112.7521",
            "--to",
            "35.10",
            "--map",
            map.to_str().unwrap(),
        ],
        "",
    );
    assert!(ok);
    assert!(serde_json::from_str::<Value>(&out).unwrap()["escort"].is_null());
    let svg = std::fs::read_to_string(&map).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("Kabupaten Banyuwangi"));
}

#[sqlx::test]
async fn the_plan_command_refuses_bad_input_with_nothing_on_stdout(pool: PgPool) {
    load_geo(&pool).await;
    let cases: [&[&str]; 6] = [
        &["plan", "--from", "abc", "--to", "35.10"],
        &["plan", "--from", "-7.25", "--to", "35.10"],
        &["plan", "--from", "-7.25,112.75,3", "--to", "35.10"],
        &["plan", "--from", "112.75,-7.25", "--to", "35.10"],
        &["plan", "--from", "-7.25,112.75", "--to", "35.99"],
        &[
            "plan",
            "--from",
            "-7.25,112.75",
            "--to",
            "35.10",
            "--escort",
            "odgj",
        ],
    ];
    for args in cases {
        let (ok, out, err) = run(&pool, args, "");
        assert!(!ok, "{args:?} succeeded");
        assert_eq!(out, "", "{args:?}");
        assert!(!err.trim().is_empty(), "{args:?}: no error message");
    }
}
