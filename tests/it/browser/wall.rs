//! The capacity wall screen as it hangs on the wall: 1920×1080 with no scrolling, read from
//! three metres; the same page at a desk (1366×900) and on a phone (360×800, which may
//! scroll down but never sideways). The viewer's own UPT comes first, then the worst.
use sqlx::PgPool;

use super::Browser;
use crate::common::*;
use simlontar::auth::model::Role;

/// Fills one ward of `upt` (critical) and marks every ward's data stale, as a quiet night
/// without updates does: the alert list must stay one line, not one row per ward.
async fn a_full_ward_and_stale_data(pool: &PgPool, upt: &str) {
    sqlx::query(
        "UPDATE ward SET occupied = beds
          WHERE id = (SELECT id FROM ward WHERE upt_code = $1 ORDER BY id LIMIT 1)",
    )
    .bind(upt)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO capacity_alert (upt_code, ward_id, level, opened_at, last_seen_at)
         SELECT upt_code, id, 'stale', $1, $1 FROM ward",
    )
    .bind(now())
    .execute(pool)
    .await
    .unwrap();
}

async fn upts(pool: &PgPool) -> (String, String) {
    let codes: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT upt_code FROM ward ORDER BY upt_code")
            .fetch_all(pool)
            .await
            .unwrap();
    // The viewer's UPT sorts last by name; the critical one somewhere in the middle.
    (
        codes[codes.len() - 1].clone(),
        codes[codes.len() / 2].clone(),
    )
}

impl Browser {
    /// How tall the page is, in CSS pixels.
    async fn page_height(&self) -> i64 {
        self.c
            .execute("return document.documentElement.scrollHeight;", vec![])
            .await
            .unwrap()
            .as_i64()
            .unwrap()
    }
}

async fn look(pool: &PgPool, size: (u32, u32), step: &str) -> (Browser, String) {
    let base = spawn(pool).await;
    let b = Browser::start_sized("wall", size).await;
    b.sign_in(&base, "upt.staff", "/capacity").await;
    b.goto(&format!("{base}/capacity")).await;
    b.step(step).await;
    (b, base)
}

#[sqlx::test]
async fn the_wall_screen_fits_1920_by_1080_with_the_own_upt_first_then_the_worst(pool: PgPool) {
    load_geo(&pool).await;
    let (own, critical) = upts(&pool).await;
    a_full_ward_and_stale_data(&pool, &critical).await;
    user(&pool, "upt.staff", Role::UptStaff, Some(&own)).await;
    let wards: i64 = sqlx::query_scalar("SELECT count(*) FROM ward")
        .fetch_one(&pool)
        .await
        .unwrap();

    // Each browser in its own block: one browser at a time, released when it goes.
    {
        let (b, _) = look(&pool, (1920, 1080), "1920x1080").await;
        let height = b.page_height().await;
        assert!(
            height <= 1080,
            "the wall screen is {height} px tall at 1920×1080"
        );
        let order =
            b.c.execute(
                "return [...document.querySelectorAll('ul.tiles li')].map(l => l.dataset.upt);",
                vec![],
            )
            .await
            .unwrap();
        let order: Vec<String> = serde_json::from_value(order).unwrap();
        assert_eq!(order[0], own, "the viewer's own UPT first");
        assert_eq!(order[1], critical, "then the critical one");
        let critical_tile = b.text("ul.tiles li:nth-child(2)").await;
        assert!(critical_tile.contains("penuh sekarang"), "{critical_tile}");
        // One line for all the stale wards.
        let alerts = b.text("ul.alert-groups").await;
        assert_eq!(alerts.lines().count(), 1, "{alerts}");
        assert!(
            alerts.contains(&format!("Data tidak diperbarui · {wards} bangsal")),
            "{alerts}"
        );
        // The map names the UPTs' towns.
        let labels =
            b.c.execute(
                "return document.querySelectorAll('g.town-labels text').length;",
                vec![],
            )
            .await
            .unwrap();
        assert!(labels.as_i64().unwrap() > 5, "{labels}");
        let big = b
        .c
        .execute(
            "return parseFloat(getComputedStyle(document.querySelector('.data-time strong')).fontSize);",
            vec![],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap();
        assert!(big >= 40.0, "the data's time is large: {big} px");
        b.c.close().await.unwrap();
    }
    {
        let (b, _) = look(&pool, (1366, 900), "1366x900").await;
        b.c.close().await.unwrap();
    }
    // The phone scrolls down, never sideways (step checks the width).
    let (b, _) = look(&pool, (360, 800), "360x800").await;
    b.c.close().await.unwrap();
}
