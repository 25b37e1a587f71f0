//! The receiving office in a real browser: Banyuwangi's officer signs in, sees who is
//! coming, opens the card, accepts (ticking the confirmation); after the case officer
//! records the departure, receives the person naming the receiver. Screenshots of the
//! list and the card at 360×800 and 1366×900 (target/artifacts/receiving-office-*.png).
use axum::http::StatusCode;
use sqlx::PgPool;

use super::{Browser, DESKTOP};
use crate::common::*;
use crate::handover::{home_in_banyuwangi, identified, routed_home_with_link, state_of};
use simlontar::auth::model::Role;

const CASE: &str = "OT-3578-2026-000301";

#[sqlx::test]
async fn the_office_signs_in_sees_the_card_accepts_and_receives(pool: PgPool) {
    load_geo(&pool).await;
    let id = identified(&pool, CASE, None, "35", &["psychosocial"]).await;
    home_in_banyuwangi(&pool, id).await;
    let mut desk = signed_in(&pool, "co0", Role::CaseOfficer, None).await;
    routed_home_with_link(&pool, &mut desk, CASE).await;
    desk.get(&format!("/cases/{CASE}/plan")).await;
    let res = desk
        .post(
            &format!("/cases/{CASE}/departure"),
            &[
                ("date", "2026-11-24"),
                ("time", "08:00"),
                ("escort_name", "Rina Wulandari"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    user(&pool, "bwi.officer", Role::RegencyOfficer, Some("35.10")).await;
    let base = spawn(&pool).await;
    let card = format!("/incoming/{CASE}");

    {
        let b = Browser::start("receiving-office").await;
        b.sign_in(&base, "bwi.officer", "/incoming").await;
        let list = b.main_text().await;
        assert!(
            list.contains("Siti Aminah") && list.contains("Menunggu jawaban Anda"),
            "{list}"
        );
        b.step("list-360").await;
        b.click_and_load(&format!("a[href='{card}']")).await;
        b.wait_for_path(&card).await;
        let text = b.main_text().await;
        for said in [
            "Siti Aminah",
            "Disabilitas mental (ODGJ)",
            "Rina Wulandari",
            "24-11-2026",
            "Petugas kasus:",
        ] {
            assert!(text.contains(said), "{said:?} missing: {text}");
        }
        b.step("card-360").await;
        // Accept: without the tick the form comes back with the error beside it.
        b.click_and_load("form:has(input[value=accept]) button[type=submit]")
            .await;
        b.find("#confirm-accept-error").await;
        b.step("card-refused-360").await;
        b.click("#confirm-accept").await;
        b.click_and_load("form:has(input[value=accept]) button[type=submit]")
            .await;
        let done = b.main_text().await;
        assert!(
            done.contains("Tersimpan: kantor Anda bersedia menerima"),
            "{done}"
        );
        b.step("card-accepted-360").await;
        b.c.close().await.unwrap();
    }

    // The case officer records the departure (its confirmation step passed).
    desk.get(&format!("/cases/{CASE}/plan")).await;
    let res = desk
        .post(&format!("/cases/{CASE}/depart"), &[("confirm", "yes")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    let b = Browser::start_sized("receiving-office", DESKTOP).await;
    b.sign_in(&base, "bwi.officer", "/incoming").await;
    b.step("list-1366").await;
    b.goto(&format!("{base}{card}")).await;
    b.find("#receiver_name").await;
    b.step("card-1366").await;
    b.fill("#receiver_name", "Bambang Sutrisno").await;
    b.fill("#receiver_ref", "198001012005011001").await;
    b.click("#confirm-received").await;
    b.click_and_load("form:has(input[value=received]) button[type=submit]")
        .await;
    let done = b.main_text().await;
    assert!(done.contains("Warga sudah diterima pada"), "{done}");
    b.step("card-received-1366").await;
    b.c.close().await.unwrap();
    assert_eq!(state_of(&pool, id).await, "handed_over");
}
