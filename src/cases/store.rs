//! Reading cases, always through the viewer's `CaseScope` in SQL.
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{PgPool, Postgres, QueryBuilder, Row, Transaction};

use super::number::CaseNumber;
use crate::auth::policy::{CaseScope, NikKey};

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// A name (spelling-tolerant) or a case number.
    pub q: Option<String>,
    /// Only for principals who may use a NIK as a key (the policy makes the key).
    pub nik: Option<NikKey>,
    pub region: Option<String>,
    pub state: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub page: i64,
}

pub const PAGE_SIZE: i64 = 50;

/// A person's age at pick-up, from the estimate or the birth date (SQL over `intake i`),
/// counted on the local day of pick-up in `tz` (`clock`), whatever the session's zone.
pub fn age_sql(tz: chrono_tz::Tz) -> String {
    format!(
        "coalesce(i.estimated_age::int, extract(year FROM age((i.found_at AT TIME ZONE {})::date, i.birth_date))::int)",
        crate::clock::zone_literal(tz)
    )
}

/// The id of case `number` if the scope allows it, `None` otherwise (or if it does not exist).
pub async fn case_id(
    pool: &PgPool,
    scope: &CaseScope,
    number: &CaseNumber,
) -> sqlx::Result<Option<i64>> {
    let mut tx = scope.begin(pool).await?;
    let id = case_id_in(&mut tx, scope, number).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`case_id`] inside a transaction the caller opened with [`CaseScope::begin`].
