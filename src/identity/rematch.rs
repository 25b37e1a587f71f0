//! The nightly second look at people still unidentified: long-stay UPT residents and
//! those who died without a name (their records stay searchable). Each is compared
//! again with every intake — including those that came in since — under the current
//! model, and DP3AK matches that named no case and found no intake are looked for again.
//! The intakes are also linked with the assistance register. Pairs already decided,
//! above all those marked as two different people, stay as they are: links are only
//! ever added.
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;

use super::batch;
use super::reintake::{self, Thresholds};
use crate::auth::policy::CaseScope;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rematched {
    /// Intakes of unidentified people compared again.
    pub unidentified: usize,
    /// Matched checks without a case looked for again, and those that found a candidate.
    pub loose_checks: usize,
    pub proposed: usize,
    /// Intake ↔ assistance-register links written (accepted, for review).
    pub register: super::assistance::Assisted,
}

/// No accepted check link and no NIK: nobody knows yet who this is. Cases that went home
/// were identified on the way, so they are left out.
const UNIDENTIFIED: &str = "UPDATE intake i SET linkage_checked_at = NULL
      FROM ot_case c
     WHERE c.intake_id = i.id AND i.nik IS NULL AND i.anonymised_at IS NULL AND c.state NOT IN ('handed_over', 'routed_home', 'in_transit')
       AND NOT EXISTS (SELECT 1 FROM record_link l
                        WHERE l.left_kind = 'check' AND l.right_kind = 'intake'
                          AND l.right_id = i.id AND l.state = 'accepted')
    RETURNING i.id";

const LOOSE_CHECKS: &str = "SELECT k.id FROM identity_check k
     WHERE k.outcome = 'matched' AND k.intake_id IS NULL
       AND NOT EXISTS (SELECT 1 FROM record_link l
                        WHERE l.left_kind = 'check' AND l.left_id = k.id
                          AND l.state IN ('candidate', 'accepted'))
     ORDER BY k.id";

pub async fn run(pool: &PgPool, t: Thresholds, now: DateTime<Utc>) -> anyhow::Result<Rematched> {
    let mut tx = CaseScope::system(now).begin(pool).await?;
    let unidentified: Vec<i64> = sqlx::query_scalar(UNIDENTIFIED).fetch_all(&mut *tx).await?;
    let loose: Vec<i64> = sqlx::query_scalar(LOOSE_CHECKS).fetch_all(&mut *tx).await?;
    tx.commit().await?;
    reintake::run_pending(pool, t, now).await?;
    let (proposed, _) = batch::place(pool, &loose, t.review, t.tz, now).await?;
    let register = super::assistance::link_register(pool, t, now).await?;
    Ok(Rematched {
        unidentified: unidentified.len(),
        loose_checks: loose.len(),
        proposed,
        register,
    })
}
