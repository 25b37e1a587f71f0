//! UPT placement: the wards that fit, a bed never given twice, the waiting list,
//! transfer and discharge, and what is refused.
use axum::http::StatusCode;
use sqlx::PgPool;

use crate::common::{api, case_fixture, load_geo, router, send, signed_in, token};
use simlontar::auth::model::Role;

/// A case ready for a bed: picked up in Surabaya, unidentified, with this person's facts.
async fn unidentified(
    owner: &PgPool,
    number: &str,
    sex: &str,
    age: i16,
    conditions: &[&str],
) -> i64 {
    let id = case_fixture(owner, number, "35.78", None, "Tanpa Nama", None).await;
    sqlx::query(
        "UPDATE intake SET sex = $2, estimated_age = $3, conditions = $4
          WHERE id = (SELECT intake_id FROM ot_case WHERE id = $1)",
    )
    .bind(id)
    .bind(sex)
    .bind(age)
    .bind(conditions.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    .execute(owner)
    .await
    .unwrap();
    sqlx::query("UPDATE ot_case SET state = 'unidentified' WHERE id = $1")
        .bind(id)
        .execute(owner)
        .await
        .unwrap();
    id
}

/// Fills a ward until `free` beds are left; returns its id and bed count.
async fn ward_with_free(owner: &PgPool, need: &str, sex: &str, free: i32) -> (i64, i32) {
    sqlx::query_as(
        "UPDATE ward SET occupied = beds - $3
          WHERE id = (SELECT id FROM ward WHERE need_code = $1 AND sex = $2 ORDER BY id LIMIT 1)
         RETURNING id, beds",
    )
    .bind(need)
    .bind(sex)
    .bind(free)
    .fetch_one(owner)
    .await
    .unwrap()
}

#[sqlx::test]
async fn fifty_placements_at_once_into_five_free_beds_give_exactly_five(owner: PgPool) {
    load_geo(&owner).await;
    let (ward, beds) = ward_with_free(&owner, "homeless", "male", 5).await;
    for i in 0..50 {
        unidentified(
            &owner,
            &format!("OT-3578-2026-{:06}", 100 + i),
            "male",
            35,
            &[],
        )
        .await;
    }
    let officer = token(&owner, "co1", Role::CaseOfficer, None).await;
    let app = router(&owner).await;
    let mut calls = vec![];
    for i in 0..50 {
        let (app, officer) = (app.clone(), officer.clone());
        calls.push(tokio::spawn(async move {
            let uri = format!("/api/v1/cases/OT-3578-2026-{:06}/placement", 100 + i);
            send(
                &app,
                api(
                    "POST",
                    &uri,
                    &officer,
                    None,
                    serde_json::json!({"ward_id": ward}),
                ),
            )
            .await
        }));
    }
    let mut created = 0;
    let mut full = 0;
    for c in calls {
        let res = c.await.unwrap();
        match res.status {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                assert!(
                    res.json()["message"]
                        .as_str()
                        .unwrap()
                        .contains("waiting list"),
                    "{}",
                    res.body
                );
                full += 1
            }
            s => panic!("{s}: {}", res.body),
        }
    }
    assert_eq!((created, full), (5, 45));
    let (occupied, placements, waiting): (i32, i64, i64) = sqlx::query_as(
        "SELECT (SELECT occupied FROM ward WHERE id = $1),
                (SELECT count(*) FROM placement WHERE ward_id = $1),
                (SELECT count(*) FROM waiting_list WHERE resolved_at IS NULL AND need_code = 'homeless')",
    )
    .bind(ward)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!((occupied, placements, waiting), (beds, 5, 45));
}

