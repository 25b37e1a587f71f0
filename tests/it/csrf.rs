//! The one CSRF rule: every state-changing request of a cookie session carries the form's
//! token whatever its `Content-Type`, the API takes no cookie-session writes at all, and
//! anonymous pages protect their forms without writing a session.
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use sqlx::PgPool;

use crate::auth::{two_regions, SBY};
use crate::common::*;
use simlontar::auth::model::Role;

async fn sessions(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM tower_sessions.session")
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn case_state(pool: &PgPool, number: &str) -> (String, i64) {
    sqlx::query_as(
        "SELECT c.state::text, (SELECT count(*) FROM case_event e WHERE e.case_id = c.id)
           FROM ot_case c WHERE c.number = $1",
    )
    .bind(number)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A same-origin request of this client with the given body and `Content-Type`.
fn own_site(c: &Client, uri: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ORIGIN, "http://localhost")
        .header(header::HOST, "localhost")
        .header(header::COOKIE, c.cookie.clone().unwrap())
        .body(body.into())
        .unwrap()
}

#[sqlx::test]
async fn a_signed_in_browser_cannot_write_to_the_api_however_the_body_is_labelled(pool: PgPool) {
    two_regions(&pool).await;
    let c = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    let before = case_state(&pool, SBY).await;
    let uri = format!("/api/v1/cases/{SBY}/events");
    let json = r#"{"to": "closed", "reason": "closed by a forged request"}"#;
    for content_type in [
        "multipart/form-data; boundary=zz",
        "application/json",
        "application/x-www-form-urlencoded",
        "text/plain",
    ] {
        let res = send(&c.router, own_site(&c, &uri, content_type, json)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{content_type}");
        assert_eq!(res.json()["error"], "forbidden", "{content_type}");
        assert!(
            res.json()["message"].as_str().unwrap().contains("bearer"),
            "{content_type}: {}",
            res.body
        );
    }
    // Nor with the page's token in a real multipart form.
    let csrf = c.csrf.clone().unwrap();
    let (content_type, body) = multipart(&[("csrf", &csrf), ("to", "closed")], &[]);
    let res = send(&c.router, own_site(&c, &uri, &content_type, body)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(case_state(&pool, SBY).await, before);
}

#[sqlx::test]
async fn a_multipart_sign_out_without_the_token_does_not_sign_out(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    for fields in [vec![], vec![("csrf", "forged")]] {
        let (content_type, body) = multipart(&fields, &[]);
        let res = send(&c.router, own_site(&c, "/logout", &content_type, body)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{fields:?}");
        assert_eq!(c.get("/cases").await.status, StatusCode::OK, "{fields:?}");
    }
    // A malformed multipart body has no token either.
    let res = send(
        &c.router,
        own_site(&c, "/logout", "multipart/form-data; boundary=zz", "csrf"),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(c.get("/cases").await.status, StatusCode::OK);
    // The page's token in a multipart body is as good as in an urlencoded one.
    let csrf = c.csrf.clone().unwrap();
    let (content_type, body) = multipart(&[("csrf", &csrf)], &[]);
    let res = send(&c.router, own_site(&c, "/logout", &content_type, body)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(c.get("/cases").await.status, StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn the_intake_desks_photos_form_is_held_to_the_same_token(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    c.get("/intake").await;
    let key = uuid::Uuid::new_v4().to_string();
    let fields = [
        ("idempotency_key", key.as_str()),
        ("found_at", "2026-11-23T08:15"),
        ("found_lat", "-7.2980"),
        ("found_lon", "112.7380"),
        ("stated_name", "Mbah Gimbal"),
    ];
    for csrf in [None, Some("forged")] {
        let mut all = fields.to_vec();
        all.extend(csrf.map(|t| ("csrf", t)));
        let (content_type, body) = multipart(&all, &[PNG]);
        let res = send(&c.router, own_site(&c, "/intake", &content_type, body)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{csrf:?}");
    }
    let staged: i64 = sqlx::query_scalar("SELECT count(*) FROM intake_upload")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(staged, 0, "no photo is kept from a refused form");
}

#[sqlx::test]
async fn anonymous_pages_write_no_session(pool: PgPool) {
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    let r = router(&pool).await;
    for _ in 0..50 {
        assert_eq!(send(&r, get("/login")).await.status, StatusCode::OK);
    }
    for path in [
        "/login?next=/cases",
        "/login/totp",
        "/",
        "/cases",
        "/lang/en?back=/login",
        "/handover/00000000000000000000000000000000",
    ] {
        let res = send(&r, get(path)).await;
        assert!(res.status.as_u16() < 500, "{path}: {}", res.status);
    }
    // A failed sign-in shows the form again, still without a session.
    let mut c = Client::new(&pool).await;
    let res = c.sign_in("officer1", "wrong password!").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(sessions(&pool).await, 0);
    // Signing in makes the first one.
    let res = c.sign_in("officer1", PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(sessions(&pool).await, 1);
    assert_eq!(c.get("/cases").await.status, StatusCode::OK);
}

#[sqlx::test]
async fn a_sign_in_without_the_forms_own_token_is_refused(pool: PgPool) {
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    let mut c = Client::new(&pool).await;
    c.get("/login").await;
    let mine = c.csrf.clone().unwrap();
    let cookie = c.cookie.clone().unwrap();
    let mut other = Client::new(&pool).await;
    other.get("/login").await;
    let theirs = other.csrf.clone().unwrap();
    assert_ne!(mine, theirs, "each browser gets its own token");
    let creds = [("username", "officer1"), ("password", PASSWORD)];
    fn with<'a>(creds: &[(&'a str, &'a str)], token: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
        let mut f = creds.to_vec();
        f.extend(token.map(|t| ("csrf", t)));
        f
    }
    // No token, a made-up one, another browser's, or the right one without its cookie.
    for (token, cookie) in [
        (None, Some(cookie.clone())),
        (Some("forged"), Some(cookie.clone())),
        (Some(""), Some(cookie.clone())),
        (Some(theirs.as_str()), Some(cookie.clone())),
        (Some(mine.as_str()), None),
        (Some(mine.as_str()), other.cookie.clone()),
    ] {
        c.cookie = cookie;
        let res = c.post_raw("/login", &with(&creds, token)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{token:?}");
    }
    assert_eq!(sessions(&pool).await, 0);
    // The right token from another site.
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, &cookie)
        .body(Body::from(format!(
            "username=officer1&password={}&csrf={mine}",
            PASSWORD.replace(' ', "+")
        )))
        .unwrap();
    assert_eq!(send(&c.router, req).await.status, StatusCode::FORBIDDEN);
    assert_eq!(sessions(&pool).await, 0);
    c.cookie = Some(cookie);
    let res = c.post_raw("/login", &with(&creds, Some(&mine))).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

#[sqlx::test]
async fn before_sign_in_no_form_is_read_past_a_megabyte(pool: PgPool) {
    let mut c = Client::new(&pool).await;
    c.get("/login").await;
    let csrf = c.csrf.clone().unwrap();
    let big = vec![b'x'; 2 * 1024 * 1024];
    let (content_type, body) = multipart(&[("csrf", &csrf), ("username", "x")], &[&big]);
    let res = send(&c.router, own_site(&c, "/login", &content_type, body)).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(sessions(&pool).await, 0);
}
