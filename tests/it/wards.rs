//! Ward administration (issue 24): bed counts, temporary closures and admission rules,
//! dated and audited, and what placement and the forecast make of them.
use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};
use serde_json::Value;
use sqlx::PgPool;

use crate::common::{api, app_pool, load_geo, now, router, send, settings, token};
use crate::shelter::unidentified;
use simlontar::auth::audit::Origin;
use simlontar::auth::model::{Grant, Principal, Role};
use simlontar::capacity::evaluate;
use simlontar::shelter::wards::{self, ClosureIn, RulesIn, WardError};

const TZ: chrono_tz::Tz = chrono_tz::Asia::Jakarta;

async fn admin(owner: &PgPool) -> (Principal, Origin) {
    let id = crate::common::user(owner, "admin.wards", Role::Admin, None).await;
    principal(id, "admin.wards", Grant::new(Role::Admin, None).unwrap())
}

fn principal(id: i64, name: &str, grant: Grant) -> (Principal, Origin) {
    (
        Principal {
            user_id: id,
            username: name.into(),
            display_name: name.into(),
            grants: vec![grant],
            via_token: false,
        },
        Origin {
            actor_id: Some(id),
            ..Origin::default()
        },
    )
}

/// The first men's transit ward (its UPT, id and beds).
async fn transit_ward(owner: &PgPool) -> (String, i64, i32) {
    sqlx::query_as(
        "SELECT upt_code, id, beds FROM ward WHERE need_code = 'homeless' AND sex IN ('male', 'any')
          ORDER BY id LIMIT 1",
    )
    .fetch_one(owner)
    .await
    .unwrap()
}

fn today() -> NaiveDate {
    simlontar::clock::local_date(now(), TZ)
}

fn closure(from: i64, to: Option<i64>, reason: &str) -> ClosureIn {
    ClosureIn {
        starts_on: (today() + Duration::days(from)).to_string(),
        ends_on: to
            .map(|t| (today() + Duration::days(t)).to_string())
            .unwrap_or_default(),
        reason: reason.into(),
        note: "atap diganti".into(),
    }
}

async fn place_api(owner: &PgPool, number: &str, ward: i64) -> crate::common::Res {
    let officer = token(owner, &format!("co.{number}"), Role::CaseOfficer, None).await;
    send(
        &router(owner).await,
        api(
            "POST",
            &format!("/api/v1/cases/{number}/placement"),
            &officer,
            None,
            serde_json::json!({ "ward_id": ward }),
        ),
    )
    .await
}

