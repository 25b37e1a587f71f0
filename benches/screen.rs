//! The capacity wall screen's panel (the part refreshed each minute): read and render
//! time with 30 UPTs × 4 wards, two years of placements, forecasts and open alerts.
//!
//!     DATABASE_URL=postgres://…/any cargo bench --bench screen [-- RENDERS]
//!
//! It creates (and keeps, for inspection) its own database `simlontar_bench_screen` on
//! that server; the database named in the URL is untouched. Prints p50/p99 per render.
mod support;

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::{Executor, PgPool};

use simlontar_templates::Lang;

const DB: &str = "simlontar_bench_screen";
const DAYS: i64 = 730;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let renders: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(if full { 300 } else { 10 });
    let (owner, owner_opts) = support::fresh_database(DB).await?;
    simlontar::places::load::load_dir(&owner, std::path::Path::new("geo")).await?;

    let now = Utc::now();
    let t = Instant::now();
    let placements = seed(&owner, now).await?;
    owner.execute("ANALYZE").await?;
    let (upts, wards): (i64, i64) =
        sqlx::query_as("SELECT count(DISTINCT upt_code), count(*) FROM ward")
            .fetch_one(&owner)
            .await?;
    eprintln!(
        "seeded {upts} UPTs × {wards} wards, {placements} placements over {DAYS} days in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let pool = simlontar::db::connect_as_app(owner_opts).await?;
    let tz = chrono_tz::Asia::Jakarta;
    measure("panel", &pool, tz, now, renders).await?;
    Ok(())
}

async fn measure(
    label: &str,
    pool: &PgPool,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
    renders: usize,
) -> anyhow::Result<()> {
    // Warm-up: the connection pool, prepared statements and the map backdrop.
    for _ in 0..3 {
        render(pool, tz, now).await?;
    }
    let mut times = Vec::with_capacity(renders);
    let mut bytes = 0;
    for _ in 0..renders {
        let t = Instant::now();
        bytes = render(pool, tz, now).await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let q = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "{label}: {renders} renders, {bytes} bytes each; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        q(0.5),
        q(0.99),
        times[times.len() - 1]
    );
    Ok(())
}

async fn render(pool: &PgPool, tz: chrono_tz::Tz, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let view = simlontar::capacity::screen::panel_view(pool, Lang::Id, tz, now, None).await?;
    Ok(simlontar_templates::capacity::panel(Lang::Id, &view)
        .into_string()
        .len())
}

