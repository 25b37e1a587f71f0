//! Journey 2: a DP3AK officer records a biometric match too weak to accept on its own;
//! the case officer accepts the link from the review queue, accepts the proposed route
//! home and prints the hand-over form; the regency Dinsos mailbox receives the notice,
//! which names no one.
use sqlx::PgPool;

use super::Browser;
use crate::common::*;
use crate::mail::MailServer;
use simlontar::auth::model::Role;
use simlontar::notify::outbox;

const CASE: &str = "OT-3578-2026-000001";
/// A woman born 12 March 1986 in Banyuwangi (35.10.01).
const NIK: &str = "3510015203860001";

#[sqlx::test]
async fn a_biometric_match_is_reviewed_and_the_person_is_routed_home_with_a_notice(pool: PgPool) {
    load_geo(&pool).await;
    // Set-up, not part of the journey: a woman picked up in Surabaya who named a
    // Banyuwangi village as home.
    let village: String = sqlx::query_scalar(
        "SELECT code FROM village WHERE code LIKE '35.10.%' AND centroid IS NOT NULL ORDER BY code LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let case = case_fixture(&pool, CASE, "35.78", Some("35.10"), "Siti Aminah", None).await;
    sqlx::query(
        "UPDATE intake SET home_village_code = $2, home_province_code = '35'
          WHERE id = (SELECT intake_id FROM ot_case WHERE id = $1)",
    )
    .bind(case)
    .bind(&village)
    .execute(&pool)
    .await
    .unwrap();
    user(&pool, "dp3ak1", Role::IdentityOfficer, None).await;
    user(&pool, "co1", Role::CaseOfficer, None).await;
    let base = spawn(&pool).await;
    let b = Browser::start("repatriation").await;

    // DP3AK records the fingerprint match.
    b.sign_in(&base, "dp3ak1", "/identity/checks/new").await;
    b.fill("#case_number", CASE).await;
    // The form proposes no outcome: the officer says what the device answered.
    b.choose("#outcome", "matched").await;
    b.fill("#score", "72").await;
    b.fill("#nik", NIK).await;
    b.fill("#name", "Siti Aminah").await;
    b.choose("#sex", "female").await;
    b.fill("#mother_name", "Painah").await;
    b.step("check-form").await;
    b.click_and_load("form.card > button[type=submit]").await;
    b.wait_for_path(&format!("/cases/{CASE}")).await;
    let page = b.main_text().await;
    assert!(
        page.contains("Menunggu identifikasi") && !page.contains("Identitas terverifikasi"),
        "a score under the threshold waits for review: {page}"
    );
    b.step("check-saved").await;
    b.click_and_load("form.signout button").await;
    b.wait_for_path("/login").await;

    // The case officer decides the link in the review queue.
    b.sign_in(&base, "co1", "/identity/review").await;
    let queue = b.main_text().await;
    assert!(queue.contains(CASE), "{queue}");
    b.step("review-queue").await;
    b.click_and_load("section.candidate button[value=accept]")
        .await;
    b.wait_for_path("/identity/review").await;
    let page = b.main_text().await;
    assert!(
        !page.contains("Orang yang sama\n") && page.contains("Tidak ada kecocokan yang menunggu"),
        "the link left the queue: {page}"
    );
    // The confirmation, and the decision offered for undoing (issue 26).
    let recent = b.text("section.recent-decisions").await;
    assert!(
        recent.contains(CASE) && recent.contains("Urungkan"),
        "{recent}"
    );
    assert!(page.contains("Keputusan dicatat"), "{page}");
    b.step("review-decided").await;

    // The route home it proposes, accepted as it stands.
    b.goto(&format!("{base}/cases/{CASE}")).await;
    let page = b.main_text().await;
    assert!(
        page.contains("Usulan: Pulang ke daerah asal"),
        "home is proposed: {page}"
    );
    // The next-step panel says what the case waits for and leads to the decision.
    let next = b.text("section.next-step").await;
    assert!(
        next.contains("Identitas sudah dipastikan") && next.contains("Putuskan: pulang atau UPT"),
        "{next}"
    );
    b.step("case-proposal").await;
    b.click("section.next-step a[href='#decide']").await;
    b.click_and_load("form#decide button[type=submit]").await;
    // Confirmed, with what was decided and by whom; the next step is the departure.
    let next = b.text("section.next-step").await;
    assert!(
        next.contains("Tersimpan: keputusan rute.")
            && next.contains("Diputuskan: pulang ke daerah asal — oleh")
            && next.contains("Atur jadwal keberangkatan dan pendamping")
            && next.contains("Catat keberangkatan"),
        "{next}"
    );
    b.step("case-decided").await;
    let plan = b.text("table.legs").await;
    assert!(plan.contains("Jumlah"), "{plan}");
    b.step("case-plan").await;
    b.click_and_load(&format!("a[href='/cases/{CASE}/handover-form']"))
        .await;
    b.wait_for_path(&format!("/cases/{CASE}/handover-form"))
        .await;
    let form = b.main_text().await;
    assert!(
        form.contains("Berita Acara Serah Terima") && form.contains("Siti Aminah"),
        "{form}"
    );
    b.step("handover-form").await;
    b.c.close().await.unwrap();

    let state: String = sqlx::query_scalar("SELECT state FROM ot_case WHERE id = $1")
        .bind(case)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(state, "routed_home");

    // The outbox job delivers the notice to Banyuwangi's office over SMTP.
    let server = MailServer::start().await;
    let sent = outbox::deliver_due(&app_pool(&pool).await, &server.mailer(), now(), 10)
        .await
        .unwrap();
    assert_eq!(sent.sent, 1);
    let mail = server.mails().pop().unwrap();
    assert_eq!(mail.to, vec!["dinsos-3510@jatimprov.go.id".to_string()]);
    assert!(mail.subject.contains(CASE), "{}", mail.subject);
    for private in ["Siti", "Aminah", "Painah", NIK] {
        assert!(
            !mail.text.contains(private) && !mail.html.contains(private),
            "{private} in the notice: {}",
            mail.text
        );
    }
}
