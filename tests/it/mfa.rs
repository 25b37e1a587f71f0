//! The second factor (ASVS 6.3.3, 6.5.1, 6.5.5): after the password, no case data until a
//! one-time code; a code works once and only in its own 30-second step.
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use crate::common::{now, router_with, settings, user, Client, PASSWORD};
use simlontar::auth::mfa;
use simlontar::auth::model::Role;

async fn client_at(pool: &PgPool, at: DateTime<Utc>) -> Client {
    let mut s = settings();
    s.mfa_required = true;
    Client {
        router: router_with(pool, s, at).await,
        cookie: None,
        csrf: None,
    }
}

pub fn secret_on(page: &str) -> Vec<u8> {
    let at = page
        .find(r#"class="secret">"#)
        .expect("enrolment shows the key")
        + 15;
    let end = page[at..].find('<').unwrap();
    mfa::decode(&page[at..at + end]).unwrap()
}

/// Password step: lands on the code page, which is returned.
pub async fn password_step(c: &mut Client, username: &str) -> String {
    let res = c.sign_in(username, PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        res.location().starts_with("/login/totp"),
        "{}",
        res.location()
    );
    let page = c.get(res.location()).await;
    assert_eq!(page.status, StatusCode::OK);
    page.body
}

#[sqlx::test]
async fn no_case_data_before_the_code_and_a_code_works_once(pool: PgPool) {
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    let mut c = client_at(&pool, now()).await;
    let page = password_step(&mut c, "officer1").await;
    assert!(page.contains("<svg"), "enrolment shows a QR code");
    let secret = secret_on(&page);

    // Between the two steps every protected page and form sends back to the code page.
    for path in ["/", "/cases", "/intake", "/admin/users"] {
        let res = c.get(path).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{path}");
        assert!(res.location().starts_with("/login/totp?next="), "{path}");
    }

    let wrong = c
        .post("/login/totp", &[("code", "000000"), ("next", "/cases")])
        .await;
    let code = mfa::code_at(&secret, now());
    if code != "000000" {
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let before = c.cookie.clone();
    let ok = c
        .post("/login/totp", &[("code", &code), ("next", "/cases")])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), "/cases");
    assert_ne!(
        c.cookie, before,
        "the session id changes once fully signed in"
    );
    assert_eq!(c.get("/cases").await.status, StatusCode::OK);

    // The same code, from a second sign-in in the same 30 s: refused (one use).
    let mut other = client_at(&pool, now()).await;
    let page = password_step(&mut other, "officer1").await;
    assert!(
        !page.contains(r#"class="secret""#),
        "enrolled: no key shown again"
    );
    let replay = other.post("/login/totp", &[("code", &code)]).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert_eq!(other.get("/cases").await.status, StatusCode::SEE_OTHER);

    // Thirty seconds on, the old code is dead and the new one works.
    let later = now() + Duration::seconds(30);
    let mut third = client_at(&pool, later).await;
    password_step(&mut third, "officer1").await;
    let stale = third.post("/login/totp", &[("code", &code)]).await;
    if mfa::code_at(&secret, later) != code {
        assert_eq!(stale.status, StatusCode::UNAUTHORIZED);
    }
    let fresh = mfa::code_at(&secret, later);
    let res = third.post("/login/totp", &[("code", &fresh)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(third.get("/cases").await.status, StatusCode::OK);

    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'mfa%' ORDER BY chain_seq",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(actions.first().map(String::as_str), Some("mfa_failed"));
    assert!(actions.contains(&"mfa_enrolled".to_string()));
    assert!(actions.contains(&"mfa_ok".to_string()));
}

#[sqlx::test]
async fn wrong_codes_are_throttled_like_wrong_passwords(pool: PgPool) {
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    let mut c = client_at(&pool, now()).await;
    let page = password_step(&mut c, "officer1").await;
    let good = mfa::code_at(&secret_on(&page), now());
    let bad = if good == "111111" { "222222" } else { "111111" };
    for _ in 0..10 {
        let res = c.post("/login/totp", &[("code", bad)]).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right code is refused once the limit is reached.
    let res = c.post("/login/totp", &[("code", &good)]).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test]
async fn an_administrator_resets_a_lost_authenticator(pool: PgPool) {
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    let mut c = client_at(&pool, now()).await;
    let secret = secret_on(&password_step(&mut c, "officer1").await);
    let code = mfa::code_at(&secret, now());
    c.post("/login/totp", &[("code", &code)]).await;
    assert_eq!(c.get("/cases").await.status, StatusCode::OK);

    mfa::reset(&pool, "officer1").await.unwrap();
    // The open session ends, and the next sign-in enrols afresh.
    assert_eq!(c.get("/cases").await.status, StatusCode::SEE_OTHER);
    let mut again = client_at(&pool, now() + Duration::seconds(30)).await;
    let page = password_step(&mut again, "officer1").await;
    assert_ne!(secret_on(&page), secret);
}

#[sqlx::test]
async fn the_code_step_goes_on_only_to_local_paths(pool: PgPool) {
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    let mut c = client_at(&pool, now()).await;
    let page = password_step(&mut c, "officer1").await;
    let code = mfa::code_at(&secret_on(&page), now());
    for next in crate::redirects::HOSTILE {
        let shown = c.get(&format!("/login/totp?next={next}")).await;
        assert!(
            shown.body.contains(r#"name="next" value="/""#),
            "{next}: {}",
            shown.body
        );
    }
    let res = c
        .post(
            "/login/totp",
            &[("code", &code), ("next", "/\t/evil.example")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), "/");
}
