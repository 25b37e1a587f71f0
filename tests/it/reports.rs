//! Reports (issue 27): the monthly figures checked against the records of a generated year,
//! each recomputed here with its own SQL; the scoping; the exports (inert formulas, masked
//! NIKs, one audit row each); the open figures; the subject-access archive.
use std::collections::BTreeMap;
use std::io::Read;

use axum::http::StatusCode;
use chrono::{NaiveDate, TimeZone, Utc};
use sqlx::{PgPool, Row};

use crate::common::*;
use simlontar::auth::model::{Grant, Principal, Role};
use simlontar::auth::policy::CaseScope;
use simlontar::reports::model::{Outcome, Period, Report};
use simlontar_templates::Lang;

const OCTOBER: Period = Period::Month {
    year: 2026,
    month: 10,
};
/// 1 October and 1 November 2026, 00:00 WIB.
fn october() -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    (
        Utc.with_ymd_and_hms(2026, 9, 30, 17, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 10, 31, 17, 0, 0).unwrap(),
    )
}

/// The demo year, and on top of it what the demo does not make: re-intake links (accepted
/// and candidate), refusals, hand-over notices, travelled legs with their payers, and a
/// waiting list — all in October.
pub async fn generated_year(pool: &PgPool) {
    load_geo(pool).await;
    simlontar::demo::seed(
        pool,
        2026,
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        false,
    )
    .await
    .unwrap();
    let (start, end) = october();
    let oct: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT c.id, i.id FROM ot_case c JOIN intake i ON i.id = c.intake_id
          WHERE i.found_at >= $1 AND i.found_at < $2 ORDER BY i.id LIMIT 40",
    )
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(oct.len() == 40, "the demo year has October pick-ups");
    // Links from October intakes to earlier ones: 8 accepted within 12 months, 3 candidates.
    for (n, (_, intake)) in oct.iter().take(11).enumerate() {
        let state = if n < 8 { "accepted" } else { "candidate" };
        sqlx::query(
            "INSERT INTO record_link (left_kind, left_id, right_kind, right_id, state, probability, decided_at)
             SELECT 'intake', o.id, 'intake', $1, $2, 0.99, CASE WHEN $2 = 'accepted' THEN now() END
               FROM intake o, intake me WHERE me.id = $1 AND o.found_at < me.found_at - interval '30 days'
                AND o.found_at > me.found_at - interval '300 days' AND o.id < $1 ORDER BY o.id DESC LIMIT 1",
        )
        .bind(intake)
        .bind(state)
        .execute(pool)
        .await
        .unwrap();
    }
    // Refusals: three naming an office, two not.
    for (n, (case, _)) in oct.iter().skip(11).take(5).enumerate() {
        sqlx::query(
            "INSERT INTO case_event (case_id, at, kind, reason, detail)
             VALUES ($1, $2, 'refused', 'keluarga menolak', $3)",
        )
        .bind(case)
        .bind(start + chrono::Duration::days(n as i64 + 2))
        .bind(if n < 3 {
            serde_json::json!({"by": "family", "office_code": "35.10"})
        } else {
            serde_json::json!({"by": "family", "office_code": null})
        })
        .execute(pool)
        .await
        .unwrap();
    }
    // Travelled plans: legs with payers, and a hand-over notice each (some acknowledged).
    let plans: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT t.id, t.case_id FROM transport_plan t WHERE t.state IN ('in_transit', 'handed_over')
            AND t.departs_at >= $1 AND t.departs_at < $2 ORDER BY t.id LIMIT 12",
    )
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(plans.len() >= 6, "the demo year travels in October");
    for (n, (plan, case)) in plans.iter().enumerate() {
        let legs = serde_json::json!([
            {"paid_by": "APBD Provinsi Jawa Timur", "fare_idr": 150_000 + n as i64 * 1000, "office": "Dinas Sosial Provinsi Jawa Timur"},
            {"paid_by": if n % 3 == 0 { "APBD Provinsi Jawa Tengah" } else { "APBD Kabupaten Jember" }, "fare_idr": 40_000, "office": "x"}
        ]);
        sqlx::query("UPDATE transport_plan SET legs = $2 WHERE id = $1")
            .bind(plan)
            .bind(legs)
            .execute(pool)
            .await
            .unwrap();
        let sent = start + chrono::Duration::hours(24 * n as i64 + 5);
        sqlx::query(
            "INSERT INTO handover_notice (plan_id, case_id, office, office_code, to_address, token_sha256,
                                          sent_at, expires_at, acknowledged_at)
             VALUES ($1, $2, $3, '35.09', 'x@example.org', sha256($4::text::bytea), $5, $5 + interval '7 days', $6)",
        )
        .bind(plan)
        .bind(case)
        .bind(if n % 2 == 0 { "Dinas Sosial Kabupaten Jember" } else { "Dinas Sosial Kota Malang" })
        .bind(format!("token-{plan}"))
        .bind(sent)
        .bind((n % 4 != 3).then(|| sent + chrono::Duration::hours(n as i64 * 3 + 1)))
        .execute(pool)
        .await
        .unwrap();
    }
    // The waiting list: some still waiting at the end of October, some placed in it, one
    // resolved before it began.
    for (n, (case, _)) in oct.iter().skip(20).take(6).enumerate() {
        sqlx::query(
            "INSERT INTO waiting_list (case_id, need_code, sex, since, resolved_at) VALUES ($1, 'elderly', 'male', $2, $3)",
        )
        .bind(case)
        .bind(start - chrono::Duration::days(10))
        .bind(match n {
            0 | 1 => None,
            2 | 3 => Some(start + chrono::Duration::days(5)),
            4 => Some(end + chrono::Duration::days(1)),
            _ => Some(start - chrono::Duration::days(2)),
        })
        .execute(pool)
        .await
        .unwrap();
    }
}

