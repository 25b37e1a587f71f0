//! Worklists on the home page (each role's sections, within its scope), the route-decision
//! target, the waiting list for a UPT bed, a ward's decongestion list, its counts in the
//! UPT head's email, and the action recorded when an alert is acknowledged.
use axum::http::StatusCode;
use chrono::Duration;
use sqlx::PgPool;

use crate::common::{
    app_pool, case_fixture, load_geo, now, referred, router_at, settings, signed_in, user, Client,
    PASSWORD,
};
use simlontar::auth::model::Role;
use simlontar::auth::policy::CaseScope;
use simlontar::capacity::{decongest, evaluate};

/// A client signed in through an app whose clock says `at` (sessions follow that clock).
async fn client_at(owner: &PgPool, username: &str, at: chrono::DateTime<chrono::Utc>) -> Client {
    let mut c = Client::new(owner).await;
    c.router = router_at(owner, at).await;
    let res = c.sign_in(username, PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    c
}

async fn exec(owner: &PgPool, sql: &str, id: i64) {
    sqlx::query(sql).bind(id).execute(owner).await.unwrap();
}

/// Two UPTs (codes) that have wards.
async fn two_upts(owner: &PgPool) -> (String, String) {
    let upts: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT upt_code FROM ward ORDER BY upt_code LIMIT 2")
            .fetch_all(owner)
            .await
            .unwrap();
    (upts[0].clone(), upts[1].clone())
}

/// The part of the home page from a section's anchor to the next section.
fn section<'a>(body: &'a str, anchor: &str) -> &'a str {
    let at = body
        .find(&format!("id=\"{anchor}\""))
        .unwrap_or_else(|| panic!("no section {anchor}: {body}"));
    let rest = &body[at..];
    &rest[..rest[1..].find("<section").map_or(rest.len(), |e| e + 1)]
}

#[sqlx::test]
async fn a_case_waiting_past_the_route_target_is_marked_late_and_listed_first(owner: PgPool) {
    load_geo(&owner).await;
    let older = case_fixture(
        &owner,
        "OT-3578-2026-000101",
        "35.78",
        None,
        "Pak Darmo",
        None,
    )
    .await;
    let newer = case_fixture(&owner, "OT-3578-2026-000102", "35.78", None, "Bu Sri", None).await;
    exec(
        &owner,
        "UPDATE ot_case SET state = 'unidentified' WHERE id = $1",
        older,
    )
    .await;
    exec(&owner, "UPDATE ot_case SET state = 'identified', opened_at = opened_at + interval '1 hour' WHERE id = $1", newer).await;
    // Decided already (referred to a UPT): not waiting.
    let decided = case_fixture(
        &owner,
        "OT-3578-2026-000103",
        "35.78",
        None,
        "Mbah Karto",
        None,
    )
    .await;
    exec(
        &owner,
        "UPDATE ot_case SET state = 'unidentified' WHERE id = $1",
        decided,
    )
    .await;
    let (upt, _) = two_upts(&owner).await;
    referred(&owner, decided, &upt).await;

    user(&owner, "co1", Role::CaseOfficer, None).await;
    let mut co = client_at(&owner, "co1", now() + Duration::hours(2)).await;
    let page = co.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    let s = section(&page.body, "work-route");
    assert!(s.contains("Target: diputuskan dalam 3 jam"), "{s}");
    assert!(s.contains(">2</span>"), "the count: {s}");
    assert!(
        !s.contains("class=\"late\""),
        "nobody is late after 2 hours: {s}"
    );
    assert!(!s.contains("000103"), "a referred case is decided: {s}");
    // 3 h 10 min after the older intake, 2 h 10 min after the newer one.
    let mut co = client_at(&owner, "co1", now() + Duration::minutes(190)).await;
    let page = co.get("/").await;
    let s = section(&page.body, "work-route");
    assert_eq!(s.matches("class=\"late\"").count(), 1, "{s}");
    let (a, b) = (s.find("000101").unwrap(), s.find("000102").unwrap());
    assert!(a < b, "the late one first: {s}");
    assert!(s[..b].contains("Terlambat"), "{s}");
    assert!(s.contains("/cases/OT-3578-2026-000101#decide"));
    // The province figures stay, below.
    assert!(page.body.find("work-route").unwrap() < page.body.find("province-h").unwrap());
}

