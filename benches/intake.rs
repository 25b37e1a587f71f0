//! Intake submission under load: 20 concurrent clients POST /api/v1/intakes over
//! loopback TCP against a database that already holds 100 000 cases.
//!
//!     DATABASE_URL=postgres://…/any cargo bench --bench intake [-- CASES CLIENTS REQUESTS]
//!
//! It creates (and afterwards keeps, for inspection) its own database
//! `simlontar_bench_intake` on that server; the database named in the URL is untouched.
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use sqlx::{Executor, PgPool};

use simlontar::auth::model::{Grant, Role};
use simlontar::clock::SystemClock;
use simlontar::config::Settings;

const DB: &str = "simlontar_bench_intake";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    // `cargo bench` passes --bench; under `cargo test` this runs as a small smoke test.
    let full = std::env::args().any(|a| a == "--bench");
    let (cases, clients, requests) = if full {
        (100_000, 20, 4_000)
    } else {
        (1_000, 2, 40)
    };
    let cases = *args.first().unwrap_or(&cases);
    let clients = *args.get(1).unwrap_or(&clients);
    let requests = *args.get(2).unwrap_or(&requests);

    let (owner, owner_opts) = support::fresh_database(DB).await?;
    simlontar::places::load::load_dir(&owner, std::path::Path::new("geo")).await?;

    let t = Instant::now();
    seed_cases(&owner, cases).await?;
    eprintln!(
        "seeded {cases} earlier cases in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let grant =
        Grant::new(Role::IntakeOfficer, Some("35.78".into())).map_err(anyhow::Error::msg)?;
    let uid = simlontar::auth::store::create(&owner, "bench", "Bench", "bench password 1", &grant)
        .await?;
    let (_, token) = simlontar::auth::store::create_token(&owner, uid, "bench").await?;

    let pool = simlontar::db::connect_as_app(owner_opts).await?;
    let mut settings = Settings::load(std::path::Path::new("/nonexistent"), false)?;
    settings.addr = "127.0.0.1:0".parse()?;
    let state = simlontar::AppState {
        pool,
        settings: Arc::new(settings),
        clock: Arc::new(SystemClock),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        axum::serve(
            listener,
            simlontar::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });

    let client = reqwest::Client::new();
    let token = Arc::new(token);
    // Warm-up: connections, caches.
    for i in 0..clients.min(50) {
        post(&client, &base, &token, i).await?;
    }
    let label = format!("{clients} concurrent clients, {cases} earlier cases");
    // Saturation: each client sends its next request as soon as the last one is answered.
    let run = Load {
        client: &client,
        base: &base,
        token: &token,
        clients,
        requests,
        pace: None,
    };
    report(&format!("saturation ({label})"), run.go(1_000).await?);
    // Paced: each client sends one intake every 100 ms (200 a second in all; the province
    // records about 120 a month).
    let run = Load {
        pace: Some(Duration::from_millis(100)),
        ..run
    };
    report(
        &format!("paced, 10 req/s per client ({label})"),
        run.go(10_000_000).await?,
    );
    Ok(())
}

struct Load<'a> {
    client: &'a reqwest::Client,
    base: &'a str,
    token: &'a Arc<String>,
    clients: usize,
    requests: usize,
    pace: Option<Duration>,
}

impl Load<'_> {
    async fn go(&self, offset: usize) -> anyhow::Result<(Vec<Duration>, usize, Duration)> {
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for c in 0..self.clients {
            let (client, base, token) = (
                self.client.clone(),
                self.base.to_string(),
                self.token.clone(),
            );
            let (n, pace) = (self.requests / self.clients, self.pace);
            tasks.spawn(async move {
                let mut lat = vec![];
                let mut errors = 0usize;
                // Clients start spread over one period, as desks in different places would.
                let mut next = Instant::now() + pace.map_or(Duration::ZERO, |p| p * c as u32 / 20);
                for i in 0..n {
                    if let Some(p) = pace {
                        tokio::time::sleep_until(next.into()).await;
                        next += p;
                    }
                    let t = Instant::now();
                    match post(&client, &base, &token, offset + c * 100_000 + i).await {
                        Ok(true) => lat.push(t.elapsed()),
                        _ => errors += 1,
                    }
                }
                (lat, errors)
            });
        }
        let mut all = vec![];
        let mut errors = 0;
        while let Some(r) = tasks.join_next().await {
            let (l, e) = r?;
            all.extend(l);
            errors += e;
        }
        all.sort();
        Ok((all, errors, started.elapsed()))
    }
}

fn report(title: &str, (all, errors, wall): (Vec<Duration>, usize, Duration)) {
    let q = |p: f64| {
        all[((all.len() as f64 * p).ceil() as usize)
            .saturating_sub(1)
            .min(all.len() - 1)]
    };
    println!(
        "intake submission, {title}: {} requests",
        all.len() + errors
    );
    println!(
        "  throughput {:.0} req/s, errors {errors}",
        all.len() as f64 / wall.as_secs_f64()
    );
    println!(
        "  latency p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(q(0.50)),
        ms(q(0.95)),
        ms(q(0.99)),
        ms(*all.last().unwrap())
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn post(client: &reqwest::Client, base: &str, token: &str, i: usize) -> anyhow::Result<bool> {
    let body = serde_json::json!({
        "found_at": (Utc::now() - chrono::Duration::minutes(30)).to_rfc3339(),
        "found_lat": -7.25 - (i % 50) as f64 * 0.001, "found_lon": 112.74,
        "stated_name": format!("Orang {i}"), "name_quality": "partial",
        "sex": if i % 3 == 0 { "female" } else { "male" }, "estimated_age": 20 + i % 60,
        "birth_date_quality": "approximate", "conditions": ["other"]
    });
    let res = client
        .post(format!("{base}/api/v1/intakes"))
        .bearer_auth(token)
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .json(&body)
        .send()
        .await?;
    Ok(res.status().is_success())
}

/// `n` earlier cases spread over East Java and two years, straight in SQL.
async fn seed_cases(pool: &PgPool, n: usize) -> anyhow::Result<()> {
    pool.execute(
        format!(
            "WITH r AS (SELECT code, seat_point, row_number() OVER (ORDER BY code) - 1 AS k FROM region WHERE province_code = '35'),
                  g AS (SELECT s, r.code, r.seat_point FROM generate_series(1, {n}) s JOIN r ON r.k = s % 38),
                  i AS (
               INSERT INTO intake (idempotency_key, found_at, found_point, found_region_code, stated_name,
                                   name_quality, sex, estimated_age, birth_date_quality, linkage_checked_at)
               SELECT gen_random_uuid(), now() - (s % 700) * interval '1 day', seat_point, code,
                      (ARRAY['Slamet','Sumiati','Bambang','Siti','Paimin','Sri','Joko','Painem'])[1 + s % 8] || ' ' || s,
                      'partial', CASE WHEN s % 3 = 0 THEN 'female' ELSE 'male' END, 18 + s % 70, 'approximate',
                      -- Earlier cases were matched when they came in.
                      now()
                 FROM g RETURNING id, found_region_code, found_at)
             -- Closed, not handed over: the database admits `handed_over` only with the
             -- departure and hand-over behind it, which this history does not need.
             INSERT INTO ot_case (number, intake_id, state, opened_at, updated_at, closed_at, close_reason)
             SELECT 'OT-' || replace(found_region_code, '.', '') || '-2024-' || lpad(id::text, 6, '0'), id,
                    'closed', found_at, found_at, found_at, 'earlier pick-up' FROM i"
        )
        .as_str(),
    )
    .await?;
    pool.execute("ANALYZE").await?;
    Ok(())
}
