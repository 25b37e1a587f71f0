//! Beds held for people on their way to a UPT. The database keeps `ward.held` (a trigger)
//! under the ward's CHECK `occupied + held <= beds`, so a hold can never take a bed that
//! is not there, however many requests race; this module turns that refusal into words.
//! A hold is only ever made for a person referred to the UPT (`shelter::referral`).
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::PgPool;

use crate::auth::audit::{self, Origin};
use crate::auth::model::{Principal, Role};
use crate::auth::policy::{allows, Action, CaseScope};
use crate::cases::lifecycle;
use crate::cases::store::case_id_in;
use crate::cases::CaseNumber;
use crate::error::AppError;
use crate::shelter::referral;

pub const DEFAULT_HOURS: i64 = 48;
pub const MAX_HOURS: i64 = 7 * 24;

/// Why a hold was not made; the page words each one beside its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    BadCaseNumber,
    /// UPT staff: no person with this number is referred to this UPT (whatever the reason).
    NotReferred,
    NoSuchCase,
    CaseClosed,
    AlreadyPlaced,
    AlreadyHeld,
    NoSuchWard,
    WardFull,
    /// The ward is temporarily closed (`ward_closure`): the database refuses the hold.
    WardClosed,
    BadHours,
}

impl Refusal {
    pub fn field(&self) -> &'static str {
        match self {
            Refusal::BadCaseNumber
            | Refusal::NotReferred
            | Refusal::NoSuchCase
            | Refusal::CaseClosed
            | Refusal::AlreadyPlaced
            | Refusal::AlreadyHeld => "case_number",
            Refusal::NoSuchWard | Refusal::WardFull | Refusal::WardClosed => "ward_id",
            Refusal::BadHours => "hours",
        }
    }
}

/// A valid hold request, parsed from the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldRequest {
    pub case_number: CaseNumber,
    pub ward_id: i64,
    pub hours: i64,
}

/// Reads the form's three fields; every bad field is reported, not only the first.
pub fn parse(case_number: &str, ward_id: &str, hours: &str) -> Result<HoldRequest, Vec<Refusal>> {
    let mut bad = vec![];
    let number = CaseNumber::typed(case_number).ok();
    if number.is_none() {
        bad.push(Refusal::BadCaseNumber);
    }
    let ward = ward_id.trim().parse::<i64>().ok();
    if ward.is_none() {
        bad.push(Refusal::NoSuchWard);
    }
    let hours = match hours.trim() {
        "" => Some(DEFAULT_HOURS),
        h => h
            .parse::<i64>()
            .ok()
            .filter(|h| (1..=MAX_HOURS).contains(h)),
    };
    if hours.is_none() {
        bad.push(Refusal::BadHours);
    }
    match (number, ward, hours) {
        (Some(number), Some(ward_id), Some(hours)) => Ok(HoldRequest {
            case_number: number,
            ward_id,
            hours,
        }),
        _ => Err(bad),
    }
}

/// Whether the principal may hold and release beds in this UPT: case officers anywhere,
/// UPT staff in their own UPT. Which people they may hold a bed for is `hold_bed`'s rule.
pub fn may_hold(p: &Principal, upt: &str) -> bool {
    allows(p, Action::ManagePlacements)
        && (p.has(Role::CaseOfficer) || p.scopes(Role::UptStaff).iter().any(|u| u == upt))
}

