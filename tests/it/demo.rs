use chrono::NaiveDate;
use sqlx::PgPool;

use crate::common::load_geo;
use simlontar::demo::{self, generate, store};

fn until() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// The demo content, without database ids, as one digest.
async fn digest(pool: &PgPool) -> String {
    sqlx::query_scalar(
        "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
           SELECT format('%s %s %s %s %s %s %s %s', c.number, c.state, i.stated_name, i.nik,
                         i.found_at, i.home_village_code, ST_AsText(i.found_point), i.conditions) AS t
             FROM ot_case c JOIN intake i ON i.id = c.intake_id
           UNION ALL
           SELECT format('%s %s %s %s', c.number, e.at, e.kind, e.to_state)
             FROM case_event e JOIN ot_case c ON c.id = e.case_id
           UNION ALL
           SELECT format('%s %s %s %s', c.number, w.code, p.started_at, p.ended_at)
             FROM placement p JOIN ot_case c ON c.id = p.case_id JOIN ward w ON w.id = p.ward_id) x",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn the_same_seed_gives_the_same_demo_data(pool: PgPool) {
    load_geo(&pool).await;
    let world = store::world(&pool).await.unwrap();
    let a = generate::generate(&world, 7, until());
    let b = generate::generate(&world, 7, until());
    let c = generate::generate(&world, 8, until());
    assert_eq!(a, b);
    assert_ne!(a, c);

    demo::seed(&pool, 7, until(), false).await.unwrap();
    let first = digest(&pool).await;
    // TRUNCATE, unlike DELETE, passes the append-only row triggers: fine for a test reset.
    sqlx::query("TRUNCATE placement, case_event, ot_case, intake, case_number_counter CASCADE")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE ward SET occupied = 0")
        .execute(&pool)
        .await
        .unwrap();
    demo::seed(&pool, 7, until(), false).await.unwrap();
    assert_eq!(digest(&pool).await, first);
}

#[sqlx::test]
async fn the_demo_year_looks_like_the_real_flow(pool: PgPool) {
    load_geo(&pool).await;
    let summary = demo::seed(&pool, 2026, until(), false).await.unwrap();
    assert!(!summary.skipped);

    // About 120 pick-ups a month over the year.
    let in_year: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM intake WHERE found_at > timestamptz '2025-11-22 17:00Z'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!((1200..=1700).contains(&in_year), "{in_year} pick-ups");

    // Surabaya sees the most pick-ups.
    let top: String = sqlx::query_scalar(
        "SELECT found_region_code FROM intake GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(top, "35.78");

    // Some have no address and no name; every NIK decodes to a birth date.
    let (no_home, no_name, bad_nik): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE home_province_code IS NULL),
                count(*) FILTER (WHERE name_quality = 'unknown'),
                count(*) FILTER (WHERE nik IS NOT NULL AND (substr(nik, 7, 2)::int % 40) NOT BETWEEN 1 AND 31)
           FROM intake",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(no_home > 100 && no_name > 30, "{no_home} {no_name}");
    assert_eq!(bad_nik, 0);

    // The occupancy counters agree with the open placements, no ward is over capacity,
    // and some are close to full.
    let (mismatched, near_full): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE w.occupied <> (SELECT count(*) FROM placement p
                                                       WHERE p.ward_id = w.id AND p.ended_at IS NULL)),
                count(*) FILTER (WHERE w.occupied >= 0.85 * w.beds)
           FROM ward w",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(mismatched, 0);
    assert!(near_full >= 2, "{near_full} wards near full");

    // People are picked up more than once: some NIKs appear on several intakes.
    let repeats: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT nik FROM intake WHERE nik IS NOT NULL GROUP BY nik HAVING count(*) > 1) r",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(repeats > 0);

    // Every state has its facts behind it (the rule the database checks at commit): people
    // sent home have their plans, departures and hand-overs.
    let (without, sent_home): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE case_state_missing(c.id, c.state) IS NOT NULL),
                count(*) FILTER (WHERE c.state IN ('routed_home', 'in_transit', 'handed_over'))
           FROM ot_case c",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(without, 0);
    assert!(sent_home > 100, "{sent_home} sent home");
}

#[sqlx::test]
async fn seeding_again_with_if_empty_adds_nothing(pool: PgPool) {
    load_geo(&pool).await;
    let first = demo::seed(&pool, 1, until(), true).await.unwrap();
    assert!(!first.skipped && first.cases > 0);
    let again = demo::seed(&pool, 1, until(), true).await.unwrap();
    assert!(again.skipped);
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM ot_case")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n as usize, first.cases);
}

#[sqlx::test]
async fn seeding_without_the_geography_says_what_to_do(pool: PgPool) {
    let err = demo::seed(&pool, 1, until(), false).await.unwrap_err();
    assert!(err.to_string().contains("simlontar geo load"), "{err}");
}