pub async fn case_id_in(
    tx: &mut Transaction<'_, Postgres>,
    scope: &CaseScope,
    number: &CaseNumber,
) -> sqlx::Result<Option<i64>> {
    let sql = format!(
        "SELECT c.id FROM ot_case c JOIN intake i ON i.id = c.intake_id WHERE {} AND c.number = $5",
        CaseScope::sql(1)
    );
    scope
        .bind(sqlx::query(&sql))
        .bind(number)
        .fetch_optional(&mut **tx)
        .await
        .map(|r| r.map(|r| r.get(0)))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseSummary {
    pub number: String,
    pub state: String,
    pub stated_name: String,
    pub sex: String,
    pub age: Option<i32>,
    pub found_at: DateTime<Utc>,
    pub found_region: String,
    pub found_region_name: Option<String>,
    pub home_region: Option<String>,
    /// The home regency's name, or its province's when only that is known.
    pub home_region_name: Option<String>,
}

/// Cases matching the filter that the scope allows, newest first; one extra row tells
/// whether there is a next page.
pub async fn list(
    pool: &PgPool,
    scope: &CaseScope,
    f: &CaseFilter,
    tz: chrono_tz::Tz,
) -> sqlx::Result<(Vec<CaseSummary>, bool)> {
    // Only the filters given go into the statement: a statement with every filter behind
    // "$n IS NULL OR …" gets one generic plan, which walks every intake; this one lets
    // the planner use the trigram and number indexes (see `name_search`).
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new(format!(
        "SELECT c.number, c.state, i.stated_name, i.sex, i.found_at, i.found_region_code, i.home_region_code,
                {} AS age, fr.name AS found_region_name, coalesce(hr.name, hp.name) AS home_region_name
           FROM ot_case c JOIN intake i ON i.id = c.intake_id
           LEFT JOIN region fr ON fr.code = i.found_region_code
           LEFT JOIN region hr ON hr.code = i.home_region_code
           LEFT JOIN province hp ON hp.code = i.home_province_code
          WHERE ",
        age_sql(tz)
    ));
    scope.push_sql(&mut q);
    let mut by_number = false;
    if let Some(text) = f.q.as_deref() {
        q.push(" AND ");
        by_number = name_search(&mut q, text);
    }
    if let Some(nik) = &f.nik {
        q.push(" AND i.nik = ").push_bind(nik.as_str().to_string());
    }
    if let Some(region) = &f.region {
        q.push(" AND (i.found_region_code = ")
            .push_bind(region)
            .push(" OR i.home_region_code = ")
            .push_bind(region)
            .push(")");
    }
    if let Some(state) = &f.state {
        q.push(" AND c.state = ").push_bind(state);
    }
    if let Some(from) = f.from {
        // From the local midnight starting `from` to the one ending `to`.
        q.push(" AND i.found_at >= ")
            .push_bind(crate::clock::day_start(from, tz));
    }
    if let Some(to) = f.to {
        q.push(" AND i.found_at < ")
            .push_bind(crate::clock::day_start(to + chrono::Duration::days(1), tz));
    }
    // Cases found by their number's start come highest number first, straight from the
    // number index: "OT-3578" may match thousands, which a sort by pick-up time would
    // have to read in full for each page.
    q.push(match by_number {
        true => " ORDER BY c.number USING ~>~ LIMIT ",
        false => " ORDER BY i.found_at DESC, i.id DESC LIMIT ",
    })
    .push_bind(PAGE_SIZE + 1)
    .push(" OFFSET ")
    .push_bind(f.page.max(0) * PAGE_SIZE);
    let mut tx = scope.begin(pool).await?;
    let rows = q.build().fetch_all(&mut *tx).await?;
    tx.commit().await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    Ok((
        rows.into_iter()
            .take(PAGE_SIZE as usize)
            .map(|r| CaseSummary {
                number: r.get("number"),
                state: r.get("state"),
                stated_name: r.get("stated_name"),
                sex: r.get("sex"),
                age: r.get("age"),
                found_at: r.get("found_at"),
                found_region: r.get("found_region_code"),
                found_region_name: r.get("found_region_name"),
                home_region: r.get("home_region_code"),
                home_region_name: r.get("home_region_name"),
            })
            .collect(),
        more,
    ))
}

/// The search box: a case number or its start ("OT-3578" lists a regency's cases), or a
/// name. A name matches a case whose stated name or any alias contains it, or holds a word
/// spelled like it (trigram word similarity at least 0.5: "Selamet" finds "Slamet Riyadi");
/// `intake_name_search` finds those through the trigram index. True for a number search.
fn name_search(q: &mut QueryBuilder<'_, Postgres>, text: &str) -> bool {
    let text = text.trim();
    let upper = text.to_uppercase();
    if upper.starts_with("OT-") {
        // A byte-wise range rather than LIKE: its operators are leakproof, so the index
        // stays usable under row security. Case numbers are ASCII: every one that starts
        // with the prefix sorts below the prefix followed by the highest code point.
        q.push("c.number ~>=~ ")
            .push_bind(upper.clone())
            .push(" AND c.number ~<~ ")
            .push_bind(format!("{upper}\u{10FFFF}"));
        return true;
    }
    let lower = text.to_lowercase();
    // ARRAY(...) runs the search once, before the scan. As `IN (SELECT …)` the planner may
    // run it again for every candidate row: a one-letter name with a regency and a date
    // range took 10 s on a demo year (819 rows × 12 ms), found by the API fuzzer.
    q.push("i.id = ANY(ARRAY(SELECT intake_name_search(")
        .push_bind(format!("%{}%", like_escape(&lower)))
        .push(", ")
        .push_bind(lower)
        .push(")))");
    false
}

/// `s` with LIKE's wildcards taken literally.
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseEvent {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason: String,
    pub actor: Option<String>,
    /// The event's structured detail, for the case page's wording of it (a correction's
    /// values before and after); not part of the API's answer.
    #[serde(skip)]
    pub detail: serde_json::Value,
}

/// For viewers who do not need identities: of a DP3AK check only its outcome, not which
/// biometric was taken (the events say "fingerprint matched"; the score is never in them).
pub fn hide_biometric_methods(events: &mut [CaseEvent]) {
    for e in events.iter_mut().filter(|e| e.kind == "identity_check") {
        let outcome = e.reason.rsplit(' ').next().unwrap_or_default().to_string();
        e.reason = outcome;
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseDetail {
    pub id: i64,
    pub number: String,
    pub state: String,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub found_at: DateTime<Utc>,
    pub found_address: String,
    pub found_region: String,
    pub found_region_name: String,
    pub unit: String,
    pub officer_name: String,
    pub stated_name: String,
    pub aliases: Vec<String>,
    pub name_quality: String,
    pub sex: String,
    pub birth_date: Option<NaiveDate>,
    pub estimated_age: Option<i16>,
    pub birth_date_quality: String,
    pub stated_home: String,
    pub home_village: Option<String>,
    pub home_region: Option<String>,
    pub home_province: Option<String>,
    pub nik: Option<String>,
    pub documents: Vec<String>,
    pub conditions: Vec<String>,
    /// Why the person was on the street (`vocab::StreetCause`).
    pub cause: Option<String>,
    /// Protection concerns (`vocab::ProtectionFlag`).
    pub protection: Vec<String>,
    pub belongings: String,
    pub notes: String,
    pub events: Vec<CaseEvent>,
    pub anonymised_at: Option<DateTime<Utc>>,
    /// Ids of the intake's photos.
    pub photos: Vec<i64>,
    /// A resident already in a UPT when Simlontar started: the UPT's name and the day of
    /// admission (`simlontar import residents`); none for a pick-up.
    pub imported_upt: Option<String>,
    pub imported_admitted_on: Option<NaiveDate>,
}

/// One case by number, or `None` when it does not exist *or* is outside the scope: the
/// two are indistinguishable to the caller.
pub async fn find(
    pool: &PgPool,
    scope: &CaseScope,
    number: &CaseNumber,
) -> sqlx::Result<Option<CaseDetail>> {
    let sql = format!(
        "SELECT c.id, c.number, c.state, c.opened_at, c.closed_at, i.found_at, i.found_address,
                i.found_region_code, r.name AS found_region_name, i.unit, i.officer_name, i.stated_name,
                i.aliases, i.name_quality, i.sex, i.birth_date, i.estimated_age, i.birth_date_quality,
                i.stated_home, i.home_village_code, i.home_region_code, i.home_province_code, i.nik,
                i.documents, i.conditions, i.cause, i.protection, i.belongings, i.notes, i.anonymised_at,
                iu.name AS imported_upt, ir.admitted_on AS imported_admitted_on
           FROM ot_case c JOIN intake i ON i.id = c.intake_id JOIN region r ON r.code = i.found_region_code
           LEFT JOIN imported_resident ir ON ir.intake_id = i.id LEFT JOIN upt iu ON iu.code = ir.upt_code
          WHERE {} AND c.number = $5",
        CaseScope::sql(1)
    );
    let mut tx = scope.begin(pool).await?;
    let Some(r) = scope
        .bind(sqlx::query(&sql))
        .bind(number)
        .fetch_optional(&mut *tx)
        .await?
    else {
        return Ok(None);
    };
    let id: i64 = r.get("id");
    let events = sqlx::query(
        "SELECT e.at, e.kind, e.from_state, e.to_state, e.reason, u.display_name,
                CASE WHEN e.kind = 'corrected' THEN e.detail
                     -- What a route decision chose, for the case page's summary of it.
                     WHEN e.kind = 'route_decided' THEN jsonb_strip_nulls(jsonb_build_object(
                         'chosen', e.detail->'chosen', 'upt', e.detail->'upt'))
                     -- A repeat pick-up soon after a hand-over is marked on both cases.
                     WHEN e.kind IN ('reintake_linked', 'picked_up_again') THEN jsonb_strip_nulls(
                         jsonb_build_object('soon_after_handover', e.detail->'soon_after_handover'))
                     ELSE '{}' END AS detail
           FROM case_event e LEFT JOIN app_user u ON u.id = e.actor_id
          WHERE e.case_id = $1 ORDER BY e.at, e.id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|e| CaseEvent {
        at: e.get("at"),
        kind: e.get("kind"),
        from_state: e.get("from_state"),
        to_state: e.get("to_state"),
        reason: e.get("reason"),
        actor: e.get("display_name"),
        detail: e.get("detail"),
    })
    .collect();
    let photos = sqlx::query_scalar(
        "SELECT p.id FROM intake_photo p JOIN ot_case c ON c.intake_id = p.intake_id WHERE c.id = $1 ORDER BY p.id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(CaseDetail {
        photos,
        id,
        number: r.get("number"),
        state: r.get("state"),
        opened_at: r.get("opened_at"),
        closed_at: r.get("closed_at"),
        found_at: r.get("found_at"),
        found_address: r.get("found_address"),
        found_region: r.get("found_region_code"),
        found_region_name: r.get("found_region_name"),
        unit: r.get("unit"),
        officer_name: r.get("officer_name"),
        stated_name: r.get("stated_name"),
        aliases: r.get("aliases"),
        name_quality: r.get("name_quality"),
        sex: r.get("sex"),
        birth_date: r.get("birth_date"),
        estimated_age: r.get("estimated_age"),
        birth_date_quality: r.get("birth_date_quality"),
        stated_home: r.get("stated_home"),
        home_village: r.get("home_village_code"),
        home_region: r.get("home_region_code"),
        home_province: r.get("home_province_code"),
        nik: r.get("nik"),
        documents: r.get("documents"),
        conditions: r.get("conditions"),
        cause: r.get("cause"),
        protection: r.get("protection"),
        belongings: r.get("belongings"),
        notes: r.get("notes"),
        anonymised_at: r.get("anonymised_at"),
        imported_upt: r.get("imported_upt"),
        imported_admitted_on: r.get("imported_admitted_on"),
        events,
    }))
}

/// Whether a case number exists at all (for auditing denied look-ups only, so it looks
/// with the system's scope).
pub async fn exists(pool: &PgPool, number: &CaseNumber, at: DateTime<Utc>) -> sqlx::Result<bool> {
    let mut tx = CaseScope::system(at).begin(pool).await?;
    let found = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM ot_case WHERE number = $1)")
        .bind(number)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(found)
}

/// A photo (content type, bytes) of a case the scope allows.
pub async fn photo(
    pool: &PgPool,
    scope: &CaseScope,
    number: &CaseNumber,
    id: i64,
) -> sqlx::Result<Option<(String, Vec<u8>)>> {
    let sql = format!(
        "SELECT p.content_type, p.bytes FROM intake_photo p
           JOIN intake i ON i.id = p.intake_id JOIN ot_case c ON c.intake_id = i.id
          WHERE {} AND c.number = $5 AND p.id = $6",
        CaseScope::sql(1)
    );
    let mut tx = scope.begin(pool).await?;
    let photo = scope
        .bind(sqlx::query(&sql))
        .bind(number)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| (r.get("content_type"), r.get("bytes")));
    tx.commit().await?;
    Ok(photo)
}
