//! Storing a new intake and opening its case, exactly once per officer and idempotency
//! key: a retry or a double click gets the case the first submission made. Nothing is acknowledged
//! before it is committed.
use chrono::{DateTime, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::{PgPool, Row};

use super::model::NewIntake;
use crate::auth::audit::Origin;
use crate::auth::model::{Principal, Role};
use crate::auth::policy::CaseScope;
use crate::cases::CaseNumber;
use crate::error::{AppError, FieldError};
use crate::places::{store::region_at, Geom};

pub use super::photo::Photo;

pub const MAX_PHOTOS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub case_number: CaseNumber,
    pub intake_id: i64,
    /// False when this was a retry of an earlier submission.
    pub new: bool,
}

/// A digest of what was submitted, to tell a true retry from a different intake that
/// reuses a key.
pub fn fingerprint(intake: &NewIntake, photos: &[Photo]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(format!("{intake:?}").as_bytes());
    for p in photos {
        h.update(Sha256::digest(&p.bytes));
    }
    h.finalize().to_vec()
}

pub async fn create(
    pool: &PgPool,
    intake: &NewIntake,
    photos: &[Photo],
    officer: &Principal,
    origin: &Origin,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<Created, AppError> {
    let print = fingerprint(intake, photos);
    let point = Geom::point(intake.lon, intake.lat);
    // geo/ holds all of Indonesia, so a point resolves anywhere; a pick-up is East Java's.
    let region = region_at(pool, &point)
        .await?
        .filter(|r| crate::places::model::in_served_province(r))
        .ok_or_else(|| {
            AppError::Invalid(vec![FieldError::new(
                "found_lat",
                "titik lokasi tidak berada di Jawa Timur",
            )])
        })?;
    if pickup_regions(officer).is_some_and(|allowed| !allowed.contains(&region)) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "found_lat",
            format!("titik lokasi berada di {region}, di luar wilayah tugas Anda"),
        )]));
    }
    let mut detail = json!({"photos": photos.len()});
    if let Some(id) = &origin.request_id {
        detail["request_id"] = json!(id);
    }
    // A conflicting key inserts nothing at all (the photos hang off the intake's
    // RETURNING). The officer's right to record here was checked above, so it runs in the
    // system's row-security scope.
    let mut tx = CaseScope::system(now).begin(pool).await?;
    let intake_id: Option<i64> = sqlx::query_scalar(
        "WITH i AS (
           INSERT INTO intake (idempotency_key, request_sha256, found_at, found_point, found_address,
               found_region_code, unit, officer_id, officer_name, stated_name, aliases, name_quality, sex,
               birth_date, estimated_age, birth_date_quality, stated_home, home_village_code,
               home_region_code, home_province_code, nik, documents, conditions, belongings, notes, created_at,
               cause, protection)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,
                   $30,$31)
           ON CONFLICT (officer_id, idempotency_key) DO NOTHING RETURNING id),
         p AS (
           INSERT INTO intake_photo (intake_id, sha256, content_type, bytes)
           SELECT DISTINCT ON (x.sha) i.id, x.sha, x.kind, x.bytes
             FROM i, unnest($27::bytea[], $28::text[], $29::bytea[]) AS x(sha, kind, bytes))
         SELECT id FROM i",
    )
    .bind(intake.key)
    .bind(&print)
    .bind(intake.found_at)
    .bind(&point)
    .bind(&intake.found_address)
    .bind(&region)
    .bind(&intake.unit)
    .bind(officer.user_id)
    .bind(&intake.officer_name)
    .bind(&intake.stated_name)
    .bind(&intake.aliases)
    .bind(&intake.name_quality)
    .bind(&intake.sex)
    .bind(intake.birth_date)
    .bind(intake.estimated_age)
    .bind(&intake.birth_date_quality)
    .bind(&intake.stated_home)
    .bind(&intake.home_village)
    .bind(&intake.home_region)
    .bind(&intake.home_province)
    .bind(&intake.nik)
    .bind(&intake.documents)
    .bind(&intake.conditions)
    .bind(&intake.belongings)
    .bind(&intake.notes)
    .bind(now)
    .bind(photos.iter().map(|p| Sha256::digest(&p.bytes).to_vec()).collect::<Vec<_>>())
    .bind(photos.iter().map(|p| p.content_type).collect::<Vec<_>>())
    .bind(photos.iter().map(|p| p.bytes.clone()).collect::<Vec<_>>())
    .bind(&intake.cause)
    .bind(&intake.protection)
    // Unknown or contradicting region codes are refused by the database's constraints,
    // which `error::constraints` words beside the field.
    .fetch_optional(&mut *tx)
    .await?;
    let Some(intake_id) = intake_id else {
        // The key was used before (or by a submission committing right now).
        tx.rollback().await?;
        return existing(pool, intake, officer, &print, now)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("idempotency key vanished")));
    };
    // Is this someone picked up before? Answered in the background, asked for here so
    // that no committed intake goes unmatched.
    crate::jobs::queue::enqueue(&mut tx, crate::jobs::queue::Work::Reintake, now).await?;
    // The case is opened last, so the regency's number counter is locked only for the
    // moment of its own statements and the commit.
    let case = crate::cases::create::create(
        &mut tx,
        intake_id,
        &region,
        crate::clock::local_date(intake.found_at, tz),
        officer,
        origin,
        detail,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Created {
        case_number: case.number,
        intake_id,
        new: true,
    })
}

/// Where a principal may record pick-ups: intake officers their own regencies, case
/// officers anywhere (`None`).
pub fn pickup_regions(p: &Principal) -> Option<Vec<String>> {
    if p.has(Role::CaseOfficer) {
        None
    } else {
        Some(p.scopes(Role::IntakeOfficer))
    }
}

/// The case an earlier submission by the same officer with the same key made; a
/// different intake under a used key is a conflict, never a silent overwrite.
async fn existing(
    pool: &PgPool,
    intake: &NewIntake,
    officer: &Principal,
    print: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<Created>, AppError> {
    // Keys are per officer (the user a token belongs to): another officer's key, even the
    // same UUID, is not looked at, so it tells nothing of their case. The officer's own
    // intake may since have left their scope (a home regency corrected), so the look-up
    // uses the system's scope.
    let mut tx = CaseScope::system(now).begin(pool).await?;
    let row = sqlx::query(
        "SELECT i.id, i.request_sha256, c.number FROM intake i JOIN ot_case c ON c.intake_id = i.id
          WHERE i.officer_id = $1 AND i.idempotency_key = $2",
    )
    .bind(officer.user_id)
    .bind(intake.key)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    let Some(row) = row else { return Ok(None) };
    let stored: Option<Vec<u8>> = row.get("request_sha256");
    if stored.as_deref() != Some(print) {
        return Err(AppError::Conflict(
            "this idempotency key was already used for a different intake".into(),
        ));
    }
    Ok(Some(Created {
        case_number: row.get("number"),
        intake_id: row.get("id"),
        new: false,
    }))
}
