//! Throttling sign-in guesses so that guessing stays slow but a stranger cannot lock a
//! named officer out: a browser that has signed in to the account before is counted on
//! its own; and behind a trusted proxy each client is counted (and audited) by its own
//! address.
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, StatusCode};
use axum::Router;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use crate::common::*;
use simlontar::auth::model::Role;
use simlontar::auth::throttle::{self, Attempt};

/// The router as reached from `peer` (in-process requests have none), with
/// `X-Forwarded-For: xff` if given.
pub fn via(r: Router, peer: &str, xff: Option<&str>) -> Router {
    let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
    let xff = xff.map(|x| HeaderValue::from_str(x).unwrap());
    r.layer(axum::middleware::map_request(
        move |mut req: Request<Body>| {
            let xff = xff.clone();
            async move {
                req.extensions_mut().insert(ConnectInfo(peer));
                if let Some(x) = xff {
                    req.headers_mut().append("x-forwarded-for", x);
                }
                req
            }
        },
    ))
}

fn browser(router: Router) -> Client {
    Client {
        router,
        cookie: None,
        csrf: None,
    }
}

/// Failures written as the sign-in form writes them for a browser the account does not
/// know (each through the form would cost a whole password hash).
async fn failures(pool: &PgPool, username: &str, addrs: &[&str], at: DateTime<Utc>) {
    for addr in addrs {
        Attempt {
            username: username.into(),
            addr: Some(addr.to_string()),
            device: None,
        }
        .note_failure(pool, at)
        .await
        .unwrap();
    }
}

