//! DP3AK identity checks: the API and the desk form, what a certain match does to the
//! case, and the review queue for the uncertain ones.
use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::auth::{two_regions, SBY};
use crate::common::{api, call, case_fixture, load_geo, router, send, signed_in, token};
use simlontar::auth::model::Role;

const KEY: &str = "6f1c2a8e-2d4b-4c1e-9a57-0b5c9d1e7f10";

/// A match for the Surabaya fixture (a woman of about 40 from 35.78).
fn matched(nik: &str, sex: &str, score: f64) -> Value {
    json!({
        "case_number": SBY,
        "method": "fingerprint",
        "requested_at": "2026-11-23T02:40:00Z",
        "completed_at": "2026-11-23T02:41:00Z",
        "outcome": "matched",
        "score": score,
        "identity": {"nik": nik, "name": "Sumiati", "sex": sex, "birth_place": "Surabaya",
                     "village_code": null, "kk_number": "3578010101900001", "mother_name": "Painah"}
    })
}

async fn case_state(pool: &PgPool) -> String {
    sqlx::query_scalar("SELECT state FROM ot_case WHERE number = $1")
        .bind(SBY)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_strong_uncontradicted_match_identifies_the_case_once(pool: PgPool) {
    two_regions(&pool).await;
    let t = token(&pool, "dp3ak.system", Role::IdentityOfficer, None).await;
    let r = router(&pool).await;
    let body = matched("3578015208900001", "female", 93.0);
    let res = send(
        &r,
        api(
            "POST",
            "/api/v1/identity-checks",
            &t,
            Some(KEY),
            body.clone(),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let first = res.json();
    assert_eq!(first["link"], "accepted");
    assert_eq!(first["contradictions"], json!([]));
    assert_eq!(case_state(&pool).await, "identified");

    // A retry returns the same answer and records nothing more.
    let again = send(
        &r,
        api("POST", "/api/v1/identity-checks", &t, Some(KEY), body),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["check_id"], first["check_id"]);
    assert_eq!(again.json()["created"], false);
    let checks: i64 = sqlx::query_scalar("SELECT count(*) FROM identity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(checks, 1);
    // Another body under the same key is refused.
    let other = matched("3578015208900001", "female", 81.0);
    let res = send(
        &r,
        api("POST", "/api/v1/identity-checks", &t, Some(KEY), other),
    )
    .await;
    assert_eq!(res.status, StatusCode::CONFLICT);

    // The case's timeline says what happened, without the NIK.
    let events: Vec<(String, String)> = sqlx::query_as(
        "SELECT e.kind, e.reason FROM case_event e JOIN ot_case c ON c.id = e.case_id
          WHERE c.number = $1 ORDER BY e.id",
    )
    .bind(SBY)
    .fetch_all(&pool)
    .await
    .unwrap();
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "identity_check",
            "transition",
            "transition",
            "identity_linked"
        ]
    );
    assert!(events.iter().all(|(_, r)| !r.contains("3578015208900001")));

    // The case page shows the confirmed identity: in full to the case officer, with the
    // biometric method and score; masked, without the mother's name, the method or the
    // score (in the details and the timeline) to the regency viewer.
    let mut officer = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    let page = officer.get(&format!("/cases/{SBY}")).await;
    assert!(page.body.contains("Identitas terverifikasi DP3AK"));
    assert!(page.body.contains("3578010101900001") && page.body.contains("Painah"));
    assert!(page.body.contains("sidik jari · 93.0 · "), "{}", page.body);
    assert!(page.body.contains("sidik jari: cocok"), "{}", page.body);
    let mut viewer = signed_in(&pool, "viewer.sby", Role::RegencyViewer, Some("35.78")).await;
    let page = viewer.get(&format!("/cases/{SBY}")).await;
    assert!(page.body.contains("Identitas terverifikasi DP3AK"));
    for hidden in [
        "3578010101900001",
        "Painah",
        "fingerprint",
        "sidik jari",
        "93.0",
    ] {
        assert!(!page.body.contains(hidden), "{hidden}: {}", page.body);
    }
    assert!(page.body.contains(" — cocok"), "the outcome stays");
}

#[sqlx::test]
async fn a_nik_that_contradicts_its_intake_is_flagged_on_the_case(pool: PgPool) {
    crate::common::load_geo(&pool).await;
    // A man's NIK from Banyuwangi, born 1960, on a woman of about 40 from Surabaya.
    crate::common::case_fixture(
        &pool,
        SBY,
        "35.78",
        Some("35.78"),
        "Sri",
        Some("3510011203600003"),
    )
    .await;
    let mut officer = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    let page = officer.get(&format!("/cases/{SBY}")).await;
    assert!(page.body.contains("NIK tidak sesuai dengan catatan intake"));
    assert!(page.body.contains("NIK menunjukkan laki-laki"));
    assert!(page.body.contains("umur menurut NIK 66 tahun"));
    assert!(page.body.contains("NIK diterbitkan di 35.10"));
}

#[sqlx::test]
async fn a_contradicted_match_waits_for_a_person_who_decides(pool: PgPool) {
    two_regions(&pool).await;
    let t = token(&pool, "dp3ak.system", Role::IdentityOfficer, None).await;
    // A man's NIK (born 1960) for the woman of about 40: both flagged.
    let res = call(
        &pool,
        api(
            "POST",
            "/api/v1/identity-checks",
            &t,
            Some(KEY),
            matched("3578011203600003", "male", 95.0),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let kinds: Vec<String> = res.json()["contradictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["sex", "age"]);
    assert_eq!(res.json()["link"], "candidate");
    assert_eq!(case_state(&pool).await, "identity_pending");

    let mut officer = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    let queue = officer.get("/identity/review").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains(SBY));
    assert!(
        queue.body.contains("NIK menunjukkan laki-laki"),
        "evidence shown, in words: {}",
        queue.body
    );
    let link: i64 = sqlx::query_scalar("SELECT id FROM record_link")
        .fetch_one(&pool)
        .await
        .unwrap();
    // A device failure on another case shows on the worklist with its retry time.
    let t2 = token(&pool, "dp3ak.other", Role::IdentityOfficer, None).await;
    let failed = json!({"case_number": crate::auth::BWI, "method": "face",
        "requested_at": "2026-11-23T02:40:00Z", "completed_at": "2026-11-23T02:41:00Z",
        "outcome": "device_failure"});
    let res = call(
        &pool,
        api(
            "POST",
            "/api/v1/identity-checks",
            &t2,
            Some("0b0c2a8e-2d4b-4c1e-9a57-0b5c9d1e7f10"),
            failed,
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let queue = officer.get("/identity/review").await;
    assert!(queue.body.contains("Pemeriksaan yang perlu diulang"));
    assert!(
        queue.body.contains("alat gagal (×1)") && queue.body.contains("10:15 WIB"),
        "{}",
        queue.body
    );

    let bad = officer
        .post(&format!("/identity/links/{link}"), &[("decision", "merge")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = officer
        .post(
            &format!("/identity/links/{link}"),
            &[("decision", "accept")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(case_state(&pool).await, "identified");
    // Out of the queue (its case number now shows only among the latest decisions).
    assert!(!officer
        .get("/identity/review")
        .await
        .body
        .contains(r#"value="accept""#));

    // Undo puts it back in the queue; a distinct mark then closes it for good.
    officer
        .post(&format!("/identity/links/{link}"), &[("decision", "undo")])
        .await;
    let state: String = sqlx::query_scalar("SELECT state FROM record_link WHERE id = $1")
        .bind(link)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(state, "candidate");
    officer
        .post(
            &format!("/identity/links/{link}"),
            &[("decision", "distinct")],
        )
        .await;
    let res = officer
        .post(
            &format!("/identity/links/{link}"),
            &[("decision", "accept")],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let decisions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'link_decision'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(decisions, 3);
}

#[sqlx::test]
async fn bad_results_are_refused_with_field_paths(pool: PgPool) {
    two_regions(&pool).await;
    let t = token(&pool, "dp3ak.system", Role::IdentityOfficer, None).await;
    let r = router(&pool).await;
    let post = |body: Value| api("POST", "/api/v1/identity-checks", &t, Some(KEY), body);
    let fields = |res: &crate::common::Res| -> Vec<String> {
        res.json()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect()
    };

    let mut b = matched("3578015208900001", "male", 93.0);
    b["identity"]["birth_date"] = json!("1990-08-13");
    let res = send(&r, post(b)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&res), ["identity.sex", "identity.birth_date"]);

    let mut b = matched("3578015208900001", "female", 93.0);
    b["identity"]["religion"] = json!("x");
    let res = send(&r, post(b)).await;
    assert_eq!(fields(&res), ["identity.religion"]);

    let mut b = matched("3578015208900001", "female", 93.0);
    b["case_number"] = json!("OT-3578-2026-999999");
    let res = send(&r, post(b)).await;
    assert_eq!(fields(&res), ["case_number"]);

    let mut b = matched("3578015208900001", "female", 93.0);
    b["identity"]["village_code"] = json!("35.78.99.9999");
    let res = send(&r, post(b)).await;
    assert_eq!(fields(&res), ["identity.village_code"]);

    let res = send(
        &r,
        api(
            "POST",
            "/api/v1/identity-checks",
            &t,
            None,
            matched("3578015208900001", "female", 93.0),
        ),
    )
    .await;
    assert_eq!(fields(&res), ["Idempotency-Key"]);

    // Nothing of the refused requests was kept.
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM identity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0);

    // Only DP3AK records checks.
    let viewer = token(&pool, "viewer.sby", Role::RegencyViewer, Some("35.78")).await;
    let res = send(
        &r,
        api(
            "POST",
            "/api/v1/identity-checks",
            &viewer,
            Some(KEY),
            matched("3578015208900001", "female", 93.0),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn the_desk_form_says_what_is_wrong_in_indonesian_and_keeps_what_was_typed(pool: PgPool) {
    two_regions(&pool).await;
    let mut c = signed_in(&pool, "dp3ak1", Role::IdentityOfficer, None).await;
    let form = c.get("/identity/checks/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let key_at = form.body.find(r#"name="key" value=""#).unwrap() + 18;
    let key = form.body[key_at..key_at + 36].to_string();
    let fields = |nik: &'static str| {
        vec![
            ("key", key.clone()),
            ("case_number", SBY.to_string()),
            ("method", "fingerprint".into()),
            ("outcome", "matched".into()),
            ("score", "91,5".into()),
            ("nik", nik.to_string()),
            ("name", "Sumiati".into()),
            ("sex", "female".into()),
            ("mother_name", "Painah".into()),
        ]
    };
    let bad = fields("3578015208");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = c.post("/identity/checks", &bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("NIK harus tepat 16 angka"),
        "{}",
        res.body
    );
    assert!(res.body.contains(r#"value="Painah""#), "typed values kept");

    // From the case page, the form opens with the case number filled in.
    let case = c.get(&format!("/cases/{SBY}")).await;
    assert!(
        case.body
            .contains(&format!(r#"href="/identity/checks/new?case={SBY}""#))
            && case.body.contains("Catat hasil pemeriksaan"),
        "{}",
        case.body
    );
    let prefilled = c.get(&format!("/identity/checks/new?case={SBY}")).await;
    assert!(prefilled
        .body
        .contains(&format!(r#"name="case_number" type="text" value="{SBY}""#)));
    // The outcome starts empty: nothing is preselected for the officer.
    assert!(
        form.body.contains(r#"<option value="" selected>"#),
        "{}",
        form.body
    );
    // A missing sex is marked beside the sex field, not only in the summary.
    let no_sex: Vec<(&str, String)> = fields("3578015208900001")
        .into_iter()
        .filter(|(k, _)| *k != "sex")
        .collect();
    let no_sex: Vec<(&str, &str)> = no_sex.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = c.post("/identity/checks", &no_sex).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains(r#"<select id="sex" name="sex" aria-invalid="true">"#),
        "{}",
        res.body
    );
    // A missing outcome, likewise beside its field.
    let no_outcome: Vec<(&str, String)> = fields("3578015208900001")
        .into_iter()
        .filter(|(k, _)| *k != "outcome")
        .collect();
    let no_outcome: Vec<(&str, &str)> = no_outcome.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = c.post("/identity/checks", &no_outcome).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains(r#"<select id="outcome" name="outcome" aria-invalid="true">"#),
        "{}",
        res.body
    );

    let good = fields("3578015208900001");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = c.post("/identity/checks", &good).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), format!("/cases/{SBY}?done=identity"));
    assert_eq!(case_state(&pool).await, "identified");
    let page = c.get(res.location()).await;
    assert!(
        page.body
            .contains("Tersimpan: hasil pemeriksaan identitas."),
        "{}",
        page.body
    );
}

#[sqlx::test]
async fn a_register_import_shows_what_assistance_a_person_already_receives(pool: PgPool) {
    two_regions(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dtks.csv");
    let path = file.to_str().unwrap();
    std::fs::write(
        &file,
        "id,nik,name,birth_date,sex,village_code,address,programmes
D1,3578015208900001,Sumiati,1990-08-12,P,35.78.99.9999,Jl. Kenjeran,PKH;BPNT
D2,12345,Slamet,,L,,,PBI
",
    )
    .unwrap();
    let run = |args: &[&str]| crate::cli::run(&pool, args, "");
    let (ok, _, err) = run(&["registry", "import", path, "--source", "DTKS-2026-10"]);
    assert!(!ok);
    assert!(
        err.contains("line 3, column nik") && err.contains("nothing imported"),
        "{err}"
    );
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM registry_person")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0);

    let (ok, _, err) = run(&[
        "registry",
        "import",
        path,
        "--source",
        "DTKS-2026-10",
        "--skip-invalid",
    ]);
    assert!(ok, "{err}");
    assert!(
        err.contains("1 rows imported, 1 bad rows skipped, 1 village codes unknown"),
        "{err}"
    );
    // A re-import of the same register updates in place.
    let (ok, _, _) = run(&[
        "registry",
        "import",
        path,
        "--source",
        "DTKS-2026-10",
        "--skip-invalid",
    ]);
    assert!(ok);
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM registry_person")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 1);

    let mut officer = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    let page = officer.get(&format!("/cases/{SBY}")).await;
    assert!(page.body.contains("Sudah menerima bantuan sosial"));
    assert!(
        page.body.contains(
            "DTKS-2026-10: Program Keluarga Harapan (PKH), Bantuan Pangan Non Tunai (BPNT)"
        ),
        "{}",
        page.body
    );
}

#[sqlx::test]
async fn a_repeat_pick_up_is_found_by_the_engine_with_its_evidence(pool: PgPool) {
    crate::common::load_geo(&pool).await;
    simlontar::demo::seed(
        &pool,
        11,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        false,
    )
    .await
    .unwrap();
    // Someone picked up before, with a name, an estimated age and a home regency.
    let (old_id, name, sex, age, home): (i64, String, String, i16, String) = sqlx::query_as(
        "SELECT id, stated_name, sex, estimated_age, home_region_code FROM intake
          WHERE name_quality = 'full' AND estimated_age IS NOT NULL AND home_region_code IS NOT NULL
            AND sex <> 'unknown' AND nik IS NULL AND length(stated_name) > 8
          ORDER BY id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let t = token(&pool, "desk.sby", Role::CaseOfficer, None).await;
    let mut body = crate::common::intake_json();
    body["stated_name"] = json!(format!("Bapak {name}"));
    body["aliases"] = json!([]);
    body["name_quality"] = json!("full");
    body["sex"] = json!(sex);
    body["estimated_age"] = json!(age + 1);
    body["home_region"] = json!(home);
    let res = call(&pool, api("POST", "/api/v1/intakes", &t, Some(KEY), body)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let new_id = res.json()["intake_id"].as_i64().unwrap();

    // The engine runs in the background after the save, from the work queue the intake
    // wrote to: drain it as the server's worker would.
    let app = crate::common::app_pool(&pool).await;
    let drained = simlontar::jobs::drain(&app, &crate::common::settings(), crate::common::now())
        .await
        .unwrap();
    assert_eq!(drained.reintake_runs, 1, "{drained:?}");
    let checked: bool =
        sqlx::query_scalar("SELECT linkage_checked_at IS NOT NULL FROM intake WHERE id = $1")
            .bind(new_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(checked, "the background match ran");
    let (state, probability, contributions): (String, f64, Value) = sqlx::query_as(
        "SELECT state, probability, contributions FROM record_link
          WHERE left_kind = 'intake' AND left_id = $1 AND right_kind = 'intake' AND right_id = $2",
    )
    .bind(old_id)
    .bind(new_id)
    .fetch_one(&pool)
    .await
    .expect("the earlier pick-up is proposed");
    assert!(probability >= 0.5, "{probability}");
    let fields: Vec<&str> = contributions
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"nama") && fields.contains(&"jk"),
        "{fields:?}"
    );
    if state == "candidate" {
        let mut officer = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
        let queue = officer.get("/identity/review").await;
        assert!(queue.body.contains("Intake sebelumnya"), "shown for review");
    } else {
        assert_eq!(state, "accepted");
        let events: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM case_event e JOIN ot_case c ON c.id = e.case_id
              WHERE c.intake_id = $1 AND e.kind = 'reintake_linked'",
        )
        .bind(new_id)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(events, 1);
    }
}

#[sqlx::test]
async fn a_batch_file_is_recorded_once_and_its_unplaced_matches_are_proposed(pool: PgPool) {
    crate::common::load_geo(&pool).await;
    simlontar::demo::seed(
        &pool,
        12,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        false,
    )
    .await
    .unwrap();
    crate::common::user(&pool, "dp3ak1", Role::IdentityOfficer, None).await;
    crate::common::user(&pool, "viewer1", Role::RegencyViewer, Some("35.78")).await;
    // An intake the engine should find from a registry identity: same name, sex, a birth
    // year near the estimate, the same home.
    let (number, name, sex, born, home): (String, String, String, i32, String) = sqlx::query_as(
        "SELECT c.number, i.stated_name, i.sex,
                extract(year FROM i.found_at)::int - i.estimated_age, i.home_village_code
           FROM intake i JOIN ot_case c ON c.intake_id = i.id
          WHERE i.name_quality = 'full' AND i.estimated_age IS NOT NULL AND i.home_village_code IS NOT NULL
            AND i.sex <> 'unknown' AND i.nik IS NULL AND length(i.stated_name) > 8
          ORDER BY i.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let (nik_sex_day, nik_region) = (
        if sex == "female" { 52 } else { 12 },
        home[..5].replace('.', ""),
    );
    let nik = format!("{nik_region}01{nik_sex_day}06{:02}0007", born % 100);
    let header = "case_number,method,requested_at,completed_at,outcome,score,nik,name,birth_date,birth_place,sex,address,village_code,kk_number,mother_name";
    let unplaced = format!(
        ",fingerprint,2026-11-20T02:00:00Z,2026-11-20T02:01:00Z,matched,88,{nik},{name},{born}-06-{:02},,{},,{home},,",
        nik_sex_day - if sex == "female" { 40 } else { 0 },
        if sex == "female" { "P" } else { "L" }
    );
    let failed =
        format!("{number},face,2026-11-20T03:00:00Z,2026-11-20T03:01:00Z,device_failure,,,,,,,,,,");
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("checks.csv");
    std::fs::write(&good, format!("{header}\n{unplaced}\n{failed}\n")).unwrap();
    let good = good.to_str().unwrap();

    let run = |args: &[&str]| crate::cli::run(&pool, args, "");
    let (ok, _, err) = run(&["identity", "import-checks", good, "--as", "viewer1"]);
    assert!(!ok && err.contains("not an identity officer"), "{err}");

    // A bad row anywhere: nothing is recorded, and the row and column are named.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("{header}\n{failed}\n,iris,2026-11-20T02:00:00Z,,matched,90,1234,X,,,P,,,,\n"),
    )
    .unwrap();
    let (ok, _, err) = run(&[
        "identity",
        "import-checks",
        bad.to_str().unwrap(),
        "--as",
        "dp3ak1",
    ]);
    assert!(!ok && err.contains("line 3, column"), "{err}");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM identity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0);

    let (ok, _, err) = run(&["identity", "import-checks", good, "--as", "dp3ak1"]);
    assert!(ok, "{err}");
    assert!(
        err.contains("2 results recorded (0 already recorded); 1 matches without a case proposed"),
        "{err}"
    );
    let (ok, _, err) = run(&["identity", "import-checks", good, "--as", "dp3ak1"]);
    assert!(
        ok && err.contains("0 results recorded (2 already recorded)"),
        "{err}"
    );

    // The engine's proposal is the intake the identity came from, waiting for a person.
    let proposed: Vec<String> = sqlx::query_scalar(
        "SELECT c.number FROM record_link l JOIN ot_case c ON c.intake_id = l.right_id
          WHERE l.left_kind = 'check' AND l.state = 'candidate' ORDER BY l.probability DESC",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(proposed.first(), Some(&number), "{proposed:?}");
}

#[sqlx::test]
async fn the_nightly_rematch_finds_an_unidentified_resident_in_new_checks_and_intakes(
    pool: PgPool,
) {
    use simlontar::identity::{reintake::Thresholds, rematch};
    crate::common::load_geo(&pool).await;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    simlontar::demo::seed(&pool, 12, day, false).await.unwrap();
    let now = crate::common::now();
    sqlx::query("UPDATE intake SET linkage_checked_at = $1")
        .bind(now)
        .execute(&pool)
        .await
        .unwrap();
    // A long-stay resident nobody has identified.
    let (resident, name, sex, born, home): (i64, String, String, i32, String) = sqlx::query_as(
        "SELECT i.id, i.stated_name, i.sex, extract(year FROM i.found_at)::int - i.estimated_age,
                i.home_village_code
           FROM intake i JOIN ot_case c ON c.intake_id = i.id
          WHERE c.state IN ('placed', 'unidentified') AND i.nik IS NULL AND i.name_quality = 'full'
            AND i.estimated_age IS NOT NULL AND i.home_village_code IS NOT NULL AND i.sex <> 'unknown'
            AND i.stated_name LIKE '% %'
          ORDER BY i.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    // Since last night: DP3AK matched someone without naming a case…
    let nik = format!(
        "{}01{}06{:02}0007",
        home[..5].replace('.', ""),
        if sex == "female" { 52 } else { 12 },
        born % 100
    );
    let check: i64 = sqlx::query_scalar(
        "INSERT INTO identity_check (idempotency_key, method, requested_at, completed_at, outcome, score,
                                     nik, name, birth_date, sex, village_code)
         VALUES (gen_random_uuid(), 'fingerprint', $1, $1, 'matched', 90, $2, $3, make_date($4, 6, 12), $5, $6)
         RETURNING id",
    )
    .bind(now - chrono::Duration::hours(5))
    .bind(&nik)
    .bind(&name)
    .bind(born)
    .bind(&sex)
    .bind(&home)
    .fetch_one(&pool)
    .await
    .unwrap();
    // …and the same person was picked up again, matched at the desk before the model knew better.
    let again: i64 = sqlx::query_scalar(
        "INSERT INTO intake (idempotency_key, found_at, found_point, found_region_code, name_quality,
                             stated_name, sex, estimated_age, birth_date_quality, home_village_code,
                             home_region_code, home_province_code, linkage_checked_at)
         SELECT gen_random_uuid(), found_at + interval '200 days', found_point, found_region_code,
                name_quality, stated_name, sex, estimated_age + 1, birth_date_quality, home_village_code,
                home_region_code, home_province_code, $2
           FROM intake WHERE id = $1
         RETURNING id",
    )
    .bind(resident)
    .bind(now)
    .fetch_one(&pool)
    .await
    .unwrap();

    let t = Thresholds {
        accept: 0.99,
        review: 0.5,
        tz: chrono_tz::Asia::Jakarta,
    };
    let app = crate::common::app_pool(&pool).await;
    let first = rematch::run(&app, t, now).await.unwrap();
    assert!(
        first.unidentified > 0 && first.loose_checks == 1 && first.proposed == 1,
        "{first:?}"
    );
    let links: Vec<(String, i64, String, i64)> = sqlx::query_as(
        "SELECT left_kind, left_id, right_kind, right_id FROM record_link
          WHERE (left_kind = 'check' AND left_id = $1) OR (right_kind = 'intake' AND right_id = $2)
          ORDER BY left_kind",
    )
    .bind(check)
    .bind(again)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        links.iter().any(|l| l.0 == "check" && l.3 == resident),
        "{links:?}"
    );
    assert!(
        links
            .iter()
            .any(|l| l == &("intake".into(), resident, "intake".into(), again)),
        "{links:?}"
    );

    // Marked as two different people, the pair is never proposed again.
    sqlx::query("UPDATE record_link SET state = 'known_distinct', decided_at = $2 WHERE left_kind = 'check' AND left_id = $1")
        .bind(check)
        .bind(now)
        .execute(&pool)
        .await
        .unwrap();
    rematch::run(&app, t, now + chrono::Duration::days(1))
        .await
        .unwrap();
    let pair: Vec<String> = sqlx::query_scalar(
        "SELECT state FROM record_link WHERE left_kind = 'check' AND left_id = $1 AND right_id = $2",
    )
    .bind(check)
    .bind(resident)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(pair, vec!["known_distinct".to_string()]);
}

#[sqlx::test]
async fn the_engine_finds_a_person_in_the_assistance_register_without_a_nik(pool: PgPool) {
    crate::common::load_geo(&pool).await;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    simlontar::demo::seed(&pool, 12, day, false).await.unwrap();
    // 300 people of the register are people picked up before (their intakes carry no
    // NIK); one of them is the person we look for.
    let rows: Vec<(i64, String, String, String, i32, String)> = sqlx::query_as(
        "SELECT c.id, c.number, i.stated_name, i.sex, extract(year FROM i.found_at)::int - i.estimated_age,
                i.home_village_code
           FROM intake i JOIN ot_case c ON c.intake_id = i.id
          WHERE i.name_quality = 'full' AND i.estimated_age IS NOT NULL AND i.home_village_code IS NOT NULL
            AND i.sex <> 'unknown' AND i.nik IS NULL AND i.stated_name LIKE '% %'
          ORDER BY i.id LIMIT 300",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut csv = String::from("id,nik,name,birth_date,sex,village_code,address,programmes\n");
    for (k, (_, _, name, sex, born, village)) in rows.iter().enumerate() {
        let sex = if sex == "female" { "P" } else { "L" };
        csv.push_str(&format!(
            "D{k},,{name},{born}-07-01,{sex},{village},,PKH;PBI\n"
        ));
    }
    csv.push_str("X1,,Bambang Tirtonegoro Wibisono,1950-01-01,L,35.01.01.2001,,BPNT\n");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dtks.csv");
    std::fs::write(&file, csv).unwrap();
    let (ok, _, err) = crate::cli::run(
        &pool,
        &[
            "registry",
            "import",
            file.to_str().unwrap(),
            "--source",
            "DTKS-2026-11",
        ],
        "",
    );
    assert!(ok, "{err}");
    assert!(err.contains("linked with the intakes"), "{err}");
    let (case_id, number) = (rows[0].0, rows[0].1.clone());
    let state: Option<String> = sqlx::query_scalar(
        "SELECT l.state FROM record_link l JOIN registry_person r ON r.id = l.right_id
          WHERE l.left_kind = 'intake' AND l.right_kind = 'registry' AND r.external_id = 'D0'
            AND l.left_id = (SELECT intake_id FROM ot_case WHERE id = $1)",
    )
    .bind(case_id)
    .fetch_optional(&pool)
    .await
    .unwrap();
    let state = state.expect("the person is linked with their register row");
    let mut officer = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    if state == "candidate" {
        let review = officer.get("/identity/review").await;
        assert!(review.body.contains("DTKS-2026-11"), "{}", review.body);
        sqlx::query("UPDATE record_link SET state = 'accepted', decided_at = now() WHERE right_kind = 'registry' AND state = 'candidate'")
            .execute(&pool)
            .await
            .unwrap();
    }
    let page = officer.get(&format!("/cases/{number}")).await;
    assert!(
        page.body.contains(
            "DTKS-2026-11: Program Keluarga Harapan (PKH), Penerima Bantuan Iuran Jaminan Kesehatan (PBI)"
        ),
        "{}",
        page.body
    );
    // Nobody is linked with a stranger.
    let stranger: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM record_link l JOIN registry_person r ON r.id = l.right_id
          WHERE l.right_kind = 'registry' AND r.external_id = 'X1'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stranger, 0);
}

/// An intake: (intake id, case number, name, sex, birth year from the guess, home village).
type Picked = (i64, String, String, String, i32, String);

/// Intakes picked up with a full name, a guessed age and a home village, and no NIK.
async fn nik_less_intakes(pool: &PgPool, n: i64) -> Vec<Picked> {
    sqlx::query_as(
        "SELECT i.id, c.number, i.stated_name, i.sex,
                extract(year FROM i.found_at)::int - i.estimated_age, i.home_village_code
           FROM intake i JOIN ot_case c ON c.intake_id = i.id
          WHERE i.name_quality = 'full' AND i.estimated_age IS NOT NULL AND i.home_village_code IS NOT NULL
            AND i.sex <> 'unknown' AND i.nik IS NULL AND i.stated_name LIKE '% %'
          ORDER BY i.id LIMIT $1",
    )
    .bind(n)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// A NIK that decodes for a person registered in their home district, born on 6 June of
/// `born`, with this serial.
fn nik_for(sex: &str, born: i32, home: &str, serial: u32) -> String {
    let day = if sex == "female" { 52 } else { 12 };
    format!(
        "{}{day}06{:02}{serial:04}",
        home[..8].replace('.', ""),
        born % 100
    )
}

/// Records matched DP3AK results without a case from a batch file, one row per
/// (NIK, intake the identity is of), and proposes intakes for them.
fn import_checks(pool: &PgPool, rows: &[(String, &Picked)]) {
    let header = "case_number,method,requested_at,completed_at,outcome,score,nik,name,birth_date,birth_place,sex,address,village_code,kk_number,mother_name";
    let mut csv = format!("{header}\n");
    for (nik, (_, _, name, sex, born, home)) in rows {
        csv.push_str(&format!(
            ",fingerprint,2026-11-20T02:00:00Z,2026-11-20T02:01:00Z,matched,88,{nik},{name},{born}-06-12,,{},,{home},,\n",
            if sex == "female" { "P" } else { "L" }
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("checks.csv");
    std::fs::write(&file, csv).unwrap();
    let (ok, _, err) = crate::cli::run(
        pool,
        &[
            "identity",
            "import-checks",
            file.to_str().unwrap(),
            "--as",
            "dp3ak1",
        ],
        "",
    );
    assert!(ok, "{err}");
}

/// The intakes the engine proposed for the checks carrying this NIK, most probable
/// first, with its note on the NIK.
async fn proposals(pool: &PgPool, nik: &str) -> Vec<(i64, Option<String>)> {
    sqlx::query_as(
        "SELECT l.right_id, (SELECT c->>'note' FROM jsonb_array_elements(l.contributions) c
                              WHERE c->>'field' = 'nik')
           FROM record_link l JOIN identity_check k ON k.id = l.left_id
          WHERE l.left_kind = 'check' AND l.right_kind = 'intake' AND k.nik = $1
            AND l.state = 'candidate'
          ORDER BY l.probability DESC",
    )
    .bind(nik)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn a_check_finds_the_intake_whose_nik_was_typed_with_a_wrong_or_swapped_digit(pool: PgPool) {
    crate::common::load_geo(&pool).await;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    simlontar::demo::seed(&pool, 12, day, false).await.unwrap();
    crate::common::user(&pool, "dp3ak1", Role::IdentityOfficer, None).await;
    let people = nik_less_intakes(&pool, 2).await;
    // The NIKs DP3AK confirmed, and how the desk typed them from worn cards: one wrong
    // digit, and two neighbouring digits swapped. Both typed ones still decode (someone
    // else's NIK, as far as the number goes).
    let (a, b) = (&people[0], &people[1]);
    let (nik_a, nik_b) = (nik_for(&a.3, a.4, &a.5, 7), nik_for(&b.3, b.4, &b.5, 18));
    let wrong_digit = format!("{}8", &nik_a[..15]);
    let swapped = format!("{}81", &nik_b[..14]);
    for (id, typed) in [(a.0, &wrong_digit), (b.0, &swapped)] {
        assert!(simlontar::identity::nik::Nik::parse(typed).is_ok());
        sqlx::query("UPDATE intake SET nik = $2 WHERE id = $1")
            .bind(id)
            .bind(typed)
            .execute(&pool)
            .await
            .unwrap();
    }
    import_checks(&pool, &[(nik_a.clone(), a), (nik_b.clone(), b)]);
    for (nik, person) in [(&nik_a, a), (&nik_b, b)] {
        let found = proposals(&pool, nik).await;
        assert_eq!(
            found.first().map(|f| f.0),
            Some(person.0),
            "{nik}: {found:?}"
        );
        let note = found[0].1.as_deref().unwrap_or_default();
        assert!(note.starts_with("one typing slip apart"), "{note}");
    }
}

#[sqlx::test]
async fn a_check_is_never_linked_with_an_intake_identified_under_another_verified_nik(
    pool: PgPool,
) {
    crate::common::load_geo(&pool).await;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    simlontar::demo::seed(&pool, 12, day, false).await.unwrap();
    crate::common::user(&pool, "dp3ak1", Role::IdentityOfficer, None).await;
    let people = nik_less_intakes(&pool, 1).await;
    let person = &people[0];
    // DP3AK identified the intake's person earlier: their verified NIK.
    let verified = nik_for(&person.3, person.4, &person.5, 7);
    let now = crate::common::now();
    let check: i64 = sqlx::query_scalar(
        "INSERT INTO identity_check (idempotency_key, intake_id, method, requested_at, completed_at,
                                     outcome, score, nik, name, birth_date, sex, village_code)
         VALUES (gen_random_uuid(), $1, 'fingerprint', $2, $2, 'matched', 95, $3, $4,
                 make_date($5, 6, 12), $6, $7)
         RETURNING id",
    )
    .bind(person.0)
    .bind(now - chrono::Duration::days(3))
    .bind(&verified)
    .bind(&person.2)
    .bind(person.4)
    .bind(&person.3)
    .bind(&person.5)
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO record_link (left_kind, left_id, right_kind, right_id, state, probability,
                                  contributions, created_at, decided_at)
         VALUES ('check', $1, 'intake', $2, 'accepted', 0.95, '[]', $3, $3)",
    )
    .bind(check)
    .bind(person.0)
    .bind(now - chrono::Duration::days(3))
    .execute(&pool)
    .await
    .unwrap();
    // Now more matched results with the same name, birth date and home: one with the
    // same NIK, and two with another person's verified NIK: another serial, and the next
    // serial, one digit away (a twin registered together).
    let other = nik_for(&person.3, person.4, &person.5, 42);
    let twin = nik_for(&person.3, person.4, &person.5, 8);
    import_checks(
        &pool,
        &[
            (verified.clone(), person),
            (other.clone(), person),
            (twin.clone(), person),
        ],
    );
    let same = proposals(&pool, &verified).await;
    assert!(same.iter().any(|p| p.0 == person.0), "{same:?}");
    for nik in [&other, &twin] {
        let different = proposals(&pool, nik).await;
        assert!(
            different.iter().all(|p| p.0 != person.0),
            "{nik}: {different:?}"
        );
    }
}

/// The review queue puts both intakes' photos side by side (comparing faces is the task it
/// replaces), says how many links wait, and each photo opens for the reviewer.
#[sqlx::test]
async fn the_review_queue_shows_both_photos_side_by_side_and_the_count(pool: PgPool) {
    crate::common::load_geo(&pool).await;
    let mut photo = vec![];
    for (number, name) in [
        ("OT-3578-2026-000001", "Pak Slamet"),
        ("OT-3578-2026-000002", "Slamet"),
    ] {
        let case = crate::common::case_fixture(&pool, number, "35.78", None, name, None).await;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO intake_photo (intake_id, sha256, content_type, bytes)
             SELECT intake_id, sha256($2), 'image/png', $2 FROM ot_case WHERE id = $1 RETURNING id",
        )
        .bind(case)
        .bind(crate::common::PNG)
        .fetch_one(&pool)
        .await
        .unwrap();
        photo.push(format!("/cases/{number}/photos/{id}"));
    }
    sqlx::query(
        "INSERT INTO record_link (left_kind, left_id, right_kind, right_id, state, probability, contributions)
         SELECT 'intake', a.intake_id, 'intake', b.intake_id, 'candidate', 0.7, '[]'
           FROM ot_case a, ot_case b WHERE a.number = 'OT-3578-2026-000001' AND b.number = 'OT-3578-2026-000002'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut officer = signed_in(&pool, "dp3ak", Role::IdentityOfficer, None).await;
    let queue = officer.get("/identity/review").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(
        queue.body.contains("<strong>1</strong> kecocokan menunggu"),
        "{}",
        queue.body
    );
    for url in &photo {
        assert!(
            queue.body.contains(&format!("src=\"{url}\"")),
            "{url}: {}",
            queue.body
        );
        let res = officer.get(url).await;
        assert_eq!(res.status, StatusCode::OK, "{url}");
    }
}

/// A candidate link for the Surabaya fixture (a contradicted match) and a case officer.
async fn one_candidate(pool: &PgPool) -> (crate::common::Client, i64) {
    two_regions(pool).await;
    let t = token(pool, "dp3ak.system", Role::IdentityOfficer, None).await;
    let res = call(
        pool,
        api(
            "POST",
            "/api/v1/identity-checks",
            &t,
            Some(KEY),
            matched("3578011203600003", "male", 95.0),
        ),
    )
    .await;
    assert_eq!(res.json()["link"], "candidate", "{}", res.body);
    let officer = signed_in(pool, "officer1", Role::CaseOfficer, None).await;
    let link = sqlx::query_scalar("SELECT id FROM record_link")
        .fetch_one(pool)
        .await
        .unwrap();
    (officer, link)
}

/// The case as undo must leave it: its state, the checks tied to its intake, the state of
/// the link, and whether it waits in the queue.
async fn case_snapshot(pool: &PgPool) -> (String, i64, String) {
    sqlx::query_as(
        "SELECT c.state, (SELECT count(*) FROM identity_check k WHERE k.intake_id = c.intake_id),
                (SELECT state FROM record_link)
           FROM ot_case c WHERE c.number = $1",
    )
    .bind(SBY)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Issue 26: "Urungkan" after "orang yang sama" took the link back to the queue but left
/// the case identified by it (on main the case stayed `identified`). Undo now puts the
/// case back as it was, says so on the case, and a second undo changes nothing.
#[sqlx::test]
async fn undo_after_accept_restores_the_case_as_it_was(pool: PgPool) {
    let (mut officer, link) = one_candidate(&pool).await;
    let before = case_snapshot(&pool).await;
    assert_eq!(before.0, "identity_pending");
    let path = format!("/identity/links/{link}");
    let res = officer.post(&path, &[("decision", "accept")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(case_state(&pool).await, "identified");
    let queue = officer.get("/identity/review?done=accept").await;
    assert!(
        queue.body.contains("Keputusan dicatat: orang yang sama"),
        "{}",
        queue.body
    );
    assert!(
        queue.body.contains("Urungkan") && queue.body.contains(SBY),
        "{}",
        queue.body
    );

    let res = officer.post(&path, &[("decision", "undo")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(case_snapshot(&pool).await, before, "the case is as it was");
    let queue = officer.get("/identity/review?done=undo").await;
    assert!(
        queue.body.contains(r#"value="accept""#),
        "back in the queue"
    );
    let events = || async {
        sqlx::query_as::<_, (String, Option<String>, Option<String>)>(
            "SELECT kind, from_state, to_state FROM case_event ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    let last = events().await;
    assert_eq!(last, ("link_decision".to_string(), None, None));
    let unlinked: (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT from_state, to_state FROM case_event WHERE kind = 'identity_unlinked'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        unlinked,
        (Some("identified".into()), Some("identity_pending".into()))
    );

    // Undo twice (a second tab, a double tap): harmless.
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM case_event")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let n = count().await;
    let res = officer.post(&path, &[("decision", "undo")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(count().await, n);
    assert_eq!(case_snapshot(&pool).await, before);

    // Accepted again, then the case moves on: the undo is refused and changes nothing.
    officer.post(&path, &[("decision", "accept")]).await;
    let res = officer
        .post(
            &format!("/cases/{SBY}/transition"),
            &[("to", "closed"), ("reason", "dijemput keluarga sendiri")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = officer.post(&path, &[("decision", "undo")]).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("Tidak bisa diurungkan"), "{}", res.body);
    assert_eq!(case_state(&pool).await, "closed");
    let state: String = sqlx::query_scalar("SELECT state FROM record_link")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(state, "accepted");
}

/// Undo after "tolak" or "orang yang berbeda" puts the suggestion back in the queue; a
/// person without the right to review cannot undo (neither the page nor the rule).
#[sqlx::test]
async fn undo_after_reject_or_distinct_puts_it_back_and_needs_the_right(pool: PgPool) {
    let (mut officer, link) = one_candidate(&pool).await;
    let path = format!("/identity/links/{link}");
    for decision in ["reject", "distinct"] {
        officer.post(&path, &[("decision", decision)]).await;
        let queue = officer.get("/identity/review").await;
        assert!(!queue.body.contains(r#"value="accept""#), "{decision}");
        assert!(queue.body.contains("Urungkan"), "{decision}");
        officer.post(&path, &[("decision", "undo")]).await;
        let queue = officer.get("/identity/review").await;
        assert!(queue.body.contains(r#"value="accept""#), "{decision}: back");
        assert_eq!(case_state(&pool).await, "identity_pending");
    }

    officer.post(&path, &[("decision", "reject")]).await;
    let mut desk = signed_in(&pool, "satpol.sby", Role::IntakeOfficer, Some("35.78")).await;
    let res = desk.post(&path, &[("decision", "undo")]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // The rule itself refuses, whatever path calls it.
    let p = simlontar::auth::model::Principal {
        user_id: 1,
        username: "satpol.sby".into(),
        display_name: "satpol.sby".into(),
        grants: vec![
            simlontar::auth::model::Grant::new(Role::IntakeOfficer, Some("35.78".into())).unwrap(),
        ],
        via_token: false,
    };
    let now = chrono::Utc::now();
    let scope = simlontar::auth::policy::CaseScope::of(&p, now);
    let refused = simlontar::identity::links::decide(
        &pool,
        &scope,
        &p,
        link,
        simlontar::identity::links::Decision::Undo,
        now,
    )
    .await;
    assert!(
        matches!(refused, Err(simlontar::error::AppError::Forbidden)),
        "{refused:?}"
    );
    let state: String = sqlx::query_scalar("SELECT state FROM record_link")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(state, "rejected");
}

/// DP3AK picks the registry's village by its name, never by a code: the search offers
/// the villages of that name with their district and regency; saving without picking one
/// asks for it (keeping what was typed); "none of these" keeps the name in the address.
#[sqlx::test]
async fn the_registry_village_is_picked_by_name(pool: PgPool) {
    load_geo(&pool).await;
    case_fixture(&pool, SBY, "35.78", None, "Sumiati", None).await;
    let mut c = signed_in(&pool, "dp3ak1", Role::IdentityOfficer, None).await;
    let form = c.get("/identity/checks/new").await;
    assert!(
        !form.body.contains("Kode desa"),
        "no code is asked for: {}",
        form.body
    );
    let key_at = form.body.find(r#"name="key" value=""#).unwrap() + 18;
    let key = form.body[key_at..key_at + 36].to_string();
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, String)> = vec![
            ("key", key.clone()),
            ("case_number", SBY.to_string()),
            ("method", "fingerprint".into()),
            ("outcome", "matched".into()),
            ("score", "93".into()),
            ("nik", "3510155208900001".into()),
            ("name", "Sumiati".into()),
            ("sex", "female".into()),
            ("mother_name", "Painah".into()),
            ("address", "Dusun Krajan RT 02 RW 01".into()),
        ];
        f.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        f
    };
    let post = |f: &Vec<(&'static str, String)>| {
        f.iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<(&str, String)>>()
    };

    // The search: Kemiren of Glagah, Banyuwangi is offered by name; nothing is saved.
    let asked = post(&with(&[
        ("village", "Kemiren Glagah Banyuwangi"),
        ("suggest", "1"),
    ]));
    let asked: Vec<(&str, &str)> = asked.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = c.post("/identity/checks", &asked).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(
        res.body
            .contains("Kemiren, Kec. Glagah, Kabupaten Banyuwangi")
            && res.body.contains(r#"value="35.10.15.2004""#),
        "{}",
        res.body
    );
    assert_eq!(
        case_state(&pool).await,
        "received",
        "a search saves nothing"
    );

    // Saving with the name typed but no village picked asks for the pick.
    let unpicked = post(&with(&[("village", "Kemiren Glagah Banyuwangi")]));
    let unpicked: Vec<(&str, &str)> = unpicked.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = c.post("/identity/checks", &unpicked).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("pilih desa dari daftar")
            && res.body.contains(r#"value="Painah""#)
            && res.body.contains("Kec. Glagah"),
        "{}",
        res.body
    );

    // Picked: saved with the village, the address as the registry gave it.
    let picked = post(&with(&[
        ("village", "Kemiren Glagah Banyuwangi"),
        ("village_code", "35.10.15.2004"),
    ]));
    let picked: Vec<(&str, &str)> = picked.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = c.post("/identity/checks", &picked).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let (village, address): (Option<String>, String) =
        sqlx::query_as("SELECT village_code, address FROM identity_check ORDER BY id DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(village.as_deref(), Some("35.10.15.2004"));
    assert_eq!(address, "Dusun Krajan RT 02 RW 01");
}

/// A village name the list does not know, or "none of these", is kept in the address.
#[sqlx::test]
async fn a_village_not_in_the_list_stays_in_the_address(pool: PgPool) {
    load_geo(&pool).await;
    case_fixture(&pool, SBY, "35.78", None, "Sumiati", None).await;
    let mut c = signed_in(&pool, "dp3ak1", Role::IdentityOfficer, None).await;
    let fields = [
        ("key", "6f1c2f0e-5d55-4c43-9a57-3f0b8f0d0a11"),
        ("case_number", SBY),
        ("method", "fingerprint"),
        ("outcome", "matched"),
        ("score", "93"),
        ("nik", "3510155208900001"),
        ("name", "Sumiati"),
        ("sex", "female"),
        ("mother_name", "Painah"),
        ("address", "Dusun Krajan"),
        ("village", "Kemiren"),
        ("village_code", "-"),
    ];
    let res = c.post("/identity/checks", &fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let (village, address): (Option<String>, String) =
        sqlx::query_as("SELECT village_code, address FROM identity_check ORDER BY id DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((village, address.as_str()), (None, "Dusun Krajan, Kemiren"));
    // A search for a name no village has says so beside the field.
    let mut none = fields.to_vec();
    none.retain(|(k, _)| !["village", "village_code", "key"].contains(k));
    none.extend([("village", "Zzyzxq"), ("suggest", "1")]);
    let res = c.post("/identity/checks", &none).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.body.contains("tidak ada desa dengan nama itu"),
        "{}",
        res.body
    );
}
