use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use sqlx::PgPool;

use crate::common::*;
use simlontar::auth::model::Role;

pub const SBY: &str = "OT-3578-2026-000001";
pub const BWI: &str = "OT-3510-2026-000001";

pub async fn two_regions(pool: &PgPool) {
    load_geo(pool).await;
    case_fixture(
        pool,
        SBY,
        "35.78",
        Some("35.78"),
        "Sumiati Surabaya",
        Some("3578015208900001"),
    )
    .await;
    case_fixture(
        pool,
        BWI,
        "35.10",
        Some("35.10"),
        "Painem Banyuwangi",
        Some("3510014506850002"),
    )
    .await;
}

#[sqlx::test]
async fn every_route_but_sign_in_health_and_assets_refuses_anonymous_requests(pool: PgPool) {
    two_regions(&pool).await;
    let r = router(&pool).await;
    for path in [
        "/",
        "/cases",
        &format!("/cases/{SBY}"),
        "/admin",
        "/admin/users",
        "/admin/audit",
    ] {
        let res = send(&r, get(path)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            res.location().starts_with("/login?next="),
            "{path}: {}",
            res.location()
        );
    }
    for path in ["/api/v1/cases", &format!("/api/v1/cases/{SBY}")] {
        let res = send(&r, get(path)).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(res.json()["error"], "unauthorized");
    }
    for path in ["/login", "/healthz", "/readyz", "/static/app.css"] {
        assert_eq!(send(&r, get(path)).await.status, StatusCode::OK, "{path}");
    }
    // Posts without a session are refused before they reach a handler.
    let mut anon = Client::new(&pool).await;
    anon.get("/login").await;
    for path in [
        "/admin/users",
        "/admin/grants",
        "/admin/passwords",
        "/cases/search-nik",
    ] {
        let res = anon.post(path, &[("username", "x")]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{path}");
    }
}

#[sqlx::test]
async fn a_regency_viewer_sees_only_their_regency_everywhere(pool: PgPool) {
    two_regions(&pool).await;
    let mut c = signed_in(&pool, "viewer.bwi", Role::RegencyViewer, Some("35.10")).await;

    let list = c.get("/cases").await;
    assert!(
        list.body.contains(BWI) && !list.body.contains(SBY),
        "list leaks: {}",
        list.body
    );
    let search = c.get("/cases?q=Sumiati").await;
    assert!(!search.body.contains(SBY));
    let by_region = c.get("/cases?region=35.78").await;
    assert!(!by_region.body.contains(SBY));
    // A viewer sees NIKs masked, so has no NIK search at all (tests/it/nik_search.rs).
    let by_nik = c
        .post("/cases/search-nik", &[("nik", "3578015208900001")])
        .await;
    assert_eq!(by_nik.status, StatusCode::FORBIDDEN);
    assert!(!by_nik.body.contains(SBY));
    let direct = c.get(&format!("/cases/{SBY}")).await;
    assert_eq!(direct.status, StatusCode::NOT_FOUND);
    assert!(c.get(&format!("/cases/{BWI}")).await.status.is_success());

    // The same through the API, with a token of the same user.
    let user = simlontar::auth::store::find_by_name(&pool, "viewer.bwi")
        .await
        .unwrap()
        .unwrap();
    let (_, token) = simlontar::auth::store::create_token(&pool, user.id, "t")
        .await
        .unwrap();
    let api = |path: String| {
        Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let listed = send(&c.router, api("/api/v1/cases".into())).await;
    let numbers: Vec<String> = listed.json()["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(numbers, vec![BWI.to_string()]);
    let shown = send(&c.router, api(format!("/api/v1/cases/{SBY}"))).await;
    assert_eq!(shown.status, StatusCode::NOT_FOUND);
    assert_eq!(shown.json()["error"], "not_found");

    // Both refused look-ups are in the audit trail.
    let denied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'read_denied' AND entity_id = $1 AND actor_id = $2",
    )
    .bind(SBY)
    .bind(user.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(denied, 2);
}

#[sqlx::test]
async fn an_intake_officer_sees_pick_ups_of_their_regency_only(pool: PgPool) {
    two_regions(&pool).await;
    let mut c = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let list = c.get("/cases").await;
    assert!(list.body.contains(SBY) && !list.body.contains(BWI));
}

#[sqlx::test]
async fn a_form_post_without_the_csrf_token_or_from_another_site_is_refused(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "admin1", Role::Admin, None).await;
    let fields = [
        ("username", "x.user"),
        ("role", "case_officer"),
        ("password", "a long password"),
        ("display_name", "X"),
    ];
    let res = c.post_raw("/admin/users", &fields).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = c
        .post_raw(
            "/admin/users",
            &[&fields[..], &[("csrf", "forged")]].concat(),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // The right token but another site's Origin.
    let csrf = c.csrf.clone().unwrap();
    let body = format!(
        "username=x.user&role=case_officer&password=a+long+password&display_name=X&csrf={csrf}"
    );
    let req = Request::post("/admin/users")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, c.cookie.clone().unwrap())
        .body(Body::from(body))
        .unwrap();
    assert_eq!(send(&c.router, req).await.status, StatusCode::FORBIDDEN);
    let created: i64 =
        sqlx::query_scalar("SELECT count(*) FROM app_user WHERE username = 'x.user'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(created, 0);
    // With the token and our own origin it works.
    let res = c.post("/admin/users", &fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(
        res.location().contains("done=created"),
        "{}",
        res.location()
    );
}

#[sqlx::test]
async fn the_users_page_shows_no_words_from_its_link(pool: PgPool) {
    // A link crafted to put a message on the administrator's page (content spoofing):
    // only a known outcome code is read, and only a username on the list.
    load_geo(&pool).await;
    let mut admin = signed_in(&pool, "admin1", Role::Admin, None).await;
    let lure = "Sesi berakhir, masukkan kata sandi di evil.example";
    for link in [
        format!("/admin/users?notice={}", urlencode(lure)),
        format!("/admin/users?error={}", urlencode(lure)),
        format!("/admin/users?done={}", urlencode(lure)),
        format!("/admin/users?done=created&user={}", urlencode(lure)),
    ] {
        let page = admin.get(&link).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("evil.example"), "{link}: {}", page.body);
    }
    let page = admin.get("/admin/users?done=created&user=admin1").await;
    assert!(
        page.body.contains("Pengguna dibuat: admin1"),
        "{}",
        page.body
    );
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[sqlx::test]
async fn deactivation_asks_first_and_nobody_deactivates_themselves(pool: PgPool) {
    load_geo(&pool).await;
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    let mut admin = signed_in(&pool, "admin1", Role::Admin, None).await;
    let list = admin.get("/admin/users").await;
    // One "Nonaktifkan" (officer1's), none on the administrator's own row.
    assert_eq!(list.body.matches("Nonaktifkan").count(), 1, "{}", list.body);
    assert!(!list.body.contains(r#"action="/admin/users/admin1/status""#));

    // The first press asks, naming the person; nothing changes yet.
    let asked = admin
        .post("/admin/users/officer1/status", &[("disabled", "true")])
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(
        asked.body.contains("Nonaktifkan akun officer1 (officer1)?")
            && asked.body.contains("Ya, nonaktifkan"),
        "{}",
        asked.body
    );
    let officer = simlontar::auth::store::find_by_name(&pool, "officer1")
        .await
        .unwrap()
        .unwrap();
    assert!(!officer.disabled, "asking disables nobody");

    // The rule refuses one's own account, whichever path asks (a crafted post here).
    let own = admin
        .post(
            "/admin/users/admin1/status",
            &[("disabled", "true"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        own.body
            .contains("Anda tidak dapat menonaktifkan akun Anda sendiri."),
        "{}",
        own.body
    );
    let me = simlontar::auth::store::find_by_name(&pool, "admin1")
        .await
        .unwrap()
        .unwrap();
    assert!(!me.disabled);
    assert!(matches!(
        simlontar::auth::store::set_disabled(&pool, Some(me.id), "admin1", true).await,
        Err(simlontar::auth::store::UserError::OwnAccount)
    ));
    // Another person's account is disabled once confirmed.
    let done = admin
        .post(
            "/admin/users/officer1/status",
            &[("disabled", "true"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location(), "/admin/users?done=disabled&user=officer1");
    let list = admin.get(done.location()).await;
    assert!(
        list.body
            .contains("Akun dinonaktifkan; semua sesinya berakhir: officer1"),
        "{}",
        list.body
    );
    let officer = simlontar::auth::store::find_by_name(&pool, "officer1")
        .await
        .unwrap()
        .unwrap();
    assert!(officer.disabled);
    assert!(
        simlontar::auth::store::set_disabled(&pool, Some(me.id), "nobody", true)
            .await
            .is_err()
    );
    // Enabling oneself is harmless (it ends one's sessions, so it comes last here).
    assert!(
        simlontar::auth::store::set_disabled(&pool, Some(me.id), "admin1", false)
            .await
            .is_ok()
    );
}

#[sqlx::test]
async fn a_disabled_users_session_stops_working_at_once(pool: PgPool) {
    load_geo(&pool).await;
    // The same person on two devices, and a system using a token of theirs.
    let mut phone = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    let mut desk = Client::new(&pool).await;
    assert_eq!(
        desk.sign_in("officer1", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let id = simlontar::auth::store::find_by_name(&pool, "officer1")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (_, token) = simlontar::auth::store::create_token(&pool, id, "sistem")
        .await
        .unwrap();
    let api = || {
        Request::get("/api/v1/cases")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    for device in [&mut phone, &mut desk] {
        assert_eq!(device.get("/cases").await.status, StatusCode::OK);
    }
    assert_eq!(send(&phone.router, api()).await.status, StatusCode::OK);

    let mut admin = signed_in(&pool, "admin1", Role::Admin, None).await;
    admin.get("/admin/users").await;
    let res = admin
        .post(
            "/admin/users/officer1/status",
            &[("disabled", "true"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    // The very next request of each is refused.
    for device in [&mut phone, &mut desk] {
        let res = device.get("/cases").await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert!(res.location().starts_with("/login"), "{}", res.location());
    }
    let res = send(&phone.router, api()).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.json()["error"], "unauthorized");
    // Nor can they sign in again.
    let mut again = Client::new(&pool).await;
    assert_eq!(
        again.sign_in("officer1", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test]
async fn a_password_reset_ends_the_users_sessions(pool: PgPool) {
    load_geo(&pool).await;
    let mut sessions = vec![signed_in(&pool, "officer1", Role::CaseOfficer, None).await];
    for _ in 0..2 {
        let mut c = Client::new(&pool).await;
        assert_eq!(
            c.sign_in("officer1", PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        sessions.push(c);
    }
    for c in &mut sessions {
        assert_eq!(c.get("/cases").await.status, StatusCode::OK);
    }
    let mut admin = signed_in(&pool, "admin1", Role::Admin, None).await;
    admin.get("/admin/users").await;
    let res = admin
        .post(
            "/admin/passwords",
            &[("username", "officer1"), ("password", "another long one")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    for c in &mut sessions {
        assert_eq!(c.get("/cases").await.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(admin.get("/admin/users").await.status, StatusCode::OK);
}

#[sqlx::test]
async fn opening_a_case_writes_one_audit_row_that_the_app_role_cannot_delete(pool: PgPool) {
    two_regions(&pool).await;
    let mut c = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    let res = c.get(&format!("/cases/{SBY}")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Sumiati Surabaya"));
    let rows: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM audit_log WHERE action = 'read' AND entity_id = $1")
            .bind(SBY)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);

    let app = app_pool(&pool).await;
    for sql in [
        "DELETE FROM audit_log WHERE id = $1",
        "UPDATE audit_log SET action = 'x' WHERE id = $1",
    ] {
        let err = sqlx::query(sql)
            .bind(rows[0])
            .execute(&app)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("permission denied"), "{err}");
    }
    let err = sqlx::query("TRUNCATE audit_log")
        .execute(&app)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
    // Even the owner is stopped by the append-only trigger.
    let err = sqlx::query("DELETE FROM audit_log")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[sqlx::test]
async fn the_nik_is_masked_for_viewers_who_do_not_need_it(pool: PgPool) {
    two_regions(&pool).await;
    let mut viewer = signed_in(&pool, "viewer.sby", Role::RegencyViewer, Some("35.78")).await;
    let page = viewer.get(&format!("/cases/{SBY}")).await;
    assert!(page.body.contains("3578**********01") && !page.body.contains("3578015208900001"));
    let mut officer = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    let page = officer.get(&format!("/cases/{SBY}")).await;
    assert!(page.body.contains("3578015208900001"));
}

/// The session cookie (`simlontar=…`) among a client's cookies.
fn session_cookie(jar: &Option<String>) -> Option<String> {
    jar.as_deref()?
        .split("; ")
        .find(|p| p.starts_with("simlontar="))
        .map(String::from)
}

#[sqlx::test]
async fn signing_in_gives_a_new_session_and_signing_out_kills_it(pool: PgPool) {
    load_geo(&pool).await;
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    // Showing the sign-in form gives no session; a session id planted in the browser
    // beforehand (here another account's) is not the one the sign-in gets.
    let mut c = Client::new(&pool).await;
    c.get("/login").await;
    assert_eq!(session_cookie(&c.cookie), None);
    let planted = signed_in(&pool, "intruder", Role::RegencyViewer, Some("35.78"))
        .await
        .cookie;
    c.cookie = planted.clone();
    c.get("/login").await;
    let res = c
        .post(
            "/login",
            &[("username", "officer1"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let after = c.cookie.clone().unwrap();
    assert!(session_cookie(&c.cookie).is_some());
    assert_ne!(
        session_cookie(&c.cookie),
        session_cookie(&planted),
        "session id must change at sign-in"
    );
    let mut intruder = Client::new(&pool).await;
    intruder.cookie = planted;
    assert_eq!(intruder.get("/cases").await.status, StatusCode::SEE_OTHER);
    c.get("/").await;
    let res = c.post("/logout", &[]).await;
    assert_eq!(res.location(), "/login");
    // Replaying the old cookie after sign-out gets the sign-in page.
    c.cookie = Some(after);
    let res = c.get("/cases").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.location().starts_with("/login"));
}

/// The cookie `name` a response sets, with its attributes lower-cased.
fn set_cookie(res: &Res, name: &str) -> Option<(String, Vec<String>)> {
    res.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            let mut parts = v.split(';').map(str::trim);
            let pair = parts.next().unwrap().to_string();
            (pair, parts.map(str::to_lowercase).collect())
        })
}

/// HttpOnly, SameSite=Lax, the whole site, no Domain (and Secure when asked).
fn assert_cookie_attributes(name: &str, attributes: &[String], secure: bool) {
    for wanted in ["httponly", "path=/", "samesite=lax"] {
        assert!(
            attributes.iter().any(|a| a == wanted),
            "{name} {wanted}: {attributes:?}"
        );
    }
    assert!(
        !attributes.iter().any(|a| a.starts_with("domain")),
        "{name}: {attributes:?}"
    );
    assert_eq!(
        attributes.iter().any(|a| a == "secure"),
        secure,
        "{name}: {attributes:?}"
    );
}

#[sqlx::test]
async fn the_session_cookie_is_http_only_and_same_site(pool: PgPool) {
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    let mut c = Client::new(&pool).await;
    // The sign-in form's token cookie: no session yet.
    let page = c.get("/login").await;
    assert!(set_cookie(&page, "simlontar").is_none());
    let (_, attributes) = set_cookie(&page, "simlontar-csrf").expect("a token cookie");
    assert_cookie_attributes("simlontar-csrf", &attributes, false);
    let res = c
        .post(
            "/login",
            &[("username", "officer1"), ("password", PASSWORD)],
        )
        .await;
    let (_, attributes) = set_cookie(&res, "simlontar").expect("a session cookie");
    assert_cookie_attributes("simlontar", &attributes, false);
}

#[sqlx::test]
async fn every_page_carries_the_security_headers(pool: PgPool) {
    for path in ["/login", "/no-such-page", "/cases"] {
        let res = call(&pool, get(path)).await;
        let csp = res.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        for part in [
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(res.headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(res.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(res.headers[header::CACHE_CONTROL], "no-store", "{path}");
        assert!(res.headers.contains_key(header::REFERRER_POLICY));
    }
}

#[sqlx::test]
async fn api_tokens_work_until_revoked_and_record_their_use(pool: PgPool) {
    load_geo(&pool).await;
    let id = user(&pool, "dp3ak.system", Role::IdentityOfficer, None).await;
    let (token_id, token) = simlontar::auth::store::create_token(&pool, id, "dp3ak")
        .await
        .unwrap();
    let r = router(&pool).await;
    let req = |t: &str| {
        Request::get("/api/v1/cases")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(Body::empty())
            .unwrap()
    };
    // A use is noted; within the minute after it nothing is written, after it the time
    // moves on.
    for (seconds, noted) in [(0, 0), (59, 0), (61, 61)] {
        let at = now() + chrono::Duration::seconds(seconds);
        let later = router_at(&pool, at).await;
        assert_eq!(send(&later, req(&token)).await.status, StatusCode::OK);
        let used: Option<chrono::DateTime<chrono::Utc>> =
            sqlx::query_scalar("SELECT last_used_at FROM api_token WHERE id = $1")
                .bind(token_id)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(
            used,
            Some(now() + chrono::Duration::seconds(noted)),
            "{seconds} s on"
        );
    }
    assert_eq!(
        send(&r, req("slt_made_up")).await.status,
        StatusCode::UNAUTHORIZED
    );
    simlontar::auth::store::revoke_token(&pool, token_id)
        .await
        .unwrap();
    assert_eq!(send(&r, req(&token)).await.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test]
async fn only_administrators_reach_the_admin_pages(pool: PgPool) {
    load_geo(&pool).await;
    let mut officer = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    assert_eq!(
        officer.get("/admin/users").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        officer.get("/admin/audit").await.status,
        StatusCode::FORBIDDEN
    );
    let mut admin = signed_in(&pool, "admin1", Role::Admin, None).await;
    let page = admin.get("/admin/audit?actor=officer1").await;
    assert_eq!(page.status, StatusCode::OK);
    // The action by its label ("Masuk", signed in), not its code.
    assert!(
        page.body.contains("<td>Masuk</td>"),
        "sign-ins are audited: {}",
        page.body
    );
}

#[sqlx::test]
async fn thirty_idle_minutes_end_a_session(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    c.router = router_at(&pool, now() + chrono::Duration::minutes(29)).await;
    assert_eq!(
        c.get("/cases").await.status,
        StatusCode::OK,
        "29 minutes idle is fine"
    );
    c.router = router_at(&pool, now() + chrono::Duration::minutes(29 + 31)).await;
    let res = c.get("/cases").await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "31 minutes idle signs out"
    );
    assert!(res.location().starts_with("/login"));
}

#[sqlx::test]
async fn twelve_hours_end_a_session_however_busy(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    for step in 1..=36 {
        c.router = router_at(&pool, now() + chrono::Duration::minutes(20 * step)).await;
        assert_eq!(
            c.get("/cases").await.status,
            StatusCode::OK,
            "{} min",
            20 * step
        );
    }
    c.router = router_at(&pool, now() + chrono::Duration::minutes(20 * 36 + 20)).await;
    assert_eq!(
        c.get("/cases").await.status,
        StatusCode::SEE_OTHER,
        "after 12 h 20 min"
    );
}

#[sqlx::test]
async fn over_https_the_cookie_is_host_bound_and_secure_and_hsts_is_always_sent(pool: PgPool) {
    load_geo(&pool).await;
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    let mut s = settings();
    s.base_url = "https://simlontar.dinsos.jatimprov.go.id".into();
    let r = router_with(&pool, s, now()).await;

    let login = send(&r, get("/login")).await;
    let (_, attributes) = set_cookie(&login, "__Host-simlontar-csrf").expect("a token cookie");
    assert_cookie_attributes("__Host-simlontar-csrf", &attributes, true);

    // A page, a 404, a redirect, an API refusal and a probe all carry HSTS.
    for (path, status) in [
        ("/login", StatusCode::OK),
        ("/no-such-page", StatusCode::NOT_FOUND),
        ("/cases", StatusCode::SEE_OTHER),
        ("/api/v1/cases", StatusCode::UNAUTHORIZED),
        ("/healthz", StatusCode::OK),
    ] {
        let res = send(&r, get(path)).await;
        assert_eq!(res.status, status, "{path}");
        assert_eq!(
            res.headers[header::STRICT_TRANSPORT_SECURITY],
            "max-age=31536000; includeSubDomains",
            "{path}"
        );
    }
    // Over plain http it would be ignored by browsers, and is not sent.
    let plain = call(&pool, get("/login")).await;
    assert!(!plain
        .headers
        .contains_key(header::STRICT_TRANSPORT_SECURITY));

    // The prefixed cookies carry a sign-in.
    let mut c = Client {
        router: r,
        cookie: None,
        csrf: None,
    };
    let res = c.sign_in("officer1", PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let (_, attributes) = set_cookie(&res, "__Host-simlontar").expect("a session cookie");
    assert_cookie_attributes("__Host-simlontar", &attributes, true);
    assert_eq!(c.get("/cases").await.status, StatusCode::OK);
}

/// Behind a proxy asking for Basic authentication, the browser adds its remembered
/// `Authorization` header to every request to the site, another site's forms included.
#[sqlx::test]
async fn a_basic_authorization_header_does_not_lift_the_origin_check_from_a_session(pool: PgPool) {
    load_geo(&pool).await;
    let mut admin = signed_in(&pool, "admin1", Role::Admin, None).await;
    admin.get("/admin/users").await;
    let csrf = admin.csrf.clone().unwrap();
    let req = Request::post("/admin/users")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::AUTHORIZATION, "Basic cHJveHk6cHJveHk=")
        .header(header::COOKIE, admin.cookie.clone().unwrap())
        .body(Body::from(format!(
            "username=evil&role=admin&password=a+long+password&display_name=Evil&csrf={csrf}"
        )))
        .unwrap();
    assert_eq!(send(&admin.router, req).await.status, StatusCode::FORBIDDEN);
    let created: i64 = sqlx::query_scalar("SELECT count(*) FROM app_user WHERE username = 'evil'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(created, 0);
}

#[sqlx::test]
async fn the_api_shows_the_nik_whole_only_to_roles_that_need_it(pool: PgPool) {
    two_regions(&pool).await;
    let nik = "3578015208900001";
    // A UPT sees the case through its placement there.
    let (ward, upt): (i64, String) = sqlx::query_as(
        "SELECT id, upt_code FROM ward WHERE occupied + held < beds ORDER BY id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO placement (case_id, ward_id, started_at)
         SELECT id, $2, $3 FROM ot_case WHERE number = $1",
    )
    .bind(SBY)
    .bind(ward)
    .bind(now())
    .execute(&pool)
    .await
    .unwrap();
    let r = router(&pool).await;
    // DP3AK confirms her identity, with her family card and mother's name from the registry.
    let dp3ak = token(&pool, "dp3ak", Role::IdentityOfficer, None).await;
    let check = serde_json::json!({
        "case_number": SBY, "method": "fingerprint", "outcome": "matched", "score": 93.0,
        "requested_at": "2026-11-23T02:40:00Z", "completed_at": "2026-11-23T02:41:00Z",
        "identity": {"nik": nik, "name": "Sumiati", "sex": "female",
                     "kk_number": "3578010101900009", "mother_name": "Painah"}
    });
    let key = "0b7e6c1e-51a4-4f0e-9d0e-2f6f1c9b8a31";
    let res = send(
        &r,
        api("POST", "/api/v1/identity-checks", &dp3ak, Some(key), check),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);

    for (name, role, scope, whole) in [
        ("viewer", Role::RegencyViewer, Some("35.78"), false),
        ("satpol", Role::IntakeOfficer, Some("35.78"), false),
        ("upt", Role::UptStaff, Some(upt.as_str()), false),
        ("officer", Role::CaseOfficer, None, true),
        ("checker", Role::IdentityOfficer, None, true),
        ("admin", Role::Admin, None, true),
    ] {
        let t = token(&pool, name, role, scope).await;
        let get = |path: &str| {
            Request::get(path)
                .header(header::AUTHORIZATION, format!("Bearer {t}"))
                .body(Body::empty())
                .unwrap()
        };
        let case = send(&r, get(&format!("/api/v1/cases/{SBY}"))).await;
        assert_eq!(case.status, StatusCode::OK, "{name}: {}", case.body);
        let shown = if whole { nik } else { "3578**********01" };
        assert_eq!(case.json()["nik"], shown, "{name}");
        if whole {
            let events = send(&r, get(&format!("/api/v1/cases/{SBY}/events"))).await;
            assert!(events.body.contains("fingerprint matched"), "{name}");
            continue;
        }
        // Nor anywhere else in the API: lists, events (the check's outcome without its
        // biometric method), the registry's details.
        for (path, about_her) in [
            (format!("/api/v1/cases/{SBY}"), SBY),
            (
                format!("/api/v1/cases/{SBY}/events"),
                r#""reason":"matched""#,
            ),
            (format!("/api/v1/cases?q={SBY}"), SBY),
            (format!("/api/v1/intakes?q={SBY}"), SBY),
        ] {
            let res = send(&r, get(&path)).await;
            assert!(res.body.contains(about_her), "{name} {path}: {}", res.body);
            for secret in [nik, "3578010101900009", "Painah", "fingerprint"] {
                assert!(!res.body.contains(secret), "{name} {path}: {}", res.body);
            }
        }
    }
}

#[sqlx::test]
async fn a_new_user_gets_the_one_role_the_form_names_whatever_else_it_carries(pool: PgPool) {
    two_regions(&pool).await;
    let mut admin = signed_in(&pool, "admin1", Role::Admin, None).await;
    admin.get("/admin/users").await;
    let form = [
        ("username", "viewer.sby"),
        ("display_name", "Dinsos Surabaya"),
        ("role", "regency_viewer"),
        ("scope", "35.78"),
        ("password", PASSWORD),
    ];
    let extras = [
        ("roles", "admin"),
        ("admin", "true"),
        ("grants", "admin"),
        ("region_id", "35.10"),
        ("scope_upt", "BALAI-PMKS-SIDOARJO"),
        ("shelter_id", "1"),
        ("state", "active"),
        ("status", "active"),
    ];
    // A second `role` is refused, not granted as well.
    let twice = admin
        .post("/admin/users", &[&form[..], &[("role", "admin")]].concat())
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    let created: i64 =
        sqlx::query_scalar("SELECT count(*) FROM app_user WHERE username = 'viewer.sby'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(created, 0);
    // Fields the form does not have are ignored.
    let res = admin
        .post("/admin/users", &[&form[..], &extras[..]].concat())
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert!(
        res.location().contains("done=created"),
        "{}",
        res.location()
    );
    let grants: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT r.role, r.scope_region, r.scope_upt FROM user_role r JOIN app_user u ON u.id = r.user_id
          WHERE u.username = 'viewer.sby'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        grants,
        vec![(
            "regency_viewer".to_string(),
            Some("35.78".to_string()),
            None
        )]
    );
    let mut viewer = Client::new(&pool).await;
    viewer.sign_in("viewer.sby", PASSWORD).await;
    assert_eq!(
        viewer.get("/admin/users").await.status,
        StatusCode::FORBIDDEN
    );
    let list = viewer.get("/cases").await;
    assert!(
        list.body.contains(SBY) && !list.body.contains(BWI),
        "{}",
        list.body
    );
}
