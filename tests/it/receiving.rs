//! The receiving office as a user: a regency officer sees who is coming on a
//! need-to-know card and answers (accept, decline with a reason, another date, collect
//! at Balai PRS PMKS Sidoarjo, received), each confirmed and audited, and reaches only
//! the hand-overs to its own regency.
use axum::http::StatusCode;
use sqlx::PgPool;

use crate::common::{load_geo, signed_in, Client};
use crate::handover::{
    home_in_banyuwangi, identified, plan_state, routed_home_with_link, state_of,
};
use simlontar::auth::model::Role;

/// A case routed home to Banyuwangi (psychosocial: with an escort); its link's token.
async fn coming(owner: &PgPool, co: &mut Client, n: &str) -> (i64, String) {
    load_geo(owner).await;
    let id = identified(owner, n, None, "35", &["psychosocial"]).await;
    home_in_banyuwangi(owner, id).await;
    let token = routed_home_with_link(owner, co, n).await;
    (id, token)
}

async fn responses(owner: &PgPool, id: i64) -> Vec<(String, Option<i64>)> {
    sqlx::query_as("SELECT kind, by_user FROM handover_response WHERE case_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(owner)
        .await
        .unwrap()
}

/// The emails queued for the province desk about the office's answers: (subject, text).
async fn desk_mails(owner: &PgPool) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT subject, body_text FROM email_outbox WHERE dedupe_key LIKE 'office-answer:%' ORDER BY id",
    )
    .fetch_all(owner)
    .await
    .unwrap()
}

async fn audited(owner: &PgPool, action: &str, n: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1 AND entity_id = $2")
        .bind(action)
        .bind(n)
        .fetch_one(owner)
        .await
        .unwrap()
}

