//! A resident imported on the first day, unnamed, is named later: the case page says she was
//! imported, the correction form refuses a correction without a reason beside the field and
//! keeps what was typed, then saves, confirms, and the history tells the change.
use sqlx::PgPool;

use super::Browser;
use crate::common::*;
use simlontar::auth::model::Role;

#[sqlx::test]
async fn an_imported_resident_is_named_later_through_the_correction_form(pool: PgPool) {
    load_geo(&pool).await;
    user(&pool, "admin.go", Role::Admin, None).await;
    user(&pool, "kasus", Role::CaseOfficer, None).await;
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("residents");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("browser-{}.csv", std::process::id()));
    std::fs::write(
        &file,
        "upt,ward,admitted_on,full_name,sex,birth_year,home_region,nik,notes
RSBL-PASURUAN,P,2019-03-01,,,,,,rambut pendek
RSBL-PASURUAN,P,2020-05-02,,,,,,tahi lalat di pipi
",
    )
    .unwrap();
    let admin = simlontar::auth::store::acting(
        &pool,
        "admin.go",
        simlontar::auth::policy::Action::ImportState,
    )
    .await
    .unwrap();
    simlontar::shelter::residents_store::import(
        &pool,
        &file,
        &admin,
        false,
        (now(), chrono_tz::Asia::Jakarta),
    )
    .await
    .unwrap();
    let numbers: Vec<String> = sqlx::query_scalar("SELECT number FROM ot_case ORDER BY number")
        .fetch_all(&pool)
        .await
        .unwrap();
    let base = spawn(&pool).await;
    for ((journey, size), number) in [
        ("correction-phone", (360, 800)),
        ("correction-desk", super::DESKTOP),
    ]
    .into_iter()
    .zip(numbers)
    {
        let b = Browser::start_sized(journey, size).await;
        b.sign_in(&base, "kasus", "/cases").await;
        b.goto(&format!("{base}/cases/{number}")).await;
        let facts = b.text("dl.facts").await;
        assert!(facts.contains("Diimpor saat mulai"), "{facts}");
        assert!(
            facts.contains("Tanpa nama (UPT Rehabilitasi Sosial Bina Laras Pasuruan, masuk"),
            "{facts}"
        );
        b.step("imported-case").await;
        b.click_and_load(&format!("a[href='/cases/{number}/correction']"))
            .await;
        b.step("form").await;
        b.fill("#stated_name", "Sutrisno").await;
        b.click_and_load("form.intake button[type=submit]").await;
        let error = b.text("#reason-error").await;
        assert!(error.contains("wajib diisi"), "{error}");
        let kept = b.find("#stated_name").await.attr("value").await.unwrap();
        assert_eq!(kept.as_deref(), Some("Sutrisno"), "nothing typed is lost");
        b.step("no-reason").await;
        b.fill("#reason", "nama dari keluarga yang berkunjung")
            .await;
        b.click_and_load("form.intake button[type=submit]").await;
        let notice = b.main_text().await;
        assert!(notice.contains("Perbaikan tersimpan"), "{notice}");
        b.step("saved").await;
        b.click_and_load("p.notice a").await;
        let history = b.text("ol.timeline").await;
        assert!(
            history.contains("Nama diperbaiki: – → Sutrisno")
                && history.contains("alasan: nama dari keluarga yang berkunjung"),
            "{history}"
        );
        b.step("history").await;
    }
}