/// 30 UPTs with 4 wards each (the real ones topped up), two years of stays that never
/// over-fill a ward, 60 days of daily forecasts per ward and UPT, a few open alerts and
/// a waiting list. Returns the number of placements.
async fn seed(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<usize> {
    pool.execute(
        "INSERT INTO upt (code, name, region_code, town, location, location_estimated)
         SELECT 'BENCH-' || g, 'UPT Bench ' || g, '35.78', 'Surabaya',
                ST_SetSRID(ST_MakePoint(112.6 + g * 0.2, -7.4), 4326), true
           FROM generate_series(1, 30 - (SELECT count(*) FROM upt)::int) g;
         INSERT INTO ward (upt_code, code, name, sex, need_code, beds, beds_estimated)
         SELECT u.code, u.code || '-B' || k, 'Wisma Bench ' || k,
                (ARRAY['male', 'female', 'any'])[1 + k % 3], 'homeless', 30 + 10 * k, true
           FROM upt u
          CROSS JOIN LATERAL generate_series(1, 4 - (SELECT count(*) FROM ward w WHERE w.upt_code = u.code)::int) k;",
    )
    .await?;
    let wards: Vec<(i64, i32)> = sqlx::query_as("SELECT id, beds FROM ward ORDER BY id")
        .fetch_all(pool)
        .await?;
    let regions: Vec<String> =
        sqlx::query_scalar("SELECT code FROM region WHERE province_code = '35' ORDER BY code")
            .fetch_all(pool)
            .await?;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut stays: Vec<(i64, DateTime<Utc>, Option<DateTime<Utc>>)> = vec![];
    let start = now - Duration::days(DAYS);
    for &(ward, beds) in &wards {
        let mut open: Vec<DateTime<Utc>> = vec![];
        let rate = beds as f64 / 50.0;
        for d in 0..DAYS {
            let day = start + Duration::days(d);
            open.retain(|e| *e > day);
            let arrivals = rate.floor() as usize + usize::from(rng.random::<f64>() < rate.fract());
            for _ in 0..arrivals {
                if open.len() >= beds as usize {
                    break;
                }
                let s = day + Duration::minutes(rng.random_range(0..1440));
                let los = 3.0 - rng.random::<f64>().ln() * 45.0;
                let e = s + Duration::minutes((los * 1440.0) as i64);
                open.push(e);
                stays.push((ward, s, (e < now).then_some(e)));
            }
        }
    }
    for (batch, chunk) in stays.chunks(10_000).enumerate() {
        let ward: Vec<i64> = chunk.iter().map(|s| s.0).collect();
        let s: Vec<DateTime<Utc>> = chunk.iter().map(|s| s.1).collect();
        let e: Vec<Option<DateTime<Utc>>> = chunk.iter().map(|s| s.2).collect();
        let found: Vec<String> = chunk
            .iter()
            .map(|_| regions[rng.random_range(0..regions.len())].clone())
            .collect();
        let home: Vec<String> = chunk
            .iter()
            .map(|_| regions[rng.random_range(0..regions.len())].clone())
            .collect();
        sqlx::query(
            "WITH x AS MATERIALIZED (
                 SELECT u.*, gen_random_uuid() AS k, 'OT-3578-2025-' || lpad((u.n + $6)::text, 6, '0') AS number
                   FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::text[])
                        WITH ORDINALITY AS u(ward_id, s, e, found, home, n)),
             i AS (INSERT INTO intake (idempotency_key, found_at, found_point, found_region_code, name_quality,
                                       sex, birth_date_quality, home_region_code, home_province_code)
                   SELECT x.k, x.s, r.seat_point, r.code, 'unknown', 'unknown', 'unknown', x.home, '35'
                     FROM x JOIN region r ON r.code = x.found
                   RETURNING id, idempotency_key),
             c AS (INSERT INTO ot_case (number, intake_id, state, opened_at, updated_at, closed_at)
                   SELECT x.number, i.id, CASE WHEN x.e IS NULL THEN 'placed' ELSE 'discharged' END,
                          x.s, coalesce(x.e, x.s), x.e
                     FROM x JOIN i ON i.idempotency_key = x.k
                   RETURNING id, number)
             INSERT INTO placement (case_id, ward_id, started_at, ended_at, end_reason)
             SELECT c.id, x.ward_id, x.s, x.e, CASE WHEN x.e IS NULL THEN NULL ELSE 'home' END
               FROM x JOIN c ON c.number = x.number",
        )
        .bind(&ward)
        .bind(&s)
        .bind(&e)
        .bind(&found)
        .bind(&home)
        .bind((batch * 10_000) as i64)
        .execute(pool)
        .await?;
    }
    pool.execute(
        "INSERT INTO capacity_forecast (upt_code, ward_id, computed_at, capacity, occupied, p7, p14, p30,
                                            days_to_full, daily, model)
             SELECT k.upt_code, k.ward_id, now() - make_interval(days => d), 40, 30,
                    0.1, 0.3, 0.6, 21,
                    (SELECT jsonb_agg(jsonb_build_object('day', a, 'free', 10 - a * 0.4,
                                                         'lo', 8 - a * 0.5, 'hi', 12 - a * 0.3))
                       FROM generate_series(1, 30) a),
                    'bench'
               FROM (SELECT code AS upt_code, NULL::bigint AS ward_id FROM upt
                     UNION ALL SELECT upt_code, id FROM ward) k
              CROSS JOIN generate_series(0, 59) d;
             INSERT INTO capacity_alert (upt_code, ward_id, level, opened_at, last_seen_at)
             SELECT upt_code, id, (ARRAY['watch', 'warning', 'critical'])[1 + id % 3], now(), now()
               FROM ward WHERE id % 9 = 0;
             INSERT INTO waiting_list (case_id, need_code, sex, since)
             SELECT id, 'homeless', 'male', now() FROM ot_case WHERE state = 'discharged' LIMIT 60;",
    )
    .await?;
    Ok(stays.len())
}