/// Holds a bed in `upt`'s ward for the case, audited. UPT staff hold only for a person
/// referred to their UPT: any other number (unknown, outside their scope, closed, placed,
/// referred elsewhere) gets the one answer `NotReferred`, so the form tells nothing about
/// cases they may not see, and the hold opens no case. Case officers hold anywhere for any
/// open, unplaced case, and their hold refers the person to that UPT (so its staff can
/// admit them). The case is looked up in the principal's own scope and locked, so a
/// placement or a closing cannot slip in between the checks and the hold.
pub async fn hold_bed(
    pool: &PgPool,
    p: &Principal,
    origin: &Origin,
    upt: &str,
    req: &HoldRequest,
    now: DateTime<Utc>,
) -> Result<i64, HoldError> {
    if !may_hold(p, upt) {
        return Err(HoldError::Forbidden);
    }
    let officer = p.has(Role::CaseOfficer);
    let scope = CaseScope::of(p, now);
    let mut tx = scope.begin(pool).await?;
    let ward_upt: Option<String> = sqlx::query_scalar("SELECT upt_code FROM ward WHERE id = $1")
        .bind(req.ward_id)
        .fetch_optional(&mut *tx)
        .await?;
    if ward_upt.as_deref() != Some(upt) {
        return Err(Refusal::NoSuchWard.into());
    }
    let not_found = if officer {
        Refusal::NoSuchCase
    } else {
        Refusal::NotReferred
    };
    let Some(case_id) = case_id_in(&mut tx, &scope, &req.case_number).await? else {
        return Err(not_found.into());
    };
    lifecycle::lock_case(&mut tx, case_id)
        .await
        .map_err(HoldError::from)?;
    let (closed, placed, referred_to): (bool, bool, Option<String>) = sqlx::query_as(
        "SELECT c.closed_at IS NOT NULL,
                EXISTS (SELECT 1 FROM placement p WHERE p.case_id = c.id AND p.ended_at IS NULL),
                (SELECT r.upt_code FROM referral r WHERE r.case_id = c.id AND r.ended_at IS NULL)
           FROM ot_case c WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_one(&mut *tx)
    .await?;
    if !officer {
        if closed || placed || referred_to.as_deref() != Some(upt) {
            return Err(Refusal::NotReferred.into());
        }
    } else if closed {
        return Err(Refusal::CaseClosed.into());
    } else if placed {
        return Err(Refusal::AlreadyPlaced.into());
    } else {
        referral::refer(&mut tx, case_id, upt, p, now)
            .await
            .map_err(HoldError::from)?;
    }
    let expires = now + Duration::hours(req.hours);
    let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO bed_hold (ward_id, case_id, held_at, expires_at, held_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(req.ward_id)
    .bind(case_id)
    .bind(now)
    .bind(expires)
    .bind(origin.actor_id)
    .fetch_one(&mut *tx)
    .await;
    let id = match inserted {
        Ok(id) => id,
        Err(sqlx::Error::Database(e))
            if e.code().as_deref() == Some("23514") && e.constraint() == Some("ward_check") =>
        {
            // The ward's CHECK (occupied + held <= beds): no free bed left.
            return Err(Refusal::WardFull.into());
        }
        Err(e) if crate::error::constraints::name(&e) == Some("ward_closed") => {
            return Err(Refusal::WardClosed.into());
        }
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23505") => {
            return Err(Refusal::AlreadyHeld.into());
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut *tx,
        origin,
        "hold",
        "bed_hold",
        Some(&id.to_string()),
        json!({ "ward_id": req.ward_id, "case": req.case_number, "expires_at": expires }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, thiserror::Error)]
pub enum HoldError {
    #[error("hold refused: {0:?}")]
    Refused(Refusal),
    /// Not allowed to hold beds in this UPT at all.
    #[error("forbidden")]
    Forbidden,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<sqlx::Error> for HoldError {
    fn from(e: sqlx::Error) -> Self {
        HoldError::App(e.into())
    }
}

impl From<Refusal> for HoldError {
    fn from(r: Refusal) -> Self {
        HoldError::Refused(r)
    }
}

/// Releases an open hold (the person will not come), audited. Returns the hold's UPT, or
/// None when there is no such open hold. Refuses (Ok(Err)) a principal who may not
/// manage that UPT's beds.
pub async fn release(
    pool: &PgPool,
    p: &Principal,
    origin: &Origin,
    hold_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Result<String, ()>>> {
    let mut tx = pool.begin().await?;
    let upt: Option<String> = sqlx::query_scalar(
        "SELECT w.upt_code FROM bed_hold h JOIN ward w ON w.id = h.ward_id
          WHERE h.id = $1 AND h.released_at IS NULL FOR UPDATE OF h",
    )
    .bind(hold_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(upt) = upt else { return Ok(None) };
    if !may_hold(p, &upt) {
        return Ok(Some(Err(())));
    }
    sqlx::query("UPDATE bed_hold SET released_at = $2, release_reason = 'cancelled' WHERE id = $1")
        .bind(hold_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        origin,
        "release",
        "bed_hold",
        Some(&hold_id.to_string()),
        json!({ "reason": "cancelled" }),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(Ok(upt)))
}

/// The job: releases every open hold whose time ran out by `now` (one audit row listing
/// them). Safe to run twice at once: a hold another run released no longer matches.
pub async fn release_expired_holds(pool: &PgPool, now: DateTime<Utc>) -> sqlx::Result<u64> {
    let mut tx = pool.begin().await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "UPDATE bed_hold SET released_at = $1, release_reason = 'expired'
          WHERE released_at IS NULL AND expires_at <= $1 RETURNING id",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    if !ids.is_empty() {
        audit::record(
            &mut *tx,
            &Origin::default(),
            "expire",
            "bed_hold",
            None,
            json!({ "ids": ids }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ids.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_duration_is_two_days_and_a_week_is_the_most() {
        let r = parse(" ot-3578-2026-000123 ", "7", "").unwrap();
        assert_eq!(r.case_number, "OT-3578-2026-000123");
        assert_eq!(r.hours, 48);
        assert!(parse("OT-3578-2026-000123", "7", "168").is_ok());
        assert_eq!(
            parse("OT-3578-2026-000123", "7", "169"),
            Err(vec![Refusal::BadHours])
        );
        assert_eq!(
            parse("OT-3578-2026-000123", "7", "0"),
            Err(vec![Refusal::BadHours])
        );
    }

    #[test]
    fn every_bad_field_is_reported() {
        assert_eq!(
            parse("3578-2026", "x", "abc"),
            Err(vec![
                Refusal::BadCaseNumber,
                Refusal::NoSuchWard,
                Refusal::BadHours
            ])
        );
    }
}
