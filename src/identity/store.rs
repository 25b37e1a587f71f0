//! Recording a check: one transaction writes the check, the case's events, the link
//! between check and intake (accepted when certain, a candidate for review when not) and
//! the audit row.
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::{PgPool, Postgres, Row, Transaction};

use super::check::NewCheck;
use super::contradict::{contradictions, Contradiction, Recorded};
use super::links;
use super::nik::Nik;
use crate::auth::audit::{self, Origin};
use crate::auth::model::Principal;
use crate::auth::policy::CaseScope;
use crate::cases::events::{self, Event};
use crate::cases::lifecycle;
use crate::cases::model::State;
use crate::cases::CaseNumber;
use crate::error::{AppError, FieldError};

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CheckRecorded {
    pub check_id: i64,
    /// False when the request repeated an earlier one (same key and body).
    pub created: bool,
    pub case_number: Option<CaseNumber>,
    /// `accepted`, `candidate` (waiting for review) or none.
    pub link: Option<String>,
    /// What the returned identity contradicts in the intake.
    pub contradictions: Vec<Value>,
}

/// When a device or network failed, the check is retried after this long (doubling with
/// each attempt, up to a day).
pub fn retry_after(attempts: i32) -> Duration {
    Duration::minutes(15 * 2i64.pow(attempts.clamp(1, 7) as u32 - 1)).min(Duration::days(1))
}

/// How a result arrived: its idempotency key, the channel (`desk`, `api`, `batch`) and
/// the score that makes a match certain.
pub struct Arrival<'a> {
    pub key: uuid::Uuid,
    pub source: &'a str,
    pub accept_score: f32,
    /// The zone the pick-up day is counted in (`settings.time_zone`).
    pub tz: chrono_tz::Tz,
}

pub async fn record(
    pool: &PgPool,
    p: &Principal,
    origin: &Origin,
    check: &NewCheck,
    arrival: &Arrival<'_>,
    now: DateTime<Utc>,
) -> Result<CheckRecorded, AppError> {
    let Arrival {
        key,
        source,
        accept_score,
        tz,
    } = *arrival;
    let print = Sha256::digest(format!("{check:?}").as_bytes()).to_vec();
    let scope = CaseScope::of(p, now);
    let mut tx = scope.begin(pool).await?;
    if let Some(done) = earlier(&mut tx, key, &print).await? {
        return Ok(done);
    }
    let case = match &check.case_number {
        Some(n) => Some(case_of(&mut tx, &scope, n, tz).await?.ok_or_else(|| {
            AppError::Invalid(vec![FieldError::new("case_number", "no such case")])
        })?),
        None => None,
    };
    let found: Vec<Contradiction> = match (&check.identity, &case) {
        (Some(id), Some(c)) => Nik::parse(&id.nik)
            .map(|nik| contradictions(&nik, &c.recorded()))
            .unwrap_or_default(),
        _ => vec![],
    };
    let found_json: Vec<Value> = found.iter().map(|c| json!(c)).collect();
    let id_ = check.identity.as_ref();
    let next_attempt = (check.outcome == "device_failure").then(|| now + retry_after(1));
    let check_id: i64 = sqlx::query_scalar(
        "INSERT INTO identity_check (idempotency_key, intake_id, method, requested_at, completed_at,
             outcome, score, next_attempt_at, nik, name, birth_date, birth_place, sex, address,
             village_code, kk_number, mother_name, recorded_by, source, request_sha256, contradictions)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
         RETURNING id",
    )
    .bind(key)
    .bind(case.as_ref().map(|c| c.intake_id))
    .bind(&check.method)
    .bind(check.requested_at)
    .bind(check.completed_at)
    .bind(&check.outcome)
    .bind(check.score)
    .bind(next_attempt)
    .bind(id_.map(|i| &i.nik))
    .bind(id_.map(|i| &i.name))
    .bind(id_.and_then(|i| i.birth_date))
    .bind(id_.map(|i| &i.birth_place))
    .bind(id_.map(|i| &i.sex))
    .bind(id_.map(|i| &i.address))
    .bind(id_.and_then(|i| i.village_code.as_deref()))
    .bind(id_.and_then(|i| i.kk_number.as_deref()))
    .bind(id_.map(|i| &i.mother_name))
    .bind(p.user_id)
    .bind(source)
    .bind(&print)
    .bind(json!(found_json))
    // An unknown village code, or the same key committed meanwhile by a retry, is refused
    // by the database's constraints (worded in `error::constraints`).
    .fetch_one(&mut *tx)
    .await?;

    let mut link = None;
    if let Some(c) = &case {
        event(&mut tx, c.id, p, check, check_id, found.len(), now).await?;
        if c.state == State::Received {
            lifecycle::transition(&mut tx, c.id, State::IdentityPending, None, "", now).await?;
        }
        if let (Some(score), true) = (check.score, check.outcome == "matched") {
            // Certain: a strong biometric match that the intake does not contradict on
            // sex or birth date (a guessed age or a move of regency is only a note).
            let hard = found.iter().any(|c| {
                matches!(
                    c,
                    Contradiction::Sex { .. } | Contradiction::BirthDate { .. }
                )
            });
            let contributions = links::check_contributions(score, accept_score, &found);
            let certain = score >= accept_score && !hard;
            let state = links::propose(
                &mut tx,
                check_id,
                c.intake_id,
                score as f64 / 100.0,
                &contributions,
                certain,
                now,
            )
            .await?;
            if state.as_deref() == Some("accepted") {
                links::apply_identity(&mut tx, c.id, None, check_id, now).await?;
            }
            link = state;
        }
    }
    audit::record(
        &mut *tx,
        origin,
        "identity_check",
        "identity_check",
        Some(&check_id.to_string()),
        json!({"case": check.case_number, "outcome": check.outcome, "link": link}),
    )
    .await?;
    tx.commit().await?;
    Ok(CheckRecorded {
        check_id,
        created: true,
        case_number: check.case_number.clone(),
        link,
        contradictions: found_json,
    })
}

