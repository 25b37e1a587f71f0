//! Undoing an accepted identity: what accepting a DP3AK check changed on the case is kept
//! when it is applied, and an undo puts exactly that back: the case's state, the check's
//! intake, an event saying so. No time window: what decides is whether anything rests on
//! the identity since (a later change of state or a route decided); then the undo is
//! refused and the case is corrected on its own page.
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgPool, Postgres, Transaction};

use crate::auth::model::Principal;
use crate::cases::events::{self, Event};
use crate::cases::lifecycle;
use crate::cases::model::State;
use crate::error::AppError;

/// Keeps what an accept changed (a second accept after an undo replaces it).
pub async fn remember(
    tx: &mut Transaction<'_, Postgres>,
    case_id: i64,
    check_id: i64,
    (before, after): (State, State),
    set_check_intake: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO identity_application
                (check_id, case_id, state_before, state_after, set_check_intake, event_id, applied_at)
         SELECT $1, $2, $3, $4, $5, max(id), $6 FROM case_event WHERE case_id = $2
         ON CONFLICT (check_id, case_id) DO UPDATE SET state_before = EXCLUDED.state_before,
           state_after = EXCLUDED.state_after, set_check_intake = EXCLUDED.set_check_intake,
           event_id = EXCLUDED.event_id, applied_at = EXCLUDED.applied_at",
    )
    .bind(check_id)
    .bind(case_id)
    .bind(before.as_str())
    .bind(after.as_str())
    .bind(set_check_intake)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Puts the case back as it was before the check was accepted as its identity, or
/// refuses (and changes nothing) when something later rests on that identity.
pub async fn unapply(
    tx: &mut Transaction<'_, Postgres>,
    case_id: i64,
    p: &Principal,
    check_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let current = lifecycle::lock_case(tx, case_id).await?;
    let applied: Option<(String, String, bool, i64)> = sqlx::query_as(
        "SELECT state_before, state_after, set_check_intake, event_id FROM identity_application
          WHERE check_id = $1 AND case_id = $2",
    )
    .bind(check_id)
    .bind(case_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((before, after, set_check_intake, event_id)) = applied else {
        return Err(AppError::Conflict(
            "Keputusan ini dibuat sebelum urungkan tersedia; perbaiki status lewat halaman kasus."
                .into(),
        ));
    };
    let later: Option<String> = sqlx::query_scalar(
        "SELECT kind FROM case_event
          WHERE case_id = $1 AND id > $2 AND (to_state IS NOT NULL OR kind = 'route_decided')
          ORDER BY id LIMIT 1",
    )
    .bind(case_id)
    .bind(event_id)
    .fetch_optional(&mut **tx)
    .await?;
    if later.is_some() || current.as_str() != after {
        return Err(AppError::Conflict(format!(
            "Tidak bisa diurungkan: kasus sudah berlanjut dengan identitas ini (status sekarang: {}). Perbaiki lewat halaman kasus.",
            current.label().id
        )));
    }
    let before = State::parse(&before)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown state {before}")))?;
    if before != current {
        sqlx::query("UPDATE ot_case SET state = $2, updated_at = $3 WHERE id = $1")
            .bind(case_id)
            .bind(before.as_str())
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    if set_check_intake {
        sqlx::query("UPDATE identity_check SET intake_id = NULL WHERE id = $1")
            .bind(check_id)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM identity_application WHERE check_id = $1 AND case_id = $2")
        .bind(check_id)
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    let event = Event {
        from: (before != current).then_some(current),
        to: (before != current).then_some(before),
        ..Event::note(
            "identity_unlinked",
            "DP3AK check link undone",
            json!({"check": check_id}),
        )
    };
    events::record(tx, case_id, Some(p), &event, now).await?;
    Ok(())
}

/// A decision the reviewer made lately, which the queue offers to undo.
pub struct Recent {
    pub link_id: i64,
    pub state: String,
    pub case_number: Option<String>,
    pub decided_at: DateTime<Utc>,
}

/// The reviewer's own last decisions (at most five, within the scope), newest first.
pub async fn recent(
    pool: &PgPool,
    scope: &crate::auth::policy::CaseScope,
    user_id: i64,
) -> sqlx::Result<Vec<Recent>> {
    let mut tx = scope.begin(pool).await?;
    let rows: Vec<(i64, String, Option<String>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT l.id, l.state, c.number, l.decided_at
           FROM record_link l
           LEFT JOIN ot_case c ON c.intake_id = CASE l.right_kind WHEN 'intake' THEN l.right_id
                                                     WHEN 'registry' THEN l.left_id END
          WHERE l.decided_by = $1 AND l.state <> 'candidate'
          ORDER BY l.decided_at DESC, l.id DESC LIMIT 5",
    )
    .bind(user_id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|(link_id, state, case_number, decided_at)| Recent {
            link_id,
            state,
            case_number,
            decided_at,
        })
        .collect())
}
