//! The plan's departure: scheduled with an escort's name, legs corrected with a reason
//! (each change on record), the expected arrival following from both and sent to the
//! receiving office; errors beside their fields; no departure without the escort's name.
use axum::http::StatusCode;
use sqlx::PgPool;

use crate::common::{load_geo, signed_in};
use crate::handover::{
    home_in_banyuwangi, identified, plan_state, routed_home_with_link, state_of,
};
use simlontar::auth::model::Role;

async fn arrival_mails(owner: &PgPool) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT subject, body_text FROM email_outbox WHERE dedupe_key LIKE 'handover-arrival:%' ORDER BY id",
    )
    .fetch_all(owner)
    .await
    .unwrap()
}

#[sqlx::test]
async fn a_scheduled_departure_names_the_escort_and_tells_the_office_the_arrival(owner: PgPool) {
    load_geo(&owner).await;
    let n = "OT-3578-2026-000101";
    let id = identified(&owner, n, None, "35", &["psychosocial"]).await;
    home_in_banyuwangi(&owner, id).await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    let token = routed_home_with_link(&owner, &mut co, n).await;
    // The first notice asks for no date nobody set.
    let first: String =
        sqlx::query_scalar("SELECT body_text FROM email_outbox WHERE dedupe_key LIKE 'handover:%'")
            .fetch_one(&owner)
            .await
            .unwrap();
    assert!(first.contains("menunggu jadwal keberangkatan"), "{first}");

    let page = co.get(&format!("/cases/{n}/plan")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Jadwal keberangkatan") && page.body.contains("Nama pendamping (wajib)"),
        "{}",
        page.body
    );

    // Leaving without the escort's name is refused beside the field, on the plan page.
    co.get(&format!("/cases/{n}/plan")).await;
    let early = co
        .post(&format!("/cases/{n}/depart"), &[("confirm", "yes")])
        .await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        early.body
    );
    assert!(
        early.body.contains("escort_name-error") && early.body.contains("nama pendamping"),
        "{}",
        early.body
    );
    assert_eq!(plan_state(&owner, id).await, "accepted");

    // Bad fields come back beside their labels, in Indonesian only, with what was typed.
    co.get(&format!("/cases/{n}/plan")).await;
    let bad = co
        .post(
            &format!("/cases/{n}/departure"),
            &[("date", "24/11"), ("time", "8.00"), ("escort_name", "Al")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    for id in ["date-error", "time-error", "escort_name-error"] {
        assert!(bad.body.contains(id), "{id}: {}", bad.body);
    }
    assert!(
        bad.body.contains(r#"value="24/11""#) && !bad.body.contains("give the departure date"),
        "{}",
        bad.body
    );
    assert!(arrival_mails(&owner).await.is_empty());

    co.get(&format!("/cases/{n}/plan")).await;
    let ok = co
        .post(
            &format!("/cases/{n}/departure"),
            &[
                ("date", "2026-11-24"),
                ("time", "08:00"),
                ("escort_name", "Rina Wulandari"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let total: i32 =
        sqlx::query_scalar("SELECT total_minutes FROM transport_plan WHERE case_id = $1")
            .bind(id)
            .fetch_one(&owner)
            .await
            .unwrap();
    // 08:00 WIB plus the legs' minutes (all on day 1).
    let arrive =
        chrono::NaiveTime::from_hms_opt(8, 0, 0).unwrap() + chrono::Duration::minutes(total as i64);
    let expected = format!("24-11-2026 {} WIB", arrive.format("%H:%M"));
    let page = co.get(&format!("/cases/{n}/plan?saved=departure")).await;
    assert!(
        page.body.contains("Jadwal keberangkatan tersimpan") && page.body.contains(&expected),
        "{expected}: {}",
        page.body
    );
    let mails = arrival_mails(&owner).await;
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].0.contains(&expected) && mails[0].1.contains(n) && !mails[0].1.contains("Siti"),
        "{mails:?}"
    );
    // The link page carries the expected arrival too.
    let mut office = crate::common::Client::new(&owner).await;
    let link = office.get(&format!("/handover/{token}")).await;
    assert!(link.body.contains(&expected), "{}", link.body);

    // A retried form changes nothing and tells nobody twice.
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
    assert_eq!(arrival_mails(&owner).await.len(), 1);

    // A change needs a reason; with one it is on record and the office is told again.
    co.get(&format!("/cases/{n}/plan")).await;
    let no_reason = co
        .post(
            &format!("/cases/{n}/departure"),
            &[
                ("date", "2026-11-25"),
                ("time", "08:00"),
                ("escort_name", "Rina Wulandari"),
            ],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason.body.contains("reason-error"),
        "{}",
        no_reason.body
    );
    co.get(&format!("/cases/{n}/plan")).await;
    let moved = co
        .post(
            &format!("/cases/{n}/departure"),
            &[
                ("date", "2026-11-25"),
                ("time", "08:00"),
                ("escort_name", "Rina Wulandari"),
                ("reason", "kantor penerima minta besok"),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert_eq!(arrival_mails(&owner).await.len(), 2);
    let changes: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT kind, reason, changed_by FROM plan_change WHERE case_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&owner)
    .await
    .unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[1].1, "kantor penerima minta besok");
    assert!(changes.iter().all(|c| c.0 == "departure" && c.2.is_some()));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'departure' AND entity_id = $1",
    )
    .bind(n)
    .fetch_one(&owner)
    .await
    .unwrap();
    // Each press is on record, the retried one too (it changed nothing).
    assert_eq!(audited, 3);

    // Now the departure can be recorded (after its confirmation step), and the plan is fixed.
    co.get(&format!("/cases/{n}/plan")).await;
    let dep = co
        .post(&format!("/cases/{n}/depart"), &[("confirm", "yes")])
        .await;
    assert_eq!(dep.status, StatusCode::SEE_OTHER, "{}", dep.body);
    assert_eq!(state_of(&owner, id).await, "in_transit");
    co.get(&format!("/cases/{n}/plan")).await;
    let late = co
        .post(
            &format!("/cases/{n}/departure"),
            &[
                ("date", "2026-11-26"),
                ("time", "08:00"),
                ("escort_name", "Rina Wulandari"),
                ("reason", "terlambat sekali"),
            ],
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
}

#[sqlx::test]
async fn a_leg_is_corrected_with_a_reason_and_the_totals_follow(owner: PgPool) {
    load_geo(&owner).await;
    let n = "OT-3578-2026-000102";
    let id = identified(&owner, n, None, "35", &[]).await;
    home_in_banyuwangi(&owner, id).await;
    let mut co = signed_in(&owner, "co1", Role::CaseOfficer, None).await;
    routed_home_with_link(&owner, &mut co, n).await;
    let legs: i64 = sqlx::query_scalar(
        "SELECT jsonb_array_length(legs)::bigint FROM transport_plan WHERE case_id = $1",
    )
    .bind(id)
    .fetch_one(&owner)
    .await
    .unwrap();
    let last = legs - 1;

    co.get(&format!("/cases/{n}/plan")).await;
    let bad = co
        .post(
            &format!("/cases/{n}/plan/legs/{last}"),
            &[("mode", "plane"), ("day", "0"), ("fare", "seratus")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    for f in ["mode", "day", "fare", "reason"] {
        assert!(
            bad.body.contains(&format!("legs[{last}].{f}-error")),
            "{f}: {}",
            bad.body
        );
    }
    assert!(bad.body.contains(r#"value="seratus""#), "{}", bad.body);
    co.get(&format!("/cases/{n}/plan")).await;
    let missing = co
        .post(
            &format!("/cases/{n}/plan/legs/{}", legs + 3),
            &[
                ("mode", "bus"),
                ("day", "1"),
                ("fare", "1"),
                ("reason", "tidak ada"),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    co.get(&format!("/cases/{n}/plan")).await;
    let ok = co
        .post(
            &format!("/cases/{n}/plan/legs/{last}"),
            &[
                ("mode", "road"),
                ("day", "2"),
                ("fare", "175.000"),
                ("reason", "bus terakhir sudah berangkat"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let (plan, fare): (serde_json::Value, i64) =
        sqlx::query_as("SELECT plan, total_fare_idr FROM transport_plan WHERE case_id = $1")
            .bind(id)
            .fetch_one(&owner)
            .await
            .unwrap();
    let leg = &plan["legs"][last as usize];
    assert_eq!(
        (
            leg["mode"].as_str(),
            leg["day"].as_u64(),
            leg["fare_idr"].as_u64()
        ),
        (Some("road"), Some(2), Some(175_000))
    );
    let sum: i64 = plan["legs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["fare_idr"].as_i64().unwrap())
        .sum();
    assert_eq!((fare, plan["total_fare_idr"].as_i64().unwrap()), (sum, sum));
    let (kind, reason): (String, String) =
        sqlx::query_as("SELECT kind, reason FROM plan_change WHERE case_id = $1")
            .bind(id)
            .fetch_one(&owner)
            .await
            .unwrap();
    assert_eq!(
        (kind.as_str(), reason.as_str()),
        ("leg", "bus terakhir sudah berangkat")
    );
    let page = co.get(&format!("/cases/{n}/plan?saved=leg")).await;
    assert!(
        page.body.contains("bus terakhir sudah berangkat") && page.body.contains("jalan darat"),
        "{}",
        page.body
    );
    assert_eq!(state_of(&owner, id).await, "routed_home");

    // A regency viewer reads the plan but is given no form, and cannot post one.
    let mut viewer = signed_in(&owner, "rv1", Role::RegencyViewer, Some("35.10")).await;
    let seen = viewer.get(&format!("/cases/{n}/plan")).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    assert!(!seen.body.contains("/departure\""), "{}", seen.body);
    let refused = viewer
        .post(
            &format!("/cases/{n}/departure"),
            &[("date", "2026-11-24"), ("time", "08:00")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
