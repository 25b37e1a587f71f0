//! Going live as an administrator meets it, on a phone and at a desk, in Bahasa Indonesia:
//! the offices page with the missing addresses, a regency found by its name ("bima": two),
//! the form with an error beside its field, the confirmation, and the readiness page.
//! Screenshots: target/artifacts/golive-{phone,desk}-<page>.png.
use sqlx::PgPool;

use super::{Browser, DESKTOP, PHONE};
use crate::common::*;
use simlontar::auth::model::Role;

async fn tour(b: &Browser, base: &str, email: &str) {
    b.sign_in(base, "admin.golive", "/admin/offices").await;
    assert!(b
        .main_text()
        .await
        .contains("kantor belum punya alamat surel"));
    b.step("offices").await;
    b.fill("#place", "bima").await;
    b.click_and_load("form[action='/admin/offices/edit'] button")
        .await;
    let text = b.main_text().await;
    assert!(
        text.contains("beberapa cocok") && text.contains("Kota Bima"),
        "{text}"
    );
    b.step("offices-choose").await;
    b.click_and_load("a[href='/admin/offices/edit?place=52.72']")
        .await;
    assert!(b.main_text().await.contains("Alamat kantor: Kota Bima"));
    b.step("office-form").await;
    b.fill("#email", "dinsos kota bima").await;
    b.fill("#contact", "Bu Ani").await;
    b.click_and_load("form[action='/admin/offices'] button[type=submit]")
        .await;
    assert!(b.text("#email-error").await.contains("bukan alamat surel"));
    b.step("office-error").await;
    b.fill("#email", email).await;
    b.click_and_load("form[action='/admin/offices'] button[type=submit]")
        .await;
    assert!(b
        .main_text()
        .await
        .contains("Alamat kantor untuk Kota Bima tersimpan."));
    b.step("offices-saved").await;
    b.goto(&format!("{base}/admin/readiness")).await;
    assert!(b.main_text().await.contains("Yang perlu dilakukan"));
    b.step("readiness").await;
    b.goto(&format!("{base}/admin/users")).await;
    b.step("users").await;
}

#[sqlx::test]
async fn going_live_reads_on_a_phone_and_at_a_desk(pool: PgPool) {
    load_geo(&pool).await;
    user(&pool, "admin.golive", Role::Admin, None).await;
    let base = spawn(&pool).await;
    for (journey, size, email) in [
        ("golive-phone", PHONE, "dinsos@bimakota.go.id"),
        ("golive-desk", DESKTOP, "sosial@bimakota.go.id"),
    ] {
        let b = Browser::start_sized(journey, size).await;
        tour(&b, &base, email).await;
        b.c.close().await.unwrap();
    }
}
