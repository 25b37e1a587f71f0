//! Tasks of a case for a regency office: the follow-ups made with "received" (due 30 and
//! 90 local days later), their outcomes (events, audit, what next), the family tracing of
//! an unidentified resident given to an office or a TKSK, a family found feeding the
//! proposal's home, the nightly re-match's candidates on the task, and every refusal.
use axum::http::StatusCode;
use chrono::{NaiveDate, TimeZone, Utc};
use sqlx::PgPool;

use crate::common::{api, app_pool, call, load_geo, now, signed_in, token, Client};
use crate::handover::{home_in_banyuwangi, identified, routed_home_with_link, state_of};
use simlontar::auth::model::{Grant, Principal, Role};
use simlontar::auth::policy::CaseScope;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A person routed home to Banyuwangi and on the way (departure recorded).
async fn on_the_way(owner: &PgPool, co: &mut Client, n: &str) -> (i64, String) {
    load_geo(owner).await;
    let id = identified(owner, n, None, "35", &[]).await;
    home_in_banyuwangi(owner, id).await;
    let token = routed_home_with_link(owner, co, n).await;
    co.get(&format!("/cases/{n}")).await;
    let dep = co
        .post(&format!("/cases/{n}/depart"), &[("confirm", "yes")])
        .await;
    assert_eq!(dep.status, StatusCode::SEE_OTHER, "{}", dep.body);
    (id, token)
}

