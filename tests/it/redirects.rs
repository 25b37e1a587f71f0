//! Redirect targets taken from input (`back` on the language switch, `next` on sign-in)
//! stay on the site whatever the attacker writes and however it is encoded: the answer is
//! read the way a browser reads a `Location` header.
use axum::http::StatusCode;
use sqlx::PgPool;

use crate::common::*;
use simlontar::auth::model::Role;

/// Values of `back` / `next` as they arrive in the query string (already URL-encoded
/// where a browser would encode them); each would leave the site, or does in some
/// browser, if followed as written.
pub const HOSTILE: &[&str] = &[
    "//evil.example",
    "///evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d/evil.example",
    "/%0d%0a/evil.example",
    "/%00/evil.example",
    "/%7f/evil.example",
    "/%c2%85/evil.example",
    "/%e2%80%a8/evil.example",
    "/%e2%80%ae/evil.example",
    "/%ef%bb%bf/evil.example",
    "/%5c/evil.example",
    "/%5cevil.example",
    "%5c%5cevil.example",
    "/%2f/evil.example",
    "/%2fevil.example",
    "%2f%2fevil.example",
    "/%252f%252fevil.example",
    "/%255c%255cevil.example",
    "/%2509/evil.example",
    "%09//evil.example",
    "%20//evil.example",
    "/.//evil.example",
    "/x/..//evil.example",
    "/%2e//evil.example",
    "http://evil.example",
    "https:evil.example",
    "HTTPS://evil.example/",
    "javascript:alert(1)",
    "data:text/html,x",
    "evil.example",
    "@evil.example",
    "/@evil.example%0d%0a",
];

/// Whether a browser following `location` from http://localhost/ stays there.
fn stays_on_site(location: &str) -> bool {
    let base = url::Url::parse("http://localhost/a/b").unwrap();
    !location.is_empty()
        && location.starts_with('/')
        && !location.starts_with("//")
        && location.chars().all(|c| c.is_ascii_graphic() && c != '\\')
        && base
            .join(location)
            .is_ok_and(|u| u.origin() == base.origin())
}

#[test]
fn the_browser_check_itself_tells_local_from_foreign() {
    assert!(stays_on_site("/cases?q=siti"));
    for foreign in ["//evil.example", "/\t/evil.example", "/\\evil.example"] {
        assert!(!stays_on_site(foreign), "{foreign:?}");
    }
}

#[sqlx::test]
async fn the_language_switch_returns_only_to_local_paths_in_any_encoding(pool: PgPool) {
    let r = router(&pool).await;
    for back in HOSTILE {
        let res = send(&r, get(&format!("/lang/en?back={back}"))).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{back}: {}", res.body);
        assert_eq!(res.location(), "/", "{back}");
    }
    // Local paths, as the page's own link sends them, come back as they were.
    for (back, to) in [
        ("/", "/"),
        ("/cases", "/cases"),
        ("/cases%3Fq%3Dsiti%26page%3D2", "/cases?q=siti&page=2"),
        ("/cases%3Fq%3Ds%25C3%25ADti", "/cases?q=s%C3%ADti"),
        ("/cases/OT-3578-2026-000001", "/cases/OT-3578-2026-000001"),
    ] {
        let res = send(&r, get(&format!("/lang/en?back={back}"))).await;
        assert_eq!(res.location(), to, "{back}");
        assert!(stays_on_site(res.location()));
    }
}

#[sqlx::test]
async fn sign_in_goes_on_only_to_local_paths_in_any_encoding(pool: PgPool) {
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    // The sign-in form carries `next` through; what it holds is already made safe.
    let r = router(&pool).await;
    for next in HOSTILE {
        let page = send(&r, get(&format!("/login?next={next}"))).await;
        assert_eq!(page.status, StatusCode::OK, "{next}");
        assert!(
            page.body.contains(r#"name="next" value="/""#),
            "{next}: {}",
            page.body
        );
    }
    // A forged form posting a hostile `next` straight away: a handful, as each is a
    // whole sign-in with its password hash.
    let decoded = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    for next in [
        "/%09/evil.example",
        "//evil.example",
        "/%5cevil.example",
        "/.//evil.example",
    ] {
        let mut c = Client::new(&pool).await;
        c.get("/login").await;
        let res = c
            .post(
                "/login",
                &[
                    ("username", "officer1"),
                    ("password", PASSWORD),
                    ("next", &decoded(next)),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{next}: {}", res.body);
        assert_eq!(res.location(), "/", "{next}");
    }
    let mut c = Client::new(&pool).await;
    c.get("/login?next=/cases%3Fq%3Dsiti").await;
    let res = c
        .post(
            "/login",
            &[
                ("username", "officer1"),
                ("password", PASSWORD),
                ("next", "/cases?q=siti"),
            ],
        )
        .await;
    assert_eq!(res.location(), "/cases?q=siti");
}