async fn report_for(pool: &PgPool, scope: &CaseScope) -> Report {
    let app = app_pool(pool).await;
    simlontar::reports::build(
        &app,
        scope,
        OCTOBER,
        (chrono_tz::Asia::Jakarta, now()),
        Lang::Id,
    )
    .await
    .unwrap()
    .0
}

/// `SELECT key, count` rows as a map.
async fn counted(pool: &PgPool, sql: &str) -> BTreeMap<String, i64> {
    let (start, end) = october();
    sqlx::query(sql)
        .bind(start)
        .bind(end)
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.get::<Option<String>, _>(0).unwrap_or_default(),
                r.get::<i64, _>(1),
            )
        })
        .collect()
}

/// The period's cases, as this test reads them.
const PERIOD: &str =
    "FROM ot_case c JOIN intake i ON i.id = c.intake_id WHERE i.found_at >= $1 AND i.found_at < $2";

async fn scalar(pool: &PgPool, sql: &str) -> Option<f64> {
    let (start, end) = october();
    sqlx::query_scalar(sql)
        .bind(start)
        .bind(end)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-6,
        (None, None) => true,
        _ => false,
    }
}

#[sqlx::test]
async fn every_figure_of_the_monthly_report_matches_the_records_of_a_generated_year(pool: PgPool) {
    generated_year(&pool).await;
    let r = report_for(&pool, &CaseScope::system(now())).await;

    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) {PERIOD}"))
        .bind(october().0)
        .bind(october().1)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(total > 100, "a month of the demo year: {total}");
    assert_eq!(r.picked_up, total);
    assert_eq!(r.cause_not_recorded, total);
    let by = |col: &str| format!("SELECT {col}, count(*) {PERIOD} GROUP BY 1");
    assert_eq!(
        r.by_pickup_region.clone(),
        counted(&pool, &by("i.found_region_code")).await
    );
    assert_eq!(
        r.by_origin_province,
        counted(&pool, &by("coalesce(i.home_province_code, '')")).await
    );
    assert_eq!(
        r.by_origin_region,
        counted(&pool, &by("coalesce(i.home_region_code, '')")).await
    );
    assert_eq!(r.by_sex, counted(&pool, &by("i.sex")).await);
    // Age groups: the raw ages read here, grouped in the test.
    let raw: Vec<Option<f64>> = sqlx::query_scalar(&format!(
        "SELECT coalesce(i.estimated_age::float8, date_part('year', age(i.found_at, i.birth_date))) {PERIOD}"
    ))
    .bind(october().0)
    .bind(october().1)
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut groups: BTreeMap<&str, i64> = BTreeMap::new();
    for a in raw {
        let g = match a {
            None => "unknown",
            Some(a) if a < 18.0 => "0-17",
            Some(a) if a < 30.0 => "18-29",
            Some(a) if a < 45.0 => "30-44",
            Some(a) if a < 60.0 => "45-59",
            Some(_) => "60+",
        };
        *groups.entry(g).or_default() += 1;
    }
    for (g, n) in &r.by_age_group {
        assert_eq!(*n, groups.get(g).copied().unwrap_or(0), "age group {g}");
    }
    assert_eq!(
        r.by_condition,
        counted(&pool, &format!(
            "SELECT x, count(*) FROM (SELECT unnest(CASE WHEN i.conditions = '{{}}' THEN ARRAY[''] ELSE i.conditions END) AS x {PERIOD}) y GROUP BY 1"
        )).await
    );

    // Outcomes: from the state, the last stay's end and the home province.
    let outcomes_sql = "SELECT CASE
            WHEN c.state = 'handed_over' OR (c.state = 'discharged' AND s.end_reason IN ('home', 'family'))
                THEN CASE WHEN i.home_province_code IS DISTINCT FROM '35' AND i.home_province_code IS NOT NULL THEN 'relay' ELSE 'jatim' END
            WHEN c.state = 'discharged' AND s.end_reason = 'hospital' THEN 'hospital'
            WHEN c.state = 'discharged' AND s.end_reason = 'died' THEN 'died'
            WHEN c.state = 'discharged' AND s.end_reason = 'ran_away' THEN 'ran_away'
            WHEN c.state IN ('discharged', 'closed') THEN 'closed'
            WHEN c.state = 'placed' THEN 'upt' ELSE 'open' END, count(*)
           FROM ot_case c JOIN intake i ON i.id = c.intake_id
           LEFT JOIN LATERAL (SELECT end_reason FROM placement p WHERE p.case_id = c.id AND p.ended_at IS NOT NULL
                               ORDER BY p.ended_at DESC, p.id DESC LIMIT 1) s ON true
          WHERE i.found_at >= $1 AND i.found_at < $2 GROUP BY 1";
    let outcomes = counted(&pool, outcomes_sql).await;
    let expect = |k: &str| outcomes.get(k).copied().unwrap_or(0);
    assert_eq!(r.outcomes[&Outcome::HomeEastJava], expect("jatim"));
    assert_eq!(r.outcomes[&Outcome::HomeRelay], expect("relay"));
    assert_eq!(r.outcomes[&Outcome::Upt], expect("upt"));
    assert_eq!(r.outcomes[&Outcome::Hospital], expect("hospital"));
    assert_eq!(r.outcomes[&Outcome::Died], expect("died"));
    assert_eq!(r.outcomes[&Outcome::RanAway], expect("ran_away"));
    assert_eq!(r.outcomes[&Outcome::ClosedOther], expect("closed"));
    assert_eq!(r.outcomes[&Outcome::Open], expect("open"));
    assert_eq!(r.outcomes.values().sum::<i64>(), total);
    assert!(expect("jatim") > 0 && expect("upt") > 0, "{outcomes:?}");

    // Times: the nearest-rank percentile is PostgreSQL's percentile_disc.
    let times = |to: &str, p: f64| {
        format!(
        "SELECT percentile_disc({p}) WITHIN GROUP (ORDER BY h) FROM (
            SELECT (extract(epoch FROM (SELECT min(e.at) FROM case_event e WHERE e.case_id = c.id AND {to}) - i.found_at) / 3600)::float8 AS h
            {PERIOD}) x WHERE h IS NOT NULL")
    };
    let decided = "(e.kind = 'route_decided' OR e.to_state IN ('routed_home', 'placed'))";
    assert!(close(
        r.to_decision.median,
        scalar(&pool, &times(decided, 0.5)).await
    ));
    assert!(close(
        r.to_decision.p90,
        scalar(&pool, &times(decided, 0.9)).await
    ));
    assert!(close(
        r.to_handover.median,
        scalar(&pool, &times("e.to_state = 'handed_over'", 0.5)).await
    ));
    assert!(close(
        r.to_handover.p90,
        scalar(&pool, &times("e.to_state = 'handed_over'", 0.9)).await
    ));
    assert!(r.to_decision.median.is_some() && r.to_handover.median.is_some());

    // Picked up again: the 8 accepted links made above (the candidates do not count).
    let again: i64 = sqlx::query_scalar(&format!(
        "SELECT count(DISTINCT i.id) {PERIOD} AND EXISTS (SELECT 1 FROM record_link l JOIN intake o ON o.id = l.left_id
            WHERE l.right_id = i.id AND l.right_kind = 'intake' AND l.left_kind = 'intake' AND l.state = 'accepted'
              AND o.found_at >= i.found_at - interval '1 year' AND o.found_at < i.found_at)"
    ))
    .bind(october().0)
    .bind(october().1)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(again, 8);
    assert_eq!(r.picked_up_again, again);

    // Refusals by the office's region, else the home regency.
    assert_eq!(
        r.refusals_by_region,
        counted(&pool, "SELECT coalesce(e.detail ->> 'office_code', i.home_region_code), count(*)
                          FROM case_event e JOIN ot_case c ON c.id = e.case_id JOIN intake i ON i.id = c.intake_id
                         WHERE e.kind = 'refused' AND e.at >= $1 AND e.at < $2 GROUP BY 1").await
    );
    assert_eq!(r.refusals_by_region.values().sum::<i64>(), 5);

    // Acknowledgements per office.
    let acks = sqlx::query(
        "SELECT office, count(*), count(*) FILTER (WHERE acknowledged_at IS NULL),
                percentile_disc(0.5) WITHIN GROUP (ORDER BY (extract(epoch FROM acknowledged_at - sent_at) / 3600)::float8),
                percentile_disc(0.9) WITHIN GROUP (ORDER BY (extract(epoch FROM acknowledged_at - sent_at) / 3600)::float8)
           FROM handover_notice WHERE sent_at >= $1 AND sent_at < $2 GROUP BY 1 ORDER BY 1",
    )
    .bind(october().0)
    .bind(october().1)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(acks.len(), r.acknowledgements.len());
    for (row, a) in acks.iter().zip(&r.acknowledgements) {
        assert_eq!(row.get::<String, _>(0), a.office);
        assert_eq!(row.get::<i64, _>(1), a.notices);
        assert_eq!(row.get::<i64, _>(2), a.open);
        assert!(close(row.get(3), a.hours.median), "{}", a.office);
        assert!(close(row.get(4), a.hours.p90), "{}", a.office);
    }

    // UPTs: occupancy at the end of October, admissions, discharges, stays, deaths.
    let end = october().1;
    let upts = sqlx::query(
        "SELECT u.name,
                count(*) FILTER (WHERE p.started_at < $2 AND (p.ended_at IS NULL OR p.ended_at >= $2)) AS occupied,
                count(*) FILTER (WHERE p.started_at >= $1 AND p.started_at < $2) AS admitted,
                count(*) FILTER (WHERE p.ended_at >= $1 AND p.ended_at < $2 AND p.end_reason = 'died') AS died,
                count(*) FILTER (WHERE p.ended_at >= $1 AND p.ended_at < $2) AS left_,
                count(*) FILTER (WHERE p.started_at < $2 AND (p.ended_at IS NULL OR p.ended_at >= $2)
                                   AND $2 - p.started_at > interval '365 days') AS long_stay,
                percentile_disc(0.5) WITHIN GROUP (ORDER BY (extract(epoch FROM p.ended_at - p.started_at) / 86400)::float8)
                    FILTER (WHERE p.ended_at >= $1 AND p.ended_at < $2) AS stay
           FROM placement p JOIN ward w ON w.id = p.ward_id JOIN upt u ON u.code = w.upt_code
          WHERE p.started_at < $2 AND (p.ended_at IS NULL OR p.ended_at >= $1)
          GROUP BY 1 ORDER BY 1",
    )
    .bind(october().0)
    .bind(end)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(!upts.is_empty());
    assert_eq!(upts.len(), r.upts.len());
    for (row, u) in upts.iter().zip(&r.upts) {
        assert_eq!(row.get::<String, _>("name"), u.upt);
        assert_eq!(row.get::<i64, _>("occupied"), u.occupancy[0], "{}", u.upt);
        assert_eq!(row.get::<i64, _>("admitted"), u.admissions, "{}", u.upt);
        assert_eq!(row.get::<i64, _>("died"), u.deaths, "{}", u.upt);
        assert_eq!(
            row.get::<i64, _>("left_"),
            u.discharges.values().sum::<i64>(),
            "{}",
            u.upt
        );
        assert_eq!(row.get::<i64, _>("long_stay"), u.past_one_year, "{}", u.upt);
        assert!(close(row.get("stay"), u.stay_days.median), "{}", u.upt);
    }
    let discharges = counted(&pool, "SELECT p.end_reason, count(*) FROM placement p WHERE p.ended_at >= $1 AND p.ended_at < $2 GROUP BY 1").await;
    let mut reported: BTreeMap<String, i64> = BTreeMap::new();
    for u in &r.upts {
        for (k, v) in &u.discharges {
            *reported.entry(k.clone()).or_default() += v;
        }
    }
    assert_eq!(reported, discharges);
    // Waiting at the end of October: the two never resolved and the one resolved after it.
    assert_eq!(r.waiting_at_end, 3);

    // Money by payer, from the travelled plans' legs.
    let money = counted(&pool, "SELECT l ->> 'paid_by', sum((l ->> 'fare_idr')::bigint)::bigint
                                  FROM transport_plan t, jsonb_array_elements(t.legs) l
                                 WHERE t.state IN ('in_transit', 'handed_over') AND t.departs_at >= $1 AND t.departs_at < $2
                                 GROUP BY 1").await;
    let reported: BTreeMap<String, i64> = r.money.iter().map(|(p, _, v)| (p.clone(), *v)).collect();
    assert_eq!(reported, money);
    assert_eq!(
        money.len(),
        3,
        "province, regency and relay province: {money:?}"
    );
}

fn regency_viewer(region: &str) -> Principal {
    Principal {
        user_id: 999_999,
        username: "viewer".into(),
        display_name: "viewer".into(),
        grants: vec![Grant::new(Role::RegencyViewer, Some(region.into())).unwrap()],
        via_token: false,
    }
}

#[sqlx::test]
async fn a_regency_office_counts_only_its_own_people(pool: PgPool) {
    generated_year(&pool).await;
    let province = report_for(&pool, &CaseScope::system(now())).await;
    let jember = report_for(&pool, &CaseScope::of(&regency_viewer("35.09"), now())).await;
    let own: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) {PERIOD} AND (i.found_region_code = '35.09' OR i.home_region_code = '35.09')"
    ))
    .bind(october().0)
    .bind(october().1)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(
        own > 0 && own < province.picked_up,
        "{own} of {}",
        province.picked_up
    );
    assert_eq!(jember.picked_up, own);
    // Every counted person was picked up in Jember or comes from it.
    let from_elsewhere: i64 = jember
        .by_pickup_region
        .iter()
        .filter(|(r, _)| *r != "35.09")
        .map(|(_, n)| n)
        .sum();
    assert!(jember.by_origin_region.get("35.09").copied().unwrap_or(0) >= from_elsewhere);
    let placed_jember: i64 = jember.upts.iter().map(|u| u.occupancy[0]).sum();
    let placed_all: i64 = province.upts.iter().map(|u| u.occupancy[0]).sum();
    assert!(placed_jember < placed_all);

    // Over HTTP too: the case list a Jember viewer downloads has exactly their cases.
    let mut viewer = signed_in(&pool, "jember.viewer", Role::RegencyViewer, Some("35.09")).await;
    let res = viewer.get("/reports/cases?month=2026-10&format=csv").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let listed: std::collections::BTreeSet<String> = res
        .body
        .lines()
        .skip(2)
        .filter_map(|l| l.split(',').next())
        .map(String::from)
        .collect();
    let expected: std::collections::BTreeSet<String> = sqlx::query_scalar(&format!(
        "SELECT c.number {PERIOD} AND (i.found_region_code = '35.09' OR i.home_region_code = '35.09')"
    ))
    .bind(october().0)
    .bind(october().1)
    .fetch_all(&pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    assert_eq!(listed, expected);
    let page = viewer.get("/reports/monthly?month=2026-10").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Kabupaten Jember"),
        "the page says whose people it counts"
    );
}