async fn candidate_wards(owner: &PgPool, number: &str) -> Vec<i64> {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let officer = token(owner, &format!("co.cands{n}"), Role::CaseOfficer, None).await;
    let res = send(
        &router(owner).await,
        api(
            "GET",
            &format!("/api/v1/cases/{number}/placement-candidates"),
            &officer,
            None,
            serde_json::json!({}),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    (res.json().as_array().unwrap().iter())
        .map(|c| c["ward_id"].as_i64().unwrap())
        .collect()
}

/// The issue's Done-when line: a ward closed for renovation takes no placement (not by
/// the API, not by a direct insert: the database refuses it) and is not offered.
#[sqlx::test]
async fn a_ward_closed_for_renovation_takes_no_placement(owner: PgPool) {
    load_geo(&owner).await;
    let (_, ward, _) = transit_ward(&owner).await;
    let (p, o) = admin(&owner).await;
    let case = unidentified(&owner, "OT-3578-2026-000001", "male", 35, &[]).await;
    assert!(candidate_wards(&owner, "OT-3578-2026-000001")
        .await
        .contains(&ward));
    wards::close(
        &app_pool(&owner).await,
        &p,
        &o,
        ward,
        &closure(0, Some(30), "renovation"),
        (now(), TZ),
    )
    .await
    .unwrap();
    assert!(!candidate_wards(&owner, "OT-3578-2026-000001")
        .await
        .contains(&ward));
    let res = place_api(&owner, "OT-3578-2026-000001", ward).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("temporarily closed"), "{}", res.body);
    assert!(res.body.contains("ward_id"), "{}", res.body);
    // The rule is the database's: a direct insert is refused too.
    let direct =
        sqlx::query("INSERT INTO placement (case_id, ward_id, started_at) VALUES ($1, $2, $3)")
            .bind(case)
            .bind(ward)
            .bind(now())
            .execute(&owner)
            .await
            .unwrap_err();
    assert_eq!(
        direct.as_database_error().unwrap().constraint(),
        Some("ward_closed")
    );
    // Ended early: the ward takes people again from now on.
    let id: i64 = sqlx::query_scalar("SELECT id FROM ward_closure WHERE ward_id = $1")
        .bind(ward)
        .fetch_one(&owner)
        .await
        .unwrap();
    let later = now() + Duration::hours(2);
    wards::end_closure(&app_pool(&owner).await, &p, &o, id, (later, TZ))
        .await
        .unwrap();
    let placed =
        sqlx::query("INSERT INTO placement (case_id, ward_id, started_at) VALUES ($1, $2, $3)")
            .bind(case)
            .bind(ward)
            .bind(later + Duration::minutes(1))
            .execute(&owner)
            .await;
    assert!(placed.is_ok(), "{placed:?}");
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM ward_change WHERE ward_id = $1 ORDER BY id")
            .bind(ward)
            .fetch_all(&owner)
            .await
            .unwrap();
    assert_eq!(kinds, ["closure", "closure_ended"]);
}

/// The other half of the Done-when line: the forecast counts a closed ward's beds as gone
/// for the closure's dates — a closure known today fills the ward on its first day.
#[sqlx::test]
async fn the_forecast_counts_a_closed_wards_beds_as_gone_for_its_dates(owner: PgPool) {
    load_geo(&owner).await;
    let (_, ward, beds) = transit_ward(&owner).await;
    let pool = app_pool(&owner).await;
    let forecast = || async {
        evaluate::run(&pool, &settings(), Some(ward), now())
            .await
            .unwrap();
        let (p7, days, daily): (f64, Option<f64>, Value) = sqlx::query_as(
            "SELECT p7, days_to_full, daily FROM capacity_forecast WHERE ward_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(ward)
        .fetch_one(&owner)
        .await
        .unwrap();
        let free: Vec<f64> = (daily.as_array().unwrap().iter())
            .map(|d| d["free"].as_f64().unwrap())
            .collect();
        (p7, days, free)
    };
    let (p7, days, free) = forecast().await;
    assert_eq!((p7, days), (0.0, None), "an empty ward with no demand");
    assert_eq!(free[5], f64::from(beds));
    let (p, o) = admin(&owner).await;
    wards::close(
        &pool,
        &p,
        &o,
        ward,
        &closure(5, Some(7), "renovation"),
        (now(), TZ),
    )
    .await
    .unwrap();
    let (p7, days, free) = forecast().await;
    assert_eq!((p7, days), (1.0, Some(5.0)));
    assert_eq!(
        &free[3..8],
        &[f64::from(beds), 0.0, 0.0, 0.0, f64::from(beds)]
    );
}

/// Admission rules exclude a person from the wards offered and refuse a direct
/// placement with the reason beside the ward.
#[sqlx::test]
async fn admission_rules_exclude_a_person_from_offers_and_placements(owner: PgPool) {
    load_geo(&owner).await;
    let (_, ward, _) = transit_ward(&owner).await;
    let (p, o) = admin(&owner).await;
    unidentified(&owner, "OT-3578-2026-000002", "male", 35, &["psychosocial"]).await;
    unidentified(&owner, "OT-3578-2026-000003", "male", 35, &[]).await;
    unidentified(&owner, "OT-3578-2026-000004", "male", 70, &[]).await;
    let rules = RulesIn {
        sex: "any".into(),
        min_age: "18".into(),
        max_age: "59".into(),
        accepted: vec![],
        refused: vec!["psychosocial".into()],
        reason: "tidak ada perawat jiwa".into(),
    };
    wards::set_rules(&app_pool(&owner).await, &p, &o, ward, &rules, (now(), TZ))
        .await
        .unwrap();
    assert!(!candidate_wards(&owner, "OT-3578-2026-000002")
        .await
        .contains(&ward));
    assert!(candidate_wards(&owner, "OT-3578-2026-000003")
        .await
        .contains(&ward));
    let res = place_api(&owner, "OT-3578-2026-000002", ward).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("does not take the need"), "{}", res.body);
    let res = place_api(&owner, "OT-3578-2026-000004", ward).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("aged up to 59"), "{}", res.body);
    let res = place_api(&owner, "OT-3578-2026-000003", ward).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
}

