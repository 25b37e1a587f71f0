//! Referrals to a UPT, and the facts behind a case's state. UPT staff hold a bed only for a
//! person referred to their UPT; every other number gets one and the same answer, and a
//! hold opens no case. No change of state, through the state machine or straight in the
//! database, puts a case into a state whose facts do not exist.
use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use crate::common::{api, case_fixture, load_geo, now, router, send, signed_in, token, Client};
use crate::shelter::unidentified;
use simlontar::auth::model::Role;

const UPT: &str = "PSTW-MAGETAN";
const WARD: &str = "PSTW-MAGETAN-L";
const OTHER_UPT: &str = "RSBL-PASURUAN";
const OTHER_WARD: &str = "RSBL-PASURUAN-L";

fn number(i: u32) -> String {
    format!("OT-3578-2026-{i:06}")
}

async fn ward_id(owner: &PgPool, code: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM ward WHERE code = $1")
        .bind(code)
        .fetch_one(owner)
        .await
        .unwrap()
}

async fn state_of(owner: &PgPool, n: &str) -> String {
    sqlx::query_scalar("SELECT state FROM ot_case WHERE number = $1")
        .bind(n)
        .fetch_one(owner)
        .await
        .unwrap()
}

async fn count(owner: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(owner).await.unwrap()
}

/// Closes a case straight in the database (no facts needed to close an unplaced case).
async fn close(owner: &PgPool, n: &str) {
    sqlx::query(
        "UPDATE ot_case SET state = 'closed', closed_at = $2, close_reason = 'duplicate'
          WHERE number = $1",
    )
    .bind(n)
    .bind(now())
    .execute(owner)
    .await
    .unwrap();
}

/// A move asked of the API.
fn move_to(token: &str, n: &str, to: &str) -> axum::http::Request<axum::body::Body> {
    api(
        "POST",
        &format!("/api/v1/cases/{n}/events"),
        token,
        None,
        json!({"to": to, "reason": "by hand"}),
    )
}

/// An elderly man with no known home, ready for a UPT (the proposal is a UPT).
async fn elderly(owner: &PgPool, i: u32) -> String {
    unidentified(owner, &number(i), "male", 70, &["elderly"]).await;
    number(i)
}

/// The case officer's route decision: a UPT, this one.
async fn refer(co: &mut Client, n: &str, upt: &str) -> crate::common::Res {
    co.get(&format!("/cases/{n}")).await;
    co.post(
        &format!("/cases/{n}/route"),
        &[("choice", "upt"), ("upt", upt)],
    )
    .await
}

async fn hold(c: &mut Client, upt: &str, n: &str, ward: i64) -> crate::common::Res {
    c.get(&format!("/capacity/upt/{upt}")).await;
    c.post(
        &format!("/capacity/upt/{upt}/holds"),
        &[
            ("case_number", n),
            ("ward_id", &ward.to_string()),
            ("hours", "24"),
        ],
    )
    .await
}