#[sqlx::test]
async fn each_role_sees_its_own_sections_and_empty_states(owner: PgPool) {
    load_geo(&owner).await;
    let c = case_fixture(
        &owner,
        "OT-3578-2026-000201",
        "35.78",
        None,
        "Tanpa Nama",
        None,
    )
    .await;
    let officer = user(&owner, "satpol1", Role::IntakeOfficer, Some("35.78")).await;
    sqlx::query("UPDATE intake SET officer_id = $2, stated_name = '', name_quality = 'unknown' WHERE id = (SELECT intake_id FROM ot_case WHERE id = $1)")
        .bind(c)
        .bind(officer)
        .execute(&owner)
        .await
        .unwrap();

    let mut idc = signed_in(&owner, "dp3ak1", Role::IdentityOfficer, None).await;
    let s = idc.get("/").await.body;
    let checks = section(&s, "work-identity");
    assert!(
        checks.contains("/identity/checks/new?case=OT-3578-2026-000201"),
        "{checks}"
    );
    assert!(
        !s.contains("work-route"),
        "an identity officer decides no route"
    );

    let mut desk = Client::new(&owner).await;
    desk.sign_in("satpol1", PASSWORD).await;
    let s = desk.get("/").await.body;
    let own = section(&s, "work-intakes");
    assert!(
        own.contains("/cases/OT-3578-2026-000201/correction"),
        "{own}"
    );
    assert!(
        own.contains("foto") && own.contains("nama"),
        "what is missing: {own}"
    );
    // Another regency's intake officer: nothing of Surabaya's.
    let mut other = signed_in(&owner, "satpol2", Role::IntakeOfficer, Some("35.10")).await;
    let s = other.get("/").await.body;
    let own = section(&s, "work-intakes");
    assert!(
        own.contains("Penerimaan Anda hari ini sudah lengkap") && !own.contains("000201"),
        "{own}"
    );

    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let s = co.get("/").await.body;
    for (anchor, empty) in [
        ("work-refusals", "Tidak ada penolakan yang terbuka."),
        (
            "work-handovers",
            "Semua pemberitahuan serah terima sudah ditanggapi.",
        ),
        (
            "work-alerts",
            "Tidak ada peringatan kapasitas yang terbuka.",
        ),
        ("work-waiting", "Tidak ada yang menunggu tempat tidur UPT."),
    ] {
        let sec = section(&s, anchor);
        assert!(sec.contains(empty) && sec.contains(">0</span>"), "{sec}");
    }
}

#[sqlx::test]
async fn upt_staff_see_only_their_upts_waiting_list(owner: PgPool) {
    load_geo(&owner).await;
    let (a, b) = two_upts(&owner).await;
    let ca = case_fixture(
        &owner,
        "OT-3578-2026-000301",
        "35.78",
        None,
        "Waiting Anna",
        None,
    )
    .await;
    let cb = case_fixture(
        &owner,
        "OT-3578-2026-000302",
        "35.78",
        None,
        "Waiting Bella",
        None,
    )
    .await;
    referred(&owner, ca, &a).await;
    referred(&owner, cb, &b).await;

    let mut ua = signed_in(&owner, "upta", Role::UptStaff, Some(&a)).await;
    let home = ua.get("/").await.body;
    let s = section(&home, "work-waiting");
    assert!(
        s.contains("Waiting Anna") && !s.contains("Waiting Bella"),
        "{s}"
    );
    assert!(s.contains(">1</span>"), "{s}");
    let list = ua.get("/waiting-list").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Waiting Anna") && !list.body.contains("Waiting Bella"));
    assert!(list.body.contains("/cases/OT-3578-2026-000301#placement"));
    // A filter for another UPT does not widen a UPT's own list.
    let forced = ua.get(&format!("/waiting-list?upt={b}")).await.body;
    assert!(!forced.contains("Waiting Bella"));

    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let home = co.get("/").await.body;
    let s = section(&home, "work-waiting");
    assert!(
        s.contains("Waiting Anna") && s.contains("Waiting Bella") && s.contains(">2</span>"),
        "{s}"
    );
    let all = co.get("/waiting-list").await.body;
    assert!(all.contains("Waiting Anna") && all.contains("Waiting Bella"));
    let only_b = co.get(&format!("/waiting-list?upt={b}")).await.body;
    assert!(!only_b.contains("Waiting Anna") && only_b.contains("Waiting Bella"));
    // A filter naming no UPT lists everyone rather than nobody.
    let unknown = co.get("/waiting-list?upt=NOPE").await.body;
    assert!(unknown.contains("Waiting Anna") && unknown.contains("Waiting Bella"));

    let mut desk = signed_in(&owner, "satpol1", Role::IntakeOfficer, Some("35.78")).await;
    assert_eq!(
        desk.get("/waiting-list").await.status,
        StatusCode::FORBIDDEN
    );
}