/// A bed count is set from today, no longer an estimate, never below the people in the
/// ward, kept in the history with who and why, and not undone by `geo load`.
#[sqlx::test]
async fn a_bed_count_is_dated_audited_and_never_below_the_people_in_the_ward(owner: PgPool) {
    load_geo(&owner).await;
    let (upt, ward, _) = transit_ward(&owner).await;
    sqlx::query("UPDATE ward SET occupied = 4, held = 1 WHERE id = $1")
        .bind(ward)
        .execute(&owner)
        .await
        .unwrap();
    let pool = app_pool(&owner).await;
    let (p, o) = admin(&owner).await;
    let err = wards::set_beds(&pool, &p, &o, ward, ("4", "hitung ulang"), (now(), TZ))
        .await
        .unwrap_err();
    let WardError::Bad(bad) = err else {
        panic!("{err:?}")
    };
    assert_eq!(bad[0].field, "beds");
    assert!(bad[0].id.contains("kurang dari 5"), "{bad:?}");
    let err = wards::set_beds(&pool, &p, &o, ward, ("sepuluh", ""), (now(), TZ))
        .await
        .unwrap_err();
    let WardError::Bad(bad) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        bad.iter().map(|b| b.field).collect::<Vec<_>>(),
        ["beds", "reason"]
    );
    wards::set_beds(&pool, &p, &o, ward, ("5", "hitung ulang"), (now(), TZ))
        .await
        .unwrap();
    let (beds, estimated): (i32, bool) =
        sqlx::query_as("SELECT beds, beds_estimated FROM ward WHERE id = $1")
            .bind(ward)
            .fetch_one(&owner)
            .await
            .unwrap();
    assert_eq!((beds, estimated), (5, false));
    let h = wards::history(&pool, ward).await.unwrap();
    assert_eq!(
        (
            h[0].kind.as_str(),
            h[0].reason.as_str(),
            h[0].who.as_deref(),
            h[0].valid_from
        ),
        ("beds", "hitung ulang", Some("admin.wards"), today())
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'ward_beds' AND entity_id = $1",
    )
    .bind(ward.to_string())
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    load_geo(&owner).await;
    let beds: i32 = sqlx::query_scalar("SELECT beds FROM ward WHERE id = $1")
        .bind(ward)
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(beds, 5, "geo load keeps the count set in the app");
    // UPT staff manage their own UPT's wards only.
    let own = crate::common::user(&owner, "staf.own", Role::UptStaff, Some(&upt)).await;
    let (staff, so) = principal(
        own,
        "staf.own",
        Grant::new(Role::UptStaff, Some(upt.clone())).unwrap(),
    );
    wards::set_beds(
        &pool,
        &staff,
        &so,
        ward,
        ("6", "tambah ranjang"),
        (now(), TZ),
    )
    .await
    .unwrap();
    let other =
        crate::common::user(&owner, "staf.other", Role::UptStaff, Some("PSTW-MAGETAN")).await;
    let (stranger, st) = principal(
        other,
        "staf.other",
        Grant::new(Role::UptStaff, Some("PSTW-MAGETAN".into())).unwrap(),
    );
    let err = wards::set_beds(&pool, &stranger, &st, ward, ("60", "x"), (now(), TZ))
        .await
        .unwrap_err();
    assert!(
        matches!(err, WardError::App(simlontar::error::AppError::Forbidden)),
        "{err:?}"
    );
}