async fn hostile_case(pool: &PgPool) {
    load_geo(pool).await;
    case_fixture(
        pool,
        "OT-3578-2026-000001",
        "35.78",
        Some("35.10"),
        "=HYPERLINK(\"http://x\")",
        Some("3578015208900001"),
    )
    .await;
    case_fixture(
        pool,
        "OT-3578-2026-000002",
        "35.78",
        None,
        "@SUM(1+1)",
        None,
    )
    .await;
}

#[sqlx::test]
async fn a_name_typed_as_a_formula_is_exported_inert_in_csv_and_xlsx(pool: PgPool) {
    hostile_case(&pool).await;
    let mut officer = signed_in(&pool, "case.officer", Role::CaseOfficer, None).await;
    let csv = officer.get("/reports/cases?month=2026-11&format=csv").await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(
        csv.body.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("'@SUM(1+1)"));
    for line in csv.body.lines() {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '@', '\t', '\r']), "{line}");
        }
    }

    let res = officer.router.clone();
    let req = officer.form_request("/reports/cases?month=2026-11&format=xlsx", &[]);
    let req = axum::http::Request::get(req.uri().clone())
        .header("cookie", officer.cookie.clone().unwrap())
        .body(axum::body::Body::empty())
        .unwrap();
    let bytes = {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let r = res.oneshot(req).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.into_body().collect().await.unwrap().to_bytes()
    };
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("Daftar kasus").unwrap();
    let names: Vec<String> = sheet.rows().skip(2).map(|r| r[3].to_string()).collect();
    assert!(
        names.contains(&"'=HYPERLINK(\"http://x\")".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"'@SUM(1+1)".to_string()), "{names:?}");
    let formulas = book.worksheet_formula("Daftar kasus").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell holds a formula"
    );
    // The NIK as the case officer sees it on the case page: whole.
    let niks: Vec<String> = sheet.rows().skip(2).map(|r| r[9].to_string()).collect();
    assert!(niks.contains(&"3578015208900001".to_string()), "{niks:?}");
}

