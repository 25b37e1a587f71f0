//! The reports as a reader meets them, on a phone and at a desk, in Bahasa Indonesia: the
//! monthly and yearly reports, the open figures (no sign-in) and the subject-access form
//! with its error. Screenshots: target/artifacts/reports-{phone,desk}-<page>.png.
use sqlx::PgPool;

use super::{Browser, DESKTOP, PHONE};
use crate::common::*;
use simlontar::auth::model::Role;

async fn tour(b: &Browser, base: &str) {
    b.sign_in(base, "admin.reports", "/reports").await;
    b.step("index").await;
    b.goto(&format!("{base}/reports/monthly?month=2026-10"))
        .await;
    assert!(b
        .main_text()
        .await
        .contains("Laporan bulanan · Oktober 2026"));
    b.step("monthly").await;
    b.goto(&format!("{base}/reports/monthly?month=2026-10#outcome"))
        .await;
    b.step("monthly-outcomes").await;
    b.goto(&format!("{base}/reports/yearly?year=2026")).await;
    b.step("yearly").await;
    b.goto(&format!("{base}/reports/yearly?year=2026#upt_occupancy"))
        .await;
    b.step("yearly-occupancy").await;
    b.goto(&format!("{base}/admin/subject-access")).await;
    b.step("subject-access").await;
    b.fill("#number", "OT-9999-2026-000001").await;
    b.click_and_load("form.card button").await;
    assert!(b
        .main_text()
        .await
        .contains("tidak ada kasus dengan nomor ini"));
    b.step("subject-access-error").await;
    b.goto(&format!("{base}/angka?year=2026")).await;
    assert!(b.main_text().await.contains("Mengapa ada tanda *"));
    b.step("public").await;
    b.goto(&format!("{base}/angka?year=2026#dipulangkan")).await;
    b.step("public-home").await;
}

#[sqlx::test]
async fn the_reports_read_on_a_phone_and_at_a_desk(pool: PgPool) {
    crate::reports::generated_year(&pool).await;
    user(&pool, "admin.reports", Role::Admin, None).await;
    let base = spawn(&pool).await;
    for (journey, size) in [("reports-phone", PHONE), ("reports-desk", DESKTOP)] {
        let b = Browser::start_sized(journey, size).await;
        tour(&b, &base).await;
        b.c.close().await.unwrap();
    }
}
