//! Tasks in a real browser: a case officer gives an unidentified resident's family tracing
//! to Banyuwangi's office from the case page; Banyuwangi's officer sees the tracing and
//! the follow-ups of a person it received under Tasks, opens the 30-day follow-up and
//! records "back on the street" (refused first without an outcome). Screenshots at
//! 360×800 and 1366×900 (target/artifacts/tasks-*.png).
use axum::http::StatusCode;
use sqlx::PgPool;

use super::{Browser, DESKTOP};
use crate::common::*;
use crate::handover::{home_in_banyuwangi, identified, routed_home_with_link};
use simlontar::auth::model::Role;

const HOME: &str = "OT-3578-2026-000401";
const RESIDENT: &str = "OT-3578-2026-000402";

async fn set_date(b: &Browser, css: &str, value: &str) {
    b.c.execute(
        "document.querySelector(arguments[0]).value = arguments[1];",
        vec![serde_json::json!(css), serde_json::json!(value)],
    )
    .await
    .unwrap();
}

#[sqlx::test]
async fn an_office_records_a_follow_up_and_a_resident_s_tracing_is_given(pool: PgPool) {
    load_geo(&pool).await;
    // Handed over to Banyuwangi: its follow-ups exist.
    let id = identified(&pool, HOME, None, "35", &[]).await;
    home_in_banyuwangi(&pool, id).await;
    let mut desk = signed_in(&pool, "co0", Role::CaseOfficer, None).await;
    routed_home_with_link(&pool, &mut desk, HOME).await;
    desk.get(&format!("/cases/{HOME}")).await;
    let res = desk
        .post(&format!("/cases/{HOME}/depart"), &[("confirm", "yes")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let mut office = signed_in(&pool, "bwi.officer", Role::RegencyOfficer, Some("35.10")).await;
    office.get(&format!("/incoming/{HOME}")).await;
    let got = office
        .post(
            &format!("/incoming/{HOME}"),
            &[
                ("action", "received"),
                ("receiver_name", "Bambang Sutrisno"),
                ("receiver_ref", "kakak kandung"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(got.status, StatusCode::SEE_OTHER, "{}", got.body);
    // An unidentified man in a UPT.
    let resident = crate::shelter::unidentified(&pool, RESIDENT, "male", 50, &[]).await;
    sqlx::query("UPDATE intake SET stated_name = 'Pak Slamet' WHERE id = (SELECT intake_id FROM ot_case WHERE id = $1)")
        .bind(resident)
        .execute(&pool)
        .await
        .unwrap();
    user(&pool, "co.browser", Role::CaseOfficer, None).await;
    let base = spawn(&pool).await;

    {
        let b = Browser::start("tasks").await;
        b.sign_in(&base, "co.browser", &format!("/cases/{RESIDENT}"))
            .await;
        b.find("#tasks").await;
        b.c.execute("document.getElementById('tasks').scrollIntoView()", vec![])
            .await
            .unwrap();
        b.step("case-tracing-offer-360").await;
        b.click_and_load(&format!("a[href='/cases/{RESIDENT}/tracing']"))
            .await;
        b.step("tracing-form-360").await;
        // Nothing about what is known: refused, the error beside the field.
        b.click("input[name=to][value=tksk]").await;
        b.choose("#office", "35.10").await;
        b.fill("#tksk_name", "Mulyono").await;
        b.fill("#tksk_phone", "0812 3456 7890").await;
        b.fill("#tksk_district", "Atlantis").await;
        b.click_and_load("form.card button[type=submit]").await;
        b.find("#known-error").await;
        b.find("#tksk_district-error").await;
        assert_eq!(
            b.find("#tksk_name")
                .await
                .prop("value")
                .await
                .unwrap()
                .as_deref(),
            Some("Mulyono")
        );
        b.step("tracing-refused-360").await;
        let district: String = sqlx::query_scalar(
            "SELECT name FROM district WHERE region_code = '35.10' ORDER BY code LIMIT 1",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        b.fill("#tksk_district", &district).await;
        b.fill(
            "#known",
            "Ditemukan di Terminal Purabaya; bercerita tentang pelabuhan Pancer",
        )
        .await;
        b.click_and_load("form.card button[type=submit]").await;
        let text = b.main_text().await;
        assert!(
            text.contains("tugas penelusuran keluarga diberikan") && text.contains("TKSK Mulyono"),
            "{text}"
        );
        b.step("case-tracing-given-360").await;
        b.c.close().await.unwrap();
    }
    {
        let b = Browser::start("tasks").await;
        b.sign_in(&base, "bwi.officer", "/tasks").await;
        let list = b.main_text().await;
        for said in [
            "Penelusuran keluarga",
            "Pak Slamet",
            "Kunjungan lanjutan 30 hari",
            "Siti Aminah",
        ] {
            assert!(list.contains(said), "{said}: {list}");
        }
        b.step("list-360").await;
        let task: i64 = sqlx::query_scalar(
            "SELECT t.id FROM case_task t JOIN ot_case c ON c.id = t.case_id
              WHERE c.number = $1 AND t.kind = 'follow_up_30'",
        )
        .bind(HOME)
        .fetch_one(&pool)
        .await
        .unwrap();
        b.click_and_load(&format!("a[href='/tasks/{task}']")).await;
        b.step("follow-up-360").await;
        b.click_and_load("form.card button[type=submit]").await;
        b.find("#outcome-error").await;
        b.step("follow-up-refused-360").await;
        b.click("input[name=outcome][value=back_on_street]").await;
        set_date(&b, "#contacted_on", "2026-11-23").await;
        b.fill("#note", "Tetangga melihatnya di pasar").await;
        b.click_and_load("form.card button[type=submit]").await;
        let done = b.main_text().await;
        assert!(
            done.contains("Tersimpan: hasil tugas dicatat")
                && done.contains("Langkah berikutnya")
                && done.contains("Satpol PP"),
            "{done}"
        );
        b.step("follow-up-recorded-360").await;
        b.c.close().await.unwrap();
    }
    // One desktop session for both people (signing out in between).
    let b = Browser::start_sized("tasks", DESKTOP).await;
    b.sign_in(&base, "co.browser", &format!("/cases/{RESIDENT}/tracing"))
        .await;
    b.step("tracing-form-1366").await;
    b.goto(&format!("{base}/cases/{RESIDENT}")).await;
    b.find("#tasks").await;
    b.c.execute("document.getElementById('tasks').scrollIntoView()", vec![])
        .await
        .unwrap();
    b.step("case-tasks-1366").await;
    b.click_and_load("form.signout button").await;
    b.sign_in(&base, "bwi.officer", "/tasks").await;
    b.step("list-1366").await;
    let tracing: i64 = sqlx::query_scalar("SELECT id FROM case_task WHERE case_id = $1")
        .bind(resident)
        .fetch_one(&pool)
        .await
        .unwrap();
    b.goto(&format!("{base}/tasks/{tracing}")).await;
    let text = b.main_text().await;
    assert!(
        text.contains("Mulyono") && text.contains("Terminal Purabaya"),
        "{text}"
    );
    b.step("tracing-task-1366").await;
    b.c.close().await.unwrap();
}
