//! Referrals: the case officer's decision that a person goes to one UPT. An open referral
//! is what opens the case to that UPT's staff (the scope's `referral` clause) and what
//! lets them hold a bed for the person; a bed hold by itself opens nothing. At most one
//! referral is open per case (a unique index). The caller holds the case's lock
//! (`lifecycle::lock_case`), so a referral never races a placement or a closing.
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{Postgres, Transaction};

use crate::auth::model::Principal;
use crate::cases::events::{self, Event};
use crate::error::{AppError, AppResult, FieldError};

type Tx<'a> = Transaction<'a, Postgres>;

/// Why a referral ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The person has a bed (in that UPT or another).
    Placed,
    /// Referred to another UPT instead.
    Moved,
    /// Routed home instead.
    Home,
    /// The case is finished.
    Finished,
}

impl End {
    fn code(self) -> &'static str {
        match self {
            End::Placed => "placed",
            End::Moved => "moved",
            End::Home => "home",
            End::Finished => "finished",
        }
    }
}

/// Refers the person of a case to `upt`, ending a referral to another UPT and letting go
/// of a bed held for them elsewhere. Returns whether a new referral was made (false when
/// one to this UPT is already open, or the person already stays there).
pub async fn refer(
    tx: &mut Tx<'_>,
    case_id: i64,
    upt: &str,
    actor: &Principal,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let known: Option<String> = sqlx::query_scalar("SELECT code FROM upt WHERE code = $1")
        .bind(upt)
        .fetch_optional(&mut **tx)
        .await?;
    if known.is_none() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "upt",
            "pilih UPT tujuan / choose the UPT",
        )]));
    }
    let open: Option<String> = sqlx::query_scalar(
        "SELECT upt_code FROM referral WHERE case_id = $1 AND ended_at IS NULL FOR UPDATE",
    )
    .bind(case_id)
    .fetch_optional(&mut **tx)
    .await?;
    // A person already staying in this UPT needs no referral to it.
    let staying: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM placement p JOIN ward w ON w.id = p.ward_id
                         WHERE p.case_id = $1 AND p.ended_at IS NULL AND w.upt_code = $2)",
    )
    .bind(case_id)
    .bind(upt)
    .fetch_one(&mut **tx)
    .await?;
    if open.as_deref() == Some(upt) || staying {
        return Ok(false);
    }
    end(tx, case_id, End::Moved, now).await?;
    sqlx::query(
        "UPDATE bed_hold h SET released_at = $2, release_reason = 'cancelled'
           FROM ward w
          WHERE w.id = h.ward_id AND h.case_id = $1 AND h.released_at IS NULL AND w.upt_code <> $3",
    )
    .bind(case_id)
    .bind(now)
    .bind(upt)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO referral (case_id, upt_code, referred_at, referred_by) VALUES ($1, $2, $3, $4)",
    )
    .bind(case_id)
    .bind(upt)
    .bind(now)
    .bind(actor.user_id)
    .execute(&mut **tx)
    .await?;
    let detail = json!({ "upt": upt, "from": open });
    events::record(
        tx,
        case_id,
        Some(actor),
        &Event::note("referred", upt, detail),
        now,
    )
    .await?;
    Ok(true)
}

/// Ends the open referral of a case, if there is one.
pub async fn end(tx: &mut Tx<'_>, case_id: i64, why: End, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE referral SET ended_at = $2, end_reason = $3 WHERE case_id = $1 AND ended_at IS NULL",
    )
    .bind(case_id)
    .bind(now)
    .bind(why.code())
    .execute(&mut **tx)
    .await
    .map(drop)
}

/// The person will not come to a UPT (routed home, or the case finished): the referral
/// ends and a bed held for them is let go.
pub async fn withdraw(
    tx: &mut Tx<'_>,
    case_id: i64,
    why: End,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    end(tx, case_id, why, now).await?;
    sqlx::query(
        "UPDATE bed_hold SET released_at = $2, release_reason = 'cancelled'
          WHERE case_id = $1 AND released_at IS NULL",
    )
    .bind(case_id)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map(drop)
}

/// Whether the case has an open referral to `upt`.
pub async fn open_to(tx: &mut Tx<'_>, case_id: i64, upt: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM referral WHERE case_id = $1 AND ended_at IS NULL AND upt_code = $2)",
    )
    .bind(case_id)
    .bind(upt)
    .fetch_one(&mut **tx)
    .await
}

/// The open referral of a case, for its page: (UPT code, UPT name, since).
pub async fn open_of(
    tx: &mut Tx<'_>,
    case_id: i64,
) -> sqlx::Result<Option<(String, String, DateTime<Utc>)>> {
    sqlx::query_as(
        "SELECT r.upt_code, u.name, r.referred_at FROM referral r JOIN upt u ON u.code = r.upt_code
          WHERE r.case_id = $1 AND r.ended_at IS NULL",
    )
    .bind(case_id)
    .fetch_optional(&mut **tx)
    .await
}