#[sqlx::test]
async fn each_export_writes_one_audit_row_and_niks_are_masked_as_on_pages(pool: PgPool) {
    hostile_case(&pool).await;
    let mut viewer = signed_in(&pool, "bwi.viewer", Role::RegencyViewer, Some("35.10")).await;
    let exports = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM audit_log WHERE action = 'report_export'",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    let before = exports().await;
    let csv = viewer.get("/reports/cases?month=2026-11&format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.contains("3578**********01") && !csv.body.contains("3578015208900001"),
        "{}",
        csv.body
    );
    assert!(
        !csv.body.contains("SUM"),
        "the Surabaya case without a home is not Banyuwangi's"
    );
    assert_eq!(exports().await, before + 1);
    for uri in [
        "/reports/monthly?month=2026-11&format=csv",
        "/reports/yearly?year=2026&format=xlsx",
    ] {
        let res = viewer.get(uri).await;
        assert_eq!(res.status, StatusCode::OK, "{uri}");
    }
    assert_eq!(exports().await, before + 3);
    let (actor, detail): (Option<i64>, serde_json::Value) = sqlx::query_as(
        "SELECT actor_id, detail FROM audit_log WHERE action = 'report_export' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(actor.is_some());
    assert_eq!(detail["format"], "xlsx");
    // A bad period or format is refused, with the field named, and nothing exported.
    for uri in [
        "/reports/cases?month=2026-13&format=csv",
        "/reports/cases?month=2026-11&format=pdf",
        "/reports/cases?month=2026-11",
        "/reports/cases?format=csv",
        "/reports/monthly?month=11-2026",
        "/reports/yearly?year=26",
    ] {
        let res = viewer.get(uri).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
    }
    assert_eq!(exports().await, before + 3);
}

#[sqlx::test]
async fn the_open_figures_need_no_sign_in_and_publish_no_small_count(pool: PgPool) {
    generated_year(&pool).await;
    // One person from Papua this year: a count of 1 in its month, its row and its total.
    let papua = case_fixture(&pool, "OT-3578-2026-900001", "35.78", None, "Yakobus", None).await;
    sqlx::query("UPDATE intake SET home_province_code = '91' WHERE id = (SELECT intake_id FROM ot_case WHERE id = $1)")
        .bind(papua)
        .execute(&pool)
        .await
        .unwrap();
    let res = call(&pool, get("/angka?year=2026")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Mengapa ada tanda *"));
    let html = scraper::Html::parse_document(&res.body);
    let cell = scraper::Selector::parse("td.num").unwrap();
    let mut withheld = 0;
    let mut published = 0;
    for td in html.select(&cell) {
        let text: String = td.text().collect();
        if text == "*" {
            withheld += 1;
            continue;
        }
        let n: i64 = text
            .replace('.', "")
            .parse()
            .unwrap_or_else(|_| panic!("{text}"));
        assert!(!(1..=4).contains(&n), "a published count of {n}");
        published += 1;
    }
    assert!(
        withheld >= 4 && published > 0,
        "{withheld} withheld, {published} published"
    );
    let papua_row = html
        .select(&scraper::Selector::parse("tr").unwrap())
        .find(|tr| tr.text().any(|t| t == "Papua"))
        .map(|tr| tr.text().collect::<Vec<_>>().join("|"))
        .expect("a row for Papua");
    assert!(
        !papua_row.contains("|1|") && papua_row.contains('*'),
        "{papua_row}"
    );
    // Nothing about any person: no name, no case number.
    assert!(!res.body.contains("OT-35"));
}

/// A person picked up twice (the pick-ups linked), and someone else with a candidate link.
async fn two_people(pool: &PgPool) -> (i64, i64, i64) {
    load_geo(pool).await;
    let a1 = case_fixture(
        pool,
        "OT-3578-2026-000011",
        "35.78",
        Some("35.10"),
        "Suparmi",
        Some("3510015208900001"),
    )
    .await;
    let a2 = case_fixture(
        pool,
        "OT-3578-2026-000012",
        "35.78",
        Some("35.10"),
        "Parmi",
        None,
    )
    .await;
    let b = case_fixture(
        pool,
        "OT-3578-2026-000013",
        "35.78",
        Some("35.09"),
        "Sutrisno",
        Some("3509010101800002"),
    )
    .await;
    let intake = |case: i64| async move {
        sqlx::query_scalar::<_, i64>("SELECT intake_id FROM ot_case WHERE id = $1")
            .bind(case)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    let (ia1, ia2, ib) = (intake(a1).await, intake(a2).await, intake(b).await);
    for (l, r, state) in [
        (ia1, ia2, "accepted"),
        (ia2.min(ib), ia2.max(ib), "candidate"),
    ] {
        sqlx::query("INSERT INTO record_link (left_kind, left_id, right_kind, right_id, state, probability, decided_at)
                     VALUES ('intake', $1, 'intake', $2, $3, 0.9, CASE WHEN $3 = 'accepted' THEN now() END)")
            .bind(l).bind(r).bind(state).execute(pool).await.unwrap();
    }
    for (i, byte) in [(ia2, 1u8), (ib, 2u8)] {
        let mut png = PNG.to_vec();
        png.push(byte);
        sqlx::query("INSERT INTO intake_photo (intake_id, sha256, content_type, bytes) VALUES ($1, sha256($2), 'image/png', $2)")
            .bind(i).bind(png).execute(pool).await.unwrap();
    }
    (a1, a2, b)
}

#[sqlx::test]
async fn the_subject_access_archive_holds_the_persons_data_and_nobody_elses(pool: PgPool) {
    two_people(&pool).await;
    // Someone read the second pick-up: the archive says who.
    let mut officer = signed_in(&pool, "case.officer", Role::CaseOfficer, None).await;
    assert_eq!(
        officer.get("/cases/OT-3578-2026-000012").await.status,
        StatusCode::OK
    );
    assert_eq!(
        officer
            .post(
                "/admin/subject-access",
                &[("number", "OT-3578-2026-000011")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let mut admin = signed_in(&pool, "admin1", Role::Admin, None).await;
    let form = admin.get("/admin/subject-access").await;
    assert_eq!(form.status, StatusCode::OK);
    let res = admin
        .post(
            "/admin/subject-access",
            &[("number", "ot-3578-2026-000011")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.headers["content-type"], "application/zip");
    // `Res` holds the body as text; ask again for the bytes.
    let req = admin.form_request(
        "/admin/subject-access",
        &[("number", "OT-3578-2026-000011")],
    );
    let bytes = {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let r = admin.router.clone().oneshot(req).await.unwrap();
        r.into_body().collect().await.unwrap().to_bytes()
    };
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut files = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut content = vec![];
        f.read_to_end(&mut content).unwrap();
        files.insert(f.name().to_string(), content);
    }
    let names: Vec<&String> = files.keys().collect();
    assert_eq!(
        names.iter().filter(|n| n.starts_with("foto/")).count(),
        1,
        "{names:?}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&files["data.json"]).unwrap();
    assert_eq!(
        doc["case_numbers"],
        serde_json::json!(["OT-3578-2026-000011", "OT-3578-2026-000012"])
    );
    assert_eq!(doc["intakes"].as_array().unwrap().len(), 2);
    assert!(doc["events"].as_array().is_some());
    let readers: Vec<&str> = doc["access_log"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["username"].as_str())
        .collect();
    assert!(readers.contains(&"case.officer"), "{readers:?}");
    let summary = String::from_utf8(files["RINGKASAN.txt"].clone()).unwrap();
    assert!(summary.contains("Suparmi") && summary.contains("OT-3578-2026-000012"));
    // Nobody else's data: not the other person's name, NIK, case or photo anywhere.
    for (name, content) in &files {
        let text = String::from_utf8_lossy(content);
        assert!(
            !text.contains("Sutrisno")
                && !text.contains("3509010101800002")
                && !text.contains("OT-3578-2026-000013"),
            "{name}"
        );
        assert!(
            !content.ends_with(&[2u8]) || !name.starts_with("foto/"),
            "{name} is the other person's photo"
        );
    }
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'subject_access_export' AND entity_id = 'OT-3578-2026-000011'")
        .fetch_one(&pool).await.unwrap();
    assert_eq!(audited, 2, "each export is audited");

    // An unknown number: the form again, the error beside the field, what was typed kept.
    let res = admin
        .post(
            "/admin/subject-access",
            &[("number", "OT-9999-2026-000001")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(
        res.body.contains("tidak ada kasus dengan nomor ini")
            && res.body.contains("OT-9999-2026-000001")
    );
}

#[sqlx::test]
async fn the_command_line_writes_the_same_report_and_audits_it(pool: PgPool) {
    hostile_case(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cases.csv");
    let args = simlontar::reports::cli::ReportArgs {
        month: Some("2026-11".into()),
        year: None,
        format: "csv".into(),
        out: out.clone(),
        cases: true,
        lang: "id".into(),
    };
    let rows = simlontar::reports::cli::run(&app_pool(&pool).await, &settings(), &args, now())
        .await
        .unwrap();
    assert_eq!(rows, 2);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("'=HYPERLINK") && text.contains("3578**********01"),
        "{text}"
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'report_export' AND actor_id IS NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}
