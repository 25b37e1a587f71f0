//! Journey 1: a Satpol PP officer signs in, records a pick-up with a photo using the
//! keyboard alone, gets the case number and sees that the person may have been picked up
//! before.
use fantoccini::key::Key;
use sqlx::PgPool;

use super::Browser;
use crate::common::*;
use simlontar::auth::model::Role;

#[sqlx::test]
async fn a_satpol_officer_records_a_pick_up_with_a_photo_and_sees_the_re_intake_hint(pool: PgPool) {
    load_geo(&pool).await;
    // Set-up, not part of the journey: the same man was picked up in Surabaya before.
    case_fixture(&pool, "OT-3578-2026-000900", "35.78", None, "Slamet", None).await;
    sqlx::query("UPDATE intake SET sex = 'male', estimated_age = 58")
        .execute(&pool)
        .await
        .unwrap();
    user(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let base = spawn(&pool).await;
    let b = Browser::start("intake").await;

    b.sign_in(&base, "satpol.sby", "/intake").await;
    b.step("form").await;

    // Keyboard only: Tab to each field, type, Space for a choice, arrows within a group.
    b.tab_to("#found_address").await;
    b.type_text("Terminal Joyoboyo").await;
    b.tab_to("#found_lat").await;
    b.type_text("-7.2980").await;
    b.tab_to("#found_lon").await;
    b.type_text("112.7380").await;
    b.tab_to("#unit").await;
    b.type_text("Satpol PP Surabaya").await;
    b.tab_to("#stated_name").await;
    b.type_text("Pak Slamet").await;
    b.tab_to("input[name=name_quality]").await;
    b.press(Key::Right).await; // full → partial, chosen as the focus moves
    b.tab_to("input[name=sex]").await;
    b.press(Key::Space).await; // the first one: male
    b.tab_to("#estimated_age").await;
    b.type_text("60").await;
    b.tab_to("input[name=birth_date_quality]").await;
    b.press(Key::Right).await; // exact → approximate
    b.tab_to("input[name=conditions][value=elderly]").await;
    b.press(Key::Space).await;
    // Choosing a file opens the system's picker, which WebDriver stands in for.
    b.tab_to("#photos").await;
    let photo = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    std::fs::write(photo.path(), PNG).unwrap();
    b.c.active_element()
        .await
        .unwrap()
        .send_keys(photo.path().to_str().unwrap())
        .await
        .unwrap();
    b.tab_to("#notes").await;
    b.type_text("tidur di emperan terminal").await;
    b.step("filled").await;
    b.tab_to("button[name=save]").await;
    b.press_and_load(Key::Enter).await;
    b.wait_for_path("/intake/saved/OT-3578-2026-000001").await;
    let number = b.text("#case-number").await;
    assert_eq!(number, "OT-3578-2026-000001");
    let hints = b.text("section.hints").await;
    assert!(
        hints.contains("OT-3578-2026-000900") && hints.contains("Slamet"),
        "the earlier pick-up is hinted at: {hints}"
    );
    b.step("saved").await;

    let (quality, sex, age, photos): (String, String, i16, i64) = sqlx::query_as(
        "SELECT name_quality, sex, estimated_age,
                (SELECT count(*) FROM intake_photo p WHERE p.intake_id = i.id)
           FROM intake i JOIN ot_case c ON c.intake_id = i.id WHERE c.number = $1",
    )
    .bind(&number)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (quality.as_str(), sex.as_str(), age, photos),
        ("partial", "male", 60, 1)
    );

    // The officer opens the new case from the saved page.
    b.click_and_load("main a[href='/cases/OT-3578-2026-000001']")
        .await;
    b.wait_for_path("/cases/OT-3578-2026-000001").await;
    assert!(b.main_text().await.contains("Pak Slamet"));
    b.step("case").await;
    b.c.close().await.unwrap();
}