/// A hand-over notice for case `id` to `office` (a regency code), sent at `now()`.
async fn notice(owner: &PgPool, id: i64, office: &str) {
    let plan: i64 = sqlx::query_scalar(
        "INSERT INTO transport_plan (case_id, created_at, state, legs, total_minutes, total_fare_idr, receiving_office)
         VALUES ($1, $2, 'accepted', '[]', 60, 0, 'Dinas Sosial') RETURNING id",
    )
    .bind(id)
    .bind(now())
    .fetch_one(owner)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO handover_notice (plan_id, case_id, office, office_code, to_address, token_sha256, sent_at, expires_at)
         VALUES ($1, $2, 'Dinas Sosial ' || $3, $3, 'dinsos@example.org', sha256($3::bytea || $2::text::bytea), $4, $4 + interval '14 days')",
    )
    .bind(plan)
    .bind(id)
    .bind(office)
    .bind(now())
    .execute(owner)
    .await
    .unwrap();
}

#[sqlx::test]
async fn a_regency_officer_sees_only_the_people_coming_to_their_regency(owner: PgPool) {
    load_geo(&owner).await;
    let home = case_fixture(
        &owner,
        "OT-3578-2026-000401",
        "35.78",
        Some("35.10"),
        "Cak Banyu",
        None,
    )
    .await;
    let away = case_fixture(
        &owner,
        "OT-3578-2026-000402",
        "35.78",
        Some("35.07"),
        "Cak Malang",
        None,
    )
    .await;
    notice(&owner, home, "35.10").await;
    notice(&owner, away, "35.07").await;
    exec(
        &owner,
        "UPDATE ot_case SET state = 'routed_home' WHERE id = $1",
        home,
    )
    .await;
    exec(
        &owner,
        "UPDATE ot_case SET state = 'routed_home' WHERE id = $1",
        away,
    )
    .await;

    let mut o = signed_in(&owner, "bwi", Role::RegencyOfficer, Some("35.10")).await;
    let body = o.get("/").await.body;
    let s = section(&body, "work-incoming");
    assert!(
        s.contains("Cak Banyu") && s.contains("/incoming/OT-3578-2026-000401"),
        "{s}"
    );
    assert!(
        !body.contains("Cak Malang") && !body.contains("000402"),
        "{s}"
    );

    // The case officer sees both notices waiting, since when.
    user(&owner, "co1", Role::CaseOfficer, None).await;
    let mut co = client_at(&owner, "co1", now() + Duration::hours(30)).await;
    let body = co.get("/").await.body;
    let s = section(&body, "work-handovers");
    assert!(
        s.contains("000401") && s.contains("000402") && s.contains(">2</span>"),
        "{s}"
    );
    // Past the escalation period (24 h): late.
    assert_eq!(s.matches("class=\"late\"").count(), 2, "{s}");
}

