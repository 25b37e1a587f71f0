//! A NIK as a search or matching key (issue 22, finding 2). Roles that see NIKs masked
//! (`3578**********01`) also see the home village and the birth date, which leaves two
//! serial digits: any answer that tells whether a guessed NIK is on record recovers the
//! whole number in at most 100 tries. So only the roles that see NIKs whole may use one as
//! a key, on every path: the NIK search, the desk's "same NIK" hints.
use axum::http::StatusCode;
use sqlx::PgPool;

use crate::auth::{two_regions, SBY};
use crate::common::*;
use simlontar::auth::model::Role;

/// The NIK of `SBY`, and what a masked viewer sees of it.
const NIK: &str = "3578015208900001";
const MASKED: &str = "3578**********01";

#[sqlx::test]
async fn a_role_that_sees_niks_masked_cannot_confirm_a_guessed_nik(pool: PgPool) {
    two_regions(&pool).await;
    for (name, role, scope) in [
        ("viewer.sby", Role::RegencyViewer, Some("35.78")),
        ("satpol.sby", Role::IntakeOfficer, Some("35.78")),
    ] {
        let mut c = signed_in(&pool, name, role, scope).await;
        // The case is theirs to see, its NIK masked.
        let page = c.get(&format!("/cases/{SBY}")).await;
        assert!(
            page.body.contains(MASKED) && !page.body.contains(NIK),
            "{name}"
        );
        // No NIK search box for them.
        let list = c.get("/cases").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(!list.body.contains("search-nik"), "{name}: {}", list.body);
        // Every guess at the two hidden serial digits, the right one among them, gets
        // the same refusal, naming no case.
        for serial in 0..100 {
            let guess = format!("{}{serial:02}{}", &NIK[..12], &NIK[14..]);
            let res = c.post("/cases/search-nik", &[("nik", &guess)]).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{name}: {guess}");
            assert!(!res.body.contains(SBY), "{name}: {guess}");
        }
    }
    // Nothing was searched, so nothing was audited as a search.
    let searches: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'search_nik'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(searches, 0);
}

#[sqlx::test]
async fn a_role_that_sees_niks_whole_searches_by_nik_and_each_search_is_audited(pool: PgPool) {
    two_regions(&pool).await;
    let mut c = signed_in(&pool, "officer1", Role::CaseOfficer, None).await;
    let list = c.get("/cases").await;
    assert!(list.body.contains(r#"action="/cases/search-nik""#));
    let res = c.post("/cases/search-nik", &[("nik", NIK)]).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains(SBY), "{}", res.body);
    let audited: Vec<serde_json::Value> = sqlx::query_scalar(
        "SELECT a.detail FROM audit_log a JOIN app_user u ON u.id = a.actor_id
          WHERE a.action = 'search_nik' AND u.username = 'officer1'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0]["results"], 1);
    // The number searched for is not in the audit trail.
    assert!(!audited[0].to_string().contains(NIK));
}

/// A NIK on no case, in the social-assistance register.
const REGISTERED: &str = "3578014107650003";

/// Saves an intake carrying `nik` under another name as `username` (created with `role`);
/// returns the page that follows saving it and the new case's page.
async fn pages_after_typing(
    pool: &PgPool,
    nik: &str,
    username: &str,
    role: Role,
    scope: Option<&str>,
) -> (String, String) {
    let token = token(pool, username, role, scope).await;
    let mut body = intake_json();
    body["stated_name"] = serde_json::json!("Wagiman");
    body["aliases"] = serde_json::json!([]);
    body["nik"] = serde_json::json!(nik);
    let r = router(pool).await;
    let key = uuid::Uuid::new_v4().to_string();
    let res = send(&r, api("POST", "/api/v1/intakes", &token, Some(&key), body)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let number = res.json()["case_number"].as_str().unwrap().to_string();
    let mut c = Client::new(pool).await;
    assert_eq!(
        c.sign_in(username, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let saved = c.get(&format!("/intake/saved/{number}")).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let case = c.get(&format!("/cases/{number}")).await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.body);
    (saved.body, case.body)
}

#[sqlx::test]
async fn a_nik_typed_at_the_desk_tells_a_masked_role_nothing_about_earlier_cases(pool: PgPool) {
    two_regions(&pool).await;
    // The fixture's cases took the first numbers by hand.
    sqlx::query(
        "INSERT INTO case_number_counter (region_code, year, last) VALUES ('35.78', 2026, 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO registry_person (source, external_id, nik, name, programmes)
         VALUES ('DTKS-2026-10', 'D1', $1, 'Wagiman', '{PKH,BPNT}')",
    )
    .bind(REGISTERED)
    .execute(&pool)
    .await
    .unwrap();
    // The Surabaya desk may see `SBY` (picked up there), but sees its NIK masked: the
    // hints after saving compare names, never the NIK it typed; and whether a typed NIK
    // is in the assistance register is not said either.
    let desk = ("satpol.sby", Role::IntakeOfficer, Some("35.78"));
    let (saved, _) = pages_after_typing(&pool, NIK, desk.0, desk.1, desk.2).await;
    assert!(
        !saved.contains(SBY) && !saved.contains("NIK sama"),
        "{saved}"
    );
    let (_, case) = pages_after_typing(&pool, REGISTERED, "satpol.sby2", desk.1, desk.2).await;
    assert!(
        !case.contains("PKH") && !case.contains("Sudah menerima bantuan"),
        "{case}"
    );
    // A case officer, who sees NIKs whole, is told both.
    let (saved, _) = pages_after_typing(&pool, NIK, "officer1", Role::CaseOfficer, None).await;
    assert!(saved.contains(SBY) && saved.contains("NIK sama"), "{saved}");
    let (_, case) =
        pages_after_typing(&pool, REGISTERED, "officer2", Role::CaseOfficer, None).await;
    assert!(
        case.contains("Program Keluarga Harapan (PKH), Bantuan Pangan Non Tunai (BPNT)"),
        "{case}"
    );
}

#[sqlx::test]
async fn the_case_lists_take_no_nik_as_a_filter(pool: PgPool) {
    two_regions(&pool).await;
    let token = token(&pool, "viewer.sby", Role::RegencyViewer, Some("35.78")).await;
    let r = router(&pool).await;
    // A NIK in the search box or as a parameter of its own matches nothing by it: the list
    // with `nik` is the list without it, and a NIK as the name finds nobody.
    for path in ["/api/v1/cases", "/api/v1/intakes"] {
        let all = send(&r, api("GET", path, &token, None, serde_json::Value::Null)).await;
        let with_nik = send(
            &r,
            api(
                "GET",
                &format!("{path}?nik={NIK}"),
                &token,
                None,
                serde_json::Value::Null,
            ),
        )
        .await;
        assert_eq!(all.json()["cases"], with_nik.json()["cases"], "{path}");
        let by_q = send(
            &r,
            api(
                "GET",
                &format!("{path}?q={NIK}"),
                &token,
                None,
                serde_json::Value::Null,
            ),
        )
        .await;
        assert_eq!(by_q.status, StatusCode::OK);
        assert_eq!(by_q.json()["cases"], serde_json::json!([]), "{path}");
    }
}
