//! The case number at the edges: a malformed `{number}` in a page path is the ordinary
//! "not found" page, in the API a problem naming the field, and neither reaches a handler
//! (so no query runs and nothing is audited); a well-formed number outside the asker's
//! scope is still "not found" and audited as before.
use axum::http::StatusCode;
use axum::routing::get as route_get;
use axum::Router;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::auth::{two_regions, BWI, SBY};
use crate::common::*;
use simlontar::auth::model::Role;
use simlontar::cases::CaseNumber;
use simlontar::web::path::Path;

const MALFORMED: &[&str] = &[
    "OT-1",
    "ot-3578-2026-000001",
    "OT-3578-2026-0000011",
    "OT-3578-2026-00000",
    "OT-35.78-2026-000001",
    "OT%203578-2026-000001",
    "%20OT-3578-2026-000001",
    "OT-3578-2026-000001%20",
    "OT-3578-2026-000001OT-3578-2026-000001",
    "%27%20OR%201%3D1",
    "..",
];

/// A router whose handlers fail the test if they run: what the extractor refuses never
/// reaches a handler, so no query is made for it.
fn tripwire() -> Router {
    async fn never(Path(n): Path<CaseNumber>) -> String {
        panic!("the handler ran for {n}")
    }
    async fn never2(Path((n, id)): Path<(CaseNumber, i64)>) -> String {
        panic!("the handler ran for {n} {id}")
    }
    Router::new()
        .route("/cases/{number}", route_get(never))
        .route("/cases/{number}/photos/{id}", route_get(never2))
        .route("/api/v1/cases/{number}", route_get(never))
        .layer(axum::middleware::from_fn(
            simlontar::web::errors::render_errors,
        ))
}

#[tokio::test]
async fn a_malformed_number_never_reaches_a_handler() {
    let r = tripwire();
    for bad in MALFORMED {
        let page = send(&r, get(&format!("/cases/{bad}"))).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{bad}: {}", page.body);
        assert!(
            page.body.contains("tidak ditemukan"),
            "{bad}: {}",
            page.body
        );
        let photo = send(&r, get(&format!("/cases/{bad}/photos/1"))).await;
        assert_eq!(photo.status, StatusCode::NOT_FOUND, "{bad}");
        let api = send(&r, get(&format!("/api/v1/cases/{bad}"))).await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(api.json()["fields"][0]["field"], "number", "{bad}");
    }
    // A good number with a bad second parameter is refused as before (not as a number).
    let photo = send(&r, get(&format!("/cases/{SBY}/photos/x"))).await;
    assert_eq!(photo.status, StatusCode::BAD_REQUEST);
}

async fn audited(pool: &PgPool, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_malformed_number_in_a_page_path_is_the_ordinary_not_found_page(pool: PgPool) {
    two_regions(&pool).await;
    let mut officer = signed_in(&pool, "officer", Role::CaseOfficer, None).await;
    assert_eq!(
        officer.get(&format!("/cases/{SBY}")).await.status,
        StatusCode::OK
    );
    let reads = audited(&pool, "read").await;
    let unknown = officer.get("/cases/OT-3578-2026-999999").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    for bad in MALFORMED {
        for path in [
            format!("/cases/{bad}"),
            format!("/cases/{bad}/plan"),
            format!("/cases/{bad}/correction"),
            format!("/cases/{bad}/handover-form"),
            format!("/cases/{bad}/photos/1"),
            format!("/intake/saved/{bad}"),
        ] {
            let res = officer.get(&path).await;
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}: {}", res.body);
            // The same page a well-formed unknown number gets, in Bahasa Indonesia.
            assert!(
                res.body.contains("Halaman atau data tidak ditemukan."),
                "{path}: {}",
                res.body
            );
        }
        officer.get(&format!("/cases/{SBY}")).await;
        let res = officer
            .post(
                &format!("/cases/{bad}/transition"),
                &[("to", "identity_pending"), ("reason", "")],
            )
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{bad}: {}", res.body);
    }
    // Only the good page (opened again before each form post) was read; nothing
    // malformed was looked up.
    assert_eq!(audited(&pool, "read").await, reads + MALFORMED.len() as i64);
    assert_eq!(audited(&pool, "read_denied").await, 0);
}

