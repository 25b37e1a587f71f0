//! The facts a report is computed from, read once per report inside the viewer's scope
//! (`CaseScope::begin` and its condition over `ot_case c JOIN intake i`), so a regency
//! office counts only its own people.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Row, Transaction};

use super::model::{CaseFacts, Facts, LegCost, Notice, Refusal, Stay};
use crate::auth::policy::CaseScope;
use crate::cases::store::age_sql;

/// The scope's condition with its parameters at $1–$4 and the period at $5, $6.
fn scoped(select: &str, rest: &str) -> String {
    format!(
        "{select} FROM ot_case c JOIN intake i ON i.id = c.intake_id {rest} WHERE {} ",
        CaseScope::sql(1)
    )
}

async fn rows(
    tx: &mut Transaction<'_, Postgres>,
    scope: &CaseScope,
    sql: &str,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> sqlx::Result<Vec<sqlx::postgres::PgRow>> {
    scope
        .bind(sqlx::query(sql))
        .bind(start)
        .bind(end)
        .fetch_all(&mut **tx)
        .await
}

/// Everything `model::compute` needs for the period [start, end).
pub async fn facts(
    pool: &PgPool,
    scope: &CaseScope,
    period: (DateTime<Utc>, DateTime<Utc>),
    tz: chrono_tz::Tz,
) -> sqlx::Result<Facts> {
    let mut tx = scope.begin(pool).await?;
    let age = age_sql(tz);
    let cases = rows(&mut tx, scope, &(scoped(&format!(
        "SELECT c.number, c.state, i.found_at, i.found_region_code, i.home_region_code,
                i.home_province_code, i.sex, {age} AS age, i.conditions,
                (SELECT p.end_reason FROM placement p WHERE p.case_id = c.id AND p.ended_at IS NOT NULL
                  ORDER BY p.ended_at DESC, p.id DESC LIMIT 1) AS last_stay_end,
                (SELECT min(e.at) FROM case_event e WHERE e.case_id = c.id
                    AND (e.kind = 'route_decided' OR e.to_state IN ('routed_home', 'placed'))) AS decided_at,
                (SELECT min(e.at) FROM case_event e WHERE e.case_id = c.id AND e.to_state = 'handed_over') AS handed_over_at,
                EXISTS (SELECT 1 FROM record_link l JOIN intake o
                          ON o.id = CASE WHEN l.left_id = i.id THEN l.right_id ELSE l.left_id END
                         WHERE l.state = 'accepted' AND l.left_kind = 'intake' AND l.right_kind = 'intake'
                           AND (l.left_id = i.id OR l.right_id = i.id)
                           AND o.found_at < i.found_at AND o.found_at >= i.found_at - interval '12 months') AS again"),
        "") + "AND i.found_at >= $5 AND i.found_at < $6"), period)
    .await?
    .into_iter()
    .map(|r| CaseFacts {
        number: r.get("number"),
        found_at: r.get("found_at"),
        found_region: r.get("found_region_code"),
        home_region: r.get("home_region_code"),
        home_province: r.get("home_province_code"),
        sex: r.get("sex"),
        age: r.get("age"),
        conditions: r.get("conditions"),
        state: r.get("state"),
        last_stay_end: r.get("last_stay_end"),
        decided_at: r.get("decided_at"),
        handed_over_at: r.get("handed_over_at"),
        picked_up_again: r.get("again"),
    })
    .collect();
    let refusals = rows(
        &mut tx,
        scope,
        &(scoped(
            "SELECT coalesce(e.detail ->> 'office_code', i.home_region_code) AS region",
            "JOIN case_event e ON e.case_id = c.id",
        ) + "AND e.kind = 'refused' AND e.at >= $5 AND e.at < $6"),
        period,
    )
    .await?
    .into_iter()
    .map(|r| Refusal {
        region: r.get("region"),
    })
    .collect();
    let notices = rows(
        &mut tx,
        scope,
        &(scoped(
            "SELECT n.office, n.sent_at, n.acknowledged_at",
            "JOIN handover_notice n ON n.case_id = c.id",
        ) + "AND n.sent_at >= $5 AND n.sent_at < $6"),
        period,
    )
    .await?
    .into_iter()
    .map(|r| Notice {
        office: r.get("office"),
        sent_at: r.get("sent_at"),
        acknowledged_at: r.get("acknowledged_at"),
    })
    .collect();
    let stays = rows(&mut tx, scope, &(scoped(
        "SELECT u.name AS upt, p.started_at, p.ended_at, p.end_reason",
        "JOIN placement p ON p.case_id = c.id JOIN ward w ON w.id = p.ward_id JOIN upt u ON u.code = w.upt_code")
        + "AND p.started_at < $6 AND (p.ended_at IS NULL OR p.ended_at >= $5)"), period)
    .await?
    .into_iter()
    .map(|r| Stay { upt: r.get("upt"), started_at: r.get("started_at"), ended_at: r.get("ended_at"), end_reason: r.get("end_reason") })
    .collect();
    let waiting = rows(
        &mut tx,
        scope,
        &(scoped(
            "SELECT q.since, q.resolved_at",
            "JOIN waiting_list q ON q.case_id = c.id",
        ) + "AND q.since < $6 AND (q.resolved_at IS NULL OR q.resolved_at >= $5)"),
        period,
    )
    .await?
    .into_iter()
    .map(|r| (r.get("since"), r.get("resolved_at")))
    .collect();
    // The plans actually travelled: departed in the period, never cancelled afterwards.
    let legs = rows(&mut tx, scope, &(scoped(
        "SELECT l ->> 'paid_by' AS paid_by, (l ->> 'fare_idr')::bigint AS fare",
        "JOIN transport_plan t ON t.case_id = c.id CROSS JOIN LATERAL jsonb_array_elements(t.legs) l")
        + "AND t.state IN ('in_transit', 'handed_over') AND t.departs_at >= $5 AND t.departs_at < $6"), period)
    .await?
    .into_iter()
    .map(|r| LegCost { paid_by: r.get::<Option<String>, _>("paid_by").unwrap_or_default(), fare_idr: r.get::<Option<i64>, _>("fare").unwrap_or(0) })
    .collect();
    tx.commit().await?;
    Ok(Facts {
        cases,
        refusals,
        notices,
        stays,
        waiting,
        legs,
    })
}

/// Names for the codes a report shows: regencies, provinces (reference data, no person).
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub regions: HashMap<String, String>,
    pub provinces: HashMap<String, String>,
}

pub async fn names(pool: &PgPool) -> sqlx::Result<Names> {
    let pairs = |rows: Vec<sqlx::postgres::PgRow>| {
        rows.into_iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect::<HashMap<String, String>>()
    };
    Ok(Names {
        regions: pairs(
            sqlx::query("SELECT code, name FROM region")
                .fetch_all(pool)
                .await?,
        ),
        provinces: pairs(
            sqlx::query("SELECT code, name FROM province")
                .fetch_all(pool)
                .await?,
        ),
    })
}

/// One row of the period's case list.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub number: String,
    pub found_at: DateTime<Utc>,
    pub found_region: String,
    pub stated_name: String,
    pub sex: String,
    pub age: Option<i32>,
    pub home_region: Option<String>,
    pub home_province: Option<String>,
    pub nik: Option<String>,
    pub conditions: Vec<String>,
    pub state: String,
}

