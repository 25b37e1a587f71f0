use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use sqlx::PgPool;

use crate::common::{call, get, load_geo, spawn};

#[sqlx::test]
async fn health_and_readiness_answer(pool: PgPool) {
    let (res, body) = call(&pool, get("/healthz")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(body.contains("ok"));
    let (res, body) = call(&pool, get("/readyz")).await;
    assert_eq!(res.status(), StatusCode::OK, "{body}");
}

#[sqlx::test(migrations = false)]
async fn readiness_fails_while_migrations_are_missing(pool: PgPool) {
    let (res, body) = call(&pool, get("/readyz")).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
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
    let (res, body) = call(&pool, get("/")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(body.contains(r#"<html lang="id">"#));
    assert!(body.contains("Kapasitas UPT"));
    assert!(body.contains("Diperbarui"));

    let (res, _) = call(&pool, get("/lang/en?back=/")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("lang=en"));
    let req = Request::get("/")
        .header(header::COOKIE, "lang=en")
        .body(Body::empty())
        .unwrap();
    let (_, body) = call(&pool, req).await;
    assert!(body.contains(r#"<html lang="en">"#));
    assert!(body.contains("UPT capacity"));
}

#[sqlx::test]
async fn the_language_switch_never_redirects_off_site(pool: PgPool) {
    let (res, _) = call(&pool, get("/lang/en?back=//evil.example/x")).await;
    assert_eq!(res.headers()[header::LOCATION], "/");
    let (res, _) = call(&pool, get("/lang/xx")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn unknown_pages_get_an_indonesian_404_and_the_api_a_json_one(pool: PgPool) {
    let (res, body) = call(&pool, get("/no-such-page")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(body.contains("tidak ditemukan"), "{body}");
    let (res, body) = call(&pool, get("/api/v1/no-such-thing")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["error"], "not_found");
}

#[sqlx::test]
async fn every_response_carries_a_request_id(pool: PgPool) {
    let (res, _) = call(&pool, get("/healthz")).await;
    let id = res.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36);
}

#[sqlx::test]
async fn an_oversized_body_is_refused_with_413(pool: PgPool) {
    let big = vec![b'x'; simlontar::web::BODY_LIMIT + 1];
    let req = Request::post("/")
        .header(header::CONTENT_LENGTH, big.len())
        .body(Body::from(big))
        .unwrap();
    let (res, body) = call(&pool, req).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
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