#[sqlx::test]
async fn an_unidentified_elderly_woman_is_offered_a_womens_bed_for_the_elderly(owner: PgPool) {
    load_geo(&owner).await;
    unidentified(&owner, "OT-3578-2026-000001", "female", 76, &[]).await;
    let officer = token(&owner, "co1", Role::CaseOfficer, None).await;
    let res = send(
        &router(&owner).await,
        api(
            "GET",
            "/api/v1/cases/OT-3578-2026-000001/placement-candidates",
            &officer,
            None,
            serde_json::json!({}),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let list = res.json();
    let first = &list[0];
    assert_eq!(first["need"], "elderly", "{list}");
    assert!(first["sex"] == "female" || first["sex"] == "any", "{first}");
    assert!(first["free"].as_i64().unwrap() > 0, "{first}");
    // No man's ward is ever offered to her.
    assert!(
        list.as_array().unwrap().iter().all(|c| c["sex"] != "male"),
        "{list}"
    );
    // The nearest free one comes first among those of her need.
    let elderly: Vec<f64> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["need"] == "elderly" && c["free"].as_i64().unwrap() > 0)
        .map(|c| c["distance_km"].as_f64().unwrap())
        .collect();
    assert!(elderly.windows(2).all(|w| w[0] <= w[1]), "{elderly:?}");
}

#[sqlx::test]
async fn placement_transfer_and_discharge_are_events_and_free_the_bed(owner: PgPool) {
    load_geo(&owner).await;
    let case = unidentified(&owner, "OT-3578-2026-000002", "male", 40, &["psychosocial"]).await;
    let (ward, _) = ward_with_free(&owner, "psychosocial", "male", 3).await;
    let other: i64 = sqlx::query_scalar(
        "SELECT id FROM ward WHERE need_code = 'psychosocial' AND sex = 'male' AND id <> $1 ORDER BY id LIMIT 1",
    )
    .bind(ward)
    .fetch_one(&owner)
    .await
    .unwrap();
    let female: i64 =
        sqlx::query_scalar("SELECT id FROM ward WHERE sex = 'female' ORDER BY id LIMIT 1")
            .fetch_one(&owner)
            .await
            .unwrap();
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let page = co.get("/cases/OT-3578-2026-000002").await;
    assert!(
        page.body.contains("Penempatan UPT") && page.body.contains("Tempatkan"),
        "{}",
        page.body
    );

    let bad = co
        .post(
            "/cases/OT-3578-2026-000002/placement",
            &[("ward_id", &female.to_string())],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = co
        .post(
            "/cases/OT-3578-2026-000002/placement",
            &[("ward_id", "nope")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = co
        .post(
            "/cases/OT-3578-2026-000002/placement",
            &[("ward_id", &ward.to_string())],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let twice = co
        .post(
            "/cases/OT-3578-2026-000002/placement",
            &[("ward_id", &ward.to_string())],
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // UPT staff of another UPT may not move this resident.
    let far_upt: String = sqlx::query_scalar(
        "SELECT code FROM upt WHERE code NOT IN (SELECT upt_code FROM ward WHERE id IN ($1, $2)) ORDER BY code LIMIT 1",
    )
    .bind(ward)
    .bind(other)
    .fetch_one(&owner)
    .await
    .unwrap();
    let mut stranger = signed_in(&owner, "upt9", Role::UptStaff, Some(&far_upt)).await;
    let refused = stranger
        .post(
            "/cases/OT-3578-2026-000002/discharge",
            &[("reason", "died")],
        )
        .await;
    assert!(
        matches!(
            refused.status,
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        ),
        "{}",
        refused.status
    );

    let moved = co
        .post(
            "/cases/OT-3578-2026-000002/transfer",
            &[
                ("ward_id", &other.to_string()),
                ("reason", "dekat keluarga"),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let unknown = co
        .post(
            "/cases/OT-3578-2026-000002/discharge",
            &[("reason", "vanished")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let out = co
        .post(
            "/cases/OT-3578-2026-000002/discharge",
            &[("reason", "family"), ("note", "dijemput anak")],
        )
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);

    let occupied: Vec<i32> =
        sqlx::query_scalar("SELECT occupied FROM ward WHERE id IN ($1, $2) ORDER BY id")
            .bind(ward.min(other))
            .bind(ward.max(other))
            .fetch_all(&owner)
            .await
            .unwrap();
    let beds_before: i32 = sqlx::query_scalar("SELECT beds - 3 FROM ward WHERE id = $1")
        .bind(ward)
        .fetch_one(&owner)
        .await
        .unwrap();
    let (w, o) = if ward < other {
        (occupied[0], occupied[1])
    } else {
        (occupied[1], occupied[0])
    };
    assert_eq!((w, o), (beds_before, 0), "both beds are free again");
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM case_event WHERE case_id = $1 ORDER BY id")
            .bind(case)
            .fetch_all(&owner)
            .await
            .unwrap();
    assert_eq!(
        kinds,
        vec![
            "transition",
            "placed",
            "transferred",
            "transition",
            "discharged"
        ]
    );
    let state: String = sqlx::query_scalar("SELECT state FROM ot_case WHERE id = $1")
        .bind(case)
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(state, "discharged");
}

async fn case_officer(owner: &PgPool) -> simlontar::auth::model::Principal {
    simlontar::auth::model::Principal {
        user_id: crate::common::user(owner, "co.mover", Role::CaseOfficer, None).await,
        username: "co.mover".into(),
        display_name: "Case officer".into(),
        grants: vec![simlontar::auth::model::Grant::new(Role::CaseOfficer, None).unwrap()],
        via_token: false,
    }
}

/// Two officers place the same person at the same moment, into two different wards
/// with free beds: one bed is given, the other request is refused as already placed.
#[sqlx::test]
async fn one_person_placed_into_two_wards_at_once_gets_one_bed(owner: PgPool) {
    load_geo(&owner).await;
    let wards: Vec<i64> = sqlx::query_scalar(
        "UPDATE ward SET occupied = 0 WHERE id IN
           (SELECT id FROM ward WHERE sex IN ('male', 'mixed') ORDER BY id LIMIT 2)
         RETURNING id",
    )
    .fetch_all(&owner)
    .await
    .unwrap();
    assert_eq!(wards.len(), 2);
    let officer = token(&owner, "co1", Role::CaseOfficer, None).await;
    let app = router(&owner).await;
    for round in 0..10 {
        let number = format!("OT-3578-2026-{:06}", 300 + round);
        unidentified(&owner, &number, "male", 35, &[]).await;
        let calls: Vec<_> = wards
            .iter()
            .map(|&ward| {
                let (app, officer, number) = (app.clone(), officer.clone(), number.clone());
                tokio::spawn(async move {
                    let uri = format!("/api/v1/cases/{number}/placement");
                    let body = serde_json::json!({ "ward_id": ward });
                    send(&app, api("POST", &uri, &officer, None, body)).await
                })
            })
            .collect();
        let mut statuses = vec![];
        for c in calls {
            let res = c.await.unwrap();
            if res.status == StatusCode::CONFLICT {
                assert!(res.body.contains("already placed"), "{}", res.body);
            }
            statuses.push(res.status);
        }
        statuses.sort();
        assert_eq!(
            statuses,
            vec![StatusCode::CREATED, StatusCode::CONFLICT],
            "round {round}"
        );
    }
    let open: i64 = sqlx::query_scalar("SELECT count(*) FROM placement WHERE ended_at IS NULL")
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(open, 10);
}

/// Residents of ward A move to B while as many of B's move to A, all at once, each in
/// its own transaction: none fails (no deadlock), and each ward's counter still equals
/// the people in it.
#[sqlx::test]
async fn opposite_transfers_at_once_never_deadlock(owner: PgPool) {
    load_geo(&owner).await;
    let wards: Vec<i64> = sqlx::query_scalar(
        "UPDATE ward SET occupied = 0, beds = greatest(beds, 20) WHERE id IN
           (SELECT id FROM ward WHERE sex IN ('male', 'mixed') ORDER BY id LIMIT 2)
         RETURNING id",
    )
    .fetch_all(&owner)
    .await
    .unwrap();
    let (a, b) = (wards[0], wards[1]);
    let actor = case_officer(&owner).await;
    let mut moves = vec![];
    for i in 0..16 {
        let case = unidentified(
            &owner,
            &format!("OT-3578-2026-{:06}", 400 + i),
            "male",
            40,
            &[],
        )
        .await;
        let (from, to) = if i % 2 == 0 { (a, b) } else { (b, a) };
        let mut tx = owner.begin().await.unwrap();
        simlontar::shelter::store::place(&mut tx, case, from, &actor, crate::common::now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        moves.push((case, to));
    }
    // A connection for every mover, so all the transfers really run at once.
    let many = sqlx::postgres::PgPoolOptions::new()
        .max_connections(moves.len() as u32)
        .connect_with((*owner.connect_options()).clone())
        .await
        .unwrap();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(moves.len()));
    let tasks: Vec<_> = moves
        .into_iter()
        .map(|(case, to)| {
            let (many, actor, barrier) = (many.clone(), actor.clone(), barrier.clone());
            tokio::spawn(async move {
                let mut tx = many.begin().await?;
                barrier.wait().await;
                let later = crate::common::now() + chrono::Duration::hours(1);
                simlontar::shelter::store::transfer(&mut tx, case, to, &actor, "uji", later)
                    .await?;
                tx.commit().await?;
                Ok::<_, simlontar::error::AppError>(())
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().expect("a transfer failed");
    }
    let counts: Vec<(i64, i32, i64)> = sqlx::query_as(
        "SELECT w.id, w.occupied, (SELECT count(*) FROM placement p WHERE p.ward_id = w.id AND p.ended_at IS NULL)
           FROM ward w WHERE w.id IN ($1, $2) ORDER BY w.id",
    )
    .bind(a)
    .bind(b)
    .fetch_all(&owner)
    .await
    .unwrap();
    for (ward, occupied, open) in counts {
        assert_eq!((occupied as i64, open), (8, 8), "ward {ward}");
    }
}