/// The attack: UPT staff typed case numbers into the hold form. A number never
/// referred to their UPT — unknown, outside their scope, closed, placed elsewhere, or
/// referred to another UPT — gets the same page, holds nothing and opens nothing.
#[sqlx::test]
async fn upt_staff_get_one_answer_for_every_number_not_referred_to_their_upt(owner: PgPool) {
    load_geo(&owner).await;
    let ward = ward_id(&owner, WARD).await;
    let open = elderly(&owner, 1).await;
    let closed = elderly(&owner, 2).await;
    close(&owner, &closed).await;
    let placed = elderly(&owner, 3).await;
    let elsewhere = elderly(&owner, 4).await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let officer = token(&owner, "co.api", Role::CaseOfficer, None).await;
    let res = send(
        &router(&owner).await,
        api(
            "POST",
            &format!("/api/v1/cases/{placed}/placement"),
            &officer,
            None,
            json!({"ward_id": ward_id(&owner, OTHER_WARD).await}),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let res = refer(&mut co, &elsewhere, OTHER_UPT).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let unknown = number(999_999);

    let mut staff = signed_in(&owner, "staf.magetan", Role::UptStaff, Some(UPT)).await;
    let mut answers = vec![];
    for n in [&unknown, &open, &closed, &placed, &elsewhere] {
        let res = hold(&mut staff, UPT, n, ward).await;
        answers.push((n.clone(), res.status, res.body.replace(n.as_str(), "#")));
        assert_eq!(
            staff.get(&format!("/cases/{n}")).await.status,
            StatusCode::NOT_FOUND,
            "{n} stays outside the UPT's scope"
        );
    }
    assert_eq!(
        answers[0].1,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answers[0].2
    );
    for (n, status, body) in &answers[1..] {
        assert_eq!(
            (*status, body),
            (answers[0].1, &answers[0].2),
            "{n} is answered as an unknown number"
        );
    }
    assert_eq!(count(&owner, "SELECT count(*) FROM bed_hold").await, 0);
    let held: i32 = sqlx::query_scalar("SELECT held FROM ward WHERE id = $1")
        .bind(ward)
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(held, 0);
}

/// The officer refers a person to a UPT: that UPT's staff see the case and hold a bed for
/// them, another UPT's staff neither; once placed, the referral is done and the stay
/// keeps the case open to the UPT.
#[sqlx::test]
async fn a_referral_lets_its_upt_and_no_other_hold_a_bed_until_the_person_is_placed(owner: PgPool) {
    load_geo(&owner).await;
    let ward = ward_id(&owner, WARD).await;
    let n = elderly(&owner, 1).await;
    let page = format!("/cases/{n}");
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let mut staff = signed_in(&owner, "staf.magetan", Role::UptStaff, Some(UPT)).await;
    let mut other = signed_in(&owner, "staf.pasuruan", Role::UptStaff, Some(OTHER_UPT)).await;
    assert_eq!(staff.get(&page).await.status, StatusCode::NOT_FOUND);

    let res = refer(&mut co, &n, UPT).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let (upt, by): (String, Option<i64>) = sqlx::query_as(
        "SELECT r.upt_code, r.referred_by FROM referral r JOIN ot_case c ON c.id = r.case_id
          WHERE c.number = $1 AND r.ended_at IS NULL",
    )
    .bind(&n)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(upt, UPT);
    assert!(by.is_some());
    assert!(co.get(&page).await.body.contains("Dirujuk ke"));

    assert_eq!(staff.get(&page).await.status, StatusCode::OK);
    assert_eq!(other.get(&page).await.status, StatusCode::NOT_FOUND);
    let other_ward = ward_id(&owner, OTHER_WARD).await;
    let res = hold(&mut other, OTHER_UPT, &n, other_ward).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = hold(&mut staff, UPT, &n, ward).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(count(&owner, "SELECT count(*) FROM bed_hold").await, 1);

    // The person arrives and is admitted by the UPT's staff.
    staff.get(&page).await;
    let res = staff
        .post(
            &format!("/cases/{n}/placement"),
            &[("ward_id", &ward.to_string())],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(state_of(&owner, &n).await, "placed");
    let reason: Option<String> =
        sqlx::query_scalar("SELECT end_reason FROM referral ORDER BY id DESC LIMIT 1")
            .fetch_one(&owner)
            .await
            .unwrap();
    assert_eq!(reason.as_deref(), Some("placed"));
    assert_eq!(staff.get(&page).await.status, StatusCode::OK);
}

/// A case officer may still hold a bed anywhere for an open, unplaced case: the hold
/// refers the person there, so the UPT's staff can admit them, and moves a referral
/// made to another UPT.
#[sqlx::test]
async fn a_case_officer_s_hold_refers_the_person_to_that_upt(owner: PgPool) {
    load_geo(&owner).await;
    let n = elderly(&owner, 1).await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let res = refer(&mut co, &n, OTHER_UPT).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = hold(&mut co, UPT, &n, ward_id(&owner, WARD).await).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let open: Vec<String> =
        sqlx::query_scalar("SELECT upt_code FROM referral WHERE ended_at IS NULL ORDER BY id")
            .fetch_all(&owner)
            .await
            .unwrap();
    assert_eq!(open, vec![UPT.to_string()]);
    let mut staff = signed_in(&owner, "staf.magetan", Role::UptStaff, Some(UPT)).await;
    let mut other = signed_in(&owner, "staf.pasuruan", Role::UptStaff, Some(OTHER_UPT)).await;
    assert_eq!(
        staff.get(&format!("/cases/{n}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        other.get(&format!("/cases/{n}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Closed and placed cases are still refused to the officer, by name.
    let closed = elderly(&owner, 2).await;
    close(&owner, &closed).await;
    let res = hold(&mut co, UPT, &closed, ward_id(&owner, WARD).await).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("sudah ditutup"), "{}", res.body);
}

/// A route decision on a finished case changes nothing: it is refused under the case's lock.
#[sqlx::test]
async fn a_route_decision_on_a_finished_case_is_refused(owner: PgPool) {
    load_geo(&owner).await;
    let n = elderly(&owner, 1).await;
    close(&owner, &n).await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let res = refer(&mut co, &n, UPT).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    assert_eq!(
        count(
            &owner,
            "SELECT count(*) FROM case_event WHERE kind = 'route_decided'"
        )
        .await,
        0
    );
}

/// The second step: a move asked of the API into a state whose facts do not
/// exist is refused (409) and changes nothing, whoever asks.
#[sqlx::test]
async fn a_raw_move_into_a_state_without_its_facts_is_refused(owner: PgPool) {
    load_geo(&owner).await;
    let r = router(&owner).await;
    let officer = token(&owner, "co.api", Role::CaseOfficer, None).await;
    let staff = token(&owner, "upt.api", Role::UptStaff, Some(UPT)).await;
    let n = elderly(&owner, 1).await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    refer(&mut co, &n, UPT).await;
    // Unidentified: placed needs an open placement, whoever asks.
    for who in [&officer, &staff] {
        let res = send(&r, move_to(who, &n, "placed")).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
        assert!(res.json()["message"]
            .as_str()
            .unwrap()
            .contains("placement"));
    }
    assert_eq!(state_of(&owner, &n).await, "unidentified");

    // Identified: routed_home needs a live transport plan.
    sqlx::query("UPDATE ot_case SET state = 'identified' WHERE number = $1")
        .bind(&n)
        .execute(&owner)
        .await
        .unwrap();
    let res = send(&r, move_to(&officer, &n, "routed_home")).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    assert_eq!(state_of(&owner, &n).await, "identified");

    // Placed for real; then discharged and closed need the bed given back first.
    let res = send(
        &r,
        api(
            "POST",
            &format!("/api/v1/cases/{n}/placement"),
            &officer,
            None,
            json!({"ward_id": ward_id(&owner, WARD).await}),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    for (who, to) in [
        (&officer, "discharged"),
        (&staff, "discharged"),
        (&officer, "closed"),
    ] {
        let res = send(&r, move_to(who, &n, to)).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{to}: {}", res.body);
    }
    assert_eq!(state_of(&owner, &n).await, "placed");
    assert_eq!(
        count(
            &owner,
            "SELECT count(*) FROM placement WHERE ended_at IS NULL"
        )
        .await,
        1
    );
}

/// Routed home for real: in transit needs a recorded departure, handed over a hand-over.
#[sqlx::test]
async fn a_raw_move_cannot_skip_departure_or_hand_over(owner: PgPool) {
    load_geo(&owner).await;
    let r = router(&owner).await;
    let officer = token(&owner, "co.api", Role::CaseOfficer, None).await;
    let n = number(1);
    let id = case_fixture(
        &owner,
        &n,
        "35.78",
        Some("35.10"),
        "Siti",
        Some("3510014107800002"),
    )
    .await;
    sqlx::query("UPDATE ot_case SET state = 'identified' WHERE id = $1")
        .bind(id)
        .execute(&owner)
        .await
        .unwrap();
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    co.get(&format!("/cases/{n}")).await;
    let res = co
        .post(&format!("/cases/{n}/route"), &[("choice", "home")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(state_of(&owner, &n).await, "routed_home");
    let res = send(&r, move_to(&officer, &n, "in_transit")).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    assert_eq!(state_of(&owner, &n).await, "routed_home");

    let res = co
        .post(&format!("/cases/{n}/depart"), &[("confirm", "yes")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(state_of(&owner, &n).await, "in_transit");
    let res = send(&r, move_to(&officer, &n, "handed_over")).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    assert_eq!(state_of(&owner, &n).await, "in_transit");
}

/// The net under the state machine: the database itself refuses, at commit, a case whose
/// state has no facts behind it, however the row was written.
#[sqlx::test]
async fn the_database_refuses_a_state_whose_facts_do_not_exist(owner: PgPool) {
    load_geo(&owner).await;
    let id = case_fixture(&owner, &number(1), "35.78", None, "Tanpa Nama", None).await;
    for (state, closed) in [
        ("placed", false),
        ("routed_home", false),
        ("in_transit", false),
        ("handed_over", true),
        ("discharged", true),
    ] {
        let mut tx = owner.begin().await.unwrap();
        sqlx::query(
            "UPDATE ot_case SET state = $2, closed_at = CASE WHEN $3 THEN $4 END WHERE id = $1",
        )
        .bind(id)
        .bind(state)
        .bind(closed)
        .bind(now())
        .execute(&mut *tx)
        .await
        .unwrap();
        let err = tx.commit().await.expect_err(state);
        let db = err.as_database_error().expect("a database error");
        assert_eq!(db.constraint(), Some("case_state_facts"), "{state}: {db}");
    }
    assert_eq!(state_of(&owner, &number(1)).await, "received");

    // A placement written after the state in the same transaction is enough (deferred).
    let mut tx = owner.begin().await.unwrap();
    sqlx::query("UPDATE ot_case SET state = 'placed' WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO placement (case_id, ward_id, started_at)
         SELECT $1, id, $2 FROM ward WHERE code = $3",
    )
    .bind(id)
    .bind(now())
    .bind(WARD)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(state_of(&owner, &number(1)).await, "placed");

    // A new row is held to the same rule.
    let fresh: i64 = sqlx::query_scalar(
        "INSERT INTO intake (idempotency_key, found_at, found_point, found_region_code,
                             name_quality, sex, birth_date_quality)
         SELECT gen_random_uuid(), $1, seat_point, code, 'unknown', 'male', 'unknown'
           FROM region WHERE code = '35.78' RETURNING id",
    )
    .bind(now())
    .fetch_one(&owner)
    .await
    .unwrap();
    let err = sqlx::query(
        "INSERT INTO ot_case (number, intake_id, state, opened_at, updated_at)
         VALUES ($1, $2, 'in_transit', $3, $3)",
    )
    .bind(number(3))
    .bind(fresh)
    .bind(now())
    .execute(&owner)
    .await
    .expect_err("in transit without a departure");
    assert_eq!(
        err.as_database_error().and_then(|d| d.constraint()),
        Some("case_state_facts")
    );
}

/// The same mistake as the hold, in placements: UPT staff who can see a case (a former
/// resident) took the person into their UPT without a referral, and pushed a resident
/// into another UPT's bed. They take in only people referred to them.
#[sqlx::test]
async fn upt_staff_take_in_only_people_referred_to_them(owner: PgPool) {
    load_geo(&owner).await;
    let here = ward_id(&owner, WARD).await;
    let (there, there_upt): (i64, String) = sqlx::query_as(
        "SELECT id, upt_code FROM ward WHERE need_code = 'elderly' AND sex IN ('male', 'any')
            AND upt_code <> $1 ORDER BY id LIMIT 1",
    )
    .bind(UPT)
    .fetch_one(&owner)
    .await
    .unwrap();
    let n = elderly(&owner, 1).await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    co.get(&format!("/cases/{n}")).await;
    let res = co
        .post(
            &format!("/cases/{n}/placement"),
            &[("ward_id", &here.to_string())],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = co
        .post(
            &format!("/cases/{n}/transfer"),
            &[
                ("ward_id", &there.to_string()),
                ("reason", "dekat keluarga"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    // Magetan still sees its former resident, but may not take him back unasked.
    let mut staff = signed_in(&owner, "staf.magetan", Role::UptStaff, Some(UPT)).await;
    assert_eq!(
        staff.get(&format!("/cases/{n}")).await.status,
        StatusCode::OK
    );
    let res = staff
        .post(
            &format!("/cases/{n}/transfer"),
            &[("ward_id", &here.to_string()), ("reason", "kembali")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    // His UPT may not push him into a third UPT's bed either.
    let (third, _): (i64, String) = sqlx::query_as(
        "SELECT id, upt_code FROM ward WHERE need_code = 'elderly' AND sex IN ('male', 'any')
            AND upt_code NOT IN ($1, $2) ORDER BY id LIMIT 1",
    )
    .bind(UPT)
    .bind(&there_upt)
    .fetch_one(&owner)
    .await
    .unwrap();
    let mut theirs = signed_in(&owner, "staf.there", Role::UptStaff, Some(&there_upt)).await;
    theirs.get(&format!("/cases/{n}")).await;
    let res = theirs
        .post(
            &format!("/cases/{n}/transfer"),
            &[("ward_id", &third.to_string()), ("reason", "penuh")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    let open: i64 = sqlx::query_scalar("SELECT ward_id FROM placement WHERE ended_at IS NULL")
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(open, there);

    // Referred back to Magetan by the case officer, its staff take him in.
    co.get(&format!("/cases/{n}")).await;
    let res = co
        .post(
            &format!("/cases/{n}/route"),
            &[("choice", "upt"), ("upt", UPT)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    staff.get(&format!("/cases/{n}")).await;
    let res = staff
        .post(
            &format!("/cases/{n}/transfer"),
            &[("ward_id", &here.to_string()), ("reason", "kembali")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

/// A decision sent from a page read before the person was routed home: the plan home
/// stands, so no referral is made beside it (the case is locked and compared first).
#[sqlx::test]
async fn a_upt_decision_beside_a_standing_plan_home_is_refused(owner: PgPool) {
    load_geo(&owner).await;
    let n = number(1);
    let id = case_fixture(
        &owner,
        &n,
        "35.78",
        Some("35.10"),
        "Siti",
        Some("3510014107800002"),
    )
    .await;
    sqlx::query("UPDATE ot_case SET state = 'identified' WHERE id = $1")
        .bind(id)
        .execute(&owner)
        .await
        .unwrap();
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    co.get(&format!("/cases/{n}")).await;
    let res = co
        .post(&format!("/cases/{n}/route"), &[("choice", "home")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = co
        .post(
            &format!("/cases/{n}/route"),
            &[
                ("choice", "upt"),
                ("upt", UPT),
                ("reason", "dari halaman lama"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    assert_eq!(count(&owner, "SELECT count(*) FROM referral").await, 0);
    assert_eq!(
        count(
            &owner,
            "SELECT count(*) FROM case_event WHERE kind = 'route_decided'"
        )
        .await,
        1
    );
}
