//! Passwords and sign-in failures: how passwords are checked and stored (Argon2id, legacy
//! hashes upgraded), and the throttles per account name and per address.
use axum::body::Body;
use axum::http::{Request, StatusCode};
use sqlx::PgPool;

use crate::common::*;
use simlontar::auth::model::Role;

#[sqlx::test]
async fn ten_wrong_passwords_lock_the_account_name_without_telling_if_it_exists(pool: PgPool) {
    load_geo(&pool).await;
    user(&pool, "real.user", Role::CaseOfficer, None).await;
    for name in ["real.user", "ghost.user"] {
        let mut c = Client::new(&pool).await;
        let mut bodies = vec![];
        for _ in 0..10 {
            let res = c.sign_in(name, "wrong password!").await;
            assert_eq!(res.status, StatusCode::UNAUTHORIZED);
            bodies.push(res.body.contains("Nama pengguna atau kata sandi salah"));
        }
        assert!(bodies.iter().all(|b| *b));
        let res = c
            .sign_in(name, if name == "real.user" { PASSWORD } else { "x" })
            .await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{name}");
        assert!(
            res.body.contains("Terlalu banyak percobaan"),
            "{}",
            res.body
        );
    }
    // Another account is not affected.
    user(&pool, "other.user", Role::CaseOfficer, None).await;
    let mut c = Client::new(&pool).await;
    assert_eq!(
        c.sign_in("other.user", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test]
async fn passwords_are_stored_as_argon2id_with_current_parameters(pool: PgPool) {
    load_geo(&pool).await;
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM app_user WHERE username = 'officer1'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
}

#[sqlx::test]
async fn weak_passwords_and_mismatched_scopes_are_refused_with_a_reason(pool: PgPool) {
    load_geo(&pool).await;
    let mut admin = signed_in(&pool, "admin1", Role::Admin, None).await;
    admin.get("/admin/users").await;
    let res = admin
        .post(
            "/admin/users",
            &[
                ("username", "weak"),
                ("display_name", ""),
                ("role", "case_officer"),
                ("password", "password1"),
            ],
        )
        .await;
    assert!(
        res.location().contains("error=password%20too%20common"),
        "{}",
        res.location()
    );
    let res = admin
        .post(
            "/admin/users",
            &[
                ("username", "viewer2"),
                ("display_name", ""),
                ("role", "regency_viewer"),
                ("password", "a fine password"),
            ],
        )
        .await;
    assert!(res.location().contains("error="), "{}", res.location());
    let res = admin
        .post(
            "/admin/users",
            &[
                ("username", "viewer3"),
                ("display_name", ""),
                ("role", "regency_viewer"),
                ("scope", "35.99"),
                ("password", "a fine password"),
            ],
        )
        .await;
    assert!(res.location().contains("error=scope"), "{}", res.location());
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM app_user")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

/// `common::PASSWORD` hashed with weaker Argon2id parameters (m=4096, t=3, p=1), made once
/// with the argon2 crate 0.5.3, as an older release of the app could have stored it.
const LEGACY_HASH: &str =
    "$argon2id$v=19$m=4096,t=3,p=1$c2ltbG9udGFyLWxlZ2FjeQ$0K8Jg+wuThdp+iFByL2h40jkHNk2Wg/zaBjzlla6MG8";

async fn stored_hash(pool: &PgPool, username: &str) -> String {
    sqlx::query_scalar("SELECT password_hash FROM app_user WHERE username = $1")
        .bind(username)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_legacy_hash_is_replaced_at_the_next_sign_in(pool: PgPool) {
    load_geo(&pool).await;
    user(&pool, "officer1", Role::CaseOfficer, None).await;
    sqlx::query("UPDATE app_user SET password_hash = $1 WHERE username = 'officer1'")
        .bind(LEGACY_HASH)
        .execute(&pool)
        .await
        .unwrap();
    let mut c = Client::new(&pool).await;
    assert_eq!(
        c.sign_in("officer1", "wrong password!").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(stored_hash(&pool, "officer1").await, LEGACY_HASH);

    assert_eq!(
        c.sign_in("officer1", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let upgraded = stored_hash(&pool, "officer1").await;
    assert!(
        upgraded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{upgraded}"
    );
    // The session made by that sign-in outlives the change of hash.
    assert_eq!(c.get("/cases").await.status, StatusCode::OK);
    // The password still works, and a current hash is left alone.
    let mut again = Client::new(&pool).await;
    assert_eq!(
        again.sign_in("officer1", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(stored_hash(&pool, "officer1").await, upgraded);
}

#[sqlx::test]
async fn eight_characters_make_a_password_and_seven_do_not(pool: PgPool) {
    load_geo(&pool).await;
    let mut admin = signed_in(&pool, "admin1", Role::Admin, None).await;
    admin.get("/admin/users").await;
    for (username, password, outcome) in [
        ("tujuh", "kopi as", "error=password%20too%20short"),
        ("delapan", "kopi ase", "notice="),
    ] {
        let res = admin
            .post(
                "/admin/users",
                &[
                    ("username", username),
                    ("display_name", ""),
                    ("role", "case_officer"),
                    ("password", password),
                ],
            )
            .await;
        assert!(res.location().contains(outcome), "{}", res.location());
    }
    let mut c = Client::new(&pool).await;
    assert_eq!(
        c.sign_in("delapan", "kopi ase").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        c.sign_in("tujuh", "kopi as").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test]
async fn a_long_password_counts_to_its_last_character(pool: PgPool) {
    load_geo(&pool).await;
    // 100 bytes: a hash that stopped at 72 (bcrypt) would accept the wrong one below.
    let stem = "kopi tubruk pagi di warung pojok ".repeat(3);
    let (right, wrong) = (format!("{stem}a"), format!("{stem}b"));
    assert_eq!(right.len(), 100);
    let mut admin = signed_in(&pool, "admin1", Role::Admin, None).await;
    admin.get("/admin/users").await;
    let res = admin
        .post(
            "/admin/users",
            &[
                ("username", "panjang"),
                ("display_name", ""),
                ("role", "case_officer"),
                ("password", &right),
            ],
        )
        .await;
    assert!(res.location().contains("notice="), "{}", res.location());
    let mut c = Client::new(&pool).await;
    assert_eq!(
        c.sign_in("panjang", &wrong).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        c.sign_in("panjang", &right).await.status,
        StatusCode::SEE_OTHER
    );
}

/// The router as if every request came from `addr` (in-process requests have no peer).
fn from_address(r: axum::Router, addr: &str) -> axum::Router {
    let addr: std::net::SocketAddr = addr.parse().unwrap();
    r.layer(axum::middleware::map_request(
        move |mut req: Request<Body>| async move {
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(addr));
            req
        },
    ))
}

#[sqlx::test]
async fn fifty_failures_from_one_address_lock_it_for_every_account_name(pool: PgPool) {
    user(&pool, "real.user", Role::CaseOfficer, None).await;
    let client_from = |addr: &'static str| {
        let pool = pool.clone();
        async move {
            Client {
                router: from_address(router(&pool).await, addr),
                cookie: None,
                csrf: None,
            }
        }
    };
    let mut c = client_from("203.0.113.7:40000").await;
    // One wrong guess at each of 50 names: no name gets near its own limit of 10. The
    // first 45 are written directly (each form attempt costs a full hash), the last 5 go
    // through the form.
    let limit = simlontar::auth::store::MAX_FAILURES_PER_ADDRESS;
    assert_eq!(limit, 50);
    for i in 0..limit - 5 {
        simlontar::auth::store::note_failure(
            &pool,
            &format!("guess{i}"),
            Some("203.0.113.7"),
            now(),
        )
        .await
        .unwrap();
    }
    for i in limit - 5..limit {
        let res = c.sign_in(&format!("guess{i}"), "wrong password!").await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let noted: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM login_failure WHERE remote_addr = '203.0.113.7'::inet",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(noted, limit);
    // Now even the right password of an untouched account is refused from there, with the
    // same answer as for a name that does not exist.
    let real = c.sign_in("real.user", PASSWORD).await;
    let ghost = c.sign_in("ghost.user", "wrong password!").await;
    for res in [&real, &ghost] {
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            res.body.contains("Terlalu banyak percobaan"),
            "{}",
            res.body
        );
    }
    assert_eq!(real.body, ghost.body);
    // Another address is not affected.
    let mut elsewhere = client_from("198.51.100.20:40000").await;
    assert_eq!(
        elsewhere.sign_in("real.user", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test]
async fn a_wrong_password_and_an_unknown_name_get_the_same_answer(pool: PgPool) {
    user(&pool, "real.user", Role::CaseOfficer, None).await;
    let mut c = Client::new(&pool).await;
    c.get("/login").await;
    let mut answers = vec![];
    for name in ["real.user", "ghost.user"] {
        let res = c
            .post(
                "/login",
                &[("username", name), ("password", "wrong password!")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{name}");
        assert!(res.body.contains("Nama pengguna atau kata sandi salah"));
        // The form gives back what was typed; everything else must be the same.
        answers.push(res.body.replace(name, "NAME"));
    }
    assert_eq!(answers[0], answers[1]);
}
