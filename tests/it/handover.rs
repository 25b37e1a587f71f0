//! Routing carried out: the officer's decision, the stored plan, the hand-over notice by
//! email (no personal data), the office's link, escalation, refusal, response times.
use axum::http::StatusCode;
use chrono::Duration;
use sqlx::PgPool;

use crate::common::{
    app_pool, case_fixture, keep_cookie, load_geo, now, router_at, settings, signed_in, Client,
};
use crate::mail::MailServer;
use simlontar::auth::model::Role;
use simlontar::notify::outbox;

/// An identified person (a checked NIK) picked up in Surabaya, at home in `village`.
pub(crate) async fn identified(
    owner: &PgPool,
    number: &str,
    village: Option<&str>,
    province: &str,
    conditions: &[&str],
) -> i64 {
    let region = village.map(|v| v[..5].to_string());
    let id = case_fixture(
        owner,
        number,
        "35.78",
        region.as_deref(),
        "Siti Aminah",
        Some("3510014107800002"),
    )
    .await;
    sqlx::query(
        "UPDATE intake SET home_village_code = $2, home_province_code = $3, conditions = $4
          WHERE id = (SELECT intake_id FROM ot_case WHERE id = $1)",
    )
    .bind(id)
    .bind(village)
    .bind(province)
    .bind(conditions.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    .execute(owner)
    .await
    .unwrap();
    sqlx::query("UPDATE ot_case SET state = 'identified' WHERE id = $1")
        .bind(id)
        .execute(owner)
        .await
        .unwrap();
    id
}

pub(crate) async fn state_of(owner: &PgPool, id: i64) -> String {
    sqlx::query_scalar("SELECT state FROM ot_case WHERE id = $1")
        .bind(id)
        .fetch_one(owner)
        .await
        .unwrap()
}

pub(crate) fn token_in(text: &str) -> String {
    let at = text.find("/handover/").expect("a link");
    text[at + "/handover/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect()
}

#[sqlx::test]
async fn a_surabaya_pick_up_goes_home_to_banyuwangi_and_the_office_confirms_by_email_link(
    owner: PgPool,
) {
    load_geo(&owner).await;
    let village: String = sqlx::query_scalar("SELECT code FROM village WHERE code LIKE '35.10.%' AND centroid IS NOT NULL ORDER BY code LIMIT 1")
        .fetch_one(&owner)
        .await
        .unwrap();
    let id = identified(
        &owner,
        "OT-3578-2026-000010",
        Some(&village),
        "35",
        &["psychosocial"],
    )
    .await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let page = co.get("/cases/OT-3578-2026-000010").await;
    assert!(
        page.body.contains("Usulan: ") && page.body.contains("Pulang ke daerah asal"),
        "{}",
        page.body
    );

    // Overriding the proposal needs a reason; nothing changes without one.
    let refused = co
        .post("/cases/OT-3578-2026-000010/route", &[("choice", "upt")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = co
        .post("/cases/OT-3578-2026-000010/route", &[("choice", "home")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(state_of(&owner, id).await, "routed_home");

    let (legs, total_minutes, total_fare, escort): (serde_json::Value, i32, i64, Option<String>) = sqlx::query_as(
        "SELECT legs, total_minutes, total_fare_idr, escort FROM transport_plan WHERE case_id = $1",
    )
    .bind(id)
    .fetch_one(&owner)
    .await
    .unwrap();
    let legs = legs.as_array().unwrap();
    assert!(
        legs.iter()
            .any(|l| l["mode"] == "rail" || l["mode"] == "bus"),
        "{legs:?}"
    );
    let sum_minutes: i64 = legs.iter().map(|l| l["minutes"].as_i64().unwrap()).sum();
    let sum_fare: i64 = legs.iter().map(|l| l["fare_idr"].as_i64().unwrap()).sum();
    assert_eq!((sum_minutes, sum_fare), (total_minutes as i64, total_fare));
    assert!(
        escort.is_some(),
        "psychosocial disability travels with an escort"
    );
    let page = co.get("/cases/OT-3578-2026-000010").await;
    assert!(
        page.body.contains("<svg") && page.body.contains("Rencana perjalanan"),
        "{}",
        page.body
    );
    let form = co.get("/cases/OT-3578-2026-000010/handover-form").await;
    assert!(
        form.body.contains("Berita Acara Serah Terima") && form.body.contains("Pihak Kedua"),
        "{}",
        form.body
    );

    // The notice reaches the Banyuwangi office through a real SMTP server, without personal data.
    let server = MailServer::start().await;
    let pool = app_pool(&owner).await;
    let sent = outbox::deliver_due(&pool, &server.mailer(), now(), 10)
        .await
        .unwrap();
    assert_eq!(sent.sent, 1);
    let mail = server.mails().pop().unwrap();
    assert_eq!(mail.to, vec!["dinsos-3510@jatimprov.go.id".to_string()]);
    assert!(mail.subject.contains("OT-3578-2026-000010"));
    for private in [
        "Siti",
        "Aminah",
        "3510014107800002",
        "psiko",
        "psychosocial",
        "ODGJ",
    ] {
        assert!(
            !mail.text.contains(private) && !mail.html.contains(private),
            "{private} in {}",
            mail.text
        );
    }
    let token = token_in(&mail.text);
    assert_eq!(token.len(), 64);

    // The office opens the link (no account) and acknowledges.
    let mut office = Client::new(&owner).await;
    assert_eq!(
        office.get("/handover/0000").await.status,
        StatusCode::NOT_FOUND
    );
    let link = office.get(&format!("/handover/{token}")).await;
    assert_eq!(link.status, StatusCode::OK);
    // The link leads to the office's need-to-know card (the link is the key, 14 days;
    // each read of it is audited), not to a page without the person.
    assert!(
        link.body.contains("OT-3578-2026-000010") && link.body.contains("Siti Aminah"),
        "{}",
        link.body
    );
    let read: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'read_card' AND entity_id = 'OT-3578-2026-000010'",
    )
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(read, 1);
    let ack = office
        .post(&format!("/handover/{token}"), &[("action", "acknowledge")])
        .await;
    assert_eq!(ack.status, StatusCode::SEE_OTHER, "{}", ack.body);

    // Departure (scheduled with the escort's name, then recorded), then the office
    // confirms the person arrived: the case closes.
    co.get("/cases/OT-3578-2026-000010/plan").await;
    let scheduled = co
        .post(
            "/cases/OT-3578-2026-000010/departure",
            &[
                ("date", "2026-11-24"),
                ("time", "08:00"),
                ("escort_name", "Rina Wulandari"),
            ],
        )
        .await;
    assert_eq!(
        scheduled.status,
        StatusCode::SEE_OTHER,
        "{}",
        scheduled.body
    );
    let dep = co
        .post("/cases/OT-3578-2026-000010/depart", &[("confirm", "yes")])
        .await;
    assert_eq!(dep.status, StatusCode::SEE_OTHER, "{}", dep.body);
    office.get(&format!("/handover/{token}")).await;
    let got = office
        .post(
            &format!("/handover/{token}"),
            &[
                ("action", "received"),
                ("receiver_name", "Bambang Sutrisno"),
                ("receiver_ref", "198001012005011001"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(got.status, StatusCode::SEE_OTHER, "{}", got.body);
    assert_eq!(state_of(&owner, id).await, "handed_over");

    // After two weeks the link no longer works.
    let mut late = Client {
        router: router_at(&owner, now() + Duration::days(15)).await,
        cookie: None,
        csrf: None,
    };
    let expired = late.get(&format!("/handover/{token}")).await;
    assert!(expired.body.contains("kedaluwarsa"), "{}", expired.body);
}

#[sqlx::test]
async fn a_relay_notice_goes_to_central_java_and_escalates_when_nobody_answers(owner: PgPool) {
    load_geo(&owner).await;
    let id = identified(&owner, "OT-3578-2026-000011", None, "11", &[]).await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let res = co
        .post("/cases/OT-3578-2026-000011/route", &[("choice", "home")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let (office, to): (String, String) =
        sqlx::query_as("SELECT office, to_address FROM handover_notice WHERE case_id = $1")
            .bind(id)
            .fetch_one(&owner)
            .await
            .unwrap();
    assert!(office.contains("Jawa Tengah"), "{office}");
    assert_eq!(to, "dinsos-33@jatimprov.go.id");

    let pool = app_pool(&owner).await;
    let s = settings();
    let escalate =
        |h: i64| simlontar::routing::handover::escalate(&pool, &s, now() + Duration::hours(h));
    assert_eq!(escalate(23).await.unwrap(), 0);
    assert_eq!(escalate(25).await.unwrap(), 1);
    assert_eq!(escalate(26).await.unwrap(), 0, "one escalation per period");
    assert_eq!(escalate(49).await.unwrap(), 1);
    let desk: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM email_outbox WHERE to_address = 'desk@dinsos.jatimprov.go.id'",
    )
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(desk, 2);
    let offices = co.get("/routing/offices").await;
    assert!(
        offices.body.contains("Jawa Tengah") && offices.body.contains("<svg"),
        "{}",
        offices.body
    );
}

/// A home in Kabupaten Cianjur (32.03, Jawa Barat) is recorded at the regency, and the plan
/// relays through DIY (geo/relay.csv: 32 → 34) with a notice that names Cianjur.
#[sqlx::test]
async fn a_home_in_cianjur_relays_through_diy_and_the_notice_names_cianjur(owner: PgPool) {
    load_geo(&owner).await;
    let id = case_fixture(
        &owner,
        "OT-3578-2026-000012",
        "35.78",
        Some("32.03"),
        "Siti Aminah",
        Some("3203014107800002"),
    )
    .await;
    sqlx::query("UPDATE ot_case SET state = 'identified' WHERE id = $1")
        .bind(id)
        .execute(&owner)
        .await
        .unwrap();
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let res = co
        .post("/cases/OT-3578-2026-000012/route", &[("choice", "home")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let (plan, office, office_code): (serde_json::Value, String, String) = sqlx::query_as(
        "SELECT p.plan, n.office, n.office_code FROM transport_plan p
           JOIN handover_notice n ON n.plan_id = p.id WHERE p.case_id = $1",
    )
    .bind(id)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(office_code, "34", "{plan}");
    assert!(office.contains("Yogyakarta"), "{office}");
    assert_eq!(plan["destination"]["code"], "32.03");
    assert_eq!(plan["destination"]["name"], "Kabupaten Cianjur");
    assert_eq!(plan["relay"]["home_regency"], "Kabupaten Cianjur");
    let onward = plan["relay"]["onward"].as_str().unwrap();
    assert!(
        onward.contains("Kabupaten Cianjur") && onward.contains("Jawa Barat"),
        "{onward}"
    );

    // The notice goes out through a real SMTP server to the relay desk of DIY.
    let server = MailServer::start().await;
    let pool = app_pool(&owner).await;
    let sent = outbox::deliver_due(&pool, &server.mailer(), now(), 10)
        .await
        .unwrap();
    assert_eq!(sent.sent, 1);
    let mail = server.mails().pop().unwrap();
    assert_eq!(mail.to, vec!["dinsos-34@jatimprov.go.id".to_string()]);
    assert!(
        mail.text.contains("Kabupaten Cianjur") && mail.html.contains("Kabupaten Cianjur"),
        "{}",
        mail.text
    );
    assert!(!mail.text.contains("Siti"), "{}", mail.text);
}

#[sqlx::test]
async fn a_refusal_cancels_the_plan_falls_back_to_a_upt_and_counts_for_the_regency(owner: PgPool) {
    load_geo(&owner).await;
    let village: String = sqlx::query_scalar("SELECT code FROM village WHERE code LIKE '35.07.%' AND centroid IS NOT NULL ORDER BY code LIMIT 1")
        .fetch_one(&owner)
        .await
        .unwrap();
    let id = identified(&owner, "OT-3578-2026-000012", Some(&village), "35", &[]).await;
    // A Malang NIK for a Malang home: a Banyuwangi one would contradict it, and prove nothing.
    sqlx::query("UPDATE intake SET nik = '3507014107800002' WHERE id = (SELECT intake_id FROM ot_case WHERE id = $1)")
        .bind(id)
        .execute(&owner)
        .await
        .unwrap();
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    co.get("/cases/OT-3578-2026-000012").await;
    co.post("/cases/OT-3578-2026-000012/route", &[("choice", "home")])
        .await;
    let short = co
        .post(
            "/cases/OT-3578-2026-000012/refusal",
            &[("kind", "refused"), ("by", "family"), ("reason", "x")],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = co
        .post(
            "/cases/OT-3578-2026-000012/refusal",
            &[
                ("kind", "refused"),
                ("by", "family"),
                ("reason", "keluarga tidak sanggup merawat"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let plan: String = sqlx::query_scalar("SELECT state FROM transport_plan WHERE case_id = $1")
        .bind(id)
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(plan, "cancelled");
    let page = co.get("/cases/OT-3578-2026-000012").await;
    assert!(
        page.body.contains("Tempatkan"),
        "a UPT bed is offered instead: {}",
        page.body
    );
    let offices = co.get("/routing/offices").await;
    assert!(offices.body.contains("1 / 1 (100%)"), "{}", offices.body);
}

/// Gives the person of case `id` a home regency (Banyuwangi) without a village.
pub(crate) async fn home_in_banyuwangi(owner: &PgPool, id: i64) {
    sqlx::query("UPDATE intake SET home_region_code = '35.10' WHERE id = (SELECT intake_id FROM ot_case WHERE id = $1)")
        .bind(id)
        .execute(owner)
        .await
        .unwrap();
}

/// Routes `number` home and returns the link's token from the queued notice.
pub(crate) async fn routed_home_with_link(owner: &PgPool, co: &mut Client, number: &str) -> String {
    co.get(&format!("/cases/{number}")).await;
    let res = co
        .post(&format!("/cases/{number}/route"), &[("choice", "home")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let text: String = sqlx::query_scalar(
        "SELECT body_text FROM email_outbox WHERE dedupe_key LIKE 'handover:%' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(owner)
    .await
    .unwrap();
    token_in(&text)
}

pub(crate) async fn plan_state(owner: &PgPool, id: i64) -> String {
    sqlx::query_scalar(
        "SELECT state FROM transport_plan WHERE case_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_one(owner)
    .await
    .unwrap()
}

/// The issue's finding: a link kept after the family refused (the plan cancelled) was
/// used to confirm the person's arrival, which closed the case as handed over and put
/// the plan back to life. A notice dies with its plan: the link says so and changes nothing.
#[sqlx::test]
async fn a_stale_link_cannot_complete_a_cancelled_hand_over(owner: PgPool) {
    load_geo(&owner).await;
    let n = "OT-3578-2026-000013";
    let id = identified(&owner, n, None, "35", &[]).await;
    home_in_banyuwangi(&owner, id).await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let token = routed_home_with_link(&owner, &mut co, n).await;
    let mut office = Client::new(&owner).await;
    office.get(&format!("/handover/{token}")).await;
    let ack = office
        .post(&format!("/handover/{token}"), &[("action", "acknowledge")])
        .await;
    assert_eq!(ack.status, StatusCode::SEE_OTHER, "{}", ack.body);
    co.get(&format!("/cases/{n}")).await;
    let res = co
        .post(
            &format!("/cases/{n}/refusal"),
            &[
                ("kind", "refused"),
                ("by", "family"),
                ("reason", "keluarga menolak menerima"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(plan_state(&owner, id).await, "cancelled");

    for action in ["received", "acknowledge"] {
        let res = office
            .post(&format!("/handover/{token}"), &[("action", action)])
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{action}: {}", res.body);
        assert!(res.body.contains("dibatalkan"), "{}", res.body);
    }
    assert_eq!(state_of(&owner, id).await, "routed_home");
    assert_eq!(plan_state(&owner, id).await, "cancelled");
    let received: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT received_at FROM handover_notice WHERE case_id = $1")
            .bind(id)
            .fetch_one(&owner)
            .await
            .unwrap();
    assert_eq!(received, None);
    let page = office.get(&format!("/handover/{token}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("dibatalkan"), "{}", page.body);
    assert!(!page.body.contains(r#"name="action""#), "{}", page.body);
}

/// "Received" skipped the departure: the office could close the case as handed over
/// before anyone left. Now it waits for the recorded departure.
#[sqlx::test]
async fn the_person_is_received_only_after_a_recorded_departure(owner: PgPool) {
    load_geo(&owner).await;
    let n = "OT-3578-2026-000014";
    let id = identified(&owner, n, None, "35", &[]).await;
    home_in_banyuwangi(&owner, id).await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let token = routed_home_with_link(&owner, &mut co, n).await;
    let mut office = Client::new(&owner).await;
    let page = office.get(&format!("/handover/{token}")).await;
    assert!(!page.body.contains(r#"value="received""#), "{}", page.body);
    let early = office
        .post(&format!("/handover/{token}"), &[("action", "received")])
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    // Told on the link page itself, not on the generic error page.
    assert!(
        early
            .body
            .contains("Warga belum dapat diterima: keberangkatan belum dicatat"),
        "{}",
        early.body
    );
    assert!(early.body.contains("Serah terima warga"), "{}", early.body);
    assert_eq!(state_of(&owner, id).await, "routed_home");
    assert_eq!(plan_state(&owner, id).await, "accepted");

    co.get(&format!("/cases/{n}")).await;
    // The first press only asks: a departure cannot be taken back.
    let asked = co.post(&format!("/cases/{n}/depart"), &[]).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(
        asked.body.contains("Ya, warga sudah berangkat"),
        "{}",
        asked.body
    );
    assert_eq!(state_of(&owner, id).await, "routed_home");
    let dep = co
        .post(&format!("/cases/{n}/depart"), &[("confirm", "yes")])
        .await;
    assert_eq!(dep.status, StatusCode::SEE_OTHER, "{}", dep.body);
    let page = office.get(&format!("/handover/{token}")).await;
    assert!(page.body.contains(r#"value="received""#), "{}", page.body);
    let received = [
        ("action", "received"),
        ("receiver_name", "Bambang Sutrisno"),
        ("receiver_ref", "198001012005011001"),
        ("confirm", "yes"),
    ];
    let got = office.post(&format!("/handover/{token}"), &received).await;
    assert_eq!(got.status, StatusCode::SEE_OTHER, "{}", got.body);
    assert_eq!(state_of(&owner, id).await, "handed_over");
    assert_eq!(plan_state(&owner, id).await, "handed_over");
    // A second press changes nothing more.
    let again = office.post(&format!("/handover/{token}"), &received).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM case_event WHERE case_id = $1 AND kind = 'handed_over'",
    )
    .bind(id)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(events, 1);
}

/// Nobody is chased for a hand-over that was called off.
#[sqlx::test]
async fn a_cancelled_plan_s_notice_is_not_escalated(owner: PgPool) {
    load_geo(&owner).await;
    let n = "OT-3578-2026-000015";
    let id = identified(&owner, n, None, "11", &[]).await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    routed_home_with_link(&owner, &mut co, n).await;
    co.get(&format!("/cases/{n}")).await;
    let res = co
        .post(
            &format!("/cases/{n}/refusal"),
            &[
                ("kind", "refused"),
                ("by", "government"),
                ("reason", "pemerintah daerah menolak"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(plan_state(&owner, id).await, "cancelled");
    let pool = app_pool(&owner).await;
    let s = settings();
    let escalated = simlontar::routing::handover::escalate(&pool, &s, now() + Duration::hours(25))
        .await
        .unwrap();
    assert_eq!(escalated, 0);
}

/// Issue 23: the decision "route home" posted twice — one after the other, or both at
/// once (a double click) — is made once; the repeat answers 409 Conflict, never a 500.
#[sqlx::test]
async fn a_double_submitted_route_home_answers_409(owner: PgPool) {
    load_geo(&owner).await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;

    // One after the other.
    let n = "OT-3578-2026-000020";
    let id = identified(&owner, n, None, "35", &[]).await;
    home_in_banyuwangi(&owner, id).await;
    co.get(&format!("/cases/{n}")).await;
    let route = format!("/cases/{n}/route");
    let first = co.post(&route, &[("choice", "home")]).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let again = co.post(&route, &[("choice", "home")]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(plans_of(&owner, id).await, 1);

    // Both at once, on a few cases so the two requests really overlap in some.
    for k in 0..6 {
        let n = format!("OT-3578-2026-00003{k}");
        let id = identified(&owner, &n, None, "35", &[]).await;
        home_in_banyuwangi(&owner, id).await;
        let route = format!("/cases/{n}/route");
        let (a, b) = tokio::join!(
            crate::common::send(&co.router, co.form_request(&route, &[("choice", "home")])),
            crate::common::send(&co.router, co.form_request(&route, &[("choice", "home")])),
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::SEE_OTHER, StatusCode::CONFLICT],
            "{n}: {} / {}",
            a.body,
            b.body
        );
        assert_eq!(plans_of(&owner, id).await, 1, "{n}");
        assert_eq!(state_of(&owner, id).await, "routed_home");
    }
}

async fn plans_of(owner: &PgPool, id: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM transport_plan WHERE case_id = $1")
        .bind(id)
        .fetch_one(owner)
        .await
        .unwrap()
}

/// The first village of `regency` that has a centroid (so a plan can reach it).
async fn village_in(owner: &PgPool, regency: &str) -> String {
    sqlx::query_scalar(
        "SELECT code FROM village WHERE code LIKE $1 || '.%' AND centroid IS NOT NULL ORDER BY code LIMIT 1",
    )
    .bind(regency)
    .fetch_one(owner)
    .await
    .unwrap()
}

async fn proposal_json(owner: &PgPool, token: &str, number: &str) -> (StatusCode, String) {
    let res = crate::common::call(
        owner,
        crate::common::api(
            "GET",
            &format!("/api/v1/cases/{number}/proposal"),
            token,
            None,
            serde_json::json!(null),
        ),
    )
    .await;
    (res.status, res.body)
}

/// Regression (issue 25): a NIK typed at the desk counted as verified even when the NIK
/// decoder flagged it as contradicting the intake (here a man's NIK for a woman), and the
/// proposal sent the person home on it. It must prove nothing, and say so.
#[sqlx::test]
async fn a_desk_nik_the_intake_contradicts_is_not_taken_as_verified(owner: PgPool) {
    load_geo(&owner).await;
    let village = village_in(&owner, "35.10").await;
    let number = "OT-3578-2026-000031";
    let id = identified(&owner, number, Some(&village), "35", &[]).await;
    // Born 01-07-1980, male (the day without 40 added); the intake recorded a woman.
    sqlx::query(
        "UPDATE intake SET nik = '3510010107800002' WHERE id = (SELECT intake_id FROM ot_case WHERE id = $1)",
    )
    .bind(id)
    .execute(&owner)
    .await
    .unwrap();
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let page = co.get(&format!("/cases/{number}")).await;
    assert!(
        page.body.contains("Usulan: Penempatan di UPT")
            && page.body.contains("identitas belum terverifikasi")
            && page
                .body
                .contains("NIK yang dicatat bertentangan dengan data penerimaan")
            && page.body.contains("Keterangan orang itu saat penerimaan"),
        "{}",
        page.body
    );
    let token = crate::common::token(&owner, "co.api", Role::CaseOfficer, None).await;
    let (status, body) = proposal_json(&owner, &token, number).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let p: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(p["route"], "upt", "{p}");
    assert_eq!(p["home"]["source"], "stated", "{p}");
    let codes: Vec<&str> = p["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes[..2],
        ["identity_unverified", "nik_contradicted"],
        "{p}"
    );
    // Going home on it is an override, which needs a reason.
    let res = co
        .post(&format!("/cases/{number}/route"), &[("choice", "home")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(state_of(&owner, id).await, "identified");
}

/// Regression (issue 25): a case identified by a DP3AK fingerprint match was proposed a
/// UPT ("tanpa alamat") because the village DP3AK returned was never used for the home.
#[sqlx::test]
async fn a_dp3ak_match_with_a_village_sends_a_person_without_address_home_there(owner: PgPool) {
    load_geo(&owner).await;
    let village = village_in(&owner, "35.10").await;
    let number = "OT-3578-2026-000032";
    // No address, no NIK: the person could not say.
    let id = case_fixture(&owner, number, "35.78", None, "Tanpa Nama", None).await;
    let check: i64 = sqlx::query_scalar(
        "INSERT INTO identity_check (idempotency_key, intake_id, method, requested_at, completed_at,
                                     outcome, score, nik, name, birth_date, sex, village_code, address)
         SELECT gen_random_uuid(), c.intake_id, 'fingerprint', $2, $2, 'matched', 96, '3510014107800002',
                'Siti Aminah', make_date(1980, 7, 1), 'female', $3, 'Dusun Krajan RT 01 RW 02'
           FROM ot_case c WHERE c.id = $1 RETURNING id",
    )
    .bind(id)
    .bind(now() - Duration::hours(1))
    .bind(&village)
    .fetch_one(&owner)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO record_link (left_kind, left_id, right_kind, right_id, state, probability, contributions,
                                  created_at, decided_at)
         SELECT 'check', $1, 'intake', intake_id, 'accepted', 0.96, '[]', $3, $3 FROM ot_case WHERE id = $2",
    )
    .bind(check)
    .bind(id)
    .bind(now() - Duration::hours(1))
    .execute(&owner)
    .await
    .unwrap();
    sqlx::query("UPDATE ot_case SET state = 'identified' WHERE id = $1")
        .bind(id)
        .execute(&owner)
        .await
        .unwrap();

    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let page = co.get(&format!("/cases/{number}")).await;
    // The village by its name (never its code).
    let village_name: String = sqlx::query_scalar("SELECT name FROM village WHERE code = $1")
        .bind(&village)
        .fetch_one(&owner)
        .await
        .unwrap();
    assert!(
        page.body.contains("Usulan: Pulang ke daerah asal")
            && page.body.contains("Alamat dari pencocokan DP3AK")
            && page.body.contains(&village_name)
            && !page.body.contains(&format!("({village})")),
        "{}",
        page.body
    );
    let token = crate::common::token(&owner, "co.api", Role::CaseOfficer, None).await;
    let (status, body) = proposal_json(&owner, &token, number).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let p: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(p["route"], "home", "{p}");
    assert_eq!(p["home"]["code"], village.as_str(), "{p}");
    assert_eq!(p["home"]["source"], "dp3ak", "{p}");
    assert!(p["home"]["name"].as_str().unwrap().contains("Kec. "), "{p}");
    assert_eq!(p["reasons"][0]["code"], "address_verified_dp3ak", "{p}");

    // The decision follows the proposal: the plan goes to DP3AK's village.
    let res = co
        .post(&format!("/cases/{number}/route"), &[("choice", "home")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let to: String =
        sqlx::query_scalar("SELECT destination_code FROM transport_plan WHERE case_id = $1")
            .bind(id)
            .fetch_one(&owner)
            .await
            .unwrap();
    assert_eq!(to, village);
}

/// The proposal through the API: read in the caller's scope and on record; an unknown
/// number and a number outside the scope answer alike; a role that does not see
/// proposals is refused.
#[sqlx::test]
async fn the_proposal_api_is_scoped_audited_and_refused_to_roles_without_it(owner: PgPool) {
    load_geo(&owner).await;
    let village = village_in(&owner, "35.10").await;
    let number = "OT-3578-2026-000033";
    identified(&owner, number, Some(&village), "35", &[]).await;
    let co = crate::common::token(&owner, "co.api", Role::CaseOfficer, None).await;
    let (status, body) = proposal_json(&owner, &co, number).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let p: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(p["route"], "home", "{p}");
    // The NIK agrees with the intake: it confirms the regency, the named village is finer.
    assert_eq!(p["home"]["code"], village.as_str(), "{p}");
    assert_eq!(p["home"]["source"], "nik", "{p}");
    let reads: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'read_proposal' AND entity_id = $1",
    )
    .bind(number)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(reads, 1);

    // Banyuwangi's office receives the person: it sees the proposal.
    let bwi = crate::common::token(&owner, "rv.bwi", Role::RegencyViewer, Some("35.10")).await;
    assert_eq!(proposal_json(&owner, &bwi, number).await.0, StatusCode::OK);

    // Malang's does not: told exactly what an unknown number is told, and the look-up kept.
    let mlg = crate::common::token(&owner, "rv.mlg", Role::RegencyViewer, Some("35.73")).await;
    let outside = proposal_json(&owner, &mlg, number).await;
    let unknown = proposal_json(&owner, &mlg, "OT-3578-2026-999999").await;
    assert_eq!(outside.0, StatusCode::NOT_FOUND, "{}", outside.1);
    assert_eq!(outside, unknown);
    assert_eq!(
        proposal_json(&owner, &co, "OT-3578-2026-999999").await.0,
        StatusCode::NOT_FOUND
    );
    let denied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'read_denied' AND entity_id = $1",
    )
    .bind(number)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(denied, 1);

    // The intake desk and DP3AK do not decide or receive: refused before anything is read.
    for (name, role, scope) in [
        ("po.sby", Role::IntakeOfficer, Some("35.78")),
        ("dp3ak", Role::IdentityOfficer, None),
    ] {
        let t = crate::common::token(&owner, name, role, scope).await;
        let (status, body) = proposal_json(&owner, &t, number).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {body}");
    }
    let (status, _) = proposal_json(&owner, "not-a-token", number).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Regression (issue 25): "Warga sudah kami terima" closed the case without saying who
/// received the person, and without a confirmation step. Now the receiver's name, their
/// NIP or relation, and the ticked statement are each required, told by field, and kept.
#[sqlx::test]
async fn received_names_who_received_the_person_and_needs_the_confirmation(owner: PgPool) {
    load_geo(&owner).await;
    let n = "OT-3578-2026-000034";
    let id = identified(&owner, n, None, "35", &[]).await;
    home_in_banyuwangi(&owner, id).await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let token = routed_home_with_link(&owner, &mut co, n).await;
    let mut office = Client::new(&owner).await;
    co.get(&format!("/cases/{n}")).await;
    let dep = co
        .post(&format!("/cases/{n}/depart"), &[("confirm", "yes")])
        .await;
    assert_eq!(dep.status, StatusCode::SEE_OTHER, "{}", dep.body);
    let page = office.get(&format!("/handover/{token}")).await;
    assert!(
        page.body.contains(r#"name="receiver_name""#)
            && page.body.contains(r#"name="receiver_ref""#)
            && page.body.contains(r#"type="checkbox" name="confirm""#),
        "{}",
        page.body
    );
    let url = format!("/handover/{token}");
    let bare = office.post(&url, &[("action", "received")]).await;
    assert_eq!(
        bare.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bare.body
    );
    for said in [
        "nama orang yang menerima",
        "NIP petugas",
        "centang pernyataan",
    ] {
        assert!(bare.body.contains(said), "{said:?} not said: {}", bare.body);
    }
    let unticked = office
        .post(
            &url,
            &[
                ("action", "received"),
                ("receiver_name", "Sumiati"),
                ("receiver_ref", "kakak kandung"),
            ],
        )
        .await;
    assert_eq!(unticked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unticked.body.contains("centang pernyataan"),
        "{}",
        unticked.body
    );
    assert!(
        !unticked.body.contains(r#"id="receiver_ref-error""#),
        "{}",
        unticked.body
    );
    assert_eq!(state_of(&owner, id).await, "in_transit");

    let got = office
        .post(
            &url,
            &[
                ("action", "received"),
                ("receiver_name", " Sumiati "),
                ("receiver_ref", "kakak kandung"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(got.status, StatusCode::SEE_OTHER, "{}", got.body);
    assert_eq!(state_of(&owner, id).await, "handed_over");
    let (by, reference): (String, String) = sqlx::query_as(
        "SELECT received_by, received_by_ref FROM handover_notice WHERE case_id = $1",
    )
    .bind(id)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(
        (by.as_str(), reference.as_str()),
        ("Sumiati", "kakak kandung")
    );
}

/// Regression (issue 25): a refused "received" answered 422 with the generic error page:
/// the errors were not beside the fields and what the officer typed was lost. Now the
/// link page itself comes back, each error beside its field, the typed values kept.
#[sqlx::test]
async fn a_refused_receipt_comes_back_on_the_link_page_with_what_was_typed(owner: PgPool) {
    load_geo(&owner).await;
    let n = "OT-3578-2026-000035";
    let id = identified(&owner, n, None, "35", &[]).await;
    home_in_banyuwangi(&owner, id).await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let token = routed_home_with_link(&owner, &mut co, n).await;
    let mut office = Client::new(&owner).await;
    co.get(&format!("/cases/{n}")).await;
    let dep = co
        .post(&format!("/cases/{n}/depart"), &[("confirm", "yes")])
        .await;
    assert_eq!(dep.status, StatusCode::SEE_OTHER, "{}", dep.body);
    let url = format!("/handover/{token}");
    office.get(&url).await;
    let res = office
        .post(
            &url,
            &[
                ("action", "received"),
                ("receiver_name", ""),
                ("receiver_ref", "adik & \"kandung\""),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    let body = &res.body;
    // The link page, with its form, not the error page.
    assert!(body.contains("Konfirmasi penerimaan warga"), "{body}");
    // The error sits beside the name field: its error element, and the field points at it.
    assert!(
        body.contains(
            r#"<span class="field-error" id="receiver_name-error" role="alert">tuliskan nama orang yang menerima warga"#
        ),
        "{body}"
    );
    assert!(
        body.contains(r#"aria-describedby="receiver_name-error""#),
        "{body}"
    );
    // The summary names the field by its label.
    assert!(
        body.contains(r##"<a href="#receiver_name">Nama penerima</a>: tuliskan nama"##),
        "{body}"
    );
    // Only the missing field is marked; what was typed and ticked is kept (escaped).
    assert!(!body.contains(r#"id="receiver_ref-error""#), "{body}");
    assert!(!body.contains(r#"id="confirm-error""#), "{body}");
    assert!(
        body.contains(r#"value="adik &amp; &quot;kandung&quot;""#),
        "{body}"
    );
    assert!(body.contains("checked"), "{body}");
    assert_eq!(state_of(&owner, id).await, "in_transit");

    // In English when the reader chose English.
    office.cookie = keep_cookie(office.cookie.take(), "lang=en");
    let en = office
        .post(&url, &[("action", "received"), ("receiver_ref", "kakak")])
        .await;
    assert_eq!(en.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", en.body);
    assert!(
        en.body
            .contains("Received by (name)</a>: write the name of who received the person"),
        "{}",
        en.body
    );
    assert!(en.body.contains(r#"id="confirm-error""#), "{}", en.body);
    assert!(en.body.contains(r#"value="kakak""#), "{}", en.body);
}

/// A person taken home and picked up again within the year: once the linkage engine's
/// pair is accepted (here in the review queue), both cases say so, each naming the other,
/// marked as within 12 months of the hand-over (issue 25, item 6).
#[sqlx::test]
async fn a_repeat_pick_up_soon_after_a_hand_over_is_flagged_on_both_cases(owner: PgPool) {
    load_geo(&owner).await;
    let (first, again) = ("OT-3578-2026-000301", "OT-3578-2026-000302");
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let id = identified(&owner, first, None, "35", &[]).await;
    home_in_banyuwangi(&owner, id).await;
    routed_home_with_link(&owner, &mut co, first).await;
    // Handed over three months before the new pick-up.
    sqlx::query(
        "UPDATE handover_notice SET received_at = $2, received_by = 'Pak Kades', received_by_ref = 'kepala desa'
          WHERE case_id = $1",
    )
    .bind(id)
    .bind(now() - Duration::days(90))
    .execute(&owner)
    .await
    .unwrap();
    let second = case_fixture(&owner, again, "35.78", None, "Siti Aminah", None).await;
    let link: i64 = sqlx::query_scalar(
        "INSERT INTO record_link (left_kind, left_id, right_kind, right_id, state, probability, contributions, created_at)
         SELECT 'intake', a.intake_id, 'intake', b.intake_id, 'candidate', 0.8, '[]', now()
           FROM ot_case a, ot_case b WHERE a.id = $1 AND b.id = $2 RETURNING id",
    )
    .bind(id)
    .bind(second)
    .fetch_one(&owner)
    .await
    .unwrap();
    co.get("/identity/review").await;
    let res = co
        .post(
            &format!("/identity/links/{link}"),
            &[("decision", "accept")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let new_page = co.get(&format!("/cases/{again}")).await;
    assert!(
        new_page.body.contains(&format!(
            "kasus sebelumnya: {first} — dalam 12 bulan setelah serah terima"
        )),
        "{}",
        new_page.body
    );
    let old_page = co.get(&format!("/cases/{first}")).await;
    assert!(
        old_page.body.contains("Dijangkau lagi")
            && old_page.body.contains(&format!(
                "kasus baru: {again} — dalam 12 bulan setelah serah terima"
            )),
        "{}",
        old_page.body
    );
}