/// The home region is picked by name: "bima" offers Kota Bima and Kabupaten Bima with
/// their province, on a phone and at a desk; choosing one saves the intake.
#[sqlx::test]
async fn the_home_region_is_picked_by_name_on_a_phone_and_at_a_desk(pool: PgPool) {
    load_geo(&pool).await;
    user(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let base = spawn(&pool).await;
    for (journey, size, number) in [
        ("region-picker-phone", (360, 800), "OT-3578-2026-000001"),
        ("region-picker-desk", super::DESKTOP, "OT-3578-2026-000002"),
    ] {
        let b = Browser::start_sized(journey, size).await;
        b.sign_in(&base, "satpol.sby", "/intake").await;
        b.fill("#found_address", "Terminal Joyoboyo").await;
        b.fill("#found_lat", "-7.2980").await;
        b.fill("#found_lon", "112.7380").await;
        b.fill("#unit", "Satpol PP Surabaya").await;
        b.fill("#stated_name", "Pak Slamet").await;
        b.click("input[name=name_quality][value=partial]").await;
        b.click("input[name=sex][value=male]").await;
        b.fill("#estimated_age", "60").await;
        b.click("input[name=birth_date_quality][value=approximate]")
            .await;
        b.fill("#home_region", "bima").await;
        b.click_and_load("button[name=save]").await;
        let choices = b.text(".region-choices").await;
        assert!(
            choices.contains("Kota Bima, Nusa Tenggara Barat")
                && choices.contains("Kabupaten Bima, Nusa Tenggara Barat"),
            "{choices}"
        );
        b.c.execute(
            "document.querySelector('.region-choices').scrollIntoView({block: 'center'});",
            vec![],
        )
        .await
        .unwrap();
        b.step("choices").await;
        b.click("input[name=home_region_choice][value^='Kota Bima']")
            .await;
        b.click_and_load("button[name=save]").await;
        if b.c.current_url().await.unwrap().path() == "/intake" {
            panic!("not saved: {}", b.main_text().await);
        }
        b.wait_for_path(&format!("/intake/saved/{number}")).await;
        b.c.close().await.unwrap();
    }
    let homes: Vec<String> = sqlx::query_scalar("SELECT home_region_code FROM intake ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(homes, ["52.72", "52.72"]);
}

/// On a phone: "Gunakan lokasi saya" fills the point from the phone's location and moves
/// the map's pin without sending the form, and a camera-sized photo is made smaller on the
/// phone before it is sent. The phone's location sensor is the one part stood in for.
#[sqlx::test]
async fn the_phone_fills_the_point_from_its_location_and_shrinks_photos_before_sending(
    pool: PgPool,
) {
    load_geo(&pool).await;
    user(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let base = spawn(&pool).await;
    // A 4000 × 3000 camera photo with grain, as phones take them (several MB).
    let photo = tempfile::Builder::new().suffix(".jpg").tempfile().unwrap();
    let mut seed = 7u32;
    let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = (seed >> 24) as u8;
        image::Rgb([(x / 16) as u8 ^ n, (y / 12) as u8, n])
    });
    img.save(photo.path()).unwrap();
    let original = std::fs::metadata(photo.path()).unwrap().len();
    assert!(
        original > 2_000_000,
        "the test photo is camera-sized: {original}"
    );

    for (journey, size) in [("desk-phone", (360, 800)), ("desk-desktop", super::DESKTOP)] {
        let b = Browser::start_sized(journey, size).await;
        b.sign_in(&base, "satpol.sby", "/intake").await;
        b.step("form").await;
        let page = b.c.current_url().await.unwrap();
        b.c.execute(
            "navigator.geolocation.getCurrentPosition = function (ok) {
               ok({coords: {latitude: -7.29801, longitude: 112.73799, accuracy: 12}});
             };",
            vec![],
        )
        .await
        .unwrap();
        b.click("#locate").await;
        assert_eq!(
            b.find("#found_lat")
                .await
                .prop("value")
                .await
                .unwrap()
                .unwrap(),
            "-7.298010"
        );
        assert_eq!(
            b.find("#found_lon")
                .await
                .prop("value")
                .await
                .unwrap()
                .unwrap(),
            "112.737990"
        );
        let status = b.text("#locate-status").await;
        assert!(status.contains("± 12 m"), "{status}");
        let src = b
            .find("input.map")
            .await
            .attr("src")
            .await
            .unwrap()
            .unwrap();
        assert!(
            src.contains("lat=-7.298010") && src.contains("lon=112.737990"),
            "{src}"
        );
        assert_eq!(
            b.c.current_url().await.unwrap(),
            page,
            "the form was not sent"
        );

        // A tap in the map's middle picks the point the server would pick for it.
        b.click("input.map").await;
        let map = b.find("input.map").await;
        let w: f64 = map.attr("width").await.unwrap().unwrap().parse().unwrap();
        let h: f64 = map.attr("height").await.unwrap().unwrap().parse().unwrap();
        let (lat, lon) = simlontar::intake::map::pixel_to_point(&pool, "35.78", w / 2.0, h / 2.0)
            .await
            .unwrap()
            .unwrap();
        let mut got = vec![];
        for css in ["#found_lat", "#found_lon"] {
            let v = b.find(css).await.prop("value").await.unwrap().unwrap();
            got.push(v.parse::<f64>().unwrap());
        }
        assert!(
            (got[0] - lat).abs() < 0.003 && (got[1] - lon).abs() < 0.003,
            "the tap gave {got:?}, the server's frame ({lat}, {lon})"
        );
        assert_eq!(b.text("#locate-status").await, "Titik dipilih di peta.");
        assert_eq!(
            b.c.current_url().await.unwrap(),
            page,
            "the tap did not send the form"
        );
        // The map as the officer sees it (issue 26): coast, districts, towns, the pin.
        b.c.execute(
            "document.querySelector('input.map').scrollIntoView({block: 'center'});",
            vec![],
        )
        .await
        .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while b
            .c
            .execute(
                // An image input has no `complete`: the same address as an image (the cache's).
                "const m = document.querySelector('input.map');
                 if (!window.mapProbe || window.mapProbe.src !== m.src) {
                   window.mapProbe = new Image(); window.mapProbe.src = m.src;
                 }
                 return window.mapProbe.complete && window.mapProbe.naturalWidth > 0;",
                vec![],
            )
            .await
            .unwrap()
            != serde_json::json!(true)
        {
            assert!(std::time::Instant::now() < deadline, "the map image loads");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        b.step("map").await;

        b.find("#photos")
            .await
            .send_keys(photo.path().to_str().unwrap())
            .await
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let sent = loop {
            let r =
                b.c.execute(
                    "const p = document.getElementById('photos');
                     if (p.dataset.shrunk !== '1') return null;
                     const f = p.files[0];
                     return createImageBitmap(f).then(i => [f.size, f.type, i.width, i.height]);",
                    vec![],
                )
                .await
                .unwrap();
            if !r.is_null() {
                break r;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the photo was not shrunk"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        let (bytes, kind) = (sent[0].as_u64().unwrap(), sent[1].as_str().unwrap());
        let (w, h) = (sent[2].as_u64().unwrap(), sent[3].as_u64().unwrap());
        assert_eq!((kind, w, h), ("image/jpeg", 1600, 1200));
        assert!(bytes * 4 < original, "{bytes} bytes sent of {original}");
        b.step("located").await;
        b.c.close().await.unwrap();
    }
}
