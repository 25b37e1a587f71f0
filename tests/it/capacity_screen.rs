//! The UPT capacity wall screen, its UPT page with bed holds, and the origin-flow map.
use axum::http::StatusCode;
use chrono::Duration;
use sqlx::PgPool;

use crate::common::{case_fixture, load_geo, now, referred, signed_in, Client};
use simlontar::auth::model::Role;

const WARD: &str = "PSTW-MAGETAN-L";
const UPT: &str = "PSTW-MAGETAN";

async fn ward_id(pool: &PgPool, code: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM ward WHERE code = $1")
        .bind(code)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn ward_counts(pool: &PgPool, code: &str) -> (i32, i32) {
    sqlx::query_as("SELECT occupied, held FROM ward WHERE code = $1")
        .bind(code)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn number(i: u32) -> String {
    format!("OT-3578-2026-{i:06}")
}

/// Places case `i` in the ward from `days_ago`, ended `ended_days_ago` if given.
async fn place(pool: &PgPool, i: u32, ward: &str, days_ago: i64, ended_days_ago: Option<i64>) {
    let case = case_fixture(pool, &number(i), "35.78", Some("35.20"), "Fixture", None).await;
    sqlx::query(
        "INSERT INTO placement (case_id, ward_id, started_at, ended_at, end_reason)
         SELECT $1, id, $3, $4, CASE WHEN $4::timestamptz IS NULL THEN NULL ELSE 'home' END
           FROM ward WHERE code = $2",
    )
    .bind(case)
    .bind(ward)
    .bind(now() - Duration::days(days_ago))
    .bind(ended_days_ago.map(|d| now() - Duration::days(d)))
    .execute(pool)
    .await
    .unwrap();
}

/// The HTML of one ward's row on the screen.
fn ward_row<'a>(html: &'a str, code: &str) -> &'a str {
    let start = html
        .find(&format!(r#"data-ward="{code}""#))
        .unwrap_or_else(|| panic!("no row for {code}"));
    let rest = &html[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

fn cell(row: &str, class: &str) -> String {
    let at = row
        .find(&format!(r#"class="num {class}""#))
        .unwrap_or_else(|| panic!("no {class} cell in {row}"));
    let rest = &row[at..];
    let open = rest.find('>').unwrap() + 1;
    rest[open..open + rest[open..].find('<').unwrap()].to_string()
}

async fn officer(pool: &PgPool) -> Client {
    signed_in(pool, "petugas.kasus", Role::CaseOfficer, None).await
}

#[sqlx::test]
async fn the_screen_shows_occupancy_movements_and_the_waiting_list(pool: PgPool) {
    load_geo(&pool).await;
    place(&pool, 1, WARD, 10, None).await;
    place(&pool, 2, WARD, 3, None).await;
    place(&pool, 3, WARD, 60, Some(5)).await;
    place(&pool, 4, WARD, 100, Some(50)).await;
    // Two people waiting for an elderly men's bed, one for a women's bed.
    let c5 = case_fixture(&pool, &number(5), "35.78", None, "W", None).await;
    let c6 = case_fixture(&pool, &number(6), "35.78", None, "W", None).await;
    let c7 = case_fixture(&pool, &number(7), "35.78", None, "W", None).await;
    for (case, sex) in [(c5, "male"), (c6, "male"), (c7, "female")] {
        sqlx::query(
            "INSERT INTO waiting_list (case_id, need_code, sex, since) VALUES ($1, 'elderly', $2, $3)",
        )
        .bind(case)
        .bind(sex)
        .bind(now())
        .execute(&pool)
        .await
        .unwrap();
    }
    let mut c = officer(&pool).await;
    // The ward tables are on each UPT's page; the wall screen shows UPTs.
    let res = c.get(&format!("/capacity/upt/{UPT}")).await;
    assert_eq!(res.status, StatusCode::OK);
    let row = ward_row(&res.body, WARD);
    assert_eq!(cell(row, "occupied"), "2");
    assert_eq!(cell(row, "held"), "0");
    assert_eq!(cell(row, "free"), "68");
    assert_eq!(cell(row, "waiting"), "2");
    // Admitted in the last 30 days: cases 1 and 2; discharged: case 3 only.
    assert!(row.contains(r#"data-label="Masuk 30 hari">2<"#), "{row}");
    assert!(row.contains(r#"data-label="Keluar 30 hari">1<"#), "{row}");
    assert!(row.contains("belum ada prakiraan"));
    assert!(row.contains("WIB"), "the ward says when it was updated");
    assert_eq!(cell(ward_row(&res.body, "PSTW-MAGETAN-P"), "waiting"), "1");
    // The refresh machinery: the panel alone, the script, and the no-script fallback.
    let res = c.get("/capacity").await;
    assert!(!res.body.contains("<table"), "no ward table on the wall");
    assert!(res.body.contains(r#"<li class="tile"#));
    assert!(res.body.contains(r#"<script src="/capacity/refresh.js""#));
    assert!(res.body.contains(r#"http-equiv="refresh""#));
    let panel = c.get("/capacity/panel").await;
    assert_eq!(panel.status, StatusCode::OK);
    assert_eq!(panel.headers["x-capacity-panel"], "1");
    assert!(!panel.body.contains("<html"));
    assert!(panel.body.contains(&format!(r#"data-upt="{UPT}""#)));
    let js = c.get("/capacity/refresh.js").await;
    assert!(js.headers["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    assert!(js.body.contains("x-capacity-panel"));
}

#[sqlx::test]
async fn the_latest_forecast_and_the_open_alert_are_shown(pool: PgPool) {
    load_geo(&pool).await;
    let ward = ward_id(&pool, WARD).await;
    for (hours_ago, p14) in [(30, 0.10), (2, 0.42)] {
        sqlx::query(
            "INSERT INTO capacity_forecast (upt_code, ward_id, computed_at, capacity, occupied, p7, p14, p30,
                                            days_to_full, daily, model)
             VALUES ($1, $2, $3, 70, 60, 0.12, $4, 0.81, 19.5,
                     '[{\"day\":1,\"free\":9,\"lo\":7,\"hi\":10},{\"day\":12,\"free\":2,\"lo\":0,\"hi\":4},
                       {\"day\":25,\"free\":0,\"lo\":-2,\"hi\":0},{\"day\":30,\"free\":-1,\"lo\":-3,\"hi\":1}]', 'test')",
        )
        .bind(UPT)
        .bind(ward)
        .bind(now() - Duration::hours(hours_ago))
        .bind(p14)
        .execute(&pool)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO capacity_alert (upt_code, ward_id, level, opened_at, last_seen_at, acknowledged_at)
         VALUES ($1, $2, 'warning', $3, $3, $3)",
    )
    .bind(UPT)
    .bind(ward)
    .bind(now() - Duration::days(1))
    .execute(&pool)
    .await
    .unwrap();
    let mut c = officer(&pool).await;
    let res = c.get(&format!("/capacity/upt/{UPT}")).await;
    let row = ward_row(&res.body, WARD);
    // Whole words: "7 hari", not "7h".
    assert!(row.contains("peluang penuh dalam 7 hari"), "{row}");
    assert!(!row.contains("7h"), "{row}");
    assert!(row.contains("42 %"), "the latest forecast: {row}");
    assert!(!row.contains("10 %"), "not the older one");
    assert!(row.contains("81 %"));
    assert!(
        row.contains("penuh dalam sekitar 20 hari"),
        "days to full: {row}"
    );
    assert!(
        row.contains("(antara 12 dan 25 hari)"),
        "the interval's ends: {row}"
    );
    assert!(row.contains("23-11-2026 08:00 WIB"), "computed at, in WIB");
    assert!(row.contains("Peringatan") && row.contains("sudah ditanggapi"));
    assert!(res.body.contains(&format!(
        r#"<tr class="risk risk-warning" data-ward="{WARD}""#
    )));
    assert!(
        ward_row(&res.body, "PSTW-MAGETAN-P").contains("belum ada prakiraan"),
        "a ward without a forecast says so"
    );
    // The UPT page draws the forecast band.
    let page = c.get(&format!("/capacity/upt/{UPT}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<polygon class=\"band\""));
}

#[sqlx::test]
async fn the_map_has_one_circle_per_upt(pool: PgPool) {
    load_geo(&pool).await;
    let upts: i64 = sqlx::query_scalar("SELECT count(DISTINCT upt_code) FROM ward")
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut c = signed_in(&pool, "dinsos.kab", Role::RegencyViewer, Some("35.10")).await;
    let res = c.get("/capacity").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.body.matches(r#"<circle class="upt""#).count() as i64,
        upts
    );
    assert!(res.body.contains(r#"<title id="upt-map-title">"#));
    assert!(res.body.contains(r#"data-upt="PSTW-MAGETAN""#));
    // A regency viewer reads but does not hold beds.
    let page = c.get(&format!("/capacity/upt/{UPT}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("name=\"case_number\""));
    let ward = ward_id(&pool, WARD).await.to_string();
    let res = c
        .post(
            &format!("/capacity/upt/{UPT}/holds"),
            &[
                ("case_number", &number(1)),
                ("ward_id", &ward),
                ("hours", "48"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn an_intake_officer_may_not_open_the_screen(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    for uri in [
        "/capacity",
        "/capacity/panel",
        "/capacity/flows",
        "/capacity/upt/PSTW-MAGETAN",
    ] {
        assert_eq!(c.get(uri).await.status, StatusCode::FORBIDDEN, "{uri}");
    }
    let home = c.get("/").await;
    assert!(!home.body.contains(r#"href="/capacity""#));
}

#[sqlx::test]
async fn a_hold_on_a_ward_with_free_beds_raises_held_and_can_be_released(pool: PgPool) {
    load_geo(&pool).await;
    let id = case_fixture(&pool, &number(1), "35.78", None, "In transit", None).await;
    referred(&pool, id, UPT).await;
    let ward = ward_id(&pool, WARD).await.to_string();
    let mut c = signed_in(&pool, "staf.magetan", Role::UptStaff, Some(UPT)).await;
    c.get(&format!("/capacity/upt/{UPT}")).await;
    let res = c
        .post(
            &format!("/capacity/upt/{UPT}/holds"),
            &[
                ("case_number", &number(1)),
                ("ward_id", &ward),
                ("hours", ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(ward_counts(&pool, WARD).await, (0, 1));
    let expires: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT expires_at FROM bed_hold")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(expires, now() + Duration::hours(48), "48 hours by default");
    let audits: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE entity = 'bed_hold' AND action = 'hold'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audits, 1);

    let page = c.get(res.location()).await;
    assert!(page.body.contains("Lepaskan"));
    let id: i64 = sqlx::query_scalar("SELECT id FROM bed_hold")
        .fetch_one(&pool)
        .await
        .unwrap();
    let res = c.post(&format!("/capacity/holds/{id}/release"), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(ward_counts(&pool, WARD).await, (0, 0));
    let reason: String = sqlx::query_scalar("SELECT release_reason FROM bed_hold")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(reason, "cancelled");
}

#[sqlx::test]
async fn upt_staff_hold_beds_only_in_their_own_upt(pool: PgPool) {
    load_geo(&pool).await;
    case_fixture(&pool, &number(1), "35.78", None, "In transit", None).await;
    let other: (String, i64) =
        sqlx::query_as("SELECT upt_code, id FROM ward WHERE upt_code <> $1 LIMIT 1")
            .bind(UPT)
            .fetch_one(&pool)
            .await
            .unwrap();
    let mut c = signed_in(&pool, "staf.magetan", Role::UptStaff, Some(UPT)).await;
    let res = c
        .post(
            &format!("/capacity/upt/{}/holds", other.0),
            &[
                ("case_number", &number(1)),
                ("ward_id", &other.1.to_string()),
                ("hours", "24"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let holds: i64 = sqlx::query_scalar("SELECT count(*) FROM bed_hold")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(holds, 0);
}

#[sqlx::test]
async fn a_hold_on_a_full_ward_is_refused_and_nothing_changes(pool: PgPool) {
    load_geo(&pool).await;
    sqlx::query(
        "INSERT INTO ward (upt_code, code, name, sex, need_code, beds, beds_estimated)
         VALUES ($1, 'PSTW-MAGETAN-X', 'Wisma Uji', 'any', 'elderly', 1, false)",
    )
    .bind(UPT)
    .execute(&pool)
    .await
    .unwrap();
    place(&pool, 1, "PSTW-MAGETAN-X", 2, None).await;
    case_fixture(&pool, &number(2), "35.78", None, "In transit", None).await;
    let ward = ward_id(&pool, "PSTW-MAGETAN-X").await.to_string();
    let mut c = officer(&pool).await;
    let res = c
        .post(
            &format!("/capacity/upt/{UPT}/holds"),
            &[
                ("case_number", &number(2)),
                ("ward_id", &ward),
                ("hours", "72"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("Bangsal penuh"), "{}", res.body);
    assert!(
        res.body.contains(&format!(r#"value="{}""#, number(2))),
        "the case number is kept"
    );
    assert!(res.body.contains(r#"value="72""#), "the hours are kept");
    assert!(
        res.body.contains(&format!(r#"value="{ward}" selected"#)),
        "the ward is kept"
    );
    assert_eq!(ward_counts(&pool, "PSTW-MAGETAN-X").await, (1, 0));
    let holds: i64 = sqlx::query_scalar("SELECT count(*) FROM bed_hold")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(holds, 0);

    // Bad input is refused field by field, also without touching the ward.
    let res = c
        .post(
            &format!("/capacity/upt/{UPT}/holds"),
            &[
                ("case_number", "OT-9999-2026-000001"),
                ("ward_id", &ward),
                ("hours", "500"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("168 jam"));
}

#[sqlx::test]
async fn expired_holds_are_released_by_the_job(pool: PgPool) {
    load_geo(&pool).await;
    let ward = ward_id(&pool, WARD).await;
    for (i, expires_in) in [(1, -1), (2, 5)] {
        let case = case_fixture(&pool, &number(i), "35.78", None, "T", None).await;
        sqlx::query(
            "INSERT INTO bed_hold (ward_id, case_id, held_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(ward)
        .bind(case)
        .bind(now() - Duration::hours(48))
        .bind(now() + Duration::hours(expires_in))
        .execute(&pool)
        .await
        .unwrap();
    }
    assert_eq!(ward_counts(&pool, WARD).await, (0, 2));
    let app = crate::common::app_pool(&pool).await;
    assert_eq!(
        simlontar::capacity::holds::release_expired_holds(&app, now())
            .await
            .unwrap(),
        1
    );
    assert_eq!(ward_counts(&pool, WARD).await, (0, 1));
    assert_eq!(
        simlontar::capacity::holds::release_expired_holds(&app, now())
            .await
            .unwrap(),
        0,
        "a second run finds nothing"
    );
    let later = now() + Duration::hours(6);
    assert_eq!(
        simlontar::capacity::holds::release_expired_holds(&app, later)
            .await
            .unwrap(),
        1
    );
    assert_eq!(ward_counts(&pool, WARD).await, (0, 0));
}

#[sqlx::test]
async fn the_origin_flow_page_counts_people_by_home_and_pick_up_regency(pool: PgPool) {
    load_geo(&pool).await;
    // Three from Banyuwangi (35.10) picked up in Surabaya (35.78), one picked up at home,
    // one with no known home, and one picked up more than a year ago (not counted).
    for i in 1..=3 {
        case_fixture(&pool, &number(i), "35.78", Some("35.10"), "X", None).await;
    }
    case_fixture(&pool, &number(4), "35.10", Some("35.10"), "X", None).await;
    case_fixture(&pool, &number(5), "35.78", None, "X", None).await;
    case_fixture(&pool, &number(6), "35.78", Some("35.09"), "Old", None).await;
    sqlx::query("UPDATE intake SET found_at = $1 WHERE stated_name = 'Old'")
        .bind(now() - Duration::days(400))
        .execute(&pool)
        .await
        .unwrap();
    let mut c = signed_in(&pool, "dinsos.kab", Role::RegencyViewer, Some("35.20")).await;
    let res = c.get("/capacity/flows").await;
    assert_eq!(res.status, StatusCode::OK);
    let b = &res.body;
    assert!(b.contains(r#"<dd id="flow-total">5</dd>"#), "{b}");
    // Ranked first: Banyuwangi, four people from there, one picked up there.
    let ranking = &b[b.find("table class=\"ranking\"").unwrap()..];
    let body = &ranking[ranking.find("<tbody>").unwrap()..];
    let first = &body[..body.find("</tr>").unwrap()];
    assert!(
        first.contains("Banyuwangi") && first.contains(">4<") && first.contains(">1<"),
        "{first}"
    );
    assert!(
        !ranking.contains("Jember"),
        "the pick-up from over a year ago is not counted"
    );
    // One arrow: Banyuwangi → Surabaya, three people. No names anywhere.
    assert_eq!(b.matches("<line class=\"flow\"").count(), 1);
    assert!(b.contains("→ Kota Surabaya: 3"));
    assert!(!b.contains("Old") && !b.contains(">X<"));
    assert!(
        b.contains("seluruh Jawa Timur"),
        "the page states whose counts these are"
    );
}

#[sqlx::test]
async fn the_screen_speaks_english_after_the_switch(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = officer(&pool).await;
    let res = c.get("/lang/en?back=/capacity").await;
    assert_eq!(res.location(), "/capacity");
    let lang = res.headers["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    c.cookie = Some(format!("{}; {lang}", c.cookie.clone().unwrap()));
    let res = c.get("/capacity").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("<html lang=\"en\">"));
    assert!(res.body.contains("UPT capacity"));
    assert!(res.body.contains("no forecast yet"));
    assert!(res.body.contains("Data as of") && res.body.contains(" occupied"));
    let page = c.get(&format!("/capacity/upt/{UPT}")).await;
    assert!(page.body.contains(r#"data-label="Occupied""#));
    assert!(
        page.body.contains("chance of filling within 7 days")
            || page.body.contains("no forecast yet")
    );
    assert!(page.body.contains("Hold a bed for a case in transit"));
}

#[sqlx::test]
async fn the_upt_page_rebuilds_daily_occupancy_from_placements(pool: PgPool) {
    load_geo(&pool).await;
    place(&pool, 1, WARD, 10, None).await;
    place(&pool, 2, "PSTW-MAGETAN-P", 60, Some(5)).await;
    let mut c = signed_in(&pool, "dinsos.kab", Role::RegencyViewer, Some("35.10")).await;
    let res = c.get(&format!("/capacity/upt/{UPT}")).await;
    assert_eq!(res.status, StatusCode::OK);
    let day = |date: &str, n: i64| format!(r#"<tr><td>{date}</td><td class="num">{n}</td></tr>"#);
    // Today (23-11, WIB), a week ago (both stays open), three weeks ago (only the second).
    assert!(res.body.contains(&day("23-11-2026", 1)), "{}", res.body);
    assert!(res.body.contains(&day("16-11-2026", 2)));
    assert!(res.body.contains(&day("03-11-2026", 1)));
    assert!(
        res.body.contains(&day("26-08-2026", 0)),
        "90 days back, today included"
    );
    assert!(!res.body.contains("25-08-2026"));
    assert!(res.body.contains(r#"<polyline class="history""#));
    assert!(!res.body.contains("<polygon"), "no forecast, no band");
    assert!(res.body.contains("Belum ada prakiraan untuk UPT ini."));
    assert_eq!(
        c.get("/capacity/upt/NO-SUCH-UPT").await.status,
        StatusCode::NOT_FOUND
    );
}
