//! The harness: the real app on a fixed clock, driven in-process or over TCP on a random
//! port, and the reference geography loaded into the test's fresh database.
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, Response};
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::BodyExt;
use sqlx::PgPool;
use tower::ServiceExt;

use simlontar::clock::FixedClock;
use simlontar::config::{Settings, SmtpSecurity, SmtpSettings};
use simlontar::{app, AppState};

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap()
}

pub fn geo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("geo")
}

pub async fn load_geo(pool: &PgPool) {
    simlontar::places::load::load_dir(pool, &geo_dir())
        .await
        .expect("geo/ loads");
}

pub fn settings() -> Settings {
    Settings {
        database_url: "postgres://unused@127.0.0.1/unused".to_string().into(),
        addr: "127.0.0.1:0".parse().unwrap(),
        time_zone: chrono_tz::Asia::Jakarta,
        base_url: "http://127.0.0.1".into(),
        demo: false,
        smtp: SmtpSettings {
            host: "127.0.0.1".into(),
            port: 2525,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Simlontar <simlontar@localhost>".into(),
        },
    }
}

pub fn state(pool: PgPool) -> AppState {
    AppState {
        pool,
        settings: Arc::new(settings()),
        clock: Arc::new(FixedClock(now())),
    }
}

/// Sends one request through the whole router, in process.
pub async fn call(pool: &PgPool, req: Request<Body>) -> (Response<Body>, String) {
    let res = app(state(pool.clone())).oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (
        Response::from_parts(parts, Body::empty()),
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

/// The app served on 127.0.0.1 on a random port; the server stops with the test.
pub async fn spawn(pool: &PgPool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app(state(pool.clone()));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}