/// The cases picked up in [start, end) that the scope admits, oldest first.
pub async fn case_list(
    pool: &PgPool,
    scope: &CaseScope,
    period: (DateTime<Utc>, DateTime<Utc>),
    tz: chrono_tz::Tz,
) -> sqlx::Result<Vec<CaseRow>> {
    let mut tx = scope.begin(pool).await?;
    let age = age_sql(tz);
    let sql = scoped(
        &format!(
            "SELECT c.number, i.found_at, i.found_region_code, i.stated_name, i.sex, {age} AS age,
                i.home_region_code, i.home_province_code, i.nik, i.conditions, c.state"
        ),
        "",
    ) + "AND i.found_at >= $5 AND i.found_at < $6 ORDER BY i.found_at, c.number";
    let out = rows(&mut tx, scope, &sql, period)
        .await?
        .into_iter()
        .map(|r| CaseRow {
            number: r.get("number"),
            found_at: r.get("found_at"),
            found_region: r.get("found_region_code"),
            stated_name: r.get("stated_name"),
            sex: r.get("sex"),
            age: r.get("age"),
            home_region: r.get("home_region_code"),
            home_province: r.get("home_province_code"),
            nik: r.get("nik"),
            conditions: r.get("conditions"),
            state: r.get("state"),
        })
        .collect();
    tx.commit().await?;
    Ok(out)
}

/// Province-wide counts for the open figures: pick-ups and people brought home, by month
/// (1–12, in `tz`) and origin province code ("" when unknown), for the year [start, end).
pub async fn public_counts(
    pool: &PgPool,
    now: DateTime<Utc>,
    tz: &str,
    period: (DateTime<Utc>, DateTime<Utc>),
) -> sqlx::Result<Vec<(String, i32, String, i64)>> {
    let scope = CaseScope::system(now);
    let mut tx = scope.begin(pool).await?;
    // The system's scope admits every case: these counts are province-wide by design, and
    // only ever leave through the suppression of `suppress.rs`.
    let rows = sqlx::query(
        "WITH home AS (
            SELECT c.id, min(e.at) AS at FROM ot_case c JOIN case_event e ON e.case_id = c.id
             WHERE e.to_state = 'handed_over'
                OR (e.to_state = 'discharged' AND EXISTS (SELECT 1 FROM placement p WHERE p.case_id = c.id
                      AND p.end_reason IN ('home', 'family')))
             GROUP BY c.id)
         SELECT 'picked_up' AS kind, extract(month FROM i.found_at AT TIME ZONE $1)::int AS month,
                coalesce(i.home_province_code, '') AS origin, count(*) AS n
           FROM ot_case c JOIN intake i ON i.id = c.intake_id
          WHERE i.found_at >= $2 AND i.found_at < $3 GROUP BY 2, 3
         UNION ALL
         SELECT 'home', extract(month FROM h.at AT TIME ZONE $1)::int, coalesce(i.home_province_code, ''), count(*)
           FROM home h JOIN ot_case c ON c.id = h.id JOIN intake i ON i.id = c.intake_id
          WHERE h.at >= $2 AND h.at < $3 GROUP BY 2, 3",
    )
    .bind(tz)
    .bind(period.0)
    .bind(period.1)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.get("kind"), r.get("month"), r.get("origin"), r.get("n")))
        .collect())
}
