//! The capacity screen's reads, set-based: one query for every ward with its 30-day
//! movements and waiting list, one for the latest forecasts, one for the open alerts.
//! Ward, UPT, placement and capacity tables carry no row-level security; the origin
//! flows read `intake` and so run inside a `CaseScope` transaction.
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WardFigures {
    pub upt_code: String,
    pub upt_name: String,
    pub town: String,
    pub lon: f64,
    pub lat: f64,
    pub ward_id: i64,
    pub ward_code: String,
    pub ward_name: String,
    pub sex: String,
    pub need_id: String,
    pub need_en: String,
    pub beds: i32,
    pub occupied: i32,
    pub held: i32,
    pub updated_at: DateTime<Utc>,
    pub admissions: i64,
    pub discharges: i64,
    /// Open waiting-list entries this ward could take (its need; its sex, or any, or
    /// unknown): one person may fit several wards, so these do not add up.
    pub waiting: i64,
    /// Open waiting-list entries in all (the same on every row).
    pub waiting_total: i64,
    /// The closure in force at `now`, if any: its reason and last day (None: until ended).
    pub closed_reason: Option<String>,
    pub closed_until: Option<chrono::NaiveDate>,
}

/// Every ward, ordered by UPT name and ward code, with admissions and discharges in
/// `[since, now]`.
pub async fn wards(
    pool: &PgPool,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<WardFigures>> {
    sqlx::query_as(
        "WITH moves AS (
             SELECT ward_id,
                    count(*) FILTER (WHERE started_at >= $1 AND started_at <= $2) AS admissions,
                    count(*) FILTER (WHERE ended_at >= $1 AND ended_at <= $2) AS discharges
               FROM placement WHERE started_at >= $1 OR ended_at >= $1
              GROUP BY ward_id),
         waiting AS (
             SELECT need_code, sex, count(*) AS n FROM waiting_list
              WHERE resolved_at IS NULL GROUP BY need_code, sex)
         SELECT u.code AS upt_code, u.name AS upt_name, u.town,
                ST_X(u.location) AS lon, ST_Y(u.location) AS lat,
                w.id AS ward_id, w.code AS ward_code, w.name AS ward_name, w.sex,
                n.name_id AS need_id, n.name_en AS need_en,
                w.beds, w.occupied, w.held, w.updated_at,
                coalesce(m.admissions, 0) AS admissions, coalesce(m.discharges, 0) AS discharges,
                coalesce((SELECT sum(q.n) FROM waiting q
                           WHERE q.need_code = w.need_code
                             AND (w.sex = 'any' OR q.sex = w.sex OR q.sex = 'unknown')), 0)::bigint AS waiting,
                (SELECT coalesce(sum(n), 0) FROM waiting)::bigint AS waiting_total,
                cl.reason AS closed_reason, cl.ends_on AS closed_until
           FROM upt u
           JOIN ward w ON w.upt_code = u.code
           JOIN need n ON n.code = w.need_code
           LEFT JOIN moves m ON m.ward_id = w.id
           LEFT JOIN LATERAL (
                SELECT c.reason, c.ends_on FROM ward_closure c
                 WHERE c.ward_id = w.id AND c.starts_at <= $2 AND (c.ends_at IS NULL OR $2 < c.ends_at)
                 ORDER BY c.starts_at LIMIT 1) cl ON true
          ORDER BY u.name, w.code",
    )
    .bind(since)
    .bind(now)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LatestForecast {
    pub upt_code: String,
    pub ward_id: Option<i64>,
    pub computed_at: DateTime<Utc>,
    pub capacity: i32,
    pub p7: f64,
    pub p14: f64,
    pub p30: f64,
    pub days_to_full: Option<f64>,
    /// First day ahead whose 80 % interval's low end of free beds is 0 (fills soonest).
    pub early: Option<i32>,
    /// First day ahead whose high end of free beds is 0 (fills even in the good case).
    pub late: Option<i32>,
    pub horizon: Option<i32>,
}

const LATEST: &str = "
    SELECT f.upt_code, f.ward_id, f.computed_at, f.capacity, f.p7, f.p14, f.p30, f.days_to_full,
           f.fills_early AS early, f.fills_late AS late, f.horizon
      FROM (SELECT code AS upt_code, 0::bigint AS wid FROM upt
            UNION ALL SELECT upt_code, id FROM ward) k
      CROSS JOIN LATERAL (
            SELECT * FROM capacity_forecast f
             WHERE f.upt_code = k.upt_code AND coalesce(f.ward_id, 0) = k.wid
             ORDER BY f.computed_at DESC LIMIT 1) f";

/// The latest forecast of every ward and UPT that has one (one index probe each).
pub async fn latest_forecasts(pool: &PgPool) -> sqlx::Result<Vec<LatestForecast>> {
    sqlx::query_as(LATEST).fetch_all(pool).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ForecastDaily {
    pub ward_id: Option<i64>,
    pub capacity: i32,
    pub daily: serde_json::Value,
}

/// The day-by-day part of the latest forecasts of one UPT's wards and of the UPT itself.
pub async fn latest_daily(pool: &PgPool, upt: &str) -> sqlx::Result<Vec<ForecastDaily>> {
    sqlx::query_as(
        "SELECT f.ward_id, f.capacity, f.daily
           FROM (SELECT 0::bigint AS wid UNION ALL SELECT id FROM ward WHERE upt_code = $1) k
           CROSS JOIN LATERAL (
                 SELECT * FROM capacity_forecast f
                  WHERE f.upt_code = $1 AND coalesce(f.ward_id, 0) = k.wid
                  ORDER BY f.computed_at DESC LIMIT 1) f",
    )
    .bind(upt)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenAlert {
    pub upt_code: String,
    pub ward_id: Option<i64>,
    pub level: String,
    pub opened_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// The highest open alert of each ward and UPT.
pub async fn open_alerts(pool: &PgPool) -> sqlx::Result<Vec<OpenAlert>> {
    sqlx::query_as(
        "SELECT DISTINCT ON (upt_code, coalesce(ward_id, 0))
                upt_code, ward_id, level, opened_at, acknowledged_at
           FROM capacity_alert WHERE resolved_at IS NULL
          ORDER BY upt_code, coalesce(ward_id, 0),
                   CASE level WHEN 'full' THEN 5 WHEN 'critical' THEN 4 WHEN 'warning' THEN 3 WHEN 'watch' THEN 2 ELSE 1 END DESC",
    )
    .fetch_all(pool)
    .await
}

/// Stays in one UPT that overlap `[from, to]`: (started, ended or None while open).
pub async fn stays(
    pool: &PgPool,
    upt: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>> {
    sqlx::query_as(
        "SELECT p.started_at, p.ended_at FROM placement p JOIN ward w ON w.id = p.ward_id
          WHERE w.upt_code = $1 AND p.started_at <= $3 AND (p.ended_at IS NULL OR p.ended_at > $2)",
    )
    .bind(upt)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenHold {
    pub id: i64,
    pub ward_name: String,
    /// None when the case lies outside the scope the transaction was opened with.
    pub case_number: Option<String>,
    pub held_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Open holds in one UPT; run in the viewer's `CaseScope` so case numbers follow it.
pub async fn open_holds(
    tx: &mut Transaction<'static, Postgres>,
    upt: &str,
) -> sqlx::Result<Vec<OpenHold>> {
    sqlx::query_as(
        "SELECT h.id, w.name AS ward_name, c.number AS case_number, h.held_at, h.expires_at
           FROM bed_hold h JOIN ward w ON w.id = h.ward_id
           LEFT JOIN ot_case c ON c.id = h.case_id
          WHERE w.upt_code = $1 AND h.released_at IS NULL
          ORDER BY h.expires_at, h.id",
    )
    .bind(upt)
    .fetch_all(&mut **tx)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FlowCount {
    pub home_region: Option<String>,
    pub home_province: Option<String>,
    pub found_region: String,
    pub people: i64,
}

/// Pick-ups in `(from, to]` counted by home and pick-up regency, as the transaction's
/// scope admits them. Counts only.
pub async fn flows(
    tx: &mut Transaction<'static, Postgres>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<FlowCount>> {
    sqlx::query_as(
        "SELECT i.home_region_code AS home_region, i.home_province_code AS home_province,
                i.found_region_code AS found_region, count(*) AS people
           FROM intake i WHERE i.found_at > $1 AND i.found_at <= $2
          GROUP BY 1, 2, 3",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut **tx)
    .await
}