/// Closures: the first day not before today, the last not before the first, a reason from
/// the list, no two closures of a ward on one day; each bad field named.
#[sqlx::test]
async fn a_closure_with_bad_dates_or_overlapping_another_is_refused(owner: PgPool) {
    load_geo(&owner).await;
    let (_, ward, _) = transit_ward(&owner).await;
    let pool = app_pool(&owner).await;
    let (p, o) = admin(&owner).await;
    let fields = |e: WardError| match e {
        WardError::Bad(b) => b.into_iter().map(|b| b.field).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    let past = closure(-1, Some(3), "renovation");
    let e = wards::close(&pool, &p, &o, ward, &past, (now(), TZ))
        .await
        .unwrap_err();
    assert_eq!(fields(e), ["starts_on"]);
    let backwards = closure(5, Some(3), "banjir");
    let e = wards::close(&pool, &p, &o, ward, &backwards, (now(), TZ))
        .await
        .unwrap_err();
    assert_eq!(fields(e), ["ends_on", "reason"]);
    wards::close(
        &pool,
        &p,
        &o,
        ward,
        &closure(2, None, "outbreak"),
        (now(), TZ),
    )
    .await
    .unwrap();
    let e = wards::close(
        &pool,
        &p,
        &o,
        ward,
        &closure(40, Some(41), "staff"),
        (now(), TZ),
    )
    .await
    .unwrap_err();
    assert_eq!(
        fields(e),
        ["starts_on"],
        "an open-ended closure covers day 40"
    );
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM ward_closure")
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

/// The page as UPT staff use it: a bed count below the people in the ward comes back
/// beside the field with what was typed; a good one is confirmed; a closure recorded on
/// the page shows the ward as closed (not as free beds) on the UPT page.
#[sqlx::test]
async fn upt_staff_change_beds_and_close_a_ward_on_its_page(owner: PgPool) {
    load_geo(&owner).await;
    let (upt, ward, _) = transit_ward(&owner).await;
    sqlx::query("UPDATE ward SET occupied = 7 WHERE id = $1")
        .bind(ward)
        .execute(&owner)
        .await
        .unwrap();
    let mut c = crate::common::signed_in(&owner, "staf.upt", Role::UptStaff, Some(&upt)).await;
    let page = format!("/capacity/wards/{ward}");
    let res = c.get(&format!("/capacity/upt/{upt}")).await;
    assert!(
        res.body.contains(&format!("href=\"{page}\"")),
        "a link to each ward"
    );
    let res = c.get(&page).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let res = c
        .post(
            &format!("{page}/beds"),
            &[("beds", "3"), ("reason", "hitung ulang")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("Tidak bisa kurang dari 7"),
        "{}",
        res.body
    );
    assert!(res.body.contains(r#"value="3""#) && res.body.contains("hitung ulang"));
    let res = c
        .post(
            &format!("{page}/beds"),
            &[("beds", "12"), ("reason", "hitung ulang")],
        )
        .await;
    assert_eq!(res.location(), format!("{page}?done=beds"));
    let res = c.get(res.location()).await;
    assert!(
        res.body.contains("Jumlah tempat tidur disimpan"),
        "{}",
        res.body
    );
    assert!(res.body.contains("hitung ulang") && res.body.contains("staf.upt"));
    let starts = today().to_string();
    let res = c
        .post(
            &format!("{page}/closures"),
            &[
                ("starts_on", &starts),
                ("ends_on", ""),
                ("reason", ""),
                ("note", "atap"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Pilih alasan penutupan"), "{}", res.body);
    assert!(res.body.contains(r#"value="atap""#));
    let res = c
        .post(
            &format!("{page}/closures"),
            &[
                ("starts_on", &starts),
                ("ends_on", ""),
                ("reason", "renovation"),
                ("note", "atap"),
            ],
        )
        .await;
    assert_eq!(res.location(), format!("{page}?done=closed"));
    let res = c.get(&format!("/capacity/upt/{upt}")).await;
    assert!(
        res.body
            .contains("Ditutup sementara (Renovasi) sampai diumumkan"),
        "{}",
        res.body
    );
    let res = c
        .post(
            &format!("{page}/rules"),
            &[
                ("sex", "any"),
                ("min_age", "70"),
                ("max_age", "20"),
                ("needs_refused", "psychosocial"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("Usia tertinggi tidak boleh kurang"),
        "{}",
        res.body
    );
    assert!(
        res.body.contains(r#"value="psychosocial" checked"#),
        "ticks kept"
    );
}

/// A closure called off before it began is gone: ending it again finds nothing.
#[sqlx::test]
async fn a_closure_called_off_before_it_begins_cannot_be_ended_twice(owner: PgPool) {
    load_geo(&owner).await;
    let (_, ward, _) = transit_ward(&owner).await;
    let pool = app_pool(&owner).await;
    let (p, o) = admin(&owner).await;
    let id = wards::close(
        &pool,
        &p,
        &o,
        ward,
        &closure(10, Some(12), "staff"),
        (now(), TZ),
    )
    .await
    .unwrap();
    wards::end_closure(&pool, &p, &o, id, (now(), TZ))
        .await
        .unwrap();
    let again = wards::end_closure(&pool, &p, &o, id, (now(), TZ)).await;
    assert!(
        matches!(
            again,
            Err(WardError::App(simlontar::error::AppError::NotFound))
        ),
        "{again:?}"
    );
    assert!(wards::closures(&pool, ward).await.unwrap().is_empty());
    // Its days are open again for another closure.
    wards::close(
        &pool,
        &p,
        &o,
        ward,
        &closure(11, Some(11), "outbreak"),
        (now(), TZ),
    )
    .await
    .unwrap();
}

/// A history of `days` days ending yesterday (by the test clock) for one ward: 20 beds,
/// one admission every other day, stays of ten days.
fn history_csv(upt: &str, ward: &str, days: i64) -> String {
    let mut out = String::from("date,upt,ward,capacity,occupancy,admissions,discharges\n");
    let first = today() - Duration::days(days);
    for k in 0..days {
        let d = first + Duration::days(k);
        let admissions = (k % 2 == 0) as i64;
        let discharges = (k >= 10 && (k - 10) % 2 == 0) as i64;
        let occupancy = (k / 2 + 1).min(5) + 3;
        out += &format!("{d},{upt},{ward},20,{occupancy},{admissions},{discharges}\n");
    }
    out
}

async fn ward_code(owner: &PgPool, id: i64) -> String {
    sqlx::query_scalar("SELECT code FROM ward WHERE id = $1")
        .bind(id)
        .fetch_one(owner)
        .await
        .unwrap()
}

/// `import occupancy`: the forecast learns from the imported days as from days lived in
/// the system (its demand and its stays); a dry run writes nothing; a second run changes
/// nothing and says so.
#[sqlx::test]
async fn imported_occupancy_feeds_the_forecast_once_however_often_it_is_imported(owner: PgPool) {
    use simlontar::capacity::import;
    load_geo(&owner).await;
    let (upt, ward, _) = transit_ward(&owner).await;
    let code = ward_code(&owner, ward).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("riwayat.csv");
    std::fs::write(&file, history_csv(&upt, &code, 365)).unwrap();
    let pool = app_pool(&owner).await;
    let (p, _) = admin(&owner).await;
    let inputs = || async {
        evaluate::run(&pool, &settings(), Some(ward), now())
            .await
            .unwrap();
        sqlx::query_scalar::<_, Value>(
            "SELECT inputs FROM capacity_forecast WHERE ward_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(ward)
        .fetch_one(&owner)
        .await
        .unwrap()
    };
    let before = inputs().await;
    assert_eq!(before["completed_stays"], 0, "{before}");
    let dry = import::import(&pool, &file, (&p, true), (now(), TZ))
        .await
        .unwrap();
    assert_eq!((dry.added, dry.unchanged), (365, 0));
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM occupancy_import_day")
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(stored, 0, "a dry run writes nothing");
    let first = import::import(&pool, &file, (&p, false), (now(), TZ))
        .await
        .unwrap();
    assert_eq!((first.wards, first.added, first.changed), (1, 365, 0));
    let after = inputs().await;
    assert!(after["completed_stays"].as_i64().unwrap() > 100, "{after}");
    assert!(after["demand_per_day"].as_f64().unwrap() > 0.3, "{after}");
    let again = import::import(&pool, &file, (&p, false), (now(), TZ))
        .await
        .unwrap();
    assert_eq!((again.added, again.changed, again.unchanged), (0, 0, 365));
    assert_eq!(inputs().await["completed_stays"], after["completed_stays"]);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'import_occupancy' AND actor_id = $1",
    )
    .bind(p.user_id)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_eq!(
        audited, 1,
        "the run that changed nothing wrote no audit row"
    );
    let marked: (String, Option<i64>) =
        sqlx::query_as("SELECT source, imported_by FROM occupancy_import_day LIMIT 1")
            .fetch_one(&owner)
            .await
            .unwrap();
    assert_eq!(marked, ("riwayat.csv".to_string(), Some(p.user_id)));
}

/// Every bad row of the file is named in one report, by line and column: an unknown UPT,
/// an unknown ward, a whole-UPT row, a duplicate, a day not yet over, a bad number; and
/// nothing is written.
#[sqlx::test]
async fn a_bad_occupancy_file_names_every_bad_row_and_writes_nothing(owner: PgPool) {
    use simlontar::capacity::import::{self, ImportError};
    load_geo(&owner).await;
    let (upt, ward, _) = transit_ward(&owner).await;
    let code = ward_code(&owner, ward).await;
    let y = today() - Duration::days(1);
    let d = today() - Duration::days(2);
    let body = format!(
        "date,upt,ward,capacity,occupancy,admissions,discharges\n\
         {d},{upt},{code},20,5,1,0\n\
         {d},UPT-TIDAK-ADA,X,20,5,1,0\n\
         {d},{upt},BANGSAL-X,20,5,1,0\n\
         {d},{upt},,20,5,1,0\n\
         {d},{upt},{code},20,5,1,0\n\
         {y},{upt},{code},20,5,dua,0\n\
         {},{upt},{code},20,5,1,0\n",
        today()
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("h.csv");
    std::fs::write(&file, body).unwrap();
    let (p, _) = admin(&owner).await;
    let pool = app_pool(&owner).await;
    let Err(ImportError::Rows(rows)) = import::import(&pool, &file, (&p, false), (now(), TZ)).await
    else {
        panic!("refused")
    };
    let got: Vec<(u64, Option<&str>)> =
        rows.iter().map(|e| (e.line, e.column.as_deref())).collect();
    assert_eq!(
        got,
        [(6, None), (7, Some("admissions"))],
        "format errors first: {rows:?}"
    );
    // With the format right, the database's checks name theirs.
    let body = format!(
        "date,upt,ward,capacity,occupancy,admissions,discharges\n\
         {d},{upt},{code},20,5,1,0\n\
         {d},UPT-TIDAK-ADA,X,20,5,1,0\n\
         {d},{upt},BANGSAL-X,20,5,1,0\n\
         {d},{upt},,20,5,1,0\n\
         {},{upt},{code},20,5,1,0\n",
        today()
    );
    std::fs::write(&file, body).unwrap();
    let Err(ImportError::Rows(rows)) = import::import(&pool, &file, (&p, false), (now(), TZ)).await
    else {
        panic!("refused")
    };
    let got: Vec<(u64, Option<&str>)> =
        rows.iter().map(|e| (e.line, e.column.as_deref())).collect();
    assert_eq!(
        got,
        [
            (3, Some("upt")),
            (4, Some("ward")),
            (5, Some("ward")),
            (6, Some("date"))
        ],
        "{rows:?}"
    );
    let report = ImportError::Rows(rows).to_string();
    assert!(
        report.contains("h.csv: line 3, column `upt`: unknown UPT `UPT-TIDAK-ADA`"),
        "{report}"
    );
    let bad_header = "date,upt,bangsal,capacity,occupancy,admissions,discharges\n";
    std::fs::write(&file, bad_header).unwrap();
    let Err(ImportError::Rows(rows)) = import::import(&pool, &file, (&p, false), (now(), TZ)).await
    else {
        panic!("refused")
    };
    assert_eq!(
        (rows[0].line, rows[0].column.as_deref()),
        (1, Some("bangsal"))
    );
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM occupancy_import_day")
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

/// The command as an operator runs it: `--as` an administrator, `--dry-run`, and a second
/// run that says there is nothing to do.
#[sqlx::test]
async fn the_occupancy_import_command_is_idempotent_and_has_a_dry_run(owner: PgPool) {
    load_geo(&owner).await;
    let (upt, ward, _) = transit_ward(&owner).await;
    let code = ward_code(&owner, ward).await;
    crate::common::user(&owner, "admin.cli", Role::Admin, None).await;
    crate::common::user(&owner, "staf.cli", Role::UptStaff, Some(&upt)).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("h.csv");
    // Days well before the machine's today (the command reads the real clock).
    std::fs::write(
        &file,
        format!(
            "date,upt,ward,capacity,occupancy,admissions,discharges\n\
             2025-01-01,{upt},{code},20,5,1,0\n2025-01-02,{upt},{code},20,6,1,0\n"
        ),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let run = |args: &[&str]| crate::cli::run(&owner, args, "");
    let (ok, _, err) = run(&["import", "occupancy", f, "--as", "staf.cli"]);
    assert!(!ok && err.contains("needs an administrator"), "{err}");
    let (ok, _, err) = run(&["import", "occupancy", f, "--as", "admin.cli", "--dry-run"]);
    assert!(
        ok && err.contains("2 days would be added") && err.contains("dry run"),
        "{err}"
    );
    let (ok, _, err) = run(&["import", "occupancy", f, "--as", "admin.cli"]);
    assert!(ok && err.contains("2 days were added"), "{err}");
    let (ok, _, err) = run(&["import", "occupancy", f, "--as", "admin.cli"]);
    assert!(
        ok && err.contains("already imported: nothing to do"),
        "{err}"
    );
}

/// A bed cannot be held in a closed ward either: the hold form says so beside the ward.
#[sqlx::test]
async fn a_bed_in_a_closed_ward_cannot_be_held(owner: PgPool) {
    load_geo(&owner).await;
    let (upt, ward, _) = transit_ward(&owner).await;
    unidentified(&owner, "OT-3578-2026-000009", "male", 35, &[]).await;
    let (p, o) = admin(&owner).await;
    wards::close(
        &app_pool(&owner).await,
        &p,
        &o,
        ward,
        &closure(0, Some(3), "outbreak"),
        (now(), TZ),
    )
    .await
    .unwrap();
    let mut c = crate::common::signed_in(&owner, "co.hold", Role::CaseOfficer, None).await;
    c.get(&format!("/capacity/upt/{upt}")).await;
    let res = c
        .post(
            &format!("/capacity/upt/{upt}/holds"),
            &[
                ("case_number", "OT-3578-2026-000009"),
                ("ward_id", &ward.to_string()),
                ("hours", "24"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    assert!(
        res.body
            .contains("sedang ditutup sementara: pilih bangsal lain"),
        "{}",
        res.body
    );
    let held: i64 = sqlx::query_scalar("SELECT count(*) FROM bed_hold")
        .fetch_one(&owner)
        .await
        .unwrap();
    assert_eq!(held, 0);
}
