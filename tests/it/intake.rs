use std::collections::HashSet;
use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;
use simlontar::auth::model::Role;

async fn cases(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM ot_case")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn an_intake_through_the_api_opens_a_numbered_case(pool: PgPool) {
    load_geo(&pool).await;
    let t = token(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let r = router(&pool).await;
    let key = Uuid::new_v4().to_string();
    let res = send(
        &r,
        api("POST", "/api/v1/intakes", &t, Some(&key), intake_json()),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.json()["case_number"], "OT-3578-2026-000001");
    // The case reads back with its opening event, and the region came from PostGIS.
    let shown = send(
        &r,
        api(
            "GET",
            "/api/v1/cases/OT-3578-2026-000001",
            &t,
            None,
            json!(null),
        ),
    )
    .await;
    assert_eq!(shown.json()["found_region"], "35.78");
    assert_eq!(shown.json()["state"], "received");
    assert_eq!(shown.json()["events"][0]["kind"], "opened");
}

#[sqlx::test]
async fn the_same_submit_sent_twice_creates_one_case(pool: PgPool) {
    load_geo(&pool).await;
    let t = token(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let r = router(&pool).await;
    let key = Uuid::new_v4().to_string();
    let first = send(
        &r,
        api("POST", "/api/v1/intakes", &t, Some(&key), intake_json()),
    )
    .await;
    let second = send(
        &r,
        api("POST", "/api/v1/intakes", &t, Some(&key), intake_json()),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(first.json()["case_number"], second.json()["case_number"]);
    assert_eq!(cases(&pool).await, 1);
    // A different intake under the same key is refused, not merged.
    let mut other = intake_json();
    other["stated_name"] = json!("Bu Sumiati");
    let third = send(&r, api("POST", "/api/v1/intakes", &t, Some(&key), other)).await;
    assert_eq!(third.status, StatusCode::CONFLICT);
    assert_eq!(cases(&pool).await, 1);
}

/// Idempotency keys belong to whoever sent them (issue 22, finding 9): the same key from
/// two officers is two intakes, and neither is told the other's case number.
#[sqlx::test]
async fn the_same_key_from_two_officers_makes_two_cases_and_neither_learns_the_others_number(
    pool: PgPool,
) {
    load_geo(&pool).await;
    let a = token(&pool, "satpol.sby.a", Role::IntakeOfficer, Some("35.78")).await;
    let b = token(&pool, "satpol.sby.b", Role::IntakeOfficer, Some("35.78")).await;
    let bwi = token(&pool, "satpol.bwi", Role::IntakeOfficer, Some("35.10")).await;
    let r = router(&pool).await;
    let key = Uuid::new_v4().to_string();
    let post =
        |t: &str, body: serde_json::Value| api("POST", "/api/v1/intakes", t, Some(&key), body);
    let first = send(&r, post(&a, intake_json())).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let mine = first.json()["case_number"].as_str().unwrap().to_string();
    // The same key and body from another officer: a case of their own.
    let other = send(&r, post(&b, intake_json())).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
    let theirs = other.json()["case_number"].as_str().unwrap().to_string();
    assert_ne!(mine, theirs);
    assert!(!other.body.contains(&mine));
    // Each retry finds its sender's own case.
    for (t, number) in [(&a, &mine), (&b, &theirs)] {
        let again = send(&r, post(t, intake_json())).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.json()["case_number"], json!(number));
    }
    // An officer elsewhere with another intake under the key: not a conflict, not a leak.
    let mut elsewhere = intake_json();
    elsewhere["found_lat"] = json!(-8.2192);
    elsewhere["found_lon"] = json!(114.3691);
    let third = send(&r, post(&bwi, elsewhere)).await;
    assert_eq!(third.status, StatusCode::CREATED, "{}", third.body);
    assert!(!third.body.contains(&mine) && !third.body.contains(&theirs));
    assert_eq!(cases(&pool).await, 3);

    // At the desk: photos another officer left under the same key are not taken.
    let mut c = signed_in(&pool, "desk.a", Role::IntakeOfficer, Some("35.78")).await;
    c.get("/intake").await;
    let mut waiting = desk_fields(&key);
    waiting.retain(|(k, _)| *k != "sex");
    let res = c.post_multipart("/intake", &refs(&waiting), &[PNG]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut d = signed_in(&pool, "desk.b", Role::IntakeOfficer, Some("35.78")).await;
    d.get("/intake").await;
    let res = d
        .post_multipart("/intake", &refs(&desk_fields(&key)), &[])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let (photos, staged): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM intake_photo), (SELECT count(*) FROM intake_upload)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (photos, staged),
        (0, 1),
        "desk.a's photo still waits for desk.a"
    );
}

#[sqlx::test]
async fn two_hundred_intakes_from_twenty_clients_with_retries_make_exactly_two_hundred_cases(
    pool: PgPool,
) {
    load_geo(&pool).await;
    let t = Arc::new(token(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await);
    let base = Arc::new(spawn(&pool).await);
    let client = reqwest::Client::new();
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..20 {
        let (t, base, client) = (t.clone(), base.clone(), client.clone());
        tasks.spawn(async move {
            let mut numbers = vec![];
            for i in 0..10 {
                let key = Uuid::new_v4().to_string();
                let mut body = intake_json();
                body["stated_name"] = json!(format!("Orang {c}-{i}"));
                // Every tenth submission is sent twice at once, like a double click.
                let sends = if i == 3 { 2 } else { 1 };
                let mut reqs = vec![];
                for _ in 0..sends {
                    reqs.push(
                        client
                            .post(format!("{base}/api/v1/intakes"))
                            .bearer_auth(t.as_str())
                            .header("idempotency-key", &key)
                            .json(&body)
                            .send(),
                    );
                }
                for res in futures_join(reqs).await {
                    let res = res.unwrap();
                    assert!(res.status().is_success(), "{}", res.status());
                    let v: serde_json::Value = res.json().await.unwrap();
                    numbers.push((key.clone(), v["case_number"].as_str().unwrap().to_string()));
                }
            }
            numbers
        });
    }
    let mut all = vec![];
    while let Some(r) = tasks.join_next().await {
        all.extend(r.unwrap());
    }
    assert_eq!(all.len(), 220);
    let keys: HashSet<_> = all.iter().map(|(k, _)| k.clone()).collect();
    let numbers: HashSet<_> = all.iter().map(|(_, n)| n.clone()).collect();
    assert_eq!(keys.len(), 200);
    assert_eq!(numbers.len(), 200, "each key maps to one case");
    assert_eq!(cases(&pool).await, 200);
    // Case numbers run without gaps.
    let max: i32 =
        sqlx::query_scalar("SELECT last FROM case_number_counter WHERE region_code = '35.78'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(max, 200);
}

async fn futures_join<F: std::future::Future>(fs: Vec<F>) -> Vec<F::Output> {
    let mut out = vec![];
    let handles: Vec<_> = fs.into_iter().map(|f| Box::pin(f)).collect();
    // Poll them together so the duplicates are really in flight at once.
    let joined = futures_util::future::join_all(handles).await;
    out.extend(joined);
    out
}

#[sqlx::test]
async fn every_invalid_api_field_is_named(pool: PgPool) {
    load_geo(&pool).await;
    let t = token(&pool, "officer", Role::CaseOfficer, None).await;
    let r = router(&pool).await;
    let post =
        |body: serde_json::Value, key: Option<&str>| api("POST", "/api/v1/intakes", &t, key, body);
    let key = Uuid::new_v4().to_string();

    let res = send(&r, post(intake_json(), None)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["fields"][0]["field"], "Idempotency-Key");

    let mut b = intake_json();
    b["found_lat"] = json!("south");
    let res = send(&r, post(b, Some(&key))).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["fields"][0]["field"], "found_lat");

    let mut b = intake_json();
    b["aliases"] = json!(["ok", 7]);
    let res = send(&r, post(b, Some(&key))).await;
    assert_eq!(res.json()["fields"][0]["field"], "aliases[1]");

    let mut b = intake_json();
    b["status"] = json!("closed");
    let res = send(&r, post(b, Some(&key))).await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown fields are refused"
    );

    let mut b = intake_json();
    b["nik"] = json!("3578013213900001");
    b["sex"] = json!("robot");
    b["conditions"] = json!(["elderly", "hungry"]);
    b["found_at"] = json!("2030-01-01T00:00:00Z");
    let res = send(&r, post(b, Some(&key))).await;
    let fields: Vec<String> = res.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, vec!["found_at", "sex", "nik", "conditions[1]"]);

    // Jakarta is not in East Java.
    let mut b = intake_json();
    b["found_lat"] = json!(-6.1754);
    b["found_lon"] = json!(106.8272);
    let res = send(&r, post(b, Some(&key))).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["fields"][0]["field"], "found_lat");
    assert_eq!(cases(&pool).await, 0);
}

