//! Capacity alerts from the database: the forecast is stored, a filling ward raises one
//! alert per level (not one per run), and its emails — counts, never names — reach a real
//! SMTP server, committed together with the alert.
use chrono::Duration;
use sqlx::PgPool;

use crate::common::{app_pool, case_fixture, load_geo, now, settings};
use crate::mail::MailServer;
use simlontar::capacity::evaluate;
use simlontar::notify::outbox;

/// A ward of five beds holding `n` women from Banyuwangi (placed over the last months,
/// the newest yesterday: the UPT's records are current).
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
            .bind(now() - Duration::days(20 * i as i64 + 1))
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
        // The level by its label, not its code ("full").
        digest.text.contains(": Penuh"),
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
    let ack = co
        .post(
            &format!("/capacity/alerts/{id}/ack"),
            &[("action", "watching")],
        )
        .await;
    assert_eq!(ack.status, StatusCode::SEE_OTHER, "{}", ack.body);
    co.get("/capacity/alerts").await;
    let twice = co
        .post(
            &format!("/capacity/alerts/{id}/ack"),
            &[("action", "watching")],
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let by: Option<i64> =
        sqlx::query_scalar("SELECT acknowledged_by FROM capacity_alert WHERE id = $1")
            .bind(id)
            .fetch_one(&owner)
            .await
            .unwrap();
    assert!(by.is_some());
}

async fn count(owner: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(owner).await.unwrap()
}

/// Ends the open stay of `case` at `at`, or places it again (the last bed taken and freed).
async fn discharge_or_place(
    owner: &PgPool,
    case: i64,
    ward: i64,
    at: chrono::DateTime<chrono::Utc>,
) {
    let ended = sqlx::query(
        "UPDATE placement SET ended_at = $2, end_reason = 'family' WHERE case_id = $1 AND ended_at IS NULL",
    )
    .bind(case)
    .bind(at)
    .execute(owner)
    .await
    .unwrap()
    .rows_affected();
    if ended == 0 {
        sqlx::query("INSERT INTO placement (case_id, ward_id, started_at) VALUES ($1, $2, $3)")
            .bind(case)
            .bind(ward)
            .bind(at)
            .execute(owner)
            .await
            .unwrap();
    }
}

#[sqlx::test]
async fn the_last_bed_taken_and_freed_all_day_does_not_flood_the_offices(owner: PgPool) {
    load_geo(&owner).await;
    let ward = small_ward(&owner, 5).await;
    let pool = app_pool(&owner).await;
    let s = settings();
    evaluate::run(&pool, &s, None, now()).await.unwrap();
    let case: i64 =
        sqlx::query_scalar("SELECT case_id FROM placement WHERE ward_id = $1 ORDER BY id LIMIT 1")
            .bind(ward)
            .fetch_one(&owner)
            .await
            .unwrap();
    // Two days of a discharge and a placement every two hours, each followed by a run.
    for k in 1..=24 {
        let at = now() + Duration::hours(2 * k);
        discharge_or_place(&owner, case, ward, at).await;
        evaluate::run(&pool, &s, None, at).await.unwrap();
    }
    let desk = "FROM email_outbox WHERE to_address = 'desk@dinsos.jatimprov.go.id'";
    let raised = count(&owner, &format!("SELECT count(*) {desk} AND (body_text LIKE '%baru: PENUH%' OR body_text LIKE '%→ PENUH%')")).await;
    let resolved = count(
        &owner,
        &format!("SELECT count(*) {desk} AND body_text LIKE '%selesai: PENUH%'"),
    )
    .await;
    assert_eq!((raised, resolved), (1, 0));
    // The raise and at most a reminder a day.
    let all = count(&owner, &format!("SELECT count(*) {desk}")).await;
    let bodies: Vec<String> = sqlx::query_scalar(&format!("SELECT body_text {desk} ORDER BY id"))
        .fetch_all(&owner)
        .await
        .unwrap();
    assert!(all <= 3, "{all} emails to the desk: {bodies:#?}");
    let total = count(&owner, "SELECT count(*) FROM email_outbox").await;
    assert!(total <= 2 * all, "{total} emails in all");

    // The bed stays free: a day later FULL resolves, once.
    let freed = now() + Duration::hours(50);
    discharge_or_place(&owner, case, ward, freed).await;
    for h in [0, 6, 12, 18, 24, 30] {
        evaluate::run(&pool, &s, None, freed + Duration::hours(h))
            .await
            .unwrap();
    }
    let resolved = count(
        &owner,
        &format!("SELECT count(*) {desk} AND body_text LIKE '%selesai: PENUH%'"),
    )
    .await;
    assert_eq!(resolved, 1);
    let full_rows = count(
        &owner,
        "SELECT count(*) FROM capacity_alert WHERE level = 'full'",
    )
    .await;
    assert_eq!(full_rows, 1, "one FULL episode");
}

