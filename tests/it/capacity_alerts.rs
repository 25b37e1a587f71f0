//! Capacity alerts from the database: the forecast is stored, a filling ward raises one
//! alert per level (not one per run), and its emails — counts, never names — reach a real
//! SMTP server, committed together with the alert.
use chrono::Duration;
use sqlx::PgPool;

use crate::common::{app_pool, case_fixture, load_geo, now, settings};
use crate::mail::MailServer;
use simlontar::capacity::evaluate;
use simlontar::notify::outbox;

/// A ward of five beds holding `n` women from Banyuwangi (placed over the last months).
pub(crate) async fn small_ward(owner: &PgPool, n: usize) -> i64 {
    let ward: i64 = sqlx::query_scalar(
        "UPDATE ward SET beds = 5 WHERE id = (SELECT id FROM ward WHERE need_code = 'elderly' AND sex = 'female' ORDER BY id LIMIT 1) RETURNING id",
    )
    .fetch_one(owner)
    .await
    .unwrap();
    for i in 0..n {
        let case = case_fixture(
            owner,
            &format!("OT-3578-2026-{:06}", 500 + i),
            "35.78",
            Some("35.10"),
            "Mbah Sumi",
            None,
        )
        .await;
        sqlx::query("INSERT INTO placement (case_id, ward_id, started_at) VALUES ($1, $2, $3)")
            .bind(case)
            .bind(ward)
            .bind(now() - Duration::days(20 * (i as i64 + 1)))
            .execute(owner)
            .await
            .unwrap();
    }
    ward
}

