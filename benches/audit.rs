//! The access report ("which records did user U touch between t1 and t2", UU PDP Pasal
//! 46) on a year of audit trail: 200 officers, a million rows through the hash-chain
//! trigger (20,000 under `cargo test`). Target: under 5 s; prints p50 and max of 20 runs
//! for a three-day window and for the whole year.
//!
//!     DATABASE_URL=postgres://…/any cargo bench --bench audit [-- ROWS]
//!
//! It creates (and keeps, for inspection) its own database `simlontar_bench_audit` on
//! that server; the database named in the URL is untouched.
mod support;

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use sqlx::{Executor, PgPool};

const DB: &str = "simlontar_bench_audit";
const USERS: i64 = 200;
const RUNS: usize = 20;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let rows: i64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(if full { 1_000_000 } else { 20_000 });
    let (owner, owner_opts) = support::fresh_database(DB).await?;

    let end: DateTime<Utc> = "2026-11-23T00:00:00Z".parse()?;
    let t = Instant::now();
    seed(&owner, rows, end).await?;
    owner.execute("ANALYZE audit_log").await?;
    eprintln!(
        "seeded {rows} audit rows of {USERS} users over 365 days in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let pool = simlontar::db::connect_as_app(owner_opts).await?;
    measure(&pool, "3 days", end - Duration::days(3), end).await?;
    measure(&pool, "365 days", end - Duration::days(365), end).await?;
    Ok(())
}

/// Rows spread evenly over the year and the users: mostly case reads, some changes,
/// sign-ins; each touching one of 20,000 case numbers.
async fn seed(pool: &PgPool, rows: i64, end: DateTime<Utc>) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO app_user (username, display_name, password_hash)
         SELECT 'officer' || g, 'Officer ' || g, NULL FROM generate_series(1, $1) g",
    )
    .bind(USERS)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, action, entity, entity_id)
         SELECT $2 - (g * interval '365 days') / $1,
                (SELECT id FROM app_user WHERE username = 'officer' || (1 + g % $3)),
                (ARRAY['read', 'read', 'read', 'transition', 'login'])[1 + g % 5],
                CASE WHEN g % 5 = 4 THEN 'user' ELSE 'case' END,
                CASE WHEN g % 5 = 4 THEN 'officer' || (1 + g % $3)
                     ELSE 'OT-3578-2026-' || lpad((g % 20000)::text, 6, '0') END
           FROM generate_series(1, $1) g ORDER BY g DESC",
    )
    .bind(rows)
    .bind(end)
    .bind(USERS)
    .execute(pool)
    .await?;
    Ok(())
}

async fn measure(
    pool: &PgPool,
    label: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<()> {
    let mut times = Vec::with_capacity(RUNS);
    let mut records = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        records = simlontar::auth::audit::accessed_by(pool, "officer7", from, to)
            .await?
            .map_or(0, |r| r.len());
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "access report, {label}: {records} records; p50 {:.1} ms, max {:.1} ms ({RUNS} runs)",
        times[RUNS / 2],
        times[RUNS - 1]
    );
    Ok(())
}