#[sqlx::test]
async fn a_refusal_waits_for_the_case_officer_until_something_is_decided(owner: PgPool) {
    load_geo(&owner).await;
    let c = case_fixture(
        &owner,
        "OT-3578-2026-000501",
        "35.78",
        Some("35.10"),
        "Pak Refused",
        None,
    )
    .await;
    sqlx::query("INSERT INTO case_event (case_id, at, kind, reason, detail) VALUES ($1, $2, 'refused', 'keluarga menolak', '{\"by\": \"family\"}')")
        .bind(c)
        .bind(now())
        .execute(&owner)
        .await
        .unwrap();
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let body = co.get("/").await.body;
    let s = section(&body, "work-refusals");
    assert!(
        s.contains("Ditolak keluarga") && s.contains("#refusal"),
        "{s}"
    );
    sqlx::query("INSERT INTO case_event (case_id, at, kind, reason) VALUES ($1, $2, 'route_decided', 'UPT')")
        .bind(c)
        .bind(now() + Duration::minutes(5))
        .execute(&owner)
        .await
        .unwrap();
    let mut co = client_at(&owner, "co1", now() + Duration::minutes(10)).await;
    let body = co.get("/").await.body;
    assert!(!section(&body, "work-refusals").contains("000501"));
}

/// A ward of five beds (elderly women) and around it: R1 with a known home (could go
/// home), R2 without a home for 400 days (long stay, not home), R3 without a home for a
/// month (on no list), W1 waiting for an elderly woman's bed (fits another UPT with
/// beds), W2 a man waiting (not for this ward). Returns (ward, upt).
pub(crate) async fn crowded_ward(owner: &PgPool) -> (i64, String) {
    let (ward, upt): (i64, String) = sqlx::query_as(
        "UPDATE ward SET beds = 5 WHERE id = (SELECT id FROM ward WHERE need_code = 'elderly' AND sex = 'female' ORDER BY id LIMIT 1) RETURNING id, upt_code",
    )
    .fetch_one(owner)
    .await
    .unwrap();
    let place = |case: i64, days: i64| async move {
        sqlx::query("INSERT INTO placement (case_id, ward_id, started_at) VALUES ($1, $2, $3)")
            .bind(case)
            .bind(ward)
            .bind(now() - Duration::days(days))
            .execute(owner)
            .await
            .unwrap();
    };
    let r1 = case_fixture(
        owner,
        "OT-3578-2026-000601",
        "35.78",
        Some("35.10"),
        "Resident Homeward",
        None,
    )
    .await;
    place(r1, 20).await;
    let r2 = case_fixture(
        owner,
        "OT-3578-2026-000602",
        "35.78",
        None,
        "Resident Longstay",
        None,
    )
    .await;
    place(r2, 400).await;
    let r3 = case_fixture(
        owner,
        "OT-3578-2026-000603",
        "35.78",
        None,
        "Resident Nobody",
        None,
    )
    .await;
    place(r3, 30).await;
    for (i, days) in [(4, 60), (5, 2)] {
        let r = case_fixture(
            owner,
            &format!("OT-3578-2026-00060{i}"),
            "35.78",
            None,
            "Resident Filler",
            None,
        )
        .await;
        place(r, days).await;
    }
    let w1 = case_fixture(
        owner,
        "OT-3578-2026-000611",
        "35.78",
        None,
        "Waiting Fits",
        None,
    )
    .await;
    let w2 = case_fixture(
        owner,
        "OT-3578-2026-000612",
        "35.78",
        None,
        "Waiting Man",
        None,
    )
    .await;
    sqlx::query("UPDATE intake SET estimated_age = 72, conditions = '{elderly}' WHERE id IN (SELECT intake_id FROM ot_case WHERE id = ANY($1))")
        .bind(vec![w1, w2])
        .execute(owner)
        .await
        .unwrap();
    exec(
        owner,
        "UPDATE intake SET sex = 'male' WHERE id = (SELECT intake_id FROM ot_case WHERE id = $1)",
        w2,
    )
    .await;
    for (case, sex) in [(w1, "female"), (w2, "male")] {
        sqlx::query("INSERT INTO waiting_list (case_id, need_code, sex, since) VALUES ($1, 'elderly', $2, $3)")
            .bind(case)
            .bind(sex)
            .bind(now() - Duration::days(1))
            .execute(owner)
            .await
            .unwrap();
    }
    (ward, upt)
}