async fn earlier(
    tx: &mut Transaction<'_, Postgres>,
    key: uuid::Uuid,
    print: &[u8],
) -> Result<Option<CheckRecorded>, AppError> {
    let Some(r) = sqlx::query(
        "SELECT k.id, k.request_sha256, k.contradictions, c.number,
                (SELECT l.state FROM record_link l WHERE l.left_kind = 'check' AND l.left_id = k.id
                    AND l.right_kind = 'intake' AND l.right_id = k.intake_id) AS link
           FROM identity_check k LEFT JOIN ot_case c ON c.intake_id = k.intake_id
          WHERE k.idempotency_key = $1",
    )
    .bind(key)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    if r.get::<Option<Vec<u8>>, _>("request_sha256").as_deref() != Some(print) {
        return Err(AppError::Conflict(
            "this idempotency key was already used for a different check".into(),
        ));
    }
    let found: Value = r.get("contradictions");
    Ok(Some(CheckRecorded {
        check_id: r.get("id"),
        created: false,
        case_number: r.get("number"),
        link: r.get("link"),
        contradictions: found.as_array().cloned().unwrap_or_default(),
    }))
}

/// The intake side of a case, as far as checking a NIK against it goes.
pub struct CaseFacts {
    pub id: i64,
    pub intake_id: i64,
    pub state: State,
    sex: String,
    birth_date: Option<chrono::NaiveDate>,
    age: Option<i32>,
    birth_date_quality: String,
    home_region: Option<String>,
    found_on: chrono::NaiveDate,
}

impl CaseFacts {
    fn recorded(&self) -> Recorded<'_> {
        Recorded {
            sex: &self.sex,
            birth_date: self.birth_date,
            estimated_age: self.age,
            birth_date_quality: &self.birth_date_quality,
            home_region: self.home_region.as_deref(),
            on: self.found_on,
        }
    }
}

pub async fn case_of(
    tx: &mut Transaction<'_, Postgres>,
    scope: &CaseScope,
    number: &CaseNumber,
    tz: chrono_tz::Tz,
) -> sqlx::Result<Option<CaseFacts>> {
    let sql = format!(
        "SELECT c.id, c.intake_id, c.state, i.sex, i.birth_date, i.estimated_age::int AS age,
                i.birth_date_quality, i.home_region_code, (i.found_at AT TIME ZONE $6)::date AS on_day
           FROM ot_case c JOIN intake i ON i.id = c.intake_id
          WHERE {} AND c.number = $5 FOR UPDATE OF c",
        CaseScope::sql(1)
    );
    let row = scope
        .bind(sqlx::query(&sql))
        .bind(number)
        .bind(crate::clock::zone(tz))
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|r| CaseFacts {
        id: r.get("id"),
        intake_id: r.get("intake_id"),
        state: State::parse(r.get("state")).unwrap_or(State::Received),
        sex: r.get("sex"),
        birth_date: r.get("birth_date"),
        age: r.get("age"),
        birth_date_quality: r.get("birth_date_quality"),
        home_region: r.get("home_region_code"),
        found_on: r.get("on_day"),
    }))
}