#[sqlx::test]
async fn a_full_ward_raises_one_alert_and_its_emails_reach_the_mail_server(owner: PgPool) {
    load_geo(&owner).await;
    let ward = small_ward(&owner, 5).await;
    let pool = app_pool(&owner).await;
    let s = settings();
    let first = evaluate::run(&pool, &s, None, now()).await.unwrap();
    assert!(
        first.wards > 50 && first.changes >= 1 && first.emails >= 2,
        "{first:?}"
    );
    let (p14, occupied): (f64, i32) = sqlx::query_as(
        "SELECT p14, occupied FROM capacity_forecast WHERE ward_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(ward)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(occupied, 5);
    assert!(p14 > 0.9, "a full ward is full within 14 days: {p14}");
    let levels: Vec<String> = sqlx::query_scalar(
        "SELECT level FROM capacity_alert WHERE ward_id = $1 AND resolved_at IS NULL ORDER BY level",
    )
    .bind(ward)
    .fetch_all(&owner)
    .await
    .unwrap();
    assert!(levels.contains(&"full".to_string()), "{levels:?}");

    // Running again the same day opens nothing new and sends nothing.
    let again = evaluate::run(&pool, &s, None, now() + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(again.emails, 0, "{again:?}");
    let open: i64 = sqlx::query_scalar("SELECT count(*) FROM capacity_alert WHERE ward_id = $1")
        .bind(ward)
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(open as usize, levels.len());

    let server = MailServer::start().await;
    outbox::deliver_due(&pool, &server.mailer(), now() + Duration::hours(1), 50)
        .await
        .unwrap();
    let mails = server.mails();
    let desk = mails
        .iter()
        .find(|m| m.to == vec!["desk@dinsos.jatimprov.go.id".to_string()])
        .expect("the desk hears");
    assert!(
        desk.text.contains("PENUH") && desk.text.contains("5/5"),
        "{}",
        desk.text
    );
    let regency = mails
        .iter()
        .find(|m| m.to == vec!["dinsos-3510@jatimprov.go.id".to_string()])
        .expect("Banyuwangi hears");
    assert!(regency.text.contains("5 perempuan"), "{}", regency.text);
    for m in &mails {
        assert!(
            !m.text.contains("Sumi") && !m.html.contains("Sumi"),
            "no names: {}",
            m.text
        );
    }

    // Beds free up: after the calm runs the alert resolves, and the desk is told.
    sqlx::query("UPDATE placement SET ended_at = $2, end_reason = 'family' WHERE ward_id = $1 AND id IN (SELECT id FROM placement WHERE ward_id = $1 ORDER BY id LIMIT 4)")
        .bind(ward)
        .bind(now() + Duration::days(1))
        .execute(&owner)
        .await
        .unwrap();
    for d in 2..=5 {
        evaluate::run(&pool, &s, None, now() + Duration::days(d))
            .await
            .unwrap();
    }
    let still_open: Vec<String> = sqlx::query_scalar(
        "SELECT level FROM capacity_alert WHERE ward_id = $1 AND resolved_at IS NULL",
    )
    .bind(ward)
    .fetch_all(&owner)
    .await
    .unwrap();
    assert!(!still_open.contains(&"full".to_string()), "{still_open:?}");
    let resolved: i64 = sqlx::query_scalar("SELECT count(*) FROM email_outbox WHERE body_text LIKE '%selesai: PENUH%' AND to_address = 'desk@dinsos.jatimprov.go.id'")
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(resolved, 1);
}

#[sqlx::test]
async fn two_instances_evaluating_at_once_raise_each_alert_once(owner: PgPool) {
    load_geo(&owner).await;
    let ward = small_ward(&owner, 5).await;
    let (a, b) = (app_pool(&owner).await, app_pool(&owner).await);
    let s = settings();
    let (ra, rb) = tokio::join!(
        evaluate::run(&a, &s, None, now()),
        evaluate::run(&b, &s, None, now())
    );
    ra.unwrap();
    rb.unwrap();
    let full: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM capacity_alert WHERE ward_id = $1 AND level = 'full'",
    )
    .bind(ward)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(full, 1);
}

#[sqlx::test]
async fn the_weekly_digest_tells_each_regency_about_its_residents_once(owner: PgPool) {
    load_geo(&owner).await;
    small_ward(&owner, 5).await;
    let pool = app_pool(&owner).await;
    let s = settings();
    evaluate::run(&pool, &s, None, now()).await.unwrap();
    let queued = simlontar::capacity::digest::run(&pool, &s, now())
        .await
        .unwrap();
    assert_eq!(queued, 1, "only Banyuwangi has residents in UPTs");
    assert_eq!(
        simlontar::capacity::digest::run(&pool, &s, now() + Duration::hours(2))
            .await
            .unwrap(),
        0
    );
    let server = MailServer::start().await;
    outbox::deliver_due(&pool, &server.mailer(), now() + Duration::hours(2), 50)
        .await
        .unwrap();
    let digest = server
        .mails()
        .into_iter()
        .find(|m| m.subject.starts_with("Ringkasan mingguan"))
        .expect("the digest arrives");
    assert_eq!(digest.to, vec!["dinsos-3510@jatimprov.go.id".to_string()]);
    assert!(
        digest.text.contains("Warga Anda di UPT saat ini: 5")
            && digest.text.contains("5 perempuan"),
        "{}",
        digest.text
    );
    assert!(
        digest.text.contains(": full"),
        "the capacity outlook: {}",
        digest.text
    );
    assert!(!digest.text.contains("Sumi"));
}

#[sqlx::test]
async fn a_case_officer_acknowledges_an_alert_once(owner: PgPool) {
    use axum::http::StatusCode;
    use simlontar::auth::model::Role;
    load_geo(&owner).await;
    small_ward(&owner, 5).await;
    evaluate::run(&app_pool(&owner).await, &settings(), None, now())
        .await
        .unwrap();
    let mut desk =
        crate::common::signed_in(&owner, "intake1", Role::IntakeOfficer, Some("35.78")).await;
    assert_eq!(
        desk.get("/capacity/alerts").await.status,
        StatusCode::FORBIDDEN
    );
    let mut co = crate::common::signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let page = co.get("/capacity/alerts").await;
    assert!(
        page.body.contains("Penuh") && page.body.contains("Tanggapi"),
        "{}",
        page.body
    );
    let id: i64 = sqlx::query_scalar("SELECT id FROM capacity_alert WHERE level = 'full'")
        .fetch_one(&owner)
        .await
        .unwrap();
    let ack = co.post(&format!("/capacity/alerts/{id}/ack"), &[]).await;
    assert_eq!(ack.status, StatusCode::SEE_OTHER, "{}", ack.body);
    co.get("/capacity/alerts").await;
    let twice = co.post(&format!("/capacity/alerts/{id}/ack"), &[]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let by: Option<i64> =
        sqlx::query_scalar("SELECT acknowledged_by FROM capacity_alert WHERE id = $1")
            .bind(id)
            .fetch_one(&owner)
            .await
            .unwrap();
    assert!(by.is_some());
}
