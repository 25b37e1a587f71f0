//! Whether a sign-in's answer time tells if an account name exists (ASVS 6.3.8): the whole
//! POST /login through the app, for a name nobody has, an existing name with a wrong
//! password, an existing name whose hash still has older parameters, and the right password
//! for reference. The cases take turns, so drift hits them alike; the failure counter is
//! cleared between attempts, so throttling never answers instead. Prints p10, p50 and p90
//! per case and each case's median against the unknown name's.
//!
//!     DATABASE_URL=postgres://…/any cargo bench --bench signin [-- ROUNDS]
//!
//! It creates (and keeps, for inspection) its own database `simlontar_bench_signin` on
//! that server; the database named in the URL is untouched.
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

use simlontar::auth::model::{Grant, Role};
use simlontar::clock::SystemClock;
use simlontar::config::Settings;

const DB: &str = "simlontar_bench_signin";
const PASSWORD: &str = "sambal terasi pedas sekali";
/// A hash with older Argon2 parameters (m=4096, t=3) of another password, as a user not
/// signed in since the parameters changed still has.
const LEGACY_HASH: &str =
    "$argon2id$v=19$m=4096,t=3,p=1$c2ltbG9udGFyLWxlZ2FjeQ$0K8Jg+wuThdp+iFByL2h40jkHNk2Wg/zaBjzlla6MG8";

const CASES: [(&str, &str, &str); 4] = [
    ("unknown name", "nobody.here", "wrong password!"),
    ("wrong password", "officer.one", "wrong password!"),
    ("wrong, older hash", "officer.old", "wrong password!"),
    ("right password", "officer.one", PASSWORD),
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(if full { 300 } else { 5 });
    let (owner, options) = support::fresh_database(DB).await?;
    let grant = Grant::new(Role::CaseOfficer, None).map_err(anyhow::Error::msg)?;
    for name in ["officer.one", "officer.old"] {
        simlontar::auth::store::create(&owner, name, name, PASSWORD, &grant).await?;
    }
    sqlx::query("UPDATE app_user SET password_hash = $1 WHERE username = 'officer.old'")
        .bind(LEGACY_HASH)
        .execute(&owner)
        .await?;

    let mut settings = Settings::load(std::path::Path::new("/nonexistent"), false)?;
    settings.mfa_required = false;
    let app = simlontar::app(simlontar::AppState {
        pool: simlontar::db::connect_as_app(options).await?,
        settings: Arc::new(settings),
        clock: Arc::new(SystemClock),
    });

    let mut times: Vec<Vec<Duration>> = vec![vec![]; CASES.len()];
    for _ in 0..rounds {
        for (i, (case, name, password)) in CASES.iter().enumerate() {
            let (cookie, csrf) = login_form(&app).await?;
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("csrf", csrf.as_str()),
                    ("username", name),
                    ("password", password),
                ])
                .finish();
            let req = Request::post("/login")
                .header(header::HOST, "localhost")
                .header(header::ORIGIN, "http://localhost")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))?;
            let t = Instant::now();
            let res = app.clone().oneshot(req).await?;
            let status = res.status();
            res.into_body().collect().await?;
            times[i].push(t.elapsed());
            let expected = if *password == PASSWORD {
                StatusCode::SEE_OTHER
            } else {
                StatusCode::UNAUTHORIZED
            };
            anyhow::ensure!(status == expected, "{case}: {status}");
            sqlx::query("DELETE FROM login_failure")
                .execute(&owner)
                .await?;
        }
    }

    let median = |t: &[Duration]| percentile(t, 50);
    let base = median(&times[0]);
    println!("sign-in answer time over {rounds} rounds (ms): p10 / p50 / p90, p50 vs unknown name");
    for ((case, ..), t) in CASES.iter().zip(&times) {
        println!(
            "  {case:<18} {:>6.1} / {:>6.1} / {:>6.1}   {:+.1} %",
            ms(percentile(t, 10)),
            ms(median(t)),
            ms(percentile(t, 90)),
            (ms(median(t)) / ms(base) - 1.0) * 100.0
        );
    }
    Ok(())
}

/// A fresh visitor's sign-in page: the session cookie and its CSRF token.
async fn login_form(app: &Router) -> anyhow::Result<(String, String)> {
    let req = Request::get("/login")
        .header(header::HOST, "localhost")
        .body(Body::empty())?;
    let res = app.clone().oneshot(req).await?;
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(String::from)
        .ok_or_else(|| anyhow::anyhow!("no session cookie"))?;
    let page = String::from_utf8(res.into_body().collect().await?.to_bytes().to_vec())?;
    let csrf = page
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(String::from)
        .ok_or_else(|| anyhow::anyhow!("no CSRF token"))?;
    Ok((cookie, csrf))
}

fn percentile(t: &[Duration], p: usize) -> Duration {
    let mut sorted = t.to_vec();
    sorted.sort();
    sorted[(sorted.len() - 1) * p / 100]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