#[sqlx::test]
async fn a_ward_without_news_for_eight_days_raises_the_stale_alert_until_a_movement(owner: PgPool) {
    load_geo(&owner).await;
    let ward = small_ward(&owner, 4).await;
    let pool = app_pool(&owner).await;
    let s = settings();
    evaluate::run(&pool, &s, None, now()).await.unwrap();
    let stale = "SELECT count(*) FROM capacity_alert WHERE level = 'stale' AND resolved_at IS NULL";
    assert_eq!(count(&owner, stale).await, 0);
    // Nobody placed or discharged in the UPT for eight days.
    let later = now() + Duration::days(8);
    let run = evaluate::run(&pool, &s, None, later).await.unwrap();
    assert!(run.emails >= 1, "{run:?}");
    // Only the ward with people in it: the empty wards have nothing to go stale.
    let open: Vec<i64> = sqlx::query_scalar(
        "SELECT ward_id FROM capacity_alert WHERE level = 'stale' AND resolved_at IS NULL",
    )
    .fetch_all(&owner)
    .await
    .unwrap();
    assert_eq!(open, vec![ward]);
    let told = count(&owner, "SELECT count(*) FROM email_outbox WHERE body_text LIKE '%data tidak diperbarui%' AND to_address = 'desk@dinsos.jatimprov.go.id'").await;
    assert_eq!(told, 1);
    // A discharge is news: the switch resets, and the desk hears so.
    sqlx::query("UPDATE placement SET ended_at = $2, end_reason = 'home' WHERE id = (SELECT min(id) FROM placement WHERE ward_id = $1)")
        .bind(ward)
        .bind(later + Duration::hours(1))
        .execute(&owner)
        .await
        .unwrap();
    evaluate::run(&pool, &s, None, later + Duration::hours(2))
        .await
        .unwrap();
    assert_eq!(count(&owner, stale).await, 0);
    let fresh = count(&owner, "SELECT count(*) FROM email_outbox WHERE body_text LIKE '%data kembali diperbarui%' AND to_address = 'desk@dinsos.jatimprov.go.id'").await;
    assert_eq!(fresh, 1);
}

#[sqlx::test]
async fn wards_changing_in_one_run_make_one_email_per_recipient(owner: PgPool) {
    load_geo(&owner).await;
    // Ward A: five women from Banyuwangi. Ward B, elsewhere: two people from Surabaya and
    // one from Banyuwangi in three beds.
    let a = small_ward(&owner, 5).await;
    let b: i64 = sqlx::query_scalar(
        "UPDATE ward SET beds = 3 WHERE id = (SELECT id FROM ward WHERE id <> $1 AND upt_code <> (SELECT upt_code FROM ward WHERE id = $1) ORDER BY id LIMIT 1) RETURNING id",
    )
    .bind(a)
    .fetch_one(&owner)
    .await
    .unwrap();
    for (i, home) in ["35.78", "35.78", "35.10"].into_iter().enumerate() {
        let case = crate::common::case_fixture(
            &owner,
            &format!("OT-3578-2026-{:06}", 700 + i),
            "35.78",
            Some(home),
            "Pak Slamet",
            None,
        )
        .await;
        sqlx::query("INSERT INTO placement (case_id, ward_id, started_at) VALUES ($1, $2, $3)")
            .bind(case)
            .bind(b)
            .bind(now() - Duration::days(3 + i as i64))
            .execute(&owner)
            .await
            .unwrap();
    }
    let pool = app_pool(&owner).await;
    let run = evaluate::run(&pool, &settings(), None, now())
        .await
        .unwrap();
    let mut names = vec![];
    for w in [a, b] {
        let name: String = sqlx::query_scalar("SELECT name FROM ward WHERE id = $1")
            .bind(w)
            .fetch_one(&owner)
            .await
            .unwrap();
        names.push(name);
    }
    let mails: Vec<(String, String)> =
        sqlx::query_as("SELECT to_address, body_text FROM email_outbox ORDER BY to_address")
            .fetch_all(&owner)
            .await
            .unwrap();
    let to: Vec<&str> = mails.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(
        to,
        [
            "desk@dinsos.jatimprov.go.id",
            "dinsos-3510@jatimprov.go.id",
            "dinsos-3578@jatimprov.go.id"
        ],
        "{run:?}"
    );
    assert_eq!(run.emails, 3);
    let has = |body: &str, ward: &str| body.contains(&format!("{ward} ("));
    // The desk and Banyuwangi hear about both wards in one email; Surabaya about its own.
    assert!(
        has(&mails[0].1, &names[0]) && has(&mails[0].1, &names[1]),
        "{}",
        mails[0].1
    );
    assert!(
        has(&mails[1].1, &names[0]) && has(&mails[1].1, &names[1]),
        "{}",
        mails[1].1
    );
    assert!(
        !has(&mails[2].1, &names[0]) && has(&mails[2].1, &names[1]),
        "{}",
        mails[2].1
    );
    assert!(mails[2].1.contains("2 perempuan"), "{}", mails[2].1);
}
