//! The whole way home through the pages, as the five people meet it (issue 25): Satpol PP
//! records a woman who gives no address; DP3AK's fingerprint match names her village,
//! picked by name; the case officer sees the proposal "home to that village, from the
//! DP3AK match", decides it and schedules the departure; Banyuwangi's office signs in,
//! reads the card and accepts; the departure is recorded; the office receives her, naming
//! the receiver; the case is handed over, the berita acara prints without the app around
//! it, and the office has its follow-up tasks.
use fantoccini::wd::PrintConfiguration;
use sqlx::PgPool;

use super::{artifacts, poppler, Browser, DESKTOP};
use crate::common::*;
use simlontar::auth::model::Role;

const CASE: &str = "OT-3578-2026-000001";
/// A woman born 12 August 1990 in Glagah, Banyuwangi (35.10.15).
const NIK: &str = "3510155208900001";
/// Kemiren, Glagah, Banyuwangi.
const KEMIREN: &str = "35.10.15.2004";

async fn state_of(pool: &PgPool) -> String {
    sqlx::query_scalar("SELECT state FROM ot_case WHERE number = $1")
        .bind(CASE)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Signs the browser's person out, back at the sign-in page.
async fn sign_out(b: &Browser) {
    b.click_and_load("form.signout button").await;
    b.wait_for_path("/login").await;
}

#[sqlx::test]
async fn from_a_pick_up_without_an_address_to_a_hand_over_with_follow_ups(pool: PgPool) {
    load_geo(&pool).await;
    user(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    user(&pool, "dp3ak1", Role::IdentityOfficer, None).await;
    user(&pool, "co1", Role::CaseOfficer, None).await;
    user(&pool, "bwi.officer", Role::RegencyOfficer, Some("35.10")).await;
    let base = spawn(&pool).await;
    let case_page = format!("/cases/{CASE}");
    let card = format!("/incoming/{CASE}");

    // On the phone: the pick-up, the identity check, the office's answer.
    {
        let b = Browser::start("home-journey").await;
        // Satpol PP: a woman who says no more than her name; no address, no region.
        b.sign_in(&base, "satpol.sby", "/intake").await;
        b.fill("#found_address", "Terminal Purabaya").await;
        b.fill("#found_lat", "-7.3500").await;
        b.fill("#found_lon", "112.7250").await;
        b.fill("#unit", "Satpol PP Surabaya").await;
        b.fill("#stated_name", "Sumiati").await;
        b.click("input[name=name_quality][value=full]").await;
        b.click("input[name=sex][value=female]").await;
        b.fill("#estimated_age", "36").await;
        b.click("input[name=birth_date_quality][value=approximate]")
            .await;
        b.step("intake-filled").await;
        b.click_and_load("button[name=save]").await;
        b.wait_for_path(&format!("/intake/saved/{CASE}")).await;
        b.step("intake-saved").await;
        let home: (Option<String>, Option<String>) = sqlx::query_as(
            "SELECT home_village_code, home_region_code FROM intake i
               JOIN ot_case c ON c.intake_id = i.id WHERE c.number = $1",
        )
        .bind(CASE)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(home, (None, None), "the pick-up names no home");
        sign_out(&b).await;

        // DP3AK: the fingerprint matches; the registry's village is found by its name.
        b.sign_in(
            &base,
            "dp3ak1",
            &format!("/identity/checks/new?case={CASE}"),
        )
        .await;
        b.choose("#outcome", "matched").await;
        b.fill("#score", "94").await;
        b.fill("#nik", NIK).await;
        b.fill("#name", "Sumiati").await;
        b.choose("#sex", "female").await;
        b.fill("#address", "Dusun Krajan RT 02 RW 01").await;
        b.fill("#village", "Kemiren Glagah").await;
        b.fill("#mother_name", "Painah").await;
        b.click_and_load("button[name=suggest]").await;
        let choices = b.text("fieldset.village-choices").await;
        assert!(
            choices.contains("Kemiren, Kec. Glagah, Kabupaten Banyuwangi"),
            "{choices}"
        );
        b.step("check-village-choices").await;
        b.click(&format!("input[name=village_code][value='{KEMIREN}']"))
            .await;
        b.click_and_load("form.card > button[type=submit]").await;
        b.wait_for_path(&case_page).await;
        assert_eq!(state_of(&pool).await, "identified");
        sign_out(&b).await;
        b.c.close().await.unwrap();
    }

    // At the desk: the case officer's proposal, decision and departure.
    {
        let b = Browser::start_sized("home-journey-desk", DESKTOP).await;
        b.sign_in(&base, "co1", &case_page).await;
        let routing = b.text("section.routing").await;
        for said in [
            "Usulan: Pulang ke daerah asal",
            "Kemiren, Kec. Glagah, Kabupaten Banyuwangi",
            "Sumber: Alamat dari pencocokan DP3AK",
        ] {
            assert!(routing.contains(said), "{said:?} missing: {routing}");
        }
        b.step("proposal").await;
        b.click("section.next-step a[href='#decide']").await;
        b.click_and_load("form#decide button[type=submit]").await;
        let next = b.text("section.next-step").await;
        assert!(
            next.contains("Diputuskan: pulang ke daerah asal — oleh"),
            "{next}"
        );
        b.step("decided").await;
        b.goto(&format!("{base}/cases/{CASE}/plan")).await;
        b.set_value("#date", "2026-11-24").await;
        b.set_value("#time", "08:00").await;
        b.fill("#escort_name", "Rina Wulandari").await;
        b.click_and_load(&format!(
            "form[action='/cases/{CASE}/departure'] button[type=submit]"
        ))
        .await;
        let plan = b.main_text().await;
        assert!(plan.contains("Rina Wulandari"), "{plan}");
        b.step("departure-scheduled").await;
        b.c.close().await.unwrap();
    }

    // The office, on its phone: who is coming, and "we accept".
    {
        let b = Browser::start("home-journey-office").await;
        b.sign_in(&base, "bwi.officer", "/incoming").await;
        b.click_and_load(&format!("a[href='{card}']")).await;
        let text = b.main_text().await;
        for said in ["Sumiati", "Rina Wulandari", "24-11-2026"] {
            assert!(text.contains(said), "{said:?} missing: {text}");
        }
        b.step("card").await;
        b.click("#confirm-accept").await;
        b.click_and_load("form:has(input[value=accept]) button[type=submit]")
            .await;
        assert!(b
            .main_text()
            .await
            .contains("Tersimpan: kantor Anda bersedia menerima"));
        sign_out(&b).await;
        b.c.close().await.unwrap();
    }

    // She leaves with the escort: recorded, after the confirmation step.
    {
        let b = Browser::start_sized("home-journey-desk", DESKTOP).await;
        b.sign_in(&base, "co1", &format!("/cases/{CASE}/plan"))
            .await;
        b.click_and_load(&format!(
            "form[action='/cases/{CASE}/depart'] button[type=submit]"
        ))
        .await;
        b.step("depart-confirm").await;
        b.click_and_load("form.confirm button[type=submit]").await;
        assert_eq!(state_of(&pool).await, "in_transit");
        b.c.close().await.unwrap();
    }

    // The office receives her and names who did.
    {
        let b = Browser::start("home-journey-office").await;
        b.sign_in(&base, "bwi.officer", &card).await;
        b.fill("#receiver_name", "Bambang Sutrisno").await;
        b.fill("#receiver_ref", "198001012005011001").await;
        b.click("#confirm-received").await;
        b.click_and_load("form:has(input[value=received]) button[type=submit]")
            .await;
        assert!(b.main_text().await.contains("Warga sudah diterima pada"));
        b.step("received").await;
        // The office's home page now lists its two follow-up visits, 30 and 90 days on.
        b.goto(&format!("{base}/")).await;
        let work = b.text("#work-tasks").await;
        for said in [
            &format!("Kunjungan lanjutan 30 hari · {CASE}"),
            "Batas waktu 23-12-2026",
            &format!("Kunjungan lanjutan 90 hari · {CASE}"),
            "Batas waktu 21-02-2027",
        ] {
            assert!(work.contains(said), "{said:?} missing: {work}");
        }
        b.step("office-home-tasks").await;
        b.c.close().await.unwrap();
    }
    assert_eq!(state_of(&pool).await, "handed_over");
    let tasks: Vec<(String, chrono::NaiveDate)> = sqlx::query_as(
        "SELECT kind, due_on FROM case_task WHERE case_id = (SELECT id FROM ot_case WHERE number = $1) ORDER BY due_on",
    )
    .bind(CASE)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(tasks.len(), 2, "{tasks:?}");

    // The berita acara, printed by the browser: the document and nothing of the app.
    {
        let b = Browser::start_sized("home-journey-desk", DESKTOP).await;
        let form = format!("/cases/{CASE}/handover-form");
        b.sign_in(&base, "co1", &form).await;
        b.wait_for_path(&form).await;
        let pdf =
            b.c.print(PrintConfiguration::builder().build().unwrap())
                .await
                .expect("chromedriver prints the page");
        let path = artifacts().join("home-journey-berita-acara.pdf");
        std::fs::write(&path, &pdf).unwrap();
        let text = poppler("pdftotext", &["-layout", path.to_str().unwrap(), "-"]);
        for said in [
            "Berita Acara Serah Terima",
            "Sumiati",
            "Bambang Sutrisno",
            "198001012005011001",
            "Rina Wulandari",
            "Kemiren",
        ] {
            assert!(text.contains(said), "{said:?} not printed:\n{text}");
        }
        let t = simlontar_templates::Lang::Id.t();
        for chrome in [t.nav_home, t.nav_identity, t.sign_out, t.other_language] {
            assert!(!text.contains(chrome), "{chrome:?} printed:\n{text}");
        }
        b.c.close().await.unwrap();
    }
}
