//! Why the person was on the street and who protects them (issue 25, item 9): the
//! intake records a cause and protection concerns; a concern offers a referral.
use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;
use simlontar::auth::model::Role;

const CASE: &str = "OT-3578-2026-000001";

async fn intake(pool: &PgPool, extra: serde_json::Value) -> crate::common::Res {
    // One desk account for every intake of a test.
    let t = match simlontar::auth::store::find_by_name(pool, "satpol.sby")
        .await
        .unwrap()
    {
        Some(u) => {
            simlontar::auth::store::create_token(pool, u.id, "again")
                .await
                .unwrap()
                .1
        }
        None => token(pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await,
    };
    let mut body = intake_json();
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let key = Uuid::new_v4().to_string();
    call(pool, api("POST", "/api/v1/intakes", &t, Some(&key), body)).await
}

#[sqlx::test]
async fn a_suspected_trafficking_case_offers_a_referral_and_records_it(pool: PgPool) {
    load_geo(&pool).await;
    let res = intake(
        &pool,
        json!({"cause": "false_job_offer", "protection": ["trafficking", "violence"]}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let mut co = signed_in(&pool, "co1", Role::CaseOfficer, None).await;
    let page = co.get(&format!("/cases/{CASE}")).await;
    assert!(
        page.body
            .contains("Tawaran kerja palsu atau dugaan perdagangan orang")
            && page
                .body
                .contains("Dugaan perdagangan orang, Dugaan kekerasan")
            && page
                .body
                .contains("Unit Pelayanan Perempuan dan Anak (UPPA)"),
        "{}",
        page.body
    );
    // A service not on the list is refused by name, and nothing is recorded.
    let bad = co
        .post(
            &format!("/cases/{CASE}/protection-referral"),
            &[("service", "mafia")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("pilih tujuan rujukan dari daftar"),
        "{}",
        bad.body
    );
    let ok = co
        .post(
            &format!("/cases/{CASE}/protection-referral"),
            &[("service", "police")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), format!("/cases/{CASE}?done=protection"));
    let page = co.get(ok.location()).await;
    assert!(
        page.body
            .contains("Tersimpan: rujukan perlindungan dicatat.")
            && page.body.contains("Dirujuk untuk perlindungan"),
        "{}",
        page.body
    );
    let (events, audits): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM case_event WHERE kind = 'protection_referral' AND reason = 'police'),
                (SELECT count(*) FROM audit_log WHERE action = 'protection_referral')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((events, audits), (1, 1));
}

#[sqlx::test]
async fn a_referral_is_made_only_in_scope_and_not_by_a_viewer(pool: PgPool) {
    load_geo(&pool).await;
    let res = intake(&pool, json!({"protection": ["exploitation"]})).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let form = [("service", "uptd_ppa")];
    // Another regency's desk: the case does not exist for them.
    let mut other = signed_in(&pool, "satpol.bwi", Role::IntakeOfficer, Some("35.10")).await;
    let res = other
        .post(&format!("/cases/{CASE}/protection-referral"), &form)
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // A regency viewer reads, never acts.
    let mut viewer = signed_in(&pool, "dinsos.sby", Role::RegencyViewer, Some("35.78")).await;
    let page = viewer.get(&format!("/cases/{CASE}")).await;
    assert!(page.body.contains("Dugaan eksploitasi"), "{}", page.body);
    assert!(!page.body.contains("protection-referral"), "{}", page.body);
    let res = viewer
        .post(&format!("/cases/{CASE}/protection-referral"), &form)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let n: i64 =
        sqlx::query_scalar("SELECT count(*) FROM case_event WHERE kind = 'protection_referral'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(n, 0);
}

#[sqlx::test]
async fn an_unknown_cause_or_concern_is_named_with_its_path_and_nothing_is_saved(pool: PgPool) {
    load_geo(&pool).await;
    let res = intake(
        &pool,
        json!({"cause": "bored", "protection": ["violence", "smuggling"]}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    let fields: Vec<String> = res.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["cause", "protection[1]"]);
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM intake")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
    // No concern, no referral form.
    let res = intake(&pool, json!({"cause": "out_of_money"})).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let mut co = signed_in(&pool, "co1", Role::CaseOfficer, None).await;
    let page = co.get(&format!("/cases/{CASE}")).await;
    assert!(page.body.contains("Kehabisan uang di perjalanan"));
    assert!(!page.body.contains("protection-referral"));
}