#[sqlx::test]
async fn a_crowded_wards_decongestion_list_holds_each_kind_and_no_one_else(owner: PgPool) {
    load_geo(&owner).await;
    let (ward, upt) = crowded_ward(&owner).await;
    let pool = app_pool(&owner).await;
    let mut tx = CaseScope::system(now()).begin(&pool).await.unwrap();
    let list = decongest::for_ward(&mut tx, ward, now(), settings().time_zone)
        .await
        .unwrap();
    let names = |v: Vec<&str>| v.join(",");
    assert_eq!(
        names(list.go_home.iter().map(|r| r.name.as_str()).collect()),
        "Resident Homeward"
    );
    assert!(list.go_home[0].home_known);
    assert_eq!(
        names(list.long_stay.iter().map(|r| r.name.as_str()).collect()),
        "Resident Longstay"
    );
    assert_eq!(
        names(list.elsewhere.iter().map(|r| r.name.as_str()).collect()),
        "Waiting Fits"
    );
    let w = &list.elsewhere[0];
    assert!(w.free > 0 && w.distance_km <= decongest::NEARBY_KM, "{w:?}");
    let other_upt: String = sqlx::query_scalar("SELECT upt_code FROM ward WHERE id = $1")
        .bind(w.ward_id)
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_ne!(other_upt, upt, "another UPT");
    let all = format!("{list:?}");
    assert!(
        !all.contains("Resident Nobody") && !all.contains("Waiting Man"),
        "{all}"
    );

    // Once the resident's plan home exists, they are no longer on the list.
    let r1: i64 = sqlx::query_scalar("SELECT id FROM ot_case WHERE number = 'OT-3578-2026-000601'")
        .fetch_one(&owner)
        .await
        .unwrap();
    sqlx::query("INSERT INTO transport_plan (case_id, created_at, state, legs, total_minutes, total_fare_idr, receiving_office) VALUES ($1, $2, 'proposed', '[]', 60, 0, 'Dinsos')")
        .bind(r1)
        .bind(now())
        .execute(&owner)
        .await
        .unwrap();
    let list = decongest::for_ward(&mut tx, ward, now(), settings().time_zone)
        .await
        .unwrap();
    assert!(list.go_home.is_empty(), "{list:?}");
}

#[sqlx::test]
async fn the_upt_heads_alert_email_counts_the_list_and_links_it_without_names(owner: PgPool) {
    load_geo(&owner).await;
    let (_, upt) = crowded_ward(&owner).await;
    sqlx::query("INSERT INTO office (upt_code, name, email, changed_at) VALUES ($1, 'Kepala UPT', 'kepala@upt.example.org', $2)")
        .bind(&upt)
        .bind(now())
        .execute(&owner)
        .await
        .unwrap();
    evaluate::run(&app_pool(&owner).await, &settings(), None, now())
        .await
        .unwrap();
    let (text, html): (String, String) = sqlx::query_as(
        "SELECT body_text, body_html FROM email_outbox WHERE to_address = 'kepala@upt.example.org'",
    )
    .fetch_one(&owner)
    .await
    .unwrap();
    let alert: i64 = sqlx::query_scalar(
        "SELECT id FROM capacity_alert WHERE upt_code = $1 AND level = 'full' AND resolved_at IS NULL",
    )
    .bind(&upt)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert!(
        text.contains("1 bisa pulang sekarang, 1 tinggal lebih dari setahun, 1 menunggu dan cocok di UPT lain"),
        "{text}"
    );
    assert!(
        text.contains(&format!("/capacity/alerts/{alert}")),
        "{text}"
    );
    for body in [&text, &html] {
        assert!(
            !body.contains("Resident") && !body.contains("Waiting") && !body.contains("OT-3578"),
            "no names or numbers: {body}"
        );
    }
}

