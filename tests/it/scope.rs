//! Row-level security in the database (the net under every scoped query) and break-glass
//! access across it.
use axum::http::StatusCode;
use chrono::Duration;
use sqlx::PgPool;

use crate::auth::{two_regions, BWI, SBY};
use crate::common::{app_pool, now, router_at, signed_in};
use simlontar::auth::model::Role;
use simlontar::auth::policy::CaseScope;

async fn numbers(tx: &mut sqlx::PgConnection) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT c.number FROM ot_case c JOIN intake i ON i.id = c.intake_id ORDER BY c.number",
    )
    .fetch_all(tx)
    .await
    .unwrap()
}

#[sqlx::test]
async fn without_a_scope_the_app_role_reads_no_person(pool: PgPool) {
    two_regions(&pool).await;
    let app = app_pool(&pool).await;
    // A query with no scope filter at all, as a buggy handler would write it.
    let mut conn = app.acquire().await.unwrap();
    assert!(numbers(&mut conn).await.is_empty());
    let intakes: i64 = sqlx::query_scalar("SELECT count(*) FROM intake")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(intakes, 0);
    drop(conn);

    // The same unfiltered query inside a regency viewer's scope: their regency only.
    let viewer = simlontar::auth::model::Principal {
        user_id: 1,
        username: "v".into(),
        display_name: "v".into(),
        grants: vec![
            simlontar::auth::model::Grant::new(Role::RegencyViewer, Some("35.10".into())).unwrap(),
        ],
        via_token: false,
    };
    let mut tx = CaseScope::of(&viewer, now()).begin(&app).await.unwrap();
    assert_eq!(numbers(&mut tx).await, vec![BWI.to_string()]);
    tx.commit().await.unwrap();

    let mut tx = CaseScope::system(now()).begin(&app).await.unwrap();
    assert_eq!(numbers(&mut tx).await.len(), 2);
    tx.commit().await.unwrap();

    // SET LOCAL: the scope ends with its transaction and does not leak to the next user
    // of the pooled connection.
    let mut conn = app.acquire().await.unwrap();
    assert!(numbers(&mut conn).await.is_empty());
}

