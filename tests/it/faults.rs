//! Parts failing: with the database gone the app answers a plain 503 that names a
//! reference (the request id), never SQL or a stack trace, and still serves what needs
//! no database.
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::common::{get, now, send, settings, Client};
use simlontar::clock::FixedClock;
use simlontar::{app, AppState};

/// The app wired to a database address where nothing listens.
fn app_without_database() -> axum::Router {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let pool = PgPoolOptions::new()
        .acquire_timeout(Duration::from_millis(500))
        .connect_lazy_with(
            PgConnectOptions::new()
                .host("127.0.0.1")
                .port(port)
                .username("simlontar")
                .database("gone"),
        );
    app(AppState {
        pool,
        settings: Arc::new(settings()),
        clock: Arc::new(FixedClock(now())),
    })
}

fn assert_plain(body: &str) {
    for leak in [
        "SELECT",
        "sqlx",
        "panicked",
        "Connection refused",
        "pool",
        "src/",
    ] {
        assert!(!body.contains(leak), "error body leaks {leak:?}: {body}");
    }
}

#[tokio::test]
async fn without_a_database_pages_and_api_answer_503_with_a_reference() {
    let router = app_without_database();

    // A page that needs the database (the session store, via sign-in).
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "http://localhost")
        .header(header::HOST, "localhost")
        .header(header::COOKIE, "simlontar=AAAAAAAAAAAAAAAAAAAAAA")
        .body(Body::from("username=a&password=b&csrf=x"))
        .unwrap();
    let res = send(&router, req).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.body);
    assert_plain(&res.body);

    // The API with a bearer token: the token look-up needs the database.
    let req = Request::get("/api/v1/cases")
        .header(header::AUTHORIZATION, "Bearer abc")
        .body(Body::empty())
        .unwrap();
    let res = send(&router, req).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.body);
    assert_eq!(res.headers.get(header::RETRY_AFTER).unwrap(), "5");
    let id = res.headers.get("x-request-id").unwrap().to_str().unwrap();
    assert_eq!(res.json()["request_id"], id);
    assert_plain(&res.body);

    // A page: in Indonesian, with the same reference the logs carry.
    let req = Request::get("/cases")
        .header(header::COOKIE, "simlontar=AAAAAAAAAAAAAAAAAAAAAA")
        .body(Body::empty())
        .unwrap();
    let res = send(&router, req).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.body);
    let id = res.headers.get("x-request-id").unwrap().to_str().unwrap();
    assert!(
        res.body.contains("Kode rujukan") && res.body.contains(id),
        "{}",
        res.body
    );
    assert_plain(&res.body);

    let res = send(&router, get("/readyz")).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn without_a_database_static_files_and_liveness_still_answer() {
    let router = app_without_database();
    assert_eq!(send(&router, get("/healthz")).await.status, StatusCode::OK);
    let css = send(&router, get("/static/app.css")).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains('{'));
    // The sign-in form needs no session (its token is a cookie's), so it is shown; signing
    // in needs the database: an outage, said as one.
    let mut c = Client {
        router,
        cookie: None,
        csrf: None,
    };
    assert_eq!(c.get("/login").await.status, StatusCode::OK);
    let login = c.sign_in("officer1", "kopi tubruk pagi").await;
    assert_eq!(
        login.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        login.body
    );
    assert!(login.body.contains("Kode rujukan"));
    assert_plain(&login.body);
}