#[sqlx::test]
async fn an_intake_officer_records_pick_ups_in_their_own_regency_only(pool: PgPool) {
    load_geo(&pool).await;
    let t = token(&pool, "satpol.bwi", Role::IntakeOfficer, Some("35.10")).await;
    let r = router(&pool).await;
    let res = send(
        &r,
        api(
            "POST",
            "/api/v1/intakes",
            &t,
            Some(&Uuid::new_v4().to_string()),
            intake_json(),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("35.78"), "{}", res.body);
    let viewer = token(&pool, "viewer", Role::RegencyViewer, Some("35.78")).await;
    let res = send(
        &r,
        api(
            "POST",
            "/api/v1/intakes",
            &viewer,
            Some(&Uuid::new_v4().to_string()),
            intake_json(),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn legal_moves_are_events_and_illegal_ones_are_refused(pool: PgPool) {
    load_geo(&pool).await;
    let officer = token(&pool, "officer", Role::CaseOfficer, None).await;
    let dp3ak = token(&pool, "dp3ak", Role::IdentityOfficer, None).await;
    let r = router(&pool).await;
    let res = send(
        &r,
        api(
            "POST",
            "/api/v1/intakes",
            &officer,
            Some(&Uuid::new_v4().to_string()),
            intake_json(),
        ),
    )
    .await;
    let number = res.json()["case_number"].as_str().unwrap().to_string();
    let path = format!("/api/v1/cases/{number}/events");
    let mv = |t: &str, to: &str, reason: &str| {
        api("POST", &path, t, None, json!({"to": to, "reason": reason}))
    };

    assert_eq!(
        send(&r, mv(&officer, "placed", "")).await.status,
        StatusCode::CONFLICT,
        "received → placed skips identification"
    );
    assert_eq!(
        send(&r, mv(&dp3ak, "identity_pending", "")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&r, mv(&officer, "identity_pending", "")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        send(&r, mv(&dp3ak, "identified", "fingerprint match"))
            .await
            .status,
        StatusCode::OK
    );
    let res = send(&r, mv(&officer, "closed", "")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["fields"][0]["field"], "reason");
    assert_eq!(
        send(&r, mv(&officer, "closed", "family came to collect him"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        send(&r, mv(&officer, "identified", "")).await.status,
        StatusCode::CONFLICT,
        "closed is final"
    );
    let bad = send(
        &r,
        api("POST", &path, &officer, None, json!({"to": "teleported"})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["fields"][0]["field"], "to");

    let events = send(&r, api("GET", &path, &officer, None, json!(null))).await;
    let kinds: Vec<String> = events
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}>{}",
                e["kind"].as_str().unwrap(),
                e["to_state"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            "opened>received",
            "transition>identity_pending",
            "transition>identified",
            "transition>closed"
        ]
    );
    let closed: (String, Option<String>) =
        sqlx::query_as("SELECT state, close_reason FROM ot_case WHERE number = $1")
            .bind(&number)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        closed,
        ("closed".into(), Some("family came to collect him".into()))
    );
}

pub fn desk_fields(key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("idempotency_key", key.to_string()),
        ("found_at", "2026-11-23T08:15".into()),
        ("found_address", "Terminal Joyoboyo".into()),
        ("found_lat", "-7.2980".into()),
        ("found_lon", "112.7380".into()),
        ("unit", "Satpol PP Surabaya".into()),
        ("officer_name", "Budi".into()),
        ("stated_name", "Mbah Gimbal".into()),
        ("name_quality", "alias".into()),
        ("sex", "male".into()),
        ("estimated_age", "70".into()),
        ("birth_date_quality", "approximate".into()),
        ("conditions", "elderly".into()),
        ("conditions", "psychosocial".into()),
        ("notes", "tidur di emperan".into()),
    ]
}

pub fn refs<'a>(f: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    f.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[sqlx::test]
async fn the_desk_form_saves_an_intake_with_a_photo_and_shows_the_number(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let form = c.get("/intake").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"name="idempotency_key""#));
    assert!(
        form.body.contains("/intake/map.svg?region=35.78"),
        "the officer's regency map is offered"
    );
    let key = Uuid::new_v4().to_string();
    let res = c
        .post_multipart("/intake", &refs(&desk_fields(&key)), &[PNG])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), "/intake/saved/OT-3578-2026-000001");
    let saved = c.get(res.location()).await;
    assert!(saved.body.contains("OT-3578-2026-000001"));
    let photos: i64 = sqlx::query_scalar("SELECT count(*) FROM intake_photo")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(photos, 1);
    // A double click sends the same form again: still one case.
    let again = c
        .post_multipart("/intake", &refs(&desk_fields(&key)), &[PNG])
        .await;
    assert_eq!(again.location(), "/intake/saved/OT-3578-2026-000001");
    assert_eq!(cases(&pool).await, 1);
    // The case page shows the photo to those who may see the case.
    let page = c.get("/cases/OT-3578-2026-000001").await;
    assert!(
        page.body.contains("/cases/OT-3578-2026-000001/photos/"),
        "{}",
        page.body
    );
}

#[sqlx::test]
async fn a_form_with_errors_comes_back_with_everything_typed_and_the_photo_kept(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    c.get("/intake").await;
    let key = Uuid::new_v4().to_string();
    let mut fields = desk_fields(&key);
    fields.retain(|(k, _)| *k != "sex");
    fields.push(("nik", "1234".into()));
    let res = c.post_multipart("/intake", &refs(&fields), &[PNG]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("pilih jenis kelamin"),
        "the error is beside the field"
    );
    assert!(res.body.contains("NIK harus tepat 16 angka"));
    assert!(
        res.body.contains(r#"value="Mbah Gimbal""#) && res.body.contains("tidur di emperan"),
        "typed text kept"
    );
    assert!(res.body.contains("1 foto sudah diterima"), "{}", res.body);
    assert_eq!(cases(&pool).await, 0);
    // Fixed and sent again without choosing the photo again: saved with the photo.
    let mut fixed = desk_fields(&key);
    fixed.push(("sex", "male".into()));
    let res = c.post_multipart("/intake", &refs(&fixed), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let photos: i64 = sqlx::query_scalar("SELECT count(*) FROM intake_photo")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(photos, 1);
}

#[sqlx::test]
async fn non_images_and_oversize_photos_are_refused(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    c.get("/intake").await;
    let key = Uuid::new_v4().to_string();
    let fields = desk_fields(&key);
    let res = c
        .post_multipart("/intake", &refs(&fields), &[b"%PDF-1.7 not a photo"])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("hanya foto JPEG, PNG atau WebP"));
    let mut big = PNG.to_vec();
    big.resize(5 * 1024 * 1024 + 10, 0);
    let res = c.post_multipart("/intake", &refs(&fields), &[&big]).await;
    assert!(res.body.contains("lebih dari 5 MB"), "{}", res.status);
    let mut broken = PNG[..20].to_vec();
    broken[16] = 0;
    let res = c
        .post_multipart("/intake", &refs(&fields), &[&broken])
        .await;
    assert!(res.body.contains("rusak"), "{}", res.body.len());
    assert_eq!(cases(&pool).await, 0);
    let staged: i64 = sqlx::query_scalar("SELECT count(*) FROM intake_upload")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(staged, 0);
}

#[sqlx::test]
async fn a_click_on_the_map_fills_the_point_and_keeps_the_form(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    c.get("/intake").await;
    let key = Uuid::new_v4().to_string();
    let mut fields = desk_fields(&key);
    fields.retain(|(k, _)| *k != "found_lat" && *k != "found_lon");
    fields.push(("map.x", "300".into()));
    fields.push(("map.y", "200".into()));
    let res = c.post_multipart("/intake", &refs(&fields), &[]).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Titik dipilih"));
    assert!(
        res.body
            .contains(r#"name="found_lat" type="text" value="-7."#),
        "{}",
        res.body
    );
    assert_eq!(cases(&pool).await, 0, "a map click never saves");
}

#[sqlx::test]
async fn the_saved_page_hints_at_an_earlier_case_of_the_same_person(pool: PgPool) {
    load_geo(&pool).await;
    case_fixture(&pool, "OT-3578-2026-000900", "35.78", None, "Slamet", None).await;
    sqlx::query("UPDATE intake SET sex = 'male', estimated_age = 58")
        .execute(&pool)
        .await
        .unwrap();
    case_fixture(&pool, "OT-3578-2026-000901", "35.78", None, "Painem", None).await;
    let mut c = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    c.get("/intake").await;
    let mut fields = desk_fields(&Uuid::new_v4().to_string());
    for f in fields.iter_mut() {
        if f.0 == "stated_name" {
            f.1 = "Pak Slamet".into();
        }
        if f.0 == "name_quality" {
            f.1 = "partial".into();
        }
        if f.0 == "estimated_age" {
            f.1 = "60".into();
        }
    }
    let res = c.post_multipart("/intake", &refs(&fields), &[]).await;
    let saved = c.get(res.location()).await;
    assert!(saved.body.contains("OT-3578-2026-000900"), "{}", saved.body);
    assert!(!saved.body.contains("OT-3578-2026-000901"));
}

#[sqlx::test]
async fn the_api_is_described_by_an_openapi_document(pool: PgPool) {
    let res = call(&pool, get("/api/openapi.json")).await;
    assert_eq!(res.status, StatusCode::OK);
    let doc = res.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/api/v1/intakes",
        "/api/v1/cases",
        "/api/v1/cases/{number}",
        "/api/v1/cases/{number}/events",
    ] {
        assert!(doc["paths"][p].is_object(), "{p}");
    }
    assert!(doc["components"]["schemas"]["IntakeRequest"].is_object());
}

#[sqlx::test]
async fn pressing_enter_saves_rather_than_picking_the_map_corner(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    c.get("/intake").await;
    let mut fields = desk_fields(&Uuid::new_v4().to_string());
    fields.push(("map.x", "0".into()));
    fields.push(("map.y", "0".into()));
    let res = c.post_multipart("/intake", &refs(&fields), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

#[sqlx::test]
async fn the_stated_home_brings_village_suggestions_to_choose_from(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    c.get("/intake").await;
    let mut fields = desk_fields(&Uuid::new_v4().to_string());
    fields.push(("stated_home", "Kalipuro Banyuwangi".into()));
    fields.push(("suggest", "1".into()));
    let res = c.post_multipart("/intake", &refs(&fields), &[]).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.body.contains(r#"name="home_village" value="35.10."#),
        "{}",
        res.body
    );
    assert_eq!(cases(&pool).await, 0);
    // Choosing one saves the home down to the village, its regency and province.
    let code = res
        .body
        .split(r#"name="home_village" value=""#)
        .nth(1)
        .unwrap()[..13]
        .to_string();
    fields.retain(|(k, _)| *k != "suggest");
    fields.push(("home_village", code.clone()));
    let res = c.post_multipart("/intake", &refs(&fields), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let home: (String, String, String) = sqlx::query_as(
        "SELECT home_village_code, home_region_code, home_province_code FROM intake",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(home, (code, "35.10".into(), "35".into()));
}

/// The home region is typed as a name anywhere in Indonesia: "bima" offers both Bimas
/// with their province; choosing one saves its code; "cianjur" is one region at once.
#[sqlx::test]
async fn a_home_region_is_picked_by_name_with_its_province(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    c.get("/intake").await;
    let mut fields = desk_fields(&Uuid::new_v4().to_string());
    fields.retain(|(k, _)| *k != "home_region" && *k != "home_village");
    fields.push(("home_region", "bima".into()));
    let res = c.post_multipart("/intake", &refs(&fields), &[]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    for choice in [
        "Kota Bima, Nusa Tenggara Barat",
        "Kabupaten Bima, Nusa Tenggara Barat",
    ] {
        assert!(
            res.body
                .contains(&format!(r#"name="home_region_choice" value="{choice}""#)),
            "{}",
            res.body
        );
    }
    assert!(res.body.contains("pilih salah satu"), "{}", res.body);
    assert_eq!(cases(&pool).await, 0);
    fields.push((
        "home_region_choice",
        "Kota Bima, Nusa Tenggara Barat".into(),
    ));
    let res = c.post_multipart("/intake", &refs(&fields), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    let mut other = desk_fields(&Uuid::new_v4().to_string());
    other.retain(|(k, _)| *k != "home_region" && *k != "home_village");
    other.push(("home_region", "Cianjur".into()));
    let res = c.post_multipart("/intake", &refs(&other), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let homes: Vec<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT home_region_code, home_province_code FROM intake ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        homes,
        [
            (Some("52.72".into()), Some("52".into())),
            (Some("32.03".into()), Some("32".into())),
        ]
    );

    // A name nothing has is refused beside the field, with everything else kept.
    let mut none = desk_fields(&Uuid::new_v4().to_string());
    none.retain(|(k, _)| *k != "home_region" && *k != "home_village");
    none.push(("home_region", "Atlantis".into()));
    let res = c.post_multipart("/intake", &refs(&none), &[]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("tidak ada kab/kota"), "{}", res.body);
}

/// The case list's regency filter is typed by name too, read as the desk's picker reads it.
#[sqlx::test]
async fn the_case_list_is_filtered_by_a_regency_typed_by_name(pool: PgPool) {
    load_geo(&pool).await;
    case_fixture(&pool, "OT-3518-2026-000001", "35.18", None, "Sumiati", None).await;
    case_fixture(&pool, "OT-3578-2026-000001", "35.78", None, "Slamet", None).await;
    let mut c = signed_in(&pool, "co1", Role::CaseOfficer, None).await;
    let list = c.get("/cases?region=nganjuk").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body.contains("OT-3518-2026-000001") && !list.body.contains("OT-3578-2026-000001"),
        "{}",
        list.body
    );
    assert!(
        list.body.contains("Kabupaten Nganjuk, Jawa Timur"),
        "{}",
        list.body
    );
    let by_code = c.get("/cases?region=3578").await;
    assert!(by_code.body.contains("OT-3578-2026-000001") && !by_code.body.contains("OT-3518"));
    let several = c.get("/cases?region=bima").await;
    assert_eq!(several.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        several.body.contains("Kota Bima, Nusa Tenggara Barat"),
        "{}",
        several.body
    );
}

/// The numbers a search answers with, through the API as `token`'s user.
async fn found(r: &axum::Router, token: &str, q: &str) -> Vec<String> {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("q", q)
        .finish();
    let uri = format!("/api/v1/cases?{query}");
    let res = send(r, api("GET", &uri, token, None, json!(null))).await;
    assert_eq!(res.status, StatusCode::OK, "{q}: {}", res.body);
    let mut numbers: Vec<String> = (res.json()["cases"].as_array().unwrap().iter())
        .map(|c| c["number"].as_str().unwrap().to_string())
        .collect();
    numbers.sort();
    numbers
}

#[sqlx::test]
async fn the_search_finds_names_aliases_misspellings_and_number_prefixes_within_the_scope(
    pool: PgPool,
) {
    load_geo(&pool).await;
    let people = [
        (
            "OT-3578-2026-000001",
            "35.78",
            "Slamet Riyadi",
            vec!["Pak Met"],
        ),
        ("OT-3578-2026-000002", "35.78", "Siti Aminah", vec![]),
        (
            "OT-3578-2026-000003",
            "35.78",
            "Budi 100%_x",
            vec!["Gondrong"],
        ),
        ("OT-3510-2026-000001", "35.10", "Slamet Banyuwangi", vec![]),
    ];
    for (number, region, name, aliases) in &people {
        let case = case_fixture(&pool, number, region, Some(region), name, None).await;
        sqlx::query("UPDATE intake SET aliases = $2 FROM ot_case c WHERE c.id = $1 AND intake.id = c.intake_id")
            .bind(case)
            .bind(aliases)
            .execute(&pool)
            .await
            .unwrap();
    }
    let [sby_slamet, siti, budi, bwi_slamet] = people.map(|p| p.0.to_string());
    let officer = token(&pool, "case.officer", Role::CaseOfficer, None).await;
    let r = router(&pool).await;
    let all = |v: &[&String]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    assert_eq!(
        found(&r, &officer, "slamet").await,
        all(&[&bwi_slamet, &sby_slamet])
    );
    assert_eq!(found(&r, &officer, "  RIYADI ").await, all(&[&sby_slamet]));
    // A misspelt word, an alias, a part of a word.
    assert_eq!(
        found(&r, &officer, "Selamet").await,
        all(&[&bwi_slamet, &sby_slamet])
    );
    assert_eq!(found(&r, &officer, "gondrong").await, all(&[&budi]));
    assert_eq!(found(&r, &officer, "amina").await, all(&[&siti]));
    // LIKE's wildcards are plain characters in the box.
    assert_eq!(found(&r, &officer, "%").await, all(&[&budi]));
    assert_eq!(found(&r, &officer, "0%_").await, all(&[&budi]));
    assert!(found(&r, &officer, "t_am").await.is_empty());
    // A number, whole or its start.
    assert_eq!(
        found(&r, &officer, &siti.to_lowercase()).await,
        all(&[&siti])
    );
    assert_eq!(
        found(&r, &officer, "OT-3578").await,
        all(&[&sby_slamet, &siti, &budi])
    );
    assert_eq!(found(&r, &officer, "OT-35").await.len(), 4);
    // A number search lists the highest number first.
    let res = send(
        &r,
        api(
            "GET",
            "/api/v1/cases?q=OT-3578",
            &officer,
            None,
            json!(null),
        ),
    )
    .await;
    let json = res.json();
    let order: Vec<&str> = (json["cases"].as_array().unwrap().iter())
        .map(|c| c["number"].as_str().unwrap())
        .collect();
    assert_eq!(order, [budi.as_str(), siti.as_str(), sby_slamet.as_str()]);
    assert!(found(&r, &officer, "OT-3579").await.is_empty());
    assert!(found(&r, &officer, "nobody at all").await.is_empty());

    // Scoped users find only what their scope shows, by name and by number.
    let satpol = token(&pool, "satpol", Role::IntakeOfficer, Some("35.78")).await;
    assert_eq!(found(&r, &satpol, "slamet").await, all(&[&sby_slamet]));
    assert_eq!(
        found(&r, &satpol, "OT-35").await,
        all(&[&sby_slamet, &siti, &budi])
    );
    let viewer = token(&pool, "viewer.bwi", Role::RegencyViewer, Some("35.10")).await;
    assert_eq!(found(&r, &viewer, "Selamet").await, all(&[&bwi_slamet]));
    assert!(found(&r, &viewer, &siti).await.is_empty());
}

#[sqlx::test]
async fn fields_an_api_body_does_not_take_are_refused_by_name_and_change_nothing(pool: PgPool) {
    load_geo(&pool).await;
    // Past the numbers the counter gives, which the intake below takes.
    let sby = "OT-3578-2026-000900";
    let nik = "3578015208900001";
    case_fixture(&pool, sby, "35.78", Some("35.78"), "Sumiati", Some(nik)).await;
    let officer = token(&pool, "officer", Role::CaseOfficer, None).await;
    let dp3ak = token(&pool, "dp3ak", Role::IdentityOfficer, None).await;
    let r = router(&pool).await;
    let check = json!({
        "case_number": sby, "method": "fingerprint", "outcome": "matched", "score": 93.0,
        "requested_at": "2026-11-23T02:40:00Z", "completed_at": "2026-11-23T02:41:00Z",
        "identity": {"nik": nik, "name": "Sumiati", "sex": "female"}
    });
    let events = format!("/api/v1/cases/{sby}/events");
    // In the order they succeed below: the move to identity_pending before DP3AK's match.
    let bodies = [
        ("/api/v1/intakes", &officer, intake_json(), true),
        (
            events.as_str(),
            &officer,
            json!({"to": "identity_pending"}),
            false,
        ),
        ("/api/v1/identity-checks", &dp3ak, check, true),
    ];
    let snapshot = || async {
        sqlx::query_as::<_, (i64, i64, i64, String)>(
            "SELECT (SELECT count(*) FROM ot_case), (SELECT count(*) FROM case_event),
                    (SELECT count(*) FROM identity_check),
                    (SELECT state FROM ot_case WHERE number = $1)",
        )
        .bind(sby)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    let before = snapshot().await;
    let post = |path: &str, t: &str, keyed: bool, body: serde_json::Value| {
        let key = Uuid::new_v4().to_string();
        api("POST", path, t, keyed.then_some(key.as_str()), body)
    };
    for (path, t, body, keyed) in &bodies {
        for (field, value) in [
            ("status", json!("closed")),
            ("state", json!("closed")),
            ("shelter_id", json!(1)),
            ("role", json!("admin")),
            ("region_id", json!("35.10")),
        ] {
            let mut b = body.clone();
            b[field] = value;
            let res = send(&r, post(path, t, *keyed, b)).await;
            assert_eq!(
                res.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path} {field}"
            );
            assert_eq!(
                res.json()["fields"][0]["field"],
                field,
                "{path}: {}",
                res.body
            );
        }
    }
    // Nested ones too: the registry identity has no say in who may do what.
    let mut nested = bodies[2].2.clone();
    nested["identity"]["role"] = json!("admin");
    let res = send(&r, post("/api/v1/identity-checks", &dp3ak, true, nested)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["fields"][0]["field"], "identity.role");
    assert_eq!(snapshot().await, before);

    // Without them the same bodies are taken: the extra field alone was refused.
    for (path, t, body, keyed) in bodies {
        let res = send(&r, post(path, t, keyed, body)).await;
        assert!(res.status.is_success(), "{path}: {}", res.body);
    }
}

/// The desk's map shows where one is (issue 26): the coast, the regency's district
/// outlines and names and the regency seats, not a cloud of village dots.
#[sqlx::test]
async fn the_pick_up_map_shows_the_coast_districts_and_towns(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let res = c.get("/intake/map.svg?region=35.78").await;
    assert_eq!(res.status, StatusCode::OK);
    let svg = res.body;
    assert!(
        svg.contains(r##"fill="#f3efe4" stroke="#6f8aa0""##),
        "the coast: {svg}"
    );
    for name in [">Tegalsari<", ">Gubeng<", ">Surabaya<"] {
        assert!(svg.contains(name), "{name} on the map");
    }
    assert!(
        !svg.contains("<circle cx") || svg.matches("<circle").count() < 20,
        "no village dots"
    );
    // Small enough for a weak signal, in the city and in the largest regencies.
    for region in ["35.78", "35.07", "35.10", "35.29"] {
        let res = c.get(&format!("/intake/map.svg?region={region}")).await;
        assert_eq!(res.status, StatusCode::OK);
        eprintln!("desk map for {region}: {} bytes", res.body.len());
        assert!(
            res.body.len() < 40_000,
            "{region}: {} bytes",
            res.body.len()
        );
    }
}

/// `/intake/map.svg` drew whatever the query said (issue 22, finding 9): `lat=NaN` put
/// `cx="NaN"` into the SVG. Only a real point on the map is drawn; the desk's number
/// fields take only finite numbers.
#[sqlx::test]
async fn the_pick_up_map_and_the_desk_take_only_real_coordinates(pool: PgPool) {
    load_geo(&pool).await;
    let mut c = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let map = |q: &str| format!("/intake/map.svg?region=35.78&{q}");
    let good = c.get(&map("lat=-7.2575&lon=112.7521")).await;
    assert_eq!(good.status, StatusCode::OK);
    assert_eq!(
        good.body.matches("#b00020").count(),
        1,
        "the point is drawn"
    );
    for q in [
        "lat=NaN&lon=NaN",
        "lat=-7.2575&lon=NaN",
        "lat=inf&lon=-inf",
        "lat=1e308&lon=1e308",
        "lat=-7.2575&lon=1e999",
        // A real point, but in another regency: off this map.
        "lat=-8.2192&lon=114.3691",
    ] {
        let res = c.get(&map(q)).await;
        assert_eq!(res.status, StatusCode::OK, "{q}");
        for word in ["NaN", "inf", "e+", "#b00020"] {
            assert!(!res.body.contains(word), "{q}: {word} in {}", res.body);
        }
    }

    // The desk: "NaN" is not a number, and a click off the map picks nothing.
    c.get("/intake").await;
    let key = Uuid::new_v4().to_string();
    let mut fields = desk_fields(&key);
    for f in fields.iter_mut() {
        match f.0 {
            "found_lat" => f.1 = "NaN".into(),
            "estimated_age" => f.1 = "NaN".into(),
            _ => {}
        }
    }
    let res = c.post_multipart("/intake", &refs(&fields), &[]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains(r#"id="found_lat-error""#)
            && res.body.contains(r#"id="estimated_age-error""#),
        "{}",
        res.body
    );
    let mut click = desk_fields(&key);
    click.retain(|(k, _)| *k != "found_lat" && *k != "found_lon");
    click.push(("map.x", "NaN".into()));
    click.push(("map.y", "1e999".into()));
    let res = c.post_multipart("/intake", &refs(&click), &[]).await;
    assert!(
        !res.body.contains("NaN")
            && res
                .body
                .contains(r#"name="found_lat" type="text" value="""#),
        "{}",
        res.body
    );
    assert_eq!(cases(&pool).await, 0);
}

/// DTKS and BPS write region codes without dots: the API takes them, and keeps the dotted
/// form; the case list filters by either.
#[sqlx::test]
async fn undotted_home_codes_are_taken_and_kept_dotted(pool: PgPool) {
    load_geo(&pool).await;
    let village: String = sqlx::query_scalar(
        "SELECT code FROM village WHERE code LIKE '35.10.%' ORDER BY code LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let t = token(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let r = router(&pool).await;
    let mut body = intake_json();
    body["home_village"] = json!(village.replace('.', ""));
    body["home_region"] = json!("3510");
    let key = Uuid::new_v4().to_string();
    let res = send(&r, api("POST", "/api/v1/intakes", &t, Some(&key), body)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let (v, region): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT home_village_code, home_region_code FROM intake ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(v.as_deref(), Some(village.as_str()));
    assert_eq!(region.as_deref(), Some("35.10"));

    let mut bad = intake_json();
    bad["home_region"] = json!("351");
    let key = Uuid::new_v4().to_string();
    let res = send(&r, api("POST", "/api/v1/intakes", &t, Some(&key), bad)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("home_region"), "{}", res.body);

    for region in ["35.78", "3578"] {
        let res = send(
            &r,
            api(
                "GET",
                &format!("/api/v1/cases?region={region}"),
                &t,
                None,
                json!(null),
            ),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert!(
            res.body.contains("OT-3578-2026-000001"),
            "{region}: {}",
            res.body
        );
    }
}
