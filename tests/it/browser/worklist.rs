//! The worklists at a phone (360×800) and a desk (1366×900): the case officer's and the
//! UPT staff's home pages, the waiting list, and a capacity alert with its decongestion
//! list and the acknowledgement recording the action taken.
use chrono::Duration;
use sqlx::PgPool;

use super::{Browser, DESKTOP};
use crate::common::*;
use simlontar::auth::model::Role;
use simlontar::capacity::evaluate;

/// A crowded ward with its alert, a case past the route target and a person referred to
/// the ward's UPT. Returns (alert id, UPT code).
async fn scene(pool: &PgPool) -> (i64, String) {
    let (_, upt) = crate::worklist::crowded_ward(pool).await;
    evaluate::run(&app_pool(pool).await, &settings(), None, now())
        .await
        .unwrap();
    let late = case_fixture(
        pool,
        "OT-3578-2026-000701",
        "35.78",
        None,
        "Pak Sarmidi",
        None,
    )
    .await;
    sqlx::query("UPDATE ot_case SET state = 'unidentified', opened_at = $2 WHERE id = $1")
        .bind(late)
        .bind(now() - Duration::hours(4))
        .execute(pool)
        .await
        .unwrap();
    let coming = case_fixture(
        pool,
        "OT-3578-2026-000702",
        "35.78",
        None,
        "Bu Tumini",
        None,
    )
    .await;
    referred(pool, coming, &upt).await;
    let alert = sqlx::query_scalar(
        "SELECT id FROM capacity_alert WHERE upt_code = $1 AND level = 'full' AND resolved_at IS NULL",
    )
    .bind(&upt)
    .fetch_one(pool)
    .await
    .unwrap();
    (alert, upt)
}

async fn case_officer(pool: &PgPool, size: (u32, u32), tag: &'static str, alert: i64, ack: bool) {
    let base = spawn(pool).await;
    let b = Browser::start_sized(tag, size).await;
    b.sign_in(&base, "petugas.kasus", "/").await;
    b.step("home").await;
    let text = b.main_text().await;
    assert!(
        text.contains("Menunggu keputusan rute") && text.contains("Terlambat"),
        "{text}"
    );
    assert!(
        text.contains("Peringatan kapasitas dan daftar pengurangan hunian"),
        "{text}"
    );
    b.goto(&format!("{base}/waiting-list")).await;
    b.step("waiting-list").await;
    assert!(b.main_text().await.contains("Bu Tumini"));
    b.goto(&format!("{base}/capacity/alerts/{alert}")).await;
    b.step("alert").await;
    let text = b.main_text().await;
    assert!(
        text.contains("Resident Homeward") && text.contains("Waiting Fits"),
        "{text}"
    );
    if ack {
        b.c.execute("document.querySelector('#ack').scrollIntoView();", vec![])
            .await
            .unwrap();
        b.step("alert-form").await;
        b.click("input[value=sent_home]").await;
        b.fill("#note", "Dua orang dijadwalkan pulang minggu ini")
            .await;
        b.click_and_load("#ack button[type=submit]").await;
        b.step("alert-acknowledged").await;
        let text = b.main_text().await;
        assert!(
            text.contains("Warga dipulangkan") && text.contains("Tersimpan"),
            "{text}"
        );
    }
    b.c.close().await.unwrap();
}

async fn upt_staff(pool: &PgPool, size: (u32, u32), tag: &'static str) {
    let base = spawn(pool).await;
    let b = Browser::start_sized(tag, size).await;
    b.sign_in(&base, "staf.upt", "/").await;
    b.step("home").await;
    let text = b.main_text().await;
    assert!(
        text.contains("Daftar tunggu tempat tidur") && text.contains("Bu Tumini"),
        "{text}"
    );
    b.goto(&format!("{base}/waiting-list")).await;
    b.step("waiting-list").await;
    b.c.close().await.unwrap();
}

#[sqlx::test]
async fn worklists_waiting_list_and_alert_at_a_phone_and_a_desk(pool: PgPool) {
    load_geo(&pool).await;
    let (alert, upt) = scene(&pool).await;
    user(&pool, "petugas.kasus", Role::CaseOfficer, None).await;
    user(&pool, "staf.upt", Role::UptStaff, Some(&upt)).await;
    case_officer(&pool, (360, 800), "worklist-co-360", alert, false).await;
    case_officer(&pool, DESKTOP, "worklist-co-1366", alert, true).await;
    upt_staff(&pool, (360, 800), "worklist-upt-360").await;
    upt_staff(&pool, DESKTOP, "worklist-upt-1366").await;
}