#[sqlx::test]
async fn break_glass_needs_a_reason_lasts_two_hours_and_is_reviewed(pool: PgPool) {
    two_regions(&pool).await;
    let mut viewer = signed_in(&pool, "viewer.bwi", Role::RegencyViewer, Some("35.10")).await;
    assert_eq!(
        viewer.get(&format!("/cases/{SBY}")).await.status,
        StatusCode::NOT_FOUND
    );
    let list = viewer.get("/cases").await;
    assert!(list.body.contains(r#"href="/break-glass""#));

    viewer.get("/break-glass").await;
    let short = viewer
        .post("/break-glass", &[("number", SBY), ("reason", "darurat")])
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("paling sedikit 20 huruf"));
    let unknown = viewer
        .post(
            "/break-glass",
            &[
                ("number", "OT-3578-2026-999999"),
                ("reason", "keluarga menelepon, pasien kritis"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("Tidak ada kasus"));

    let reason = "keluarga di Banyuwangi menelepon, pasien kritis di RSUD";
    let ok = viewer
        .post(
            "/break-glass",
            &[("number", &SBY.to_lowercase()), ("reason", reason)],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), format!("/cases/{SBY}"));
    let page = viewer.get(&format!("/cases/{SBY}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Sumiati Surabaya"));
    // One case only: the other out-of-scope cases stay closed.
    assert_eq!(
        viewer.get(&format!("/cases/{BWI}")).await.status,
        StatusCode::OK
    );

    let flagged: serde_json::Value = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'break_glass' AND entity_id = $1",
    )
    .bind(SBY)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(flagged["flagged"], true);
    assert_eq!(flagged["reason"], reason);

    // Two hours and a minute later the grant has lapsed.
    viewer.router = router_at(&pool, now() + Duration::minutes(121)).await;
    viewer.cookie = None;
    viewer.sign_in("viewer.bwi", crate::common::PASSWORD).await;
    assert_eq!(
        viewer.get(&format!("/cases/{SBY}")).await.status,
        StatusCode::NOT_FOUND
    );

    // The administrator's weekly review shows it, with the reads made under it.
    let mut admin = signed_in(&pool, "admin1", Role::Admin, None).await;
    let review = admin.get("/admin/break-glass").await;
    assert_eq!(review.status, StatusCode::OK);
    assert!(review.body.contains("viewer.bwi") && review.body.contains(reason));
    assert!(
        review.body.contains(r#"<td>1</td>"#),
        "one read during the grant"
    );
    let id: i64 = sqlx::query_scalar("SELECT id FROM break_glass")
        .fetch_one(&pool)
        .await
        .unwrap();
    let res = admin
        .post(&format!("/admin/break-glass/{id}/reviewed"), &[])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(!admin
        .get("/admin/break-glass")
        .await
        .body
        .contains("Tandai sudah ditinjau"));
    // Only administrators review.
    assert_eq!(
        viewer.get("/admin/break-glass").await.status,
        StatusCode::FORBIDDEN
    );
}

/// UPT staff see a person referred to their UPT while the referral is open; a bed held
/// for the person opens nothing by itself (issue 22: a hold widened the UPT's scope).
#[sqlx::test]
async fn upt_staff_see_a_case_while_it_is_referred_to_their_upt(pool: PgPool) {
    two_regions(&pool).await;
    let (ward, upt): (i64, String) =
        sqlx::query_as("SELECT id, upt_code FROM ward ORDER BY id LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    let other: String = sqlx::query_scalar("SELECT code FROM upt WHERE code <> $1 LIMIT 1")
        .bind(&upt)
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut staff = signed_in(&pool, "upt1", Role::UptStaff, Some(&upt)).await;
    let page = format!("/cases/{SBY}");
    assert_eq!(staff.get(&page).await.status, StatusCode::NOT_FOUND);
    // A bed held in their UPT without a referral does not open the case to them.
    let hold: i64 = sqlx::query_scalar(
        "INSERT INTO bed_hold (ward_id, case_id, held_at, expires_at)
         SELECT $1, id, $2, $2 + interval '2 days' FROM ot_case WHERE number = $3 RETURNING id",
    )
    .bind(ward)
    .bind(now())
    .bind(SBY)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(staff.get(&page).await.status, StatusCode::NOT_FOUND);
    sqlx::query("UPDATE bed_hold SET released_at = $2, release_reason = 'cancelled' WHERE id = $1")
        .bind(hold)
        .bind(now())
        .execute(&pool)
        .await
        .unwrap();
    let refer = |upt: String| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO referral (case_id, upt_code, referred_at)
             SELECT id, $1, $2 FROM ot_case WHERE number = $3 RETURNING id",
        )
        .bind(upt)
        .bind(now())
        .bind(SBY)
        .fetch_one(&pool)
    };
    // A referral to another UPT does not either.
    let elsewhere = refer(other).await.unwrap();
    assert_eq!(staff.get(&page).await.status, StatusCode::NOT_FOUND);
    sqlx::query("UPDATE referral SET ended_at = $2, end_reason = 'moved' WHERE id = $1")
        .bind(elsewhere)
        .bind(now())
        .execute(&pool)
        .await
        .unwrap();
    let here = refer(upt.clone()).await.unwrap();
    assert_eq!(staff.get(&page).await.status, StatusCode::OK);
    let listed = staff.get("/cases").await;
    assert!(listed.body.contains(SBY), "the list follows the same scope");
    // Ended, the referral no longer does.
    sqlx::query("UPDATE referral SET ended_at = $2, end_reason = 'home' WHERE id = $1")
        .bind(here)
        .bind(now())
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(staff.get(&page).await.status, StatusCode::NOT_FOUND);
}

/// The route proposal (the home the evidence points to, and why) is routing information:
/// the case page shows it to the roles that may view routing, as the API does
/// (`Action::ViewRouting`), and not to an intake officer who may read the case.
#[sqlx::test]
async fn the_case_page_shows_the_route_proposal_only_to_roles_that_view_routing(pool: PgPool) {
    two_regions(&pool).await;
    sqlx::query("UPDATE ot_case SET state = 'unidentified' WHERE number = $1")
        .bind(SBY)
        .execute(&pool)
        .await
        .unwrap();
    let page = format!("/cases/{SBY}");
    let mut officer = signed_in(&pool, "dinsos", Role::CaseOfficer, None).await;
    let res = officer.get(&page).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Daerah asal"), "{}", res.body);
    // The home the intake recorded reads by name, never as an empty line.
    assert!(res.body.contains("<dd>Kota Surabaya</dd>"), "{}", res.body);

    let mut satpol = signed_in(&pool, "satpol", Role::IntakeOfficer, Some("35.78")).await;
    let res = satpol.get(&page).await;
    assert_eq!(
        res.status,
        StatusCode::OK,
        "the intake officer reads the case"
    );
    assert!(!res.body.contains("Daerah asal"), "{}", res.body);
    assert!(!res.body.contains("Usulan"), "{}", res.body);
    let api = satpol.get(&format!("/api/v1/cases/{SBY}/proposal")).await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
}