async fn sign_out(c: &mut Client) {
    c.get("/").await;
    assert_eq!(c.post("/logout", &[]).await.status, StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn a_strangers_failures_do_not_lock_out_the_officers_own_browser(pool: PgPool) {
    user(&pool, "admin.jatim", Role::Admin, None).await;
    let r = router(&pool).await;
    // The officer signs in from the office (every office shares one address behind its
    // NAT) and later signs out.
    let office = "203.0.113.7";
    let mut officer = browser(via(r.clone(), office, None));
    let res = officer.sign_in("admin.jatim", PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    sign_out(&mut officer).await;

    // A stranger behind the same address guesses: ten through the form, refused after.
    let mut stranger = browser(via(r.clone(), office, None));
    for _ in 0..throttle::MAX_FAILURES_PER_ACCOUNT {
        let res = stranger.sign_in("admin.jatim", "tebakan salah").await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    // Fifty from that one address and fifty from fifty others.
    failures(&pool, "admin.jatim", &[office; 40], now()).await;
    let many: Vec<String> = (1..=50).map(|i| format!("198.51.100.{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    failures(&pool, "admin.jatim", &many, now()).await;

    // Guessing goes no further, even with the right password, from any new browser.
    let res = stranger.sign_in("admin.jatim", PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    let mut elsewhere = browser(via(r.clone(), "192.0.2.99", None));
    let res = elsewhere.sign_in("admin.jatim", PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);

    // The officer's own browser, from the same address, still gets in.
    let res = officer.sign_in("admin.jatim", PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(officer.get("/admin/users").await.status, StatusCode::OK);
    // From another place too (the browser is what is known, not the address).
    sign_out(&mut officer).await;
    officer.router = via(r, "192.0.2.50", None);
    let res = officer.sign_in("admin.jatim", PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

#[sqlx::test]
async fn a_known_browser_that_keeps_failing_is_throttled_on_its_own(pool: PgPool) {
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    let r = router(&pool).await;
    let mut phone = browser(r.clone());
    let mut desk = browser(r.clone());
    for b in [&mut phone, &mut desk] {
        assert_eq!(
            b.sign_in("officer1", PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        sign_out(b).await;
    }
    for _ in 0..throttle::MAX_FAILURES_PER_DEVICE {
        let res = phone.sign_in("officer1", "salah ketik terus").await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    let res = phone.sign_in("officer1", PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    // The other browser, and a new one, are not held back by the phone's failures.
    assert_eq!(
        desk.sign_in("officer1", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        browser(r).sign_in("officer1", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // Fifteen minutes on, the phone may try again.
    phone.router = router_at(&pool, now() + Duration::minutes(16)).await;
    assert_eq!(
        phone.sign_in("officer1", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test]
async fn a_browser_is_known_only_to_the_account_it_signed_in_to_and_not_for_ever(pool: PgPool) {
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    user(&pool, "officer2", Role::CaseOfficer, None).await;
    let r = router(&pool).await;
    let mut b = browser(r.clone());
    assert_eq!(
        b.sign_in("officer1", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    sign_out(&mut b).await;
    let device = b
        .cookie
        .clone()
        .unwrap()
        .split("; ")
        .find(|p| p.starts_with("simlontar-device="))
        .expect("a device cookie after a completed sign-in")
        .to_string();
    // A stranger's ten failures at officer2: officer1's browser is a stranger there.
    failures(&pool, "officer2", &["203.0.113.7"; 10], now()).await;
    assert_eq!(
        b.sign_in("officer2", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A made-up device cookie is no better.
    let mut forger = browser(r);
    forger.cookie = Some(format!("simlontar-device={}", "ab".repeat(32)));
    assert_eq!(
        forger.sign_in("officer2", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Ninety days without a sign-in from it, and the browser is a stranger again.
    let later = now() + Duration::days(throttle::DEVICE_DAYS + 1);
    failures(&pool, "officer1", &["203.0.113.7"; 10], later).await;
    let mut old = browser(router_at(&pool, later).await);
    old.cookie = Some(device);
    assert_eq!(
        old.sign_in("officer1", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[sqlx::test]
async fn the_code_step_counts_against_the_browser_too(pool: PgPool) {
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    let mut s = settings();
    s.mfa_required = true;
    let r = router_with(&pool, s, now()).await;
    let mut b = browser(r.clone());
    let res = b.sign_in("officer1", PASSWORD).await;
    assert!(res.location().starts_with("/login/totp"));
    let page = b.get(res.location()).await;
    let at = page.body.find(r#"class="secret">"#).unwrap() + 15;
    let end = page.body[at..].find('<').unwrap();
    let secret = simlontar::auth::mfa::decode(&page.body[at..at + end]).unwrap();
    // After the password alone the browser is not yet known.
    assert!(!b.cookie.clone().unwrap().contains("simlontar-device="));
    let code = simlontar::auth::mfa::code_at(&secret, now());
    let res = b.post("/login/totp", &[("code", &code)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(b.cookie.clone().unwrap().contains("simlontar-device="));
    sign_out(&mut b).await;
    // A stranger's failures at the name do not stop this browser's two steps (the code of
    // the next 30-second step, as each step's code works once).
    failures(&pool, "officer1", &["203.0.113.7"; 60], now()).await;
    let next = now() + Duration::seconds(30);
    b.router = router_with(
        &pool,
        {
            let mut s = settings();
            s.mfa_required = true;
            s
        },
        next,
    )
    .await;
    let res = b.sign_in("officer1", PASSWORD).await;
    assert!(res.location().starts_with("/login/totp"), "{}", res.status);
    b.get(res.location()).await;
    let code = simlontar::auth::mfa::code_at(&secret, next);
    let res = b.post("/login/totp", &[("code", &code)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

async fn audited_addr(pool: &PgPool, action: &str, username: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT host(remote_addr) FROM audit_log WHERE action = $1 AND entity_id = $2 ORDER BY id",
    )
    .bind(action)
    .bind(username)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn behind_a_trusted_proxy_each_client_is_counted_and_audited_by_its_own_address(
    pool: PgPool,
) {
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    let proxy = "10.0.0.5";
    let mut s = settings();
    s.trusted_proxies = vec!["10.0.0.0/24".parse().unwrap()];
    let r = router_with(&pool, s, now()).await;
    // The proxy appends the address it was asked by; what the client wrote is left of it.
    let mut guesser = browser(via(r.clone(), proxy, Some("192.0.2.1, 203.0.113.7")));
    for i in 0..5 {
        let res = guesser.sign_in(&format!("guess{i}"), "salah").await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        audited_addr(&pool, "login_failed", "guess0").await,
        vec!["203.0.113.7"]
    );
    failures(&pool, "someone", &["203.0.113.7"; 45], now()).await;
    assert_eq!(
        guesser.sign_in("officer1", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another client through the same proxy, in a browser new to the account.
    let mut other = browser(via(r.clone(), proxy, Some("198.51.100.20")));
    assert_eq!(
        other.sign_in("officer1", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        audited_addr(&pool, "login", "officer1").await,
        vec!["198.51.100.20"]
    );
    // A client that is not the proxy cannot name another address.
    let mut direct = browser(via(r, "198.51.100.99", Some("198.51.100.20")));
    direct.sign_in("guess9", "salah").await;
    assert_eq!(
        audited_addr(&pool, "login_failed", "guess9").await,
        vec!["198.51.100.99"]
    );
}

#[sqlx::test]
async fn behind_an_untrusted_proxy_everyone_shares_its_address_but_known_browsers_get_in(
    pool: PgPool,
) {
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    let proxy = "10.0.0.5";
    let r = router(&pool).await;
    let mut officer = browser(via(r.clone(), proxy, Some("198.51.100.20")));
    assert_eq!(
        officer.sign_in("officer1", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    sign_out(&mut officer).await;
    // The header is not believed: the guesser's failures are the proxy's.
    let mut guesser = browser(via(r.clone(), proxy, Some("203.0.113.7")));
    guesser.sign_in("guess0", "salah").await;
    assert_eq!(
        audited_addr(&pool, "login_failed", "guess0").await,
        vec![proxy]
    );
    failures(&pool, "someone", &[proxy; 49], now()).await;
    // So a new browser behind the proxy is held back…
    let mut colleague = browser(via(r.clone(), proxy, Some("198.51.100.21")));
    assert_eq!(
        colleague.sign_in("officer1", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // …but not one that has signed in to the account before.
    assert_eq!(
        officer.sign_in("officer1", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}
