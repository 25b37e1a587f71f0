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
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("Kata sandi: terlalu umum atau mudah ditebak"),
        "{}",
        res.body
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
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
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
    assert!(res.body.contains("Cakupan «35.99»"), "{}", res.body);
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
        ("tujuh", "kopi as", "Kata sandi: minimal 8 karakter"),
        ("delapan", "kopi ase", "Pengguna dibuat: delapan"),
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
        let page = match res.status {
            StatusCode::SEE_OTHER => admin.get(res.location()).await.body,
            _ => res.body,
        };
        assert!(page.contains(outcome), "{page}");
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
    assert!(
        res.location().contains("done=created"),
        "{}",
        res.location()
    );
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

#[sqlx::test]
async fn fifty_failures_from_one_address_lock_it_for_every_account_name(pool: PgPool) {
    user(&pool, "real.user", Role::CaseOfficer, None).await;
    let client_from = |addr: &'static str| {
        let pool = pool.clone();
        async move {
            Client {
                router: crate::throttle::via(router(&pool).await, addr, None),
                cookie: None,
                csrf: None,
            }
        }
    };
    let mut c = client_from("203.0.113.7").await;
    // One wrong guess at each of 50 names: no name gets near its own limit of 10. The
    // first 45 are written directly (each form attempt costs a full hash), the last 5 go
    // through the form.
    let limit = simlontar::auth::throttle::MAX_FAILURES_PER_ADDRESS;
    assert_eq!(limit, 50);
    for i in 0..limit - 5 {
        simlontar::auth::throttle::Attempt {
            username: format!("guess{i}"),
            addr: Some("203.0.113.7".into()),
            device: None,
        }
        .note_failure(&pool, now())
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
    let mut elsewhere = client_from("198.51.100.20").await;
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

/// Two more sessions of one person (another browser, another phone) and an API token:
/// a password change from the first session ends both others at their next request, keeps
/// the session that made it (under a new id), and leaves the token alone; the old password
/// no longer signs in and the new one does. One audit row.
#[sqlx::test]
async fn changing_ones_password_ends_the_other_sessions_and_keeps_this_one(pool: PgPool) {
    load_geo(&pool).await;
    let mut me = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    let mut others = vec![];
    for _ in 0..2 {
        let mut c = Client::new(&pool).await;
        assert_eq!(
            c.sign_in("officer1", PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(c.get("/cases").await.status, StatusCode::OK);
        others.push(c);
    }
    let page = me.get("/account/password").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"autocomplete="new-password""#));
    let before = me.cookie.clone();
    let new = "sambal terasi pedas sekali";
    let res = me
        .post(
            "/account/password",
            &[("current", PASSWORD), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_ne!(me.cookie, before, "the session gets a new id");
    let done = me.get(res.location()).await;
    assert!(
        done.body.contains("Kata sandi sudah diganti"),
        "{}",
        done.body
    );
    assert_eq!(me.get("/cases").await.status, StatusCode::OK);
    for c in &mut others {
        let res = c.get("/cases").await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert!(res.location().starts_with("/login"), "{}", res.location());
    }
    let mut c = Client::new(&pool).await;
    assert_eq!(
        c.sign_in("officer1", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        c.sign_in("officer1", new).await.status,
        StatusCode::SEE_OTHER
    );
    let audits: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'change_password'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(audits, 1);
}

/// Each mistake is named on its field, in the officer's language, and changes nothing; a
/// wrong current password counts as a failed sign-in, so a stolen session cannot be used to
/// guess it; an API token cannot change a password.
#[sqlx::test]
async fn a_refused_password_change_names_each_field_and_changes_nothing(pool: PgPool) {
    load_geo(&pool).await;
    let mut me = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    me.get("/account/password").await;
    let good = "sambal terasi pedas sekali";
    for (fields, field, message) in [
        (
            ["salah sekali ini", good, good],
            "current",
            "kata sandi salah",
        ),
        ([PASSWORD, "pendek", "pendek"], "new", "minimal 8 karakter"),
        (
            [PASSWORD, "password123", "password123"],
            "new",
            "terlalu umum",
        ),
        ([PASSWORD, "officer1", "officer1"], "new", "terlalu umum"),
        (
            [PASSWORD, PASSWORD, PASSWORD],
            "new",
            "sama dengan kata sandi sekarang",
        ),
        (
            [PASSWORD, good, "sambal terasi pedas"],
            "confirm",
            "tidak sama",
        ),
    ] {
        let res = me
            .post(
                "/account/password",
                &[
                    ("current", fields[0]),
                    ("new", fields[1]),
                    ("confirm", fields[2]),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(
            res.body
                .contains(&format!(r#"id="{field}-error" role="alert">{message}"#)),
            "{fields:?}: {}",
            res.body
        );
        assert!(
            !res.body.contains(&format!(r#"value="{}""#, fields[1])),
            "a password is never written back into the page"
        );
    }
    assert_eq!(me.get("/cases").await.status, StatusCode::OK);
    let mut c = Client::new(&pool).await;
    assert_eq!(
        c.sign_in("officer1", PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "the password is unchanged"
    );

    // Nine more wrong current passwords make ten: the account is throttled.
    for _ in 0..9 {
        me.post(
            "/account/password",
            &[
                ("current", "salah sekali ini"),
                ("new", good),
                ("confirm", good),
            ],
        )
        .await;
    }
    let res = me
        .post(
            "/account/password",
            &[("current", PASSWORD), ("new", good), ("confirm", good)],
        )
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);

    let token = token(&pool, "api.user", Role::CaseOfficer, None).await;
    for req in [
        Request::get("/account/password"),
        Request::post("/account/password")
            .header("content-type", "application/x-www-form-urlencoded"),
    ] {
        let req = req
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(format!(
                "current={PASSWORD}&new=x{good}&confirm=x{good}"
            )))
            .unwrap();
        assert_eq!(call(&pool, req).await.status, StatusCode::FORBIDDEN);
    }
}