async fn event(
    tx: &mut Transaction<'_, Postgres>,
    case_id: i64,
    p: &Principal,
    check: &NewCheck,
    check_id: i64,
    contradictions: usize,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    // No NIK or name in the event: events are shown to everyone who may see the case.
    let reason = format!("{} {}", check.method, check.outcome);
    let detail = json!({"check": check_id, "outcome": check.outcome, "score": check.score,
                        "contradictions": contradictions});
    events::record(
        tx,
        case_id,
        Some(p),
        &Event::note("identity_check", &reason, detail),
        now,
    )
    .await?;
    Ok(())
}

/// The identity DP3AK confirmed for a case: the newest accepted check ↔ intake link.
#[derive(Debug, Clone)]
pub struct Verified {
    pub nik: String,
    pub name: String,
    pub birth_date: Option<chrono::NaiveDate>,
    pub birth_place: String,
    pub sex: String,
    pub village_code: Option<String>,
    pub kk_number: Option<String>,
    pub mother_name: String,
    pub method: String,
    pub score: Option<f32>,
    pub completed_at: Option<DateTime<Utc>>,
}

pub async fn verified(
    pool: &PgPool,
    scope: &CaseScope,
    case_id: i64,
) -> sqlx::Result<Option<Verified>> {
    let mut tx = scope.begin(pool).await?;
    let row = sqlx::query(
        "SELECT k.nik, k.name, k.birth_date, k.birth_place, k.sex, k.village_code, k.kk_number,
                k.mother_name, k.method, k.score, k.completed_at
           FROM ot_case c
           JOIN record_link l ON l.right_kind = 'intake' AND l.right_id = c.intake_id
                             AND l.left_kind = 'check' AND l.state = 'accepted'
           JOIN identity_check k ON k.id = l.left_id
          WHERE c.id = $1 ORDER BY l.decided_at DESC LIMIT 1",
    )
    .bind(case_id)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(row.map(|r| Verified {
        nik: r.get("nik"),
        name: r.get::<Option<String>, _>("name").unwrap_or_default(),
        birth_date: r.get("birth_date"),
        birth_place: r
            .get::<Option<String>, _>("birth_place")
            .unwrap_or_default(),
        sex: r.get::<Option<String>, _>("sex").unwrap_or_default(),
        village_code: r.get("village_code"),
        kk_number: r.get("kk_number"),
        mother_name: r
            .get::<Option<String>, _>("mother_name")
            .unwrap_or_default(),
        method: r.get("method"),
        score: r.get("score"),
        completed_at: r.get("completed_at"),
    }))
}

/// A check that did not give an answer yet: pending, or to be captured or sent again.
#[derive(Debug, Clone)]
pub struct Unfinished {
    pub case_number: Option<String>,
    pub method: String,
    pub outcome: String,
    pub attempts: i32,
    pub due: Option<DateTime<Utc>>,
}

/// Checks to repeat, the overdue first (DP3AK's worklist).
pub async fn unfinished(pool: &PgPool, scope: &CaseScope) -> sqlx::Result<Vec<Unfinished>> {
    let mut tx = scope.begin(pool).await?;
    let rows = sqlx::query(
        "SELECT c.number, k.method, k.outcome, k.attempts, k.next_attempt_at
           FROM identity_check k LEFT JOIN ot_case c ON c.intake_id = k.intake_id
          WHERE k.outcome IN ('pending', 'device_failure', 'low_quality')
            -- A later check of the same intake with an answer settles it.
            AND NOT EXISTS (SELECT 1 FROM identity_check n
                             WHERE n.intake_id = k.intake_id AND n.id > k.id
                               AND n.outcome IN ('matched', 'no_match', 'not_enrolled'))
          ORDER BY k.next_attempt_at NULLS FIRST, k.id
          LIMIT 100",
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| Unfinished {
            case_number: r.get("number"),
            method: r.get("method"),
            outcome: r.get("outcome"),
            attempts: r.get("attempts"),
            due: r.get("next_attempt_at"),
        })
        .collect())
}
