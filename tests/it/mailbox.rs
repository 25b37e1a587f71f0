//! The demo mailbox (issue 22, finding 4): administrators and case officers read every
//! message, a regency office only the messages sent to it, everyone else nothing; so the
//! hand-over links inside (the receiving office's key) reach nobody else.
use axum::http::StatusCode;
use sqlx::PgPool;

use crate::common::*;
use simlontar::auth::model::Role;

/// Stores a message as the demo's SMTP sink would; returns its id.
async fn mail_to(pool: &PgPool, to: &str, subject: &str, token: &str) -> i64 {
    let raw = format!(
        "From: simlontar@localhost\r\nTo: {to}\r\nSubject: {subject}\r\n\r\n\
         Buka tautan: http://localhost/handover/{token}\r\n"
    );
    sqlx::query_scalar(
        "INSERT INTO demo_mail (mail_from, rcpt_to, raw) VALUES ('simlontar@localhost', ARRAY[$1], $2)
         RETURNING id",
    )
    .bind(to)
    .bind(raw)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// The address the app sends a regency office's mail to.
async fn office(pool: &PgPool, code: &str) -> String {
    let mut conn = pool.acquire().await.unwrap();
    simlontar::notify::office_address(&mut conn, &settings(), code)
        .await
        .unwrap()
}

async fn in_demo(pool: &PgPool, mut c: Client) -> Client {
    let mut demo = settings();
    demo.demo = true;
    c.router = router_with(pool, demo, now()).await;
    c
}

#[sqlx::test]
async fn each_office_reads_only_its_own_mail_and_its_links(pool: PgPool) {
    load_geo(&pool).await;
    let bwi_token = "b".repeat(64);
    let mlg_token = "a".repeat(64);
    let bwi = mail_to(
        &pool,
        &office(&pool, "35.10").await.to_uppercase(),
        "Serah terima OT-3578-2026-000001",
        &bwi_token,
    )
    .await;
    let mlg = mail_to(
        &pool,
        &office(&pool, "35.07").await,
        "Serah terima OT-3578-2026-000002",
        &mlg_token,
    )
    .await;
    let desk = mail_to(&pool, "desk@simlontar.invalid", "Peringatan", "c").await;

    // Banyuwangi's office: its own message and link (the address compared without case),
    // and nothing of Malang's or the provincial desk's.
    let mut office_bwi = in_demo(
        &pool,
        signed_in(
            &pool,
            "dinsos.banyuwangi",
            Role::RegencyViewer,
            Some("35.10"),
        )
        .await,
    )
    .await;
    let list = office_bwi.get("/demo/mailbox").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("OT-3578-2026-000001") && !list.body.contains("OT-3578-2026-000002"),
        "{}",
        list.body
    );
    assert!(!list.body.contains("Peringatan"));
    let own = office_bwi.get(&format!("/demo/mailbox/{bwi}")).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains(&bwi_token));
    for other in [mlg, desk] {
        let res = office_bwi.get(&format!("/demo/mailbox/{other}")).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "mail {other}");
        assert!(!res.body.contains(&mlg_token));
    }

    // Administrators and case officers read everything.
    for (name, role) in [("root", Role::Admin), ("officer1", Role::CaseOfficer)] {
        let mut c = in_demo(&pool, signed_in(&pool, name, role, None).await).await;
        let list = c.get("/demo/mailbox").await;
        assert!(
            list.body.contains("OT-3578-2026-000001")
                && list.body.contains("OT-3578-2026-000002")
                && list.body.contains("Peringatan"),
            "{name}"
        );
        let res = c.get(&format!("/demo/mailbox/{mlg}")).await;
        assert_eq!(res.status, StatusCode::OK, "{name}");
        assert!(res.body.contains(&mlg_token), "{name}");
    }

    // Nobody else reads any mail.
    for (name, role, scope) in [
        ("satpol.sby", Role::IntakeOfficer, Some("35.78")),
        ("dp3ak", Role::IdentityOfficer, None),
        ("upt.staff", Role::UptStaff, Some("RSBL-PASURUAN")),
    ] {
        let mut c = in_demo(&pool, signed_in(&pool, name, role, scope).await).await;
        for path in [
            "/demo/mailbox".to_string(),
            format!("/demo/mailbox/{bwi}"),
            format!("/demo/mailbox/{mlg}"),
        ] {
            let res = c.get(&path).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{name} {path}");
            assert!(
                !res.body.contains(&bwi_token) && !res.body.contains(&mlg_token),
                "{name} {path}"
            );
        }
    }
}

#[sqlx::test]
async fn outside_demo_mode_the_mailbox_does_not_exist(pool: PgPool) {
    load_geo(&pool).await;
    let id = mail_to(&pool, "desk@simlontar.invalid", "Peringatan", "c").await;
    let mut c = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    for path in ["/demo/mailbox".to_string(), format!("/demo/mailbox/{id}")] {
        assert_eq!(c.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}