#[sqlx::test]
async fn the_office_sees_the_card_and_accepts_with_a_confirmation(owner: PgPool) {
    let n = "OT-3578-2026-000201";
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let (id, _) = coming(&owner, &mut co, n).await;
    let mut office = signed_in(&owner, "bwi1", Role::RegencyOfficer, Some("35.10")).await;
    let list = office.get("/incoming").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body.contains("Siti Aminah")
            && list.body.contains(n)
            && list.body.contains("Menunggu jawaban Anda"),
        "{}",
        list.body
    );
    let card = office.get(&format!("/incoming/{n}")).await;
    assert_eq!(card.status, StatusCode::OK, "{}", card.body);
    for said in [
        "Siti Aminah",
        "Perempuan",
        "Disabilitas mental (ODGJ)",
        "Petugas UPT",
        "menunggu jadwal keberangkatan",
        "Petugas kasus:",
        "desk@",
    ] {
        assert!(card.body.contains(said), "{said}: {}", card.body);
    }
    for code in ["psychosocial", ">female<", "upt_staff"] {
        assert!(!card.body.contains(code), "{code}: {}", card.body);
    }
    assert_eq!(audited(&owner, "read_card", n).await, 1);

    // Without the tick nothing is saved, and the tick's error is beside it.
    let unticked = office
        .post(&format!("/incoming/{n}"), &[("action", "accept")])
        .await;
    assert_eq!(
        unticked.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unticked.body
    );
    assert!(
        unticked.body.contains("confirm-accept-error")
            && unticked.body.contains("centang pernyataan"),
        "{}",
        unticked.body
    );
    assert!(responses(&owner, id).await.is_empty());
    office.get(&format!("/incoming/{n}")).await;
    let ok = office
        .post(
            &format!("/incoming/{n}"),
            &[("action", "accept"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let done = office.get(&format!("/incoming/{n}?done=accept")).await;
    assert!(
        done.body
            .contains("Tersimpan: kantor Anda bersedia menerima")
            && done.body.contains("bersedia menerima sejak"),
        "{}",
        done.body
    );
    // Again: nothing more.
    office
        .post(
            &format!("/incoming/{n}"),
            &[("action", "accept"), ("confirm", "yes")],
        )
        .await;
    let r = responses(&owner, id).await;
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, "accepted");
    assert!(r[0].1.is_some());
    // Each press is on record; the second changed nothing.
    assert_eq!(audited(&owner, "handover_accept", n).await, 2);
    let acknowledged: bool = sqlx::query_scalar("SELECT acknowledged_at IS NOT NULL AND accepted_at IS NOT NULL FROM handover_notice WHERE case_id = $1")
        .bind(id)
        .fetch_one(&owner)
        .await
        .unwrap();
    assert!(acknowledged);
    let plan = co.get(&format!("/cases/{n}/plan")).await;
    assert!(
        plan.body.contains("Kantor penerima bersedia menerima"),
        "{}",
        plan.body
    );
}

#[sqlx::test]
async fn a_decline_needs_a_reason_and_becomes_a_refusal(owner: PgPool) {
    let n = "OT-3578-2026-000202";
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let (id, _) = coming(&owner, &mut co, n).await;
    let mut office = signed_in(&owner, "bwi1", Role::RegencyOfficer, Some("35.10")).await;
    office.get(&format!("/incoming/{n}")).await;
    let short = office
        .post(
            &format!("/incoming/{n}"),
            &[
                ("action", "decline"),
                ("reason", "tidak"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(
        short.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        short.body
    );
    assert!(
        short.body.contains("reason-error") && short.body.contains(r#"value="tidak""#),
        "{}",
        short.body
    );
    assert_eq!(plan_state(&owner, id).await, "accepted");
    office.get(&format!("/incoming/{n}")).await;
    let ok = office
        .post(
            &format!("/incoming/{n}"),
            &[
                ("action", "decline"),
                ("reason", "keluarga tidak ditemukan di alamat itu"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(plan_state(&owner, id).await, "cancelled");
    let (by, office_code): (String, String) = sqlx::query_as(
        "SELECT detail ->> 'by', detail ->> 'office_code' FROM case_event WHERE case_id = $1 AND kind = 'refused'",
    )
    .bind(id)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!((by.as_str(), office_code.as_str()), ("government", "35.10"));
    assert_eq!(responses(&owner, id).await[0].0, "declined");
    // The province desk is told, with the reason; a refused short reason told nobody.
    let mails = desk_mails(&owner).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0].0.contains(n)
            && mails[0].1.contains("Menolak menerima warga")
            && mails[0]
                .1
                .contains("keluarga tidak ditemukan di alamat itu")
            && !mails[0].1.contains("Siti"),
        "{mails:?}"
    );
    // The hand-over is no longer the office's.
    assert_eq!(
        office.get(&format!("/incoming/{n}")).await.status,
        StatusCode::NOT_FOUND
    );
    let list = office.get("/incoming?done=decline").await;
    assert!(
        !list.body.contains(n) && list.body.contains("penolakan diteruskan"),
        "{}",
        list.body
    );
}

#[sqlx::test]
async fn another_date_is_recorded_and_shown_to_the_case_officer(owner: PgPool) {
    let n = "OT-3578-2026-000203";
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let (id, token) = coming(&owner, &mut co, n).await;
    // Through the notice's link this time: the same card, the same answers.
    let mut link = Client::new(&owner).await;
    let page = link.get(&format!("/handover/{token}")).await;
    assert!(
        page.body.contains("Siti Aminah") && page.body.contains("Usulkan tanggal lain"),
        "{}",
        page.body
    );
    let past = link
        .post(
            &format!("/handover/{token}"),
            &[
                ("action", "another_date"),
                ("date", "2026-11-01"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(
        past.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        past.body
    );
    assert!(
        past.body.contains("date-error") && past.body.contains(r#"value="2026-11-01""#),
        "{}",
        past.body
    );
    let ok = link
        .post(
            &format!("/handover/{token}"),
            &[
                ("action", "another_date"),
                ("date", "2026-11-27"),
                ("note", "kepala dinas di luar kota"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let r = responses(&owner, id).await;
    assert_eq!(r, vec![("another_date".to_string(), None)]);
    let mails = desk_mails(&owner).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0].1.contains("27-11-2026")
            && mails[0].1.contains("kepala dinas di luar kota")
            && mails[0].1.contains(&format!("/cases/{n}/plan"))
            && !mails[0].1.contains("Siti"),
        "{mails:?}"
    );
    let plan = co.get(&format!("/cases/{n}/plan")).await;
    assert!(
        plan.body.contains("mengusulkan tanggal 27-11-2026")
            && plan.body.contains("kepala dinas di luar kota"),
        "{}",
        plan.body
    );
    assert_eq!(state_of(&owner, id).await, "routed_home");
}

#[sqlx::test]
async fn collecting_at_sidoarjo_ends_the_plan_there(owner: PgPool) {
    let n = "OT-3578-2026-000204";
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let (id, _) = coming(&owner, &mut co, n).await;
    let mut office = signed_in(&owner, "bwi1", Role::RegencyOfficer, Some("35.10")).await;
    office.get(&format!("/incoming/{n}")).await;
    let ok = office
        .post(
            &format!("/incoming/{n}"),
            &[("action", "collect"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let (plan, total, collect): (serde_json::Value, i32, Option<String>) = sqlx::query_as(
        "SELECT t.plan, t.total_minutes, n.collect_upt FROM transport_plan t JOIN handover_notice n ON n.plan_id = t.id WHERE t.case_id = $1",
    )
    .bind(id)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(collect.as_deref(), Some("BALAI-PMKS-SIDOARJO"));
    let legs = plan["legs"].as_array().unwrap();
    assert_eq!(legs.len(), 1);
    assert_eq!(legs[0]["to_code"], "BALAI-PMKS-SIDOARJO");
    assert_eq!(legs[0]["minutes"].as_i64(), Some(total as i64));
    assert!(
        plan["handover"]["at"]
            .as_str()
            .unwrap()
            .contains("Sidoarjo"),
        "{plan}"
    );
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM plan_change WHERE case_id = $1")
        .bind(id)
        .fetch_all(&owner)
        .await
        .unwrap();
    assert_eq!(kinds, ["collect"]);
    let mails = desk_mails(&owner).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].1.contains("Balai PRS PMKS Sidoarjo"), "{mails:?}");
    let card = office.get(&format!("/incoming/{n}?done=collect")).await;
    assert!(
        card.body
            .contains("menjemput warga di Balai PRS PMKS Sidoarjo")
            && !card.body.contains(r#"value="collect""#),
        "{}",
        card.body
    );
}

#[sqlx::test]
async fn only_the_receiving_office_may_answer_and_receive(owner: PgPool) {
    let n = "OT-3578-2026-000205";
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let (id, token) = coming(&owner, &mut co, n).await;
    // Another regency's officer: the case does not exist for them, read or answer.
    let mut malang = signed_in(&owner, "mlg1", Role::RegencyOfficer, Some("35.07")).await;
    assert_eq!(
        malang.get(&format!("/incoming/{n}")).await.status,
        StatusCode::NOT_FOUND
    );
    let res = malang
        .post(
            &format!("/incoming/{n}"),
            &[("action", "accept"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.body);
    let list = malang.get("/incoming").await;
    assert!(!list.body.contains(n), "{}", list.body);
    // Nor can it open the person through the case pages.
    assert_eq!(
        malang.get(&format!("/cases/{n}")).await.status,
        StatusCode::FORBIDDEN
    );
    // The regency's read-only viewer sees the case but cannot act for the office.
    let mut viewer = signed_in(&owner, "rv1", Role::RegencyViewer, Some("35.10")).await;
    let res = viewer
        .post(
            &format!("/incoming/{n}"),
            &[("action", "accept"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(responses(&owner, id).await.is_empty());
    // A second case's link opens no photo of the first.
    let n2 = "OT-3578-2026-000206";
    let id2 = identified(&owner, n2, None, "35", &[]).await;
    home_in_banyuwangi(&owner, id2).await;
    let token2 = routed_home_with_link(&owner, &mut co, n2).await;
    assert_ne!(token, token2);
    let photo: i64 = sqlx::query_scalar(
        "INSERT INTO intake_photo (intake_id, sha256, content_type, bytes)
         SELECT intake_id, sha256('x'::bytea), 'image/jpeg', '\\xffd8ff'::bytea FROM ot_case WHERE id = $1 RETURNING id",
    )
    .bind(id)
    .fetch_one(&owner)
    .await
    .unwrap();
    let mut link = Client::new(&owner).await;
    assert_eq!(
        link.get(&format!("/handover/{token2}/photos/{photo}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        link.get(&format!("/handover/{token}/photos/{photo}"))
            .await
            .status,
        StatusCode::OK
    );

    // "Received" by the signed-in officer waits for the departure, then names the receiver.
    let mut office = signed_in(&owner, "bwi1", Role::RegencyOfficer, Some("35.10")).await;
    office.get(&format!("/incoming/{n}")).await;
    let received = [
        ("action", "received"),
        ("receiver_name", "Bambang Sutrisno"),
        ("receiver_ref", "198001012005011001"),
        ("confirm", "yes"),
    ];
    let early = office.post(&format!("/incoming/{n}"), &received).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert!(
        early.body.contains("keberangkatan belum dicatat"),
        "{}",
        early.body
    );
    co.get(&format!("/cases/{n}/plan")).await;
    co.post(
        &format!("/cases/{n}/departure"),
        &[
            ("date", "2026-11-24"),
            ("time", "08:00"),
            ("escort_name", "Rina Wulandari"),
        ],
    )
    .await;
    co.get(&format!("/cases/{n}/plan")).await;
    let dep = co
        .post(&format!("/cases/{n}/depart"), &[("confirm", "yes")])
        .await;
    assert_eq!(dep.status, StatusCode::SEE_OTHER, "{}", dep.body);
    let card = office.get(&format!("/incoming/{n}")).await;
    assert!(
        card.body.contains("Rina Wulandari") && card.body.contains(r#"value="received""#),
        "{}",
        card.body
    );
    let unticked = office
        .post(
            &format!("/incoming/{n}"),
            &[
                ("action", "received"),
                ("receiver_name", "Bambang Sutrisno"),
                ("receiver_ref", "1980"),
            ],
        )
        .await;
    assert_eq!(
        unticked.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unticked.body
    );
    assert!(
        unticked.body.contains(r#"value="Bambang Sutrisno""#),
        "{}",
        unticked.body
    );
    office.get(&format!("/incoming/{n}")).await;
    let got = office.post(&format!("/incoming/{n}"), &received).await;
    assert_eq!(got.status, StatusCode::SEE_OTHER, "{}", got.body);
    assert_eq!(state_of(&owner, id).await, "handed_over");
    let (by, user): (String, Option<i64>) = sqlx::query_as(
        "SELECT received_by, received_by_user FROM handover_notice WHERE case_id = $1",
    )
    .bind(id)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(by, "Bambang Sutrisno");
    assert!(user.is_some());
    assert_eq!(audited(&owner, "handover_received", n).await, 1);
}

async fn api_call(
    owner: &PgPool,
    method: &str,
    uri: &str,
    token: &str,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let res = crate::common::call(owner, crate::common::api(method, uri, token, None, body)).await;
    let json = serde_json::from_str(&res.body).unwrap_or(serde_json::Value::Null);
    (res.status, json)
}

/// The route decision, the departure and the office's answers through the API, for a
/// regency's own system: the same rules as the pages, errors with field paths, retries
/// that change nothing.
#[sqlx::test]
async fn the_api_decides_schedules_and_the_office_answers(owner: PgPool) {
    load_geo(&owner).await;
    let n = "OT-3578-2026-000207";
    let id = identified(&owner, n, None, "35", &["psychosocial"]).await;
    home_in_banyuwangi(&owner, id).await;
    let co = crate::common::token(&owner, "co.api", Role::CaseOfficer, None).await;
    let bwi = crate::common::token(&owner, "bwi.api", Role::RegencyOfficer, Some("35.10")).await;
    let mlg = crate::common::token(&owner, "mlg.api", Role::RegencyOfficer, Some("35.07")).await;
    let viewer = crate::common::token(&owner, "rv.api", Role::RegencyViewer, Some("35.10")).await;
    let uri = |op: &str| format!("/api/v1/cases/{n}/{op}");

    let (s, body) = api_call(
        &owner,
        "POST",
        &uri("route"),
        &co,
        serde_json::json!({"choice": "nowhere"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "choice");
    let (s, _) = api_call(
        &owner,
        "POST",
        &uri("route"),
        &bwi,
        serde_json::json!({"choice": "home"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = api_call(
        &owner,
        "POST",
        &uri("route"),
        &co,
        serde_json::json!({"choice": "home"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body["plan_id"].as_i64().is_some());
    // A retried decision does not make a second plan.
    let (s, _) = api_call(
        &owner,
        "POST",
        &uri("route"),
        &co,
        serde_json::json!({"choice": "home"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);

    let (s, body) = api_call(
        &owner,
        "PUT",
        &uri("departure"),
        &co,
        serde_json::json!({"date": "24-11", "time": "08:00"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["date", "escort_name"]);
    let ok =
        serde_json::json!({"date": "2026-11-24", "time": "08:00", "escort_name": "Rina Wulandari"});
    let (s, first) = api_call(&owner, "PUT", &uri("departure"), &co, ok.clone()).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert!(first["expected_arrival"].as_str().is_some(), "{first}");
    let (_, again) = api_call(&owner, "PUT", &uri("departure"), &co, ok).await;
    assert_eq!(again["change_id"], first["change_id"]);

    // The office: another regency's is told the case does not exist; a viewer may not act.
    let (s, _) = api_call(
        &owner,
        "POST",
        &uri("handover"),
        &mlg,
        serde_json::json!({"action": "accept"}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = api_call(
        &owner,
        "POST",
        &uri("handover"),
        &viewer,
        serde_json::json!({"action": "accept"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = api_call(
        &owner,
        "POST",
        &uri("handover"),
        &bwi,
        serde_json::json!({"action": "another_date", "date": "kemarin"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "date");
    for _ in 0..2 {
        let (s, body) = api_call(
            &owner,
            "POST",
            &uri("handover"),
            &bwi,
            serde_json::json!({"action": "accept"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }
    assert_eq!(responses(&owner, id).await.len(), 1);
    let (s, body) = api_call(&owner, "POST", &uri("handover"), &bwi, serde_json::json!({"action": "received", "receiver_name": "Bambang", "receiver_ref": "kakak", "confirmed": true})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");

    let (s, _) = api_call(
        &owner,
        "POST",
        &uri("depart"),
        &co,
        serde_json::json!({"departed": true}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = api_call(
        &owner,
        "POST",
        &uri("depart"),
        &co,
        serde_json::json!({"departed": true}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, body) = api_call(&owner, "POST", &uri("handover"), &bwi, serde_json::json!({"action": "received", "receiver_name": "Bambang Sutrisno", "receiver_ref": "kakak kandung"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "confirm");
    let received = serde_json::json!({"action": "received", "receiver_name": "Bambang Sutrisno", "receiver_ref": "kakak kandung", "confirmed": true});
    for _ in 0..2 {
        let (s, body) = api_call(&owner, "POST", &uri("handover"), &bwi, received.clone()).await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }
    assert_eq!(state_of(&owner, id).await, "handed_over");
    let (s, plan) = api_call(&owner, "GET", &uri("plan"), &co, serde_json::json!(null)).await;
    assert_eq!(s, StatusCode::OK, "{plan}");
    assert_eq!(
        (plan["state"].as_str(), plan["escort_name"].as_str()),
        (Some("handed_over"), Some("Rina Wulandari"))
    );
}