/// The Banyuwangi officer receives the person on their card.
async fn received(office: &mut Client, n: &str) {
    office.get(&format!("/incoming/{n}")).await;
    let got = office
        .post(
            &format!("/incoming/{n}"),
            &[
                ("action", "received"),
                ("receiver_name", "Bambang Sutrisno"),
                ("receiver_ref", "198001012005011001"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(got.status, StatusCode::SEE_OTHER, "{}", got.body);
}

async fn tasks_of(owner: &PgPool, id: i64) -> Vec<(i64, String, String, NaiveDate)> {
    sqlx::query_as(
        "SELECT id, kind, office_code, due_on FROM case_task WHERE case_id = $1 ORDER BY due_on",
    )
    .bind(id)
    .fetch_all(owner)
    .await
    .unwrap()
}

async fn count(owner: &PgPool, sql: &str, n: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(n)
        .fetch_one(owner)
        .await
        .unwrap()
}

fn officer(user_id: i64, region: &str) -> Principal {
    Principal {
        user_id,
        username: "bwi1".into(),
        display_name: "Petugas Banyuwangi".into(),
        grants: vec![Grant::new(Role::RegencyOfficer, Some(region.into())).unwrap()],
        via_token: false,
    }
}

#[sqlx::test]
async fn received_gives_the_office_follow_ups_due_30_and_90_days_later(owner: PgPool) {
    let n = "OT-3578-2026-000301";
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let (id, _) = on_the_way(&owner, &mut co, n).await;
    assert!(tasks_of(&owner, id).await.is_empty());
    let mut office = signed_in(&owner, "bwi1", Role::RegencyOfficer, Some("35.10")).await;
    received(&mut office, n).await;
    assert_eq!(state_of(&owner, id).await, "handed_over");
    // The clock says 2026-11-23 10:00 WIB.
    let t = tasks_of(&owner, id).await;
    let got: Vec<(&str, &str, NaiveDate)> = t
        .iter()
        .map(|(_, k, o, due)| (k.as_str(), o.as_str(), *due))
        .collect();
    assert_eq!(
        got,
        [
            ("follow_up_30", "35.10", d(2026, 12, 23)),
            ("follow_up_90", "35.10", d(2027, 2, 21))
        ]
    );
    // The office's list and navigation show them, in words.
    let list = office.get("/tasks").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    for said in [
        "Kunjungan lanjutan 30 hari",
        "Kunjungan lanjutan 90 hari",
        "Siti Aminah",
        "23-12-2026",
        r#"href="/tasks""#,
    ] {
        assert!(list.body.contains(said), "{said}: {}", list.body);
    }
    assert!(!list.body.contains("follow_up_30"), "{}", list.body);
    // The worklist function: the same two, open, not overdue today; overdue a day later.
    let uid: i64 = sqlx::query_scalar("SELECT id FROM app_user WHERE username = 'bwi1'")
        .fetch_one(&owner)
        .await
        .unwrap();
    let p = officer(uid, "35.10");
    let pool = app_pool(&owner).await;
    let mut tx = CaseScope::of(&p, now()).begin(&pool).await.unwrap();
    let open = simlontar::tasks::store::open_for(&mut tx, &p, now())
        .await
        .unwrap();
    assert_eq!(open.len(), 2);
    assert!(open.iter().all(|t| !t.overdue && t.case_number == n));
    assert_eq!(open[0].href, format!("/tasks/{}", t[0].0));
    // 24-12-2026 00:00 WIB is 23-12 17:00 UTC: the 30-day visit is late from then.
    let late = Utc.with_ymd_and_hms(2026, 12, 23, 17, 0, 0).unwrap();
    let open = simlontar::tasks::store::open_for(&mut tx, &p, late)
        .await
        .unwrap();
    assert_eq!(
        open.iter().map(|t| t.overdue).collect::<Vec<_>>(),
        [true, false]
    );
    let just_before = Utc.with_ymd_and_hms(2026, 12, 23, 16, 59, 59).unwrap();
    let open = simlontar::tasks::store::open_for(&mut tx, &p, just_before)
        .await
        .unwrap();
    assert!(!open[0].overdue);
    tx.rollback().await.unwrap();
    // Another office's officer has none; other roles have none.
    let malang = officer(uid, "35.07");
    let mut tx = CaseScope::of(&malang, now()).begin(&pool).await.unwrap();
    assert!(simlontar::tasks::store::open_for(&mut tx, &malang, now())
        .await
        .unwrap()
        .is_empty());
}

#[sqlx::test]
async fn a_hand_over_just_after_midnight_wib_counts_from_that_wib_day(owner: PgPool) {
    let n = "OT-3578-2026-000302";
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let (id, _) = on_the_way(&owner, &mut co, n).await;
    let notice: i64 = sqlx::query_scalar("SELECT id FROM handover_notice WHERE case_id = $1")
        .bind(id)
        .fetch_one(&owner)
        .await
        .unwrap();
    // 2026-11-23 17:30 UTC is 00:30 on the 24th in WIB (UTC's date is still the 23rd).
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 17, 30, 0).unwrap();
    let pool = app_pool(&owner).await;
    let mut tx = CaseScope::system(at).begin(&pool).await.unwrap();
    let receiver = simlontar::routing::handover::Receiver {
        name: "Sumiati".into(),
        reference: "kakak kandung".into(),
        confirmed: true,
    };
    simlontar::routing::handover::confirm(
        &mut tx,
        notice,
        "received",
        &receiver,
        simlontar_templates::Lang::Id,
        (at, chrono_tz::Asia::Jakarta),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let due: Vec<NaiveDate> = tasks_of(&owner, id).await.iter().map(|t| t.3).collect();
    assert_eq!(due, [d(2026, 12, 24), d(2027, 2, 22)]);
    let due_by: chrono::DateTime<Utc> = sqlx::query_scalar(
        "SELECT due_by FROM case_task WHERE case_id = $1 AND kind = 'follow_up_30'",
    )
    .bind(id)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(
        due_by,
        Utc.with_ymd_and_hms(2026, 12, 24, 17, 0, 0).unwrap()
    );
}

#[sqlx::test]
async fn an_outcome_is_an_audited_case_event_and_back_on_the_street_says_what_next(owner: PgPool) {
    let n = "OT-3578-2026-000303";
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let (id, _) = on_the_way(&owner, &mut co, n).await;
    let mut office = signed_in(&owner, "bwi1", Role::RegencyOfficer, Some("35.10")).await;
    received(&mut office, n).await;
    let task = tasks_of(&owner, id).await[0].0;
    let url = format!("/tasks/{task}");
    let page = office.get(&url).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for said in [
        "Kembali hidup di jalan",
        "Tinggal bersama keluarga",
        "Tanggal kunjungan atau kontak",
        "Siti Aminah",
    ] {
        assert!(page.body.contains(said), "{said}: {}", page.body);
    }
    let ok = office
        .post(
            &url,
            &[
                ("outcome", "back_on_street"),
                ("contacted_on", "2026-11-23"),
                ("note", "tetangga melihatnya di pasar"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let done = office.get(&format!("{url}?done=recorded")).await;
    for said in [
        "Tersimpan: hasil tugas dicatat",
        "Kembali hidup di jalan",
        "Langkah berikutnya",
        "Satpol PP",
        "tetangga melihatnya di pasar",
    ] {
        assert!(done.body.contains(said), "{said}: {}", done.body);
    }
    assert!(!done.body.contains(r#"name="outcome""#), "{}", done.body);
    let (kind, reason): (String, String) = sqlx::query_as(
        "SELECT kind, reason FROM case_event WHERE case_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(
        (kind.as_str(), reason.as_str()),
        ("follow_up_recorded", "back_on_street")
    );
    assert_eq!(
        count(
            &owner,
            "SELECT count(*) FROM audit_log WHERE action = 'task_outcome' AND entity_id = $1",
            n
        )
        .await,
        1
    );
    // The case page shows the tasks and the outcome, in words.
    let case = co.get(&format!("/cases/{n}")).await;
    for said in [
        "Tugas lanjutan",
        "Kunjungan lanjutan 30 hari",
        "Kembali hidup di jalan",
        "Hasil kunjungan lanjutan dicatat",
        "Belum dikerjakan",
    ] {
        assert!(case.body.contains(said), "{said}: {}", case.body);
    }
    assert!(!case.body.contains("back_on_street"), "{}", case.body);
    // Recorded once: a second answer is refused and changes nothing.
    office.get(&url).await;
    let again = office
        .post(
            &url,
            &[("outcome", "with_family"), ("contacted_on", "2026-11-23")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let outcome: String = sqlx::query_scalar("SELECT outcome FROM case_task WHERE id = $1")
        .bind(task)
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(outcome, "back_on_street");
}

#[sqlx::test]
async fn a_bad_outcome_is_refused_in_indonesian_keeping_what_was_typed(owner: PgPool) {
    let n = "OT-3578-2026-000304";
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let (id, _) = on_the_way(&owner, &mut co, n).await;
    let mut office = signed_in(&owner, "bwi1", Role::RegencyOfficer, Some("35.10")).await;
    received(&mut office, n).await;
    let task = tasks_of(&owner, id).await[0].0;
    let url = format!("/tasks/{task}");
    office.get(&url).await;
    let missing = office
        .post(
            &url,
            &[("contacted_on", "2026-11-23"), ("note", "rumahnya kosong")],
        )
        .await;
    assert_eq!(
        missing.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        missing.body
    );
    assert!(
        missing.body.contains("pilih hasilnya dari daftar")
            && missing.body.contains("rumahnya kosong")
            && missing.body.contains(r#"value="2026-11-23""#),
        "{}",
        missing.body
    );
    let future = office
        .post(
            &url,
            &[("outcome", "working"), ("contacted_on", "2026-11-24")],
        )
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        future.body.contains("tidak boleh setelah hari ini")
            && future.body.contains(r#"value="working" checked"#),
        "{}",
        future.body
    );
    let before = office
        .post(
            &url,
            &[("outcome", "working"), ("contacted_on", "2026-10-01")],
        )
        .await;
    assert!(
        before.body.contains("sebelum tugas ini diberikan"),
        "{}",
        before.body
    );
    let garbled = office
        .post(
            &url,
            &[("outcome", "family_found"), ("contacted_on", "kemarin")],
        )
        .await;
    assert!(
        garbled.body.contains("pilih hasilnya dari daftar")
            && garbled.body.contains("isi tanggal kunjungan"),
        "{}",
        garbled.body
    );
    let answered: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM case_task WHERE case_id = $1 AND answered_at IS NOT NULL",
    )
    .bind(id)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(answered, 0);
}

#[sqlx::test]
async fn another_office_neither_sees_nor_answers_the_task(owner: PgPool) {
    let n = "OT-3578-2026-000305";
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let (id, _) = on_the_way(&owner, &mut co, n).await;
    let mut office = signed_in(&owner, "bwi1", Role::RegencyOfficer, Some("35.10")).await;
    received(&mut office, n).await;
    let task = tasks_of(&owner, id).await[0].0;
    let mut malang = signed_in(&owner, "mlg1", Role::RegencyOfficer, Some("35.07")).await;
    let list = malang.get("/tasks").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        !list.body.contains(n) && list.body.contains("Tidak ada tugas"),
        "{}",
        list.body
    );
    assert_eq!(
        malang.get(&format!("/tasks/{task}")).await.status,
        StatusCode::NOT_FOUND
    );
    let post = malang
        .post(
            &format!("/tasks/{task}"),
            &[("outcome", "working"), ("contacted_on", "2026-11-23")],
        )
        .await;
    assert_eq!(post.status, StatusCode::NOT_FOUND, "{}", post.body);
    assert_eq!(
        malang.get("/tasks/999999").await.status,
        StatusCode::NOT_FOUND
    );
    // A case officer has no office tasks to answer.
    assert_eq!(co.get("/tasks").await.status, StatusCode::FORBIDDEN);
    let answered: Option<String> =
        sqlx::query_scalar("SELECT outcome FROM case_task WHERE id = $1")
            .bind(task)
            .fetch_one(&owner)
            .await
            .unwrap();
    assert_eq!(answered, None);
}

/// An unidentified resident of a UPT (no NIK, no match), picked up in Surabaya.
async fn unidentified(owner: &PgPool, n: &str) -> i64 {
    load_geo(owner).await;
    let id = crate::shelter::unidentified(owner, n, "male", 50, &[]).await;
    sqlx::query(
        "UPDATE intake SET stated_name = 'Pak Slamet', stated_home = 'katanya dari dekat pantai selatan'
          WHERE id = (SELECT intake_id FROM ot_case WHERE id = $1)",
    )
    .bind(id)
    .execute(owner)
    .await
    .unwrap();
    id
}

const KNOWN: &str = "Ditemukan di Terminal Purabaya; bercerita tentang pelabuhan Pancer";

#[sqlx::test]
async fn tracing_is_given_to_an_office_or_a_tksk_and_refused_without_what_it_needs(owner: PgPool) {
    let n = "OT-3578-2026-000306";
    let id = unidentified(&owner, n).await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let case = co.get(&format!("/cases/{n}")).await;
    assert!(
        case.body.contains("Beri tugas penelusuran keluarga")
            && case.body.contains(&format!("/cases/{n}/tracing")),
        "{}",
        case.body
    );
    let form = co.get(&format!("/cases/{n}/tracing")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("Kabupaten Banyuwangi")
            && form.body.contains(r#"value="2026-12-07""#)
            && !form.body.contains(">35.10<"),
        "{}",
        form.body
    );
    let url = format!("/cases/{n}/tracing");
    // An office not on the list, a TKSK's missing phone and unknown subdistrict, a past
    // due date: each said beside its field, everything typed kept.
    let bad = co
        .post(
            &url,
            &[
                ("to", "tksk"),
                ("office", "99.99"),
                ("tksk_name", "Mulyono"),
                ("tksk_phone", ""),
                ("tksk_district", "Atlantis"),
                ("due_on", "2026-11-01"),
                ("known", KNOWN),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    for said in [
        "kantor ini tidak ada dalam daftar",
        "nomor telepon TKSK",
        "tidak boleh sebelum hari ini",
        "Mulyono",
        "Atlantis",
        "Terminal Purabaya",
    ] {
        assert!(bad.body.contains(said), "{said}: {}", bad.body);
    }
    let nowhere = co
        .post(
            &url,
            &[
                ("to", "tksk"),
                ("office", "35.10"),
                ("tksk_name", "Mulyono"),
                ("tksk_phone", "0812 3456 7890"),
                ("tksk_district", "Atlantis"),
                ("due_on", "2026-12-07"),
                ("known", KNOWN),
            ],
        )
        .await;
    assert!(
        nowhere
            .body
            .contains("kecamatan ini tidak ditemukan di Kabupaten Banyuwangi"),
        "{}",
        nowhere.body
    );
    let no_known = co
        .post(
            &url,
            &[
                ("to", "office"),
                ("office", "35.10"),
                ("due_on", "2026-12-07"),
            ],
        )
        .await;
    assert!(
        no_known.body.contains("tuliskan apa yang sudah diketahui"),
        "{}",
        no_known.body
    );
    let none: i64 = sqlx::query_scalar("SELECT count(*) FROM case_task WHERE case_id = $1")
        .bind(id)
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(none, 0);

    // A TKSK in Banyuwangi's subdistrict (picked by name): the office sees it.
    let district: String = sqlx::query_scalar(
        "SELECT name FROM district WHERE region_code = '35.10' ORDER BY code LIMIT 1",
    )
    .fetch_one(&owner)
    .await
    .unwrap();
    let ok = co
        .post(
            &url,
            &[
                ("to", "tksk"),
                ("office", "35.10"),
                ("tksk_name", "Mulyono"),
                ("tksk_phone", "0812 3456 7890"),
                ("tksk_district", &district.to_lowercase()),
                ("due_on", "2026-12-07"),
                ("known", KNOWN),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let case = co.get(&format!("/cases/{n}?done=tracing")).await;
    assert!(
        case.body.contains("tugas penelusuran keluarga diberikan")
            && case.body.contains("TKSK Mulyono")
            && case.body.contains("Tugas penelusuran keluarga diberikan"),
        "{}",
        case.body
    );
    assert_eq!(
        count(
            &owner,
            "SELECT count(*) FROM audit_log WHERE action = 'tracing_assigned' AND entity_id = $1",
            n
        )
        .await,
        1
    );
    let mut office = signed_in(&owner, "bwi1", Role::RegencyOfficer, Some("35.10")).await;
    let list = office.get("/tasks").await;
    assert!(
        list.body.contains("Penelusuran keluarga") && list.body.contains("Pak Slamet"),
        "{}",
        list.body
    );
    let task = tasks_of(&owner, id).await[0].0;
    let page = office.get(&format!("/tasks/{task}")).await;
    for said in [
        "Terminal Purabaya",
        "Mulyono",
        "0812 3456 7890",
        &format!("Kec. {district}"),
        "pantai selatan",
        "Keluarga ditemukan",
    ] {
        assert!(page.body.contains(said), "{said}: {}", page.body);
    }
    let mut malang = signed_in(&owner, "mlg1", Role::RegencyOfficer, Some("35.07")).await;
    assert_eq!(
        malang.get(&format!("/tasks/{task}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Not the office's to see otherwise: the case itself stays out of its scope.
    assert_eq!(
        office.get(&format!("/cases/{n}")).await.status,
        StatusCode::FORBIDDEN
    );

    // An identified person is not traced.
    sqlx::query("UPDATE ot_case SET state = 'identified' WHERE id = $1")
        .bind(id)
        .execute(&owner)
        .await
        .unwrap();
    sqlx::query("UPDATE intake SET nik = '3510011505760001' WHERE id = (SELECT intake_id FROM ot_case WHERE id = $1)")
        .bind(id)
        .execute(&owner)
        .await
        .unwrap();
    let refused = co.get(&url).await;
    assert!(
        refused
            .body
            .contains("hanya untuk warga yang belum dikenal")
            && !refused.body.contains(r#"name="known""#),
        "{}",
        refused.body
    );
    let post = co
        .post(
            &url,
            &[
                ("to", "office"),
                ("office", "35.10"),
                ("due_on", "2026-12-07"),
                ("known", KNOWN),
            ],
        )
        .await;
    assert_eq!(post.status, StatusCode::CONFLICT, "{}", post.body);
    // Nor by those who may not give tasks.
    let mut intake = signed_in(&owner, "sby1", Role::IntakeOfficer, Some("35.78")).await;
    assert_eq!(intake.get(&url).await.status, StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn a_family_found_by_tracing_feeds_the_proposal_home_with_its_source(owner: PgPool) {
    let n = "OT-3578-2026-000307";
    let id = unidentified(&owner, n).await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    co.get(&format!("/cases/{n}/tracing")).await;
    let ok = co
        .post(
            &format!("/cases/{n}/tracing"),
            &[
                ("to", "office"),
                ("office", "35.10"),
                ("due_on", "2026-12-07"),
                ("known", KNOWN),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let bearer = token(&owner, "co.api", Role::CaseOfficer, None).await;
    let proposal = |owner: PgPool, bearer: String| async move {
        let res = call(
            &owner,
            api(
                "GET",
                &format!("/api/v1/cases/{n}/proposal"),
                &bearer,
                None,
                serde_json::json!(null),
            ),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        serde_json::from_str::<serde_json::Value>(&res.body).unwrap()
    };
    assert_eq!(
        proposal(owner.clone(), bearer.clone()).await["route"],
        "upt"
    );

    let (village, village_name): (String, String) = sqlx::query_as(
        "SELECT v.code, v.name FROM village v WHERE v.code LIKE '35.10.%' AND v.centroid IS NOT NULL
          ORDER BY v.code LIMIT 1",
    )
    .fetch_one(&owner)
    .await
    .unwrap();
    let task = tasks_of(&owner, id).await[0].0;
    let url = format!("/tasks/{task}");
    let mut office = signed_in(&owner, "bwi1", Role::RegencyOfficer, Some("35.10")).await;
    office.get(&url).await;
    let found = [
        ("outcome", "family_found"),
        ("contacted_on", "2026-11-23"),
        ("family_address", "Dusun Krajan RT 02 RW 01"),
        ("note", "adiknya mengenali dari foto"),
    ];
    let no_address = office
        .post(
            &url,
            &[("outcome", "family_found"), ("contacted_on", "2026-11-23")],
        )
        .await;
    assert!(
        no_address.body.contains("tuliskan alamat keluarga")
            && no_address.body.contains("tuliskan desa/kelurahan keluarga"),
        "{}",
        no_address.body
    );
    let mut typed = found.to_vec();
    typed.push(("family_village", &village_name));
    let choose = office.post(&url, &typed).await;
    assert_eq!(
        choose.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        choose.body
    );
    assert!(
        choose.body.contains("pilih desa keluarga dari daftar")
            && choose.body.contains(&format!(r#"value="{village}""#))
            && choose.body.contains("Dusun Krajan RT 02 RW 01"),
        "{}",
        choose.body
    );
    let mut picked = typed.clone();
    picked.push(("family_village_code", &village));
    let ok = office.post(&url, &picked).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let kind: String = sqlx::query_scalar(
        "SELECT kind FROM case_event WHERE case_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(kind, "tracing_recorded");

    let p = proposal(owner.clone(), bearer).await;
    assert_eq!(p["route"], "home", "{p}");
    assert_eq!(p["home"]["code"], village.as_str(), "{p}");
    assert_eq!(p["home"]["source"], "tracing", "{p}");
    // The case page says where the home came from, in words.
    let case = co.get(&format!("/cases/{n}")).await;
    assert!(
        case.body.contains("Alamat keluarga dari penelusuran")
            && case.body.contains("Keluarga ditemukan"),
        "{}",
        case.body
    );
}

#[sqlx::test]
async fn the_nightly_rematch_candidates_appear_on_the_tracing_task(owner: PgPool) {
    let n = "OT-3578-2026-000308";
    let id = unidentified(&owner, n).await;
    let earlier =
        crate::common::case_fixture(&owner, "OT-3578-2025-000090", "35.78", None, "Slamet", None)
            .await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    co.get(&format!("/cases/{n}/tracing")).await;
    co.post(
        &format!("/cases/{n}/tracing"),
        &[
            ("to", "office"),
            ("office", "35.10"),
            ("due_on", "2026-12-07"),
            ("known", KNOWN),
        ],
    )
    .await;
    let case = co.get(&format!("/cases/{n}")).await;
    assert!(
        !case.body.contains("Kecocokan baru dari pencocokan malam"),
        "{}",
        case.body
    );
    // The night's re-match finds an earlier pick-up that may be the same man.
    sqlx::query(
        "INSERT INTO record_link (left_kind, left_id, right_kind, right_id, state, probability, created_at)
         SELECT 'intake', least(a.intake_id, b.intake_id), 'intake', greatest(a.intake_id, b.intake_id),
                'candidate', 0.72, $3
           FROM ot_case a, ot_case b WHERE a.id = $1 AND b.id = $2",
    )
    .bind(id)
    .bind(earlier)
    .bind(now() + chrono::Duration::hours(15))
    .execute(&owner)
    .await
    .unwrap();
    let case = co.get(&format!("/cases/{n}")).await;
    assert!(
        case.body.contains("Kecocokan baru dari pencocokan malam")
            && case.body.contains("OT-3578-2025-000090 (72%)")
            && case.body.contains(r#"href="/identity/review""#),
        "{}",
        case.body
    );
    // The office tracing him does not review links: it is not shown there.
    let task = tasks_of(&owner, id).await[0].0;
    let mut office = signed_in(&owner, "bwi1", Role::RegencyOfficer, Some("35.10")).await;
    let page = office.get(&format!("/tasks/{task}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Kecocokan baru"), "{}", page.body);
}
