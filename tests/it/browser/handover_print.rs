//! The berita acara serah terima on paper: the case officer opens it, the Print button
//! works under the CSP (wired by the served script), and the PDF Chromium prints holds
//! the document — letterhead, number, both parties, labels — and nothing of the app's
//! navigation. The PDF is turned into PNGs (pdftoppm) to look at.
use axum::http::StatusCode;
use fantoccini::wd::PrintConfiguration;
use sqlx::PgPool;

use super::{artifacts, poppler, Browser, DESKTOP};
use crate::common::*;
use simlontar::auth::model::Role;

const CASE: &str = "OT-3578-2026-000041";

#[sqlx::test]
async fn the_handover_form_prints_as_a_document_without_the_apps_navigation(pool: PgPool) {
    load_geo(&pool).await;
    // Set-up: a woman (NIK: born 01-07-1980 in Banyuwangi) routed home to her village.
    let village: String = sqlx::query_scalar(
        "SELECT code FROM village WHERE code LIKE '35.10.%' AND centroid IS NOT NULL ORDER BY code LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let id = case_fixture(
        &pool,
        CASE,
        "35.78",
        Some("35.10"),
        "Siti Aminah",
        Some("3510014107800002"),
    )
    .await;
    sqlx::query(
        "UPDATE intake SET home_village_code = $2, belongings = 'tas kain, sarung', documents = '{ktp}',
                           birth_date = make_date(1980, 7, 1), birth_date_quality = 'exact', estimated_age = NULL
          WHERE id = (SELECT intake_id FROM ot_case WHERE id = $1)",
    )
    .bind(id)
    .bind(&village)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("UPDATE ot_case SET state = 'identified' WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    let mut desk = signed_in(&pool, "co0", Role::CaseOfficer, None).await;
    let res = desk
        .post(&format!("/cases/{CASE}/route"), &[("choice", "home")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // The person left: the receiving office's link page now asks who received them.
    let res = desk
        .post(&format!("/cases/{CASE}/depart"), &[("confirm", "yes")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let mail: String = sqlx::query_scalar(
        "SELECT body_text FROM email_outbox WHERE dedupe_key LIKE 'handover:%' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let at = mail.find("/handover/").expect("a link in the notice") + "/handover/".len();
    let token: String = mail[at..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    user(&pool, "co1", Role::CaseOfficer, None).await;
    let base = spawn(&pool).await;
    let form = format!("/cases/{CASE}/handover-form");

    // One browser at a time: the phone's is closed (and its turn given back) at the block's end.
    {
        let b = Browser::start("handover-print").await;
        b.sign_in(&base, "co1", &form).await;
        b.wait_for_path(&form).await;
        // The served script ran under the CSP: it shows the button it wires.
        let hidden =
            b.c.execute(
                "return document.getElementById('print-button').hidden",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(hidden, false, "the Print button was not wired");
        let page = b.main_text().await;
        for expected in [
            "Dinas Sosial Provinsi Jawa Timur",
            "Nomor: BAST-",
            "PIHAK PERTAMA",
            "PIHAK KEDUA",
            "Perempuan",
            "46 tahun",
            "KTP",
            "tas kain, sarung",
        ] {
            assert!(page.contains(expected), "{expected:?} missing: {page}");
        }
        b.step("form-360").await;

        // Printed by the browser: the document, and nothing of the app around it.
        let pdf =
            b.c.print(PrintConfiguration::builder().build().unwrap())
                .await
                .expect("chromedriver prints the page");
        assert!(pdf.starts_with(b"%PDF"), "not a PDF");
        let pdf_path = artifacts().join("handover-print.pdf");
        std::fs::write(&pdf_path, &pdf).unwrap();
        let text = poppler("pdftotext", &["-layout", pdf_path.to_str().unwrap(), "-"]);
        for expected in [
            "Dinas Sosial Provinsi Jawa Timur",
            "Nomor: BAST-",
            "PIHAK PERTAMA",
            "PIHAK KEDUA",
            "Siti Aminah",
            "Perempuan",
            "46 tahun",
            "tas kain, sarung",
        ] {
            assert!(text.contains(expected), "{expected:?} not printed:\n{text}");
        }
        let t = simlontar_templates::Lang::Id.t();
        for chrome in [
            "Simlontar",
            t.nav_home,
            t.nav_intake,
            t.nav_identity,
            t.nav_routing,
            t.nav_capacity,
            t.other_language,
            t.skip_to_content,
            t.sign_out,
            "Cetak berita acara",
            "Kembali ke kasus",
            "female",
            "male",
        ] {
            assert!(!text.contains(chrome), "{chrome:?} printed:\n{text}");
        }
        // Both parties side by side: on one line of the laid-out text.
        assert!(
            text.lines()
                .any(|l| l.contains("PIHAK PERTAMA") && l.contains("PIHAK KEDUA")),
            "the parties are not side by side:\n{text}"
        );
        let prefix = artifacts().join("handover-print-pdf");
        poppler(
            "pdftoppm",
            &[
                "-png",
                "-r",
                "60",
                pdf_path.to_str().unwrap(),
                prefix.to_str().unwrap(),
            ],
        );
        b.goto(&format!("{base}/handover/{token}")).await;
        b.find("#receiver_name").await;
        b.step("link-received-360").await;
        // A press without the receiver's name: the page comes back with the error beside it.
        b.fill("#receiver_ref", "kakak kandung").await;
        b.click("#confirm").await;
        b.click_and_load("form[novalidate] button[type=submit]")
            .await;
        b.find("#receiver_name-error").await;
        b.step("link-refused-360").await;
        b.c.close().await.unwrap();
    }

    let b = Browser::start_sized("handover-print", DESKTOP).await;
    b.sign_in(&base, "co1", &form).await;
    b.wait_for_path(&form).await;
    b.step("form-1366").await;
    b.goto(&format!("{base}/handover/{token}")).await;
    b.find("#receiver_name").await;
    b.step("link-received-1366").await;
    // A press without the receiver's name: the page comes back with the error beside it.
    b.fill("#receiver_ref", "kakak kandung").await;
    b.click("#confirm").await;
    b.click_and_load("form[novalidate] button[type=submit]")
        .await;
    b.find("#receiver_name-error").await;
    b.step("link-refused-1366").await;
    b.c.close().await.unwrap();
}
