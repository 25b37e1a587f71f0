//! The ward administration page at a phone (360×800) and a desk (1366×900): its forms,
//! an error beside its field, the confirmation, and the UPT page showing the ward closed.
use chrono::Duration;
use sqlx::PgPool;

use super::{Browser, DESKTOP};
use crate::common::*;
use simlontar::auth::audit::Origin;
use simlontar::auth::model::{Grant, Principal, Role};
use simlontar::shelter::wards::{self, ClosureIn};

/// A ward with 6 people, a bed count set, a closure under way and one ahead.
async fn a_ward_with_history(pool: &PgPool) -> (String, i64) {
    let (upt, ward): (String, i64) = sqlx::query_as(
        "SELECT upt_code, id FROM ward WHERE need_code = 'homeless' ORDER BY id LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE ward SET occupied = 6 WHERE id = $1")
        .bind(ward)
        .execute(pool)
        .await
        .unwrap();
    let id = user(pool, "admin.seed", Role::Admin, None).await;
    let p = Principal {
        user_id: id,
        username: "admin.seed".into(),
        display_name: "Admin Dinsos".into(),
        grants: vec![Grant::new(Role::Admin, None).unwrap()],
        via_token: false,
    };
    let o = Origin {
        actor_id: Some(id),
        ..Origin::default()
    };
    let app = app_pool(pool).await;
    let at = (now(), chrono_tz::Asia::Jakarta);
    wards::set_beds(
        &app,
        &p,
        &o,
        ward,
        ("30", "dihitung ulang saat kunjungan"),
        at,
    )
    .await
    .unwrap();
    let today = simlontar::clock::local_date(now(), chrono_tz::Asia::Jakarta);
    for (from, to, reason, note) in [
        (0, Some(14), "renovation", "atap bocor"),
        (40, None, "outbreak", ""),
    ] {
        let c = ClosureIn {
            starts_on: (today + Duration::days(from)).to_string(),
            ends_on: to
                .map(|t: i64| (today + Duration::days(t)).to_string())
                .unwrap_or_default(),
            reason: reason.into(),
            note: note.into(),
        };
        wards::close(&app, &p, &o, ward, &c, at).await.unwrap();
    }
    (upt, ward)
}

impl Browser {
    /// Scrolls an element to the top of the screen, for the screenshot of a long page.
    async fn scroll_to(&self, css: &str) {
        self.c
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView();",
                vec![serde_json::json!(css)],
            )
            .await
            .unwrap();
    }
}

async fn look(pool: &PgPool, size: (u32, u32), tag: &'static str, upt: &str, ward: i64) {
    let base = spawn(pool).await;
    let b = Browser::start_sized(tag, size).await;
    b.sign_in(&base, "staf.wisma", "/").await;
    b.goto(&format!("{base}/capacity/upt/{upt}")).await;
    b.step("upt-closed").await;
    let upt_text = b.main_text().await;
    assert!(
        upt_text.contains("Ditutup sementara (Renovasi)"),
        "{upt_text}"
    );
    b.scroll_to(".badge.closed").await;
    b.step("upt-closed-ward").await;
    b.goto(&format!("{base}/capacity/wards/{ward}")).await;
    b.step("ward").await;
    b.scroll_to("form.rules").await;
    b.step("ward-rules").await;
    b.scroll_to("table.history").await;
    b.step("ward-history").await;
    b.fill("#beds", "2").await;
    b.fill("#beds_reason", "hitung ulang").await;
    b.click_and_load("form[action$='/beds'] button[type=submit]")
        .await;
    b.step("beds-refused").await;
    assert!(b
        .text("#beds-error")
        .await
        .contains("Tidak bisa kurang dari 6"));
    b.fill("#beds", "28").await;
    b.click_and_load("form[action$='/beds'] button[type=submit]")
        .await;
    b.step("beds-saved").await;
    assert!(b.main_text().await.contains("Jumlah tempat tidur disimpan"));
    b.c.close().await.unwrap();
}

#[sqlx::test]
async fn the_ward_page_at_a_phone_and_a_desk(pool: PgPool) {
    load_geo(&pool).await;
    let (upt, ward) = a_ward_with_history(&pool).await;
    user(&pool, "staf.wisma", Role::UptStaff, Some(&upt)).await;
    look(&pool, (360, 800), "wards-360", &upt, ward).await;
    look(&pool, DESKTOP, "wards-1366", &upt, ward).await;
}
