//! Moving a case through its states. Every change of state is an event in the append-only
//! log; a change the machine (`model`) does not allow is refused.
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgPool, Postgres, Transaction};

use super::access;
use super::events::{self, Event};
use super::model::{may, missing_fact, State};
use super::number::CaseNumber;
use crate::auth::audit::Origin;
use crate::auth::model::Principal;
use crate::auth::policy::Action;
use crate::error::{AppError, AppResult, FieldError};

/// Locks a case's row and returns its state: every change of a case, its plan or its
/// referral takes this lock first and compares the state it read before acting. FOR NO
/// KEY UPDATE (the lock the state's UPDATE takes anyway): changes of one case still
/// queue, but rows that only name the case (its events) are not held up, so the
/// escalation job holding a notice cannot deadlock with a confirmation holding its case.
pub async fn lock_case(
    tx: &mut Transaction<'_, Postgres>,
    case_id: i64,
) -> Result<State, AppError> {
    let current: String =
        sqlx::query_scalar("SELECT state FROM ot_case WHERE id = $1 FOR NO KEY UPDATE")
            .bind(case_id)
            .fetch_one(&mut **tx)
            .await?;
    State::parse(&current)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown state {current}")))
}

/// Moves a case, locking its row so two moves at once cannot both pass the check.
/// Closing needs a reason. A move into a state whose facts do not exist (`placed`
/// without a placement, `in_transit` without a departure…) is refused: the operation
/// that makes the fact (placement, departure, hand-over) moves the case itself. A
/// finished case keeps no claim on a bed: its referral ends and its held bed is let go.
pub async fn transition(
    tx: &mut Transaction<'_, Postgres>,
    case_id: i64,
    to: State,
    actor: Option<&Principal>,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<State, AppError> {
    let from = lock_case(tx, case_id).await?;
    if !from.next().contains(&to) {
        return Err(AppError::Conflict(format!(
            "{} → {} is not allowed",
            from.as_str(),
            to.as_str()
        )));
    }
    if let Some(p) = actor {
        if !may(p, from, to) {
            return Err(AppError::Forbidden);
        }
    }
    let reason = reason.trim();
    if to == State::Closed && reason.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "reason",
            "a reason is required to close a case",
        )]));
    }
    let missing: Option<String> = sqlx::query_scalar("SELECT case_state_missing($1, $2)")
        .bind(case_id)
        .bind(to.as_str())
        .fetch_one(&mut **tx)
        .await?;
    if let Some(code) = missing {
        return Err(AppError::Conflict(missing_fact(to, &code)));
    }
    if to.is_final() {
        crate::shelter::referral::withdraw(
            tx,
            case_id,
            crate::shelter::referral::End::Finished,
            at,
        )
        .await?;
    }
    sqlx::query(
        "UPDATE ot_case SET state = $2, updated_at = $3,
                closed_at = CASE WHEN $4 THEN $3 END,
                close_reason = CASE WHEN $2 = 'closed' THEN $5 END
          WHERE id = $1",
    )
    .bind(case_id)
    .bind(to.as_str())
    .bind(at)
    .bind(to.is_final())
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    let event = Event {
        from: Some(from),
        to: Some(to),
        ..Event::note("transition", reason, json!({}))
    };
    events::record(tx, case_id, actor, &event, at).await?;
    Ok(from)
}

/// Moves a case `p` may see to `to`: the move, its event and an audit row, in one
/// transaction. Returns the state it left.
pub async fn move_case(
    pool: &PgPool,
    p: &Principal,
    origin: &Origin,
    number: &CaseNumber,
    (to, reason): (State, &str),
    now: DateTime<Utc>,
) -> AppResult<State> {
    let (mut tx, id) = access::open(pool, p, origin, number, Action::MoveCases, now).await?;
    let from = transition(&mut tx, id, to, Some(p), reason, now).await?;
    let detail = json!({"from": from.as_str(), "to": to.as_str()});
    access::commit(tx, origin, number, "transition", detail).await?;
    Ok(from)
}
