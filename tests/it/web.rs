use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use sqlx::PgPool;

use crate::common::{call, get, load_geo, signed_in, spawn};
use simlontar::auth::model::Role;

#[sqlx::test]
async fn health_and_readiness_answer(pool: PgPool) {
    let res = call(&pool, get("/healthz")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("ok"));
    let res = call(&pool, get("/readyz")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
}

#[sqlx::test(migrations = false)]
async fn readiness_fails_while_migrations_are_missing(pool: PgPool) {
    // No migrations, so no application role either: serve straight from the owner pool.
    let r = simlontar::app(simlontar::AppState {
        pool: pool.clone(),
        settings: std::sync::Arc::new(crate::common::settings()),
        clock: std::sync::Arc::new(simlontar::clock::FixedClock(crate::common::now())),
    });
    let res = crate::common::send(&r, get("/readyz")).await;
    let body = res.body.clone();
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("not ready"), "{body}");
}

#[sqlx::test]
async fn migrations_apply_from_zero_and_build_every_table(pool: PgPool) {
    simlontar::db::ready(&pool).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for t in [
        "region",
        "village",
        "upt",
        "ward",
        "hub",
        "link",
        "relay_rule",
        "intake",
        "ot_case",
        "case_event",
        "identity_check",
        "record_link",
        "registry_person",
        "placement",
        "transport_plan",
        "capacity_alert",
        "email_outbox",
        "app_user",
        "user_role",
        "audit_log",
    ] {
        assert!(tables.iter().any(|x| x == t), "missing table {t}");
    }
}

#[sqlx::test]
async fn the_home_page_speaks_indonesian_by_default_and_english_on_request(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    let res = c.get("/").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains(r#"<html lang="id">"#));
    assert!(res.body.contains("Kasus"));
    assert!(res.body.contains("Diperbarui"));

    let res = call(&pool, get("/lang/en?back=/")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let cookie = res.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("lang=en"));
    let session = c.cookie.clone().unwrap();
    c.cookie = Some(format!("{session}; lang=en"));
    let res = c.get("/").await;
    assert!(res.body.contains(r#"<html lang="en">"#));
    assert!(res.body.contains("Cases"));
}

#[sqlx::test]
async fn the_language_switch_never_redirects_off_site(pool: PgPool) {
    let res = call(&pool, get("/lang/en?back=//evil.example/x")).await;
    assert_eq!(res.headers[header::LOCATION], "/");
    let res = call(&pool, get("/lang/xx")).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn unknown_pages_get_an_indonesian_404_and_the_api_a_json_one(pool: PgPool) {
    let res = call(&pool, get("/no-such-page")).await;
    let body = res.body.clone();
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(body.contains("tidak ditemukan"), "{body}");
    let res = call(&pool, get("/api/v1/no-such-thing")).await;
    let body = res.body.clone();
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.headers[header::CONTENT_TYPE], "application/json");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["error"], "not_found");
}

#[sqlx::test]
async fn every_response_carries_a_request_id(pool: PgPool) {
    let res = call(&pool, get("/healthz")).await;
    let id = res.headers["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36);
}

#[sqlx::test]
async fn an_oversized_body_is_refused_with_413(pool: PgPool) {
    let big = vec![b'x'; simlontar::web::BODY_LIMIT + 1];
    let req = Request::post("/")
        .header(header::CONTENT_LENGTH, big.len())
        .body(Body::from(big))
        .unwrap();
    let res = call(&pool, req).await;
    let body = res.body.clone();
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body.contains("terlalu besar"), "{body}");
}

#[sqlx::test]
async fn the_app_serves_over_tcp_on_a_random_port(pool: PgPool) {
    let base = spawn(&pool).await;
    let res = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(res.status(), 200);
    let css = reqwest::get(format!("{base}/static/app.css"))
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}