#[sqlx::test]
async fn the_alert_page_lists_the_people_and_the_acknowledgement_requires_an_action(owner: PgPool) {
    load_geo(&owner).await;
    let (_, upt) = crowded_ward(&owner).await;
    evaluate::run(&app_pool(&owner).await, &settings(), None, now())
        .await
        .unwrap();
    let id: i64 = sqlx::query_scalar(
        "SELECT id FROM capacity_alert WHERE upt_code = $1 AND level = 'full' AND resolved_at IS NULL",
    )
    .bind(&upt)
    .fetch_one(&owner)
    .await
    .unwrap();
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let page = co.get(&format!("/capacity/alerts/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for name in ["Resident Homeward", "Resident Longstay", "Waiting Fits"] {
        assert!(page.body.contains(name), "{name}: {}", page.body);
    }
    assert!(!page.body.contains("Resident Nobody"));
    assert!(
        page.body.contains("/cases/OT-3578-2026-000601#decide"),
        "the go-home item leads to the route decision"
    );
    // The home page's worklist carries the alert with its counts.
    let home = co.get("/").await.body;
    let s = section(&home, "work-alerts");
    assert!(
        s.contains(&format!("/capacity/alerts/{id}")) && s.contains("1 bisa pulang sekarang"),
        "{s}"
    );

    // Staff of another UPT see the alert, not the people.
    let (a, b) = two_upts(&owner).await;
    let other = if a == upt { b } else { a };
    let mut stranger = signed_in(&owner, "other", Role::UptStaff, Some(&other)).await;
    let seen = stranger.get(&format!("/capacity/alerts/{id}")).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(
        !seen.body.contains("Resident Homeward") && seen.body.contains("hanya untuk petugas kasus")
    );
    // The ward's own staff see them, and the alert on their home page.
    let mut own = signed_in(&owner, "own", Role::UptStaff, Some(&upt)).await;
    assert!(own
        .get(&format!("/capacity/alerts/{id}"))
        .await
        .body
        .contains("Resident Homeward"));
    assert!(section(&own.get("/").await.body, "work-alerts")
        .contains(&format!("/capacity/alerts/{id}")));

    // No action chosen: refused in Indonesian beside the field, the note kept.
    let refused = co
        .post(
            &format!("/capacity/alerts/{id}/ack"),
            &[("note", "dua orang dijadwalkan pulang")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Pilih tindakan yang diambil"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("dua orang dijadwalkan pulang"));
    let unknown = co
        .post(
            &format!("/capacity/alerts/{id}/ack"),
            &[("action", "prayed")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let acked: Option<String> =
        sqlx::query_scalar("SELECT ack_action FROM capacity_alert WHERE id = $1")
            .bind(id)
            .fetch_one(&owner)
            .await
            .unwrap();
    assert_eq!(acked, None, "nothing recorded by a refused form");

    let ok = co
        .post(
            &format!("/capacity/alerts/{id}/ack"),
            &[
                ("action", "sent_home"),
                ("note", "dua orang dijadwalkan pulang"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let (action, note): (Option<String>, String) =
        sqlx::query_as("SELECT ack_action, ack_note FROM capacity_alert WHERE id = $1")
            .bind(id)
            .fetch_one(&owner)
            .await
            .unwrap();
    assert_eq!(
        (action.as_deref(), note.as_str()),
        (Some("sent_home"), "dua orang dijadwalkan pulang")
    );
    assert_eq!(ok.location(), format!("/capacity/alerts/{id}?done=ack"));
    let shown = co.get(ok.location()).await.body;
    assert!(shown.contains("Tersimpan: tanggapan"), "the confirmation");
    assert!(shown.contains("Warga dipulangkan") && shown.contains("dua orang dijadwalkan pulang"));
    assert!(!shown.contains("name=\"action\""), "no second form");
    let twice = co
        .post(
            &format!("/capacity/alerts/{id}/ack"),
            &[("action", "watching")],
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
}
