//! The clock rule (issue 23): between 00:00 and 07:00 WIB the UTC date is still the day
//! before, yet every day the system counts — ages, a case number's year, a birth date's
//! "today", the capacity forecast's day through the daily job — is the WIB day
//! (`settings.time_zone`, through `clock::local_date`).
use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;
use sqlx::PgPool;

use crate::common::{api, app_pool, intake_json, load_geo, router_at, send, settings, token};
use simlontar::auth::model::Role;
use simlontar::capacity::raids;
use simlontar::clock::FixedClock;
use simlontar::jobs::{self, run::Outcome, Ctx, Job};

/// 01:30 WIB on 1 January 2027, which is 18:30 UTC on 31 December 2026.
fn early() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 31, 18, 30, 0).unwrap()
}

#[sqlx::test]
async fn between_midnight_and_seven_wib_every_day_is_the_wib_day(owner: PgPool) {
    load_geo(&owner).await;
    let at = early();
    let app = router_at(&owner, at).await;
    let desk = token(&owner, "desk.sby", Role::CaseOfficer, None).await;
    let intake = |name: &str, born: &str, sex: &str| {
        let mut body = intake_json();
        body["found_at"] = json!((at - Duration::minutes(30)).to_rfc3339());
        body["stated_name"] = json!(name);
        body["sex"] = json!(sex);
        body["birth_date"] = json!(born);
        body["birth_date_quality"] = json!("exact");
        body["estimated_age"] = json!(null);
        body["conditions"] = json!([]);
        body
    };

    // Born and picked up on New Year's Day (WIB): not a birth date in the future, and the
    // case is numbered in 2027.
    let res = send(
        &app,
        api(
            "POST",
            "/api/v1/intakes",
            &desk,
            Some("7d1c4a8e-0001-4000-8000-000000000001"),
            intake("Bayi", "2027-01-01", "female"),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let number = res.json()["case_number"].as_str().unwrap().to_string();
    assert!(number.contains("-2027-"), "{number}");

    // Eighteen that day: a youth, no longer a child — the transit ward first, Bina Remaja
    // after it, no children's ward.
    let res = send(
        &app,
        api(
            "POST",
            "/api/v1/intakes",
            &desk,
            Some("7d1c4a8e-0001-4000-8000-000000000002"),
            intake("Joko", "2009-01-01", "male"),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let number = res.json()["case_number"].as_str().unwrap().to_string();
    let uri = format!("/api/v1/cases/{number}/placement-candidates");
    let res = send(&app, api("GET", &uri, &desk, None, json!({}))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let list = res.json();
    let needs: Vec<&str> = (list.as_array().unwrap().iter())
        .map(|c| c["need"].as_str().unwrap())
        .collect();
    assert_eq!(needs.first(), Some(&"homeless"), "{needs:?}");
    assert!(
        needs.contains(&"youth") && !needs.contains(&"child"),
        "{needs:?}"
    );

    // A raid announced from 2 January: the daily job, run at 01:30 WIB on the 1st, reads it
    // as tomorrow's.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("raids.csv");
    std::fs::write(
        &file,
        "mulai,selesai,faktor,kebutuhan,catatan\n2027-01-02,2027-01-10,3,Gelandangan dan orang terlantar,Operasi Pekat\n",
    )
    .unwrap();
    assert_eq!(raids::load_path(&owner, &file, at).await.unwrap(), 1);
    let settings = settings();
    let ctx = Ctx {
        pool: app_pool(&owner).await,
        mailer: simlontar::notify::mailer::Mailer::from_settings(&settings.smtp).unwrap(),
        settings: Arc::new(settings),
        clock: Arc::new(FixedClock(at)),
        instance: "test".into(),
    };
    let ran = jobs::run_due(&ctx, Job::CapacityDaily).await.unwrap();
    assert!(matches!(ran, Outcome::Ran(_)), "{ran:?}");
    let tomorrow: f64 = sqlx::query_scalar(
        "SELECT (f.inputs->>'announced_factor_tomorrow')::float8 FROM capacity_forecast f
           JOIN ward w ON w.id = f.ward_id WHERE w.need_code = 'homeless' ORDER BY f.id LIMIT 1",
    )
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(tomorrow, 3.0);
}