#[sqlx::test]
async fn a_malformed_number_in_an_api_path_is_a_problem_naming_the_field(pool: PgPool) {
    two_regions(&pool).await;
    // A case officer who is also Banyuwangi's regency officer reaches every operation.
    let id = user(&pool, "client", Role::CaseOfficer, None).await;
    let grant =
        simlontar::auth::model::Grant::new(Role::RegencyOfficer, Some("35.10".into())).unwrap();
    simlontar::auth::store::add_grant(&pool, id, &grant)
        .await
        .unwrap();
    let (_, t) = simlontar::auth::store::create_token(&pool, id, "test")
        .await
        .unwrap();
    let r = router(&pool).await;
    let doc: Value = send(&r, get("/api/openapi.json")).await.json();
    let mut operations = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        if !path.contains("{number}") {
            continue;
        }
        for method in ops.as_object().unwrap().keys() {
            for bad in ["OT-1", "ot-3578-2026-000001", "OT-3578-2026-000001%20"] {
                let uri = path.replace("{number}", bad);
                let key = uuid::Uuid::new_v4().to_string();
                let res = send(
                    &r,
                    api(&method.to_uppercase(), &uri, &t, Some(&key), json!({})),
                )
                .await;
                assert_eq!(
                    res.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{method} {uri}: {}",
                    res.body
                );
                let problem = res.json();
                assert_eq!(problem["error"], "invalid", "{uri}");
                assert_eq!(problem["fields"][0]["field"], "number", "{uri}: {problem}");
                let message = problem["fields"][0]["message"].as_str().unwrap();
                assert!(message.contains("OT-3578-2026-000123"), "{message}");
            }
            operations += 1;
        }
    }
    assert!(
        operations >= 12,
        "only {operations} operations with a number"
    );
    // The well-formed paths still answer as before.
    let ok = send(
        &r,
        api("GET", &format!("/api/v1/cases/{SBY}"), &t, None, json!({})),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.json()["number"], SBY);
    let missing = send(
        &r,
        api(
            "GET",
            "/api/v1/cases/OT-3578-2026-999999",
            &t,
            None,
            json!({}),
        ),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn scope_and_audit_are_unchanged_for_well_formed_numbers(pool: PgPool) {
    two_regions(&pool).await;
    let mut viewer = signed_in(&pool, "viewer.bwi", Role::RegencyViewer, Some("35.10")).await;
    assert_eq!(
        viewer.get(&format!("/cases/{BWI}")).await.status,
        StatusCode::OK
    );
    // Outside the scope: "not found", and the look-up audited as a denied read.
    let denied = viewer.get(&format!("/cases/{SBY}")).await;
    assert_eq!(denied.status, StatusCode::NOT_FOUND);
    assert_eq!(audited(&pool, "read_denied").await, 1);
    // The same number in lower case is no number: not found, and not looked up at all.
    let lower = viewer.get(&format!("/cases/{}", SBY.to_lowercase())).await;
    assert_eq!(lower.status, StatusCode::NOT_FOUND);
    assert!(lower.body.contains("Halaman atau data tidak ditemukan."));
    assert_eq!(audited(&pool, "read_denied").await, 1);
    let entity: String =
        sqlx::query_scalar("SELECT entity_id FROM audit_log WHERE action = 'read_denied'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(entity, SBY);
}

#[sqlx::test]
async fn forms_that_take_a_number_refuse_a_malformed_one_beside_the_field(pool: PgPool) {
    two_regions(&pool).await;
    let mut viewer = signed_in(&pool, "viewer.bwi", Role::RegencyViewer, Some("35.10")).await;
    viewer.get("/break-glass").await;
    let res = viewer
        .post(
            "/break-glass",
            &[
                ("number", "OT 3578 2026 000001"),
                (
                    "reason",
                    "keluarga di Banyuwangi menelepon, pasien kritis di RSUD",
                ),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("Nomor kasus harus berformat OT-3578-2026-000123."),
        "{}",
        res.body
    );
    assert_eq!(audited(&pool, "break_glass").await, 0);
}
