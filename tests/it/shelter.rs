//! UPT placement: the wards that fit, a bed never given twice, the waiting list,
//! transfer and discharge, and what is refused.
use axum::http::StatusCode;
use sqlx::PgPool;

use crate::common::{api, case_fixture, load_geo, router, send, signed_in, token};
use simlontar::auth::model::Role;

/// A case ready for a bed: picked up in Surabaya, unidentified, with this person's facts.
pub async fn unidentified(
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

/// The last-bed race, repeated: each round, 100 placements at once into a ward with 5 free
/// beds give exactly 5 placements and 95 waiting-list answers, and the ward's bed counter
/// (kept by triggers) equals what was set plus the open placements; then the round's five
/// leave and the counter goes back.
#[sqlx::test]
async fn a_hundred_placements_at_once_into_five_free_beds_give_exactly_five_round_after_round(
    owner: PgPool,
) {
    const ROUNDS: usize = 10;
    const AT_ONCE: usize = 100;
    load_geo(&owner).await;
    let (ward, beds) = ward_with_free(&owner, "homeless", "male", 5).await;
    let number = |round: usize, i: usize| format!("OT-3578-2026-{:06}", 1000 + round * AT_ONCE + i);
    for round in 0..ROUNDS {
        for i in 0..AT_ONCE {
            unidentified(&owner, &number(round, i), "male", 35, &[]).await;
        }
    }
    let officer = token(&owner, "co1", Role::CaseOfficer, None).await;
    let app = router(&owner).await;
    for round in 0..ROUNDS {
        let calls: Vec<_> = (0..AT_ONCE)
            .map(|i| {
                let (app, officer) = (app.clone(), officer.clone());
                let uri = format!("/api/v1/cases/{}/placement", number(round, i));
                tokio::spawn(async move {
                    // All hundred wait for the one ward's lock while holding pooled
                    // connections; on a loaded machine the last ones can wait past the
                    // pool's 3 s and get 503 before their transaction starts (nothing
                    // written). A client retries a 503, so this one does too: the outcome
                    // must still be exactly five beds and 95 waiting-list answers.
                    let body = serde_json::json!({"ward_id": ward});
                    loop {
                        let res = send(&app, api("POST", &uri, &officer, None, body.clone())).await;
                        if res.status != StatusCode::SERVICE_UNAVAILABLE {
                            return res;
                        }
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                })
            })
            .collect();
        let (mut created, mut full) = (0, 0);
        for c in calls {
            let res = c.await.unwrap();
            match res.status {
                StatusCode::CREATED => created += 1,
                StatusCode::CONFLICT => {
                    let message = res.json()["message"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    assert!(message.contains("waiting list"), "{}", res.body);
                    full += 1
                }
                s => panic!("round {round}: {s}: {}", res.body),
            }
        }
        assert_eq!((created, full), (5, AT_ONCE - 5), "round {round}");
        let (occupied, open, waiting): (i32, i64, i64) = sqlx::query_as(
            "SELECT (SELECT occupied FROM ward WHERE id = $1),
                    (SELECT count(*) FROM placement WHERE ward_id = $1 AND ended_at IS NULL),
                    (SELECT count(*) FROM waiting_list WHERE resolved_at IS NULL AND need_code = 'homeless')",
        )
        .bind(ward)
        .fetch_one(&owner)
        .await
        .unwrap();
        // The counter was set to beds − 5 by hand; everything after is the triggers'.
        assert_eq!(occupied, beds - 5 + open as i32, "round {round}");
        assert_eq!(
            (occupied, open, waiting),
            (beds, 5, ((round + 1) * (AT_ONCE - 5)) as i64),
            "round {round}"
        );
        sqlx::query(
            "UPDATE placement SET ended_at = now(), end_reason = 'home'
              WHERE ward_id = $1 AND ended_at IS NULL",
        )
        .bind(ward)
        .execute(&owner)
        .await
        .unwrap();
        let occupied: i32 = sqlx::query_scalar("SELECT occupied FROM ward WHERE id = $1")
            .bind(ward)
            .fetch_one(&owner)
            .await
            .unwrap();
        assert_eq!(
            occupied,
            beds - 5,
            "round {round}: the counter after the five left"
        );
    }
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
    // The case page's reason starts empty: a discharge reason is chosen, never defaulted.
    let page = co.get("/cases/OT-3578-2026-000002").await;
    assert!(
        page.body.contains(r#"<option value="" selected>"#),
        "{}",
        page.body
    );
    // Without a reason, the confirmation step comes back with the error beside the field.
    let missing = co
        .post(
            "/cases/OT-3578-2026-000002/discharge",
            &[
                ("reason", ""),
                ("note", "dijemput anak"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing.body.contains("discharge_reason-error")
            && missing.body.contains("Pilih alasan keluar"),
        "{}",
        missing.body
    );
    assert!(
        missing.body.contains(r#"value="dijemput anak""#),
        "the note is kept"
    );
    // A reason chosen but not yet confirmed: the question, and nothing changed.
    let asked = co
        .post(
            "/cases/OT-3578-2026-000002/discharge",
            &[("reason", "family"), ("note", "dijemput anak")],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(
        asked.body.contains("Ya, catat keluar")
            && asked.body.contains(r#"name="confirm" value="yes""#),
        "{}",
        asked.body
    );
    let still: String = sqlx::query_scalar("SELECT state FROM ot_case WHERE id = $1")
        .bind(case)
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_ne!(still, "discharged", "asking discharges nobody");
    let out = co
        .post(
            "/cases/OT-3578-2026-000002/discharge",
            &[
                ("reason", "family"),
                ("note", "dijemput anak"),
                ("confirm", "yes"),
            ],
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
        simlontar::shelter::store::place(
            &mut tx,
            case,
            from,
            &actor,
            (crate::common::now(), chrono_tz::Asia::Jakarta),
        )
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
                simlontar::shelter::store::transfer(
                    &mut tx,
                    case,
                    to,
                    &actor,
                    "uji",
                    (later, chrono_tz::Asia::Jakarta),
                )
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

/// Model-based: random sequences of placements, transfers, discharges and bed-count
/// changes, run through the shelter store as a handler runs them (one transaction, rolled
/// back on an error), against a model of wards and people kept in memory. After every step
/// the database must equal the model: each ward's beds and counter, each person's open
/// placement and waiting-list entry, and the counter must equal the open placements.
mod model {
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRng, TestRunner};
    use sqlx::PgPool;

    use super::unidentified;
    use crate::common::*;
    use simlontar::auth::model::{Grant, Principal, Role};
    use simlontar::error::AppError;
    use simlontar::shelter::store::{self, Placed};

    const PEOPLE: usize = 12;
    /// Two men's wards and a women's ward (every person is a man).
    const WARDS: usize = 3;

    #[derive(Debug, Clone, Copy)]
    enum Op {
        Place(usize, usize),
        Transfer(usize, usize),
        Discharge(usize),
        SetBeds(usize, i32),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0..PEOPLE, 0..WARDS).prop_map(|(p, w)| Op::Place(p, w)),
            2 => (0..PEOPLE, 0..WARDS).prop_map(|(p, w)| Op::Transfer(p, w)),
            1 => (0..PEOPLE).prop_map(Op::Discharge),
            1 => (0..WARDS, 0..5i32).prop_map(|(w, b)| Op::SetBeds(w, b)),
        ]
    }

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Person {
        Waiting(bool),
        Placed(usize),
        Discharged,
    }

    struct Model {
        beds: [i32; WARDS],
        occupied: [i32; WARDS],
        people: [Person; PEOPLE],
    }

    impl Model {
        /// What the step should do: Ok(()) or an error, and the model moved on if Ok.
        fn step(&mut self, op: Op) -> Result<(), ()> {
            let women = |w: usize| w == 2;
            match op {
                Op::Place(p, w) => match self.people[p] {
                    Person::Placed(_) | Person::Discharged => Err(()),
                    Person::Waiting(_) if women(w) => Err(()),
                    Person::Waiting(_) if self.occupied[w] >= self.beds[w] => {
                        self.people[p] = Person::Waiting(true);
                        Ok(())
                    }
                    Person::Waiting(_) => {
                        self.occupied[w] += 1;
                        self.people[p] = Person::Placed(w);
                        Ok(())
                    }
                },
                Op::Transfer(p, w) => match self.people[p] {
                    Person::Placed(from)
                        if from != w && !women(w) && self.occupied[w] < self.beds[w] =>
                    {
                        self.occupied[from] -= 1;
                        self.occupied[w] += 1;
                        self.people[p] = Person::Placed(w);
                        Ok(())
                    }
                    _ => Err(()),
                },
                Op::Discharge(p) => match self.people[p] {
                    Person::Placed(from) => {
                        self.occupied[from] -= 1;
                        self.people[p] = Person::Discharged;
                        Ok(())
                    }
                    _ => Err(()),
                },
                Op::SetBeds(w, beds) if beds >= self.occupied[w] => {
                    self.beds[w] = beds;
                    Ok(())
                }
                Op::SetBeds(..) => Err(()),
            }
        }
    }

    async fn run(
        owner: &PgPool,
        actor: &Principal,
        op: Op,
        cases: &[i64],
        wards: &[i64],
    ) -> Result<(), AppError> {
        let mut tx = owner.begin().await.map_err(AppError::from)?;
        let done = match op {
            Op::Place(p, w) => store::place(
                &mut tx,
                cases[p],
                wards[w],
                actor,
                (now(), chrono_tz::Asia::Jakarta),
            )
            .await
            .map(|placed| {
                assert!(matches!(
                    placed,
                    Placed::Placed { .. } | Placed::Full { .. }
                ))
            }),
            Op::Transfer(p, w) => store::transfer(
                &mut tx,
                cases[p],
                wards[w],
                actor,
                "model",
                (now(), chrono_tz::Asia::Jakarta),
            )
            .await
            .map(|_| ()),
            Op::Discharge(p) => store::discharge(&mut tx, cases[p], "home", "", actor, now()).await,
            Op::SetBeds(w, beds) => sqlx::query("UPDATE ward SET beds = $2 WHERE id = $1")
                .bind(wards[w])
                .bind(beds)
                .execute(&mut *tx)
                .await
                .map(|_| ())
                .map_err(AppError::from),
        };
        match done {
            Ok(()) => tx.commit().await.map_err(AppError::from),
            Err(e) => {
                tx.rollback().await.map_err(AppError::from)?;
                Err(e)
            }
        }
    }

    /// The database's view in the model's terms.
    async fn observed(
        owner: &PgPool,
        cases: &[i64],
        wards: &[i64],
    ) -> ([i32; WARDS], [i32; WARDS], [i64; WARDS], [Person; PEOPLE]) {
        let (mut beds, mut occupied, mut open) = ([0; WARDS], [0; WARDS], [0; WARDS]);
        for (w, id) in wards.iter().enumerate() {
            (beds[w], occupied[w], open[w]) = sqlx::query_as(
                "SELECT beds, occupied,
                        (SELECT count(*) FROM placement WHERE ward_id = $1 AND ended_at IS NULL)
                   FROM ward WHERE id = $1",
            )
            .bind(id)
            .fetch_one(owner)
            .await
            .unwrap();
        }
        let mut people = [Person::Waiting(false); PEOPLE];
        for (p, id) in cases.iter().enumerate() {
            let (state, ward, waiting): (String, Option<i64>, bool) = sqlx::query_as(
                "SELECT c.state,
                        (SELECT ward_id FROM placement WHERE case_id = c.id AND ended_at IS NULL),
                        EXISTS (SELECT 1 FROM waiting_list WHERE case_id = c.id AND resolved_at IS NULL)
                   FROM ot_case c WHERE c.id = $1",
            )
            .bind(id)
            .fetch_one(owner)
            .await
            .unwrap();
            people[p] = match (state.as_str(), ward) {
                ("discharged", None) => Person::Discharged,
                (_, Some(w)) => Person::Placed(wards.iter().position(|x| *x == w).unwrap()),
                (_, None) => Person::Waiting(waiting),
            };
        }
        (beds, occupied, open, people)
    }

    #[sqlx::test]
    async fn random_bed_changes_keep_the_database_equal_to_the_model(owner: PgPool) {
        const SEQUENCES: usize = 5;
        const STEPS: usize = 200;
        load_geo(&owner).await;
        let user = user(&owner, "co.model", Role::CaseOfficer, None).await;
        let actor = Principal {
            user_id: user,
            username: "co.model".into(),
            display_name: "co.model".into(),
            grants: vec![Grant {
                role: Role::CaseOfficer,
                scope: None,
            }],
            via_token: false,
        };
        let wards: Vec<i64> = sqlx::query_scalar(
            "(SELECT id FROM ward WHERE need_code = 'elderly' AND sex = 'male' ORDER BY id LIMIT 2)
             UNION ALL
             (SELECT id FROM ward WHERE need_code = 'elderly' AND sex = 'female' ORDER BY id LIMIT 1)",
        )
        .fetch_all(&owner)
        .await
        .unwrap();
        assert_eq!(wards.len(), WARDS);
        // A fixed seed: the same sequences every run (a failure names its sequence and step).
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::deterministic_rng(Config::default().rng_algorithm),
        );
        let sequences = proptest::collection::vec(op(), STEPS);
        for s in 0..SEQUENCES {
            let ops = sequences.new_tree(&mut runner).unwrap().current();
            // Each sequence: new people, and the wards emptied to small sizes.
            let mut cases = vec![];
            for p in 0..PEOPLE {
                let number = format!("OT-3578-2026-{:06}", 1 + s * PEOPLE + p);
                cases.push(unidentified(&owner, &number, "male", 40, &[]).await);
            }
            sqlx::query(
                "UPDATE placement SET ended_at = $2, end_reason = 'home'
                  WHERE ward_id = ANY($1) AND ended_at IS NULL",
            )
            .bind(&wards)
            .bind(now())
            .execute(&owner)
            .await
            .unwrap();
            sqlx::query("UPDATE ward SET beds = 2 WHERE id = ANY($1)")
                .bind(&wards)
                .execute(&owner)
                .await
                .unwrap();
            let mut model = Model {
                beds: [2; WARDS],
                occupied: [0; WARDS],
                people: [Person::Waiting(false); PEOPLE],
            };
            for (i, &op) in ops.iter().enumerate() {
                let expected = model.step(op);
                let got = run(&owner, &actor, op, &cases, &wards).await;
                assert_eq!(
                    expected.is_ok(),
                    got.is_ok(),
                    "sequence {s} step {i} {op:?}: {got:?}; steps so far {:?}",
                    &ops[..=i]
                );
                let (beds, occupied, open, people) = observed(&owner, &cases, &wards).await;
                assert_eq!(
                    (beds, occupied, people),
                    (model.beds, model.occupied, model.people),
                    "sequence {s} step {i} {op:?}; steps so far {:?}",
                    &ops[..=i]
                );
                assert_eq!(
                    open.map(|n| n as i32),
                    occupied,
                    "counter = open placements"
                );
            }
        }
    }
}

#[sqlx::test]
async fn a_placement_takes_only_its_ward_whatever_else_the_request_carries(owner: PgPool) {
    load_geo(&owner).await;
    let number = "OT-3578-2026-000003";
    let case = unidentified(&owner, number, "male", 40, &["psychosocial"]).await;
    let (ward, _) = ward_with_free(&owner, "psychosocial", "male", 3).await;
    let other: i64 = sqlx::query_scalar(
        "SELECT id FROM ward WHERE need_code = 'psychosocial' AND sex = 'male' AND id <> $1
          ORDER BY id LIMIT 1",
    )
    .bind(ward)
    .fetch_one(&owner)
    .await
    .unwrap();
    let placements = || async {
        sqlx::query_as::<_, (i64, String)>(
            "SELECT p.ward_id, c.state FROM placement p JOIN ot_case c ON c.id = p.case_id
              WHERE p.case_id = $1",
        )
        .bind(case)
        .fetch_all(&owner)
        .await
        .unwrap()
    };
    let extras = [
        ("state", "closed"),
        ("status", "closed"),
        ("shelter_id", &other.to_string()),
        ("role", "admin"),
        ("region_id", "35.10"),
    ];

    // The API refuses each such field by name, and places nobody.
    let t = token(&owner, "co.api", Role::CaseOfficer, None).await;
    let app = router(&owner).await;
    let uri = format!("/api/v1/cases/{number}/placement");
    for (field, value) in extras {
        let body = serde_json::json!({"ward_id": ward, field: value});
        let res = send(&app, api("POST", &uri, &t, None, body)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let message = res.json()["fields"][0]["message"].to_string();
        assert!(
            message.contains(&format!("`{field}`")),
            "{field}: {message}"
        );
    }
    assert_eq!(placements().await, vec![]);

    // The form ignores them: the person gets the chosen ward, and the case is not closed.
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    co.get(&format!("/cases/{number}")).await;
    let ward_id = ward.to_string();
    let fields = [&[("ward_id", ward_id.as_str())][..], &extras[..]].concat();
    let res = co
        .post(&format!("/cases/{number}/placement"), &fields)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(placements().await, vec![(ward, "placed".to_string())]);
}

/// A bed held in one ward is let go when the person is placed in another: the hold is
/// released as `placed` and the held ward's counter falls. When the other ward is full,
/// the person waits and the hold stays.
#[sqlx::test]
async fn placing_a_person_elsewhere_releases_the_bed_held_for_them(owner: PgPool) {
    load_geo(&owner).await;
    let case = unidentified(&owner, "OT-3578-2026-000003", "male", 40, &["psychosocial"]).await;
    let wards: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM ward WHERE need_code = 'psychosocial' AND sex = 'male' ORDER BY id LIMIT 2",
    )
    .fetch_all(&owner)
    .await
    .unwrap();
    let (held, placed) = (wards[0], wards[1]);
    sqlx::query(
        "INSERT INTO bed_hold (ward_id, case_id, held_at, expires_at)
         VALUES ($1, $2, now(), now() + interval '2 days')",
    )
    .bind(held)
    .bind(case)
    .execute(&owner)
    .await
    .unwrap();
    let counts = |id: i64| {
        let owner = owner.clone();
        async move {
            sqlx::query_as::<_, (i32, i32, i32)>(
                "SELECT beds, occupied, held FROM ward WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&owner)
            .await
            .unwrap()
        }
    };
    let open_hold = || {
        let owner = owner.clone();
        async move {
            sqlx::query_scalar::<_, Option<String>>(
                "SELECT release_reason FROM bed_hold WHERE case_id = $1",
            )
            .bind(case)
            .fetch_one(&owner)
            .await
            .unwrap()
        }
    };
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let place = |ward: i64| ("/cases/OT-3578-2026-000003/placement", ward.to_string());

    // The other ward is full: the person waits, the held bed stays theirs.
    let (beds, _, _) = counts(placed).await;
    sqlx::query("UPDATE ward SET occupied = $2 WHERE id = $1")
        .bind(placed)
        .bind(beds)
        .execute(&owner)
        .await
        .unwrap();
    let (uri, ward) = place(placed);
    let full = co.post(uri, &[("ward_id", &ward)]).await;
    assert_eq!(full.status, StatusCode::SEE_OTHER, "{}", full.body);
    let waiting: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM waiting_list WHERE case_id = $1 AND resolved_at IS NULL",
    )
    .bind(case)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(waiting, 1);
    assert_eq!(open_hold().await, None);
    assert_eq!(counts(held).await.2, 1);

    sqlx::query("UPDATE ward SET occupied = 0 WHERE id = $1")
        .bind(placed)
        .execute(&owner)
        .await
        .unwrap();
    let res = co.post(uri, &[("ward_id", &ward)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(open_hold().await.as_deref(), Some("placed"));
    assert_eq!(counts(held).await.2, 0, "the held ward's bed is free again");
    assert_eq!(counts(placed).await.1, 1);
}

/// Issue 23: people against the one need rule — the proposal's need, the wards offered
/// (needs in order, first UPT) and the escort agree. Specific-group UPTs (Bina Karya
/// Wanita, Marsudi Putra, Eks Kusta) are offered only when a recorded need says so.
#[sqlx::test]
async fn people_get_the_wards_proposal_and_escort_of_one_need_rule(owner: PgPool) {
    use simlontar::routing::{escort::escort_for, handover, propose, EscortNeed, EscortRole};
    use simlontar::routing::{Need, Route};
    load_geo(&owner).await;
    let officer = token(&owner, "co1", Role::CaseOfficer, None).await;
    let app = router(&owner).await;
    let specific = ["RSBKW-KEDIRI", "PRSMP-SURABAYA", "RSEK-TUBAN"];
    type Row = (
        i16,
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
        Need,
        Option<EscortRole>,
    );
    let people: [Row; 8] = [
        // A child found in Surabaya: child wards, never Marsudi Putra though it is nearest.
        (
            12,
            "male",
            &[],
            &["child", "homeless"],
            Need::Child,
            Some(EscortRole::SocialWorker),
        ),
        // A woman with no other need: the transit ward, never Bina Karya Wanita.
        (30, "female", &[], &["homeless"], Need::Homeless, None),
        // A pregnant woman: Bina Karya Wanita first.
        (
            25,
            "female",
            &["pregnant"],
            &["women", "homeless"],
            Need::Women,
            Some(EscortRole::Tksk),
        ),
        // An adult marked `child`: the age decides, for all three.
        (30, "male", &["child"], &["homeless"], Need::Homeless, None),
        // Youth: the transit ward, then Bina Remaja.
        (
            20,
            "female",
            &[],
            &["homeless", "youth"],
            Need::Homeless,
            None,
        ),
        (
            3,
            "female",
            &[],
            &["toddler", "homeless"],
            Need::Toddler,
            Some(EscortRole::SocialWorker),
        ),
        (
            70,
            "male",
            &["psychosocial"],
            &["psychosocial", "elderly", "homeless"],
            Need::Psychosocial,
            Some(EscortRole::UptStaff),
        ),
        (
            45,
            "male",
            &["disability", "sick"],
            &["physical_disability", "homeless"],
            Need::PhysicalDisability,
            Some(EscortRole::Tagana),
        ),
    ];
    for (i, (age, sex, conditions, wards, need, escort)) in people.into_iter().enumerate() {
        let who = format!("{age} {sex} {conditions:?}");
        let number = format!("OT-3578-2026-{:06}", 100 + i);
        let id = unidentified(&owner, &number, sex, age, conditions).await;
        let uri = format!("/api/v1/cases/{number}/placement-candidates");
        let res = send(
            &app,
            api("GET", &uri, &officer, None, serde_json::json!({})),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let list = res.json();
        let list = list.as_array().unwrap();
        let mut offered: Vec<&str> = vec![];
        for c in list {
            let n = c["need"].as_str().unwrap();
            if !offered.contains(&n) {
                offered.push(n);
            }
        }
        assert_eq!(offered, wards, "{who}");
        let upts: Vec<&str> = list
            .iter()
            .map(|c| c["upt_code"].as_str().unwrap())
            .collect();
        for upt in specific {
            let allowed = upt == "RSBKW-KEDIRI" && conditions.contains(&"pregnant");
            assert_eq!(upts.contains(&upt), allowed, "{who}: {upts:?}");
        }
        let mut tx = owner.begin().await.unwrap();
        let f = handover::facts(&mut tx, id, crate::common::now(), chrono_tz::Asia::Jakarta)
            .await
            .unwrap();
        assert_eq!(propose(&f.facts).route, Route::Upt { need }, "{who}");
        assert_eq!(list[0]["need"], need.code(), "{who}");
        let e = escort_for(&EscortNeed::from_codes(&f.conditions, f.facts.age));
        assert_eq!(e.map(|e| e.role), escort, "{who}");
    }
}
