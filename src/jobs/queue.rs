//! Work a change asks for, done in the background: a new intake asks for re-intake
//! matching, a placement or discharge for a capacity evaluation. The request is a row of
//! `work_queue` written in the change's own transaction (no request without its change,
//! none lost to a crash after the commit); the server's `drain_work` job, or a test calling
//! `drain`, does each kind's work once for all its rows (a burst of intakes is one run).
//! Rows written while a run goes on stay for the next drain. Two instances never drain
//! the same kind at once (an advisory lock; the second skips).
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgPool, Postgres, Transaction};

use crate::capacity::evaluate;
use crate::config::Settings;
use crate::identity::reintake::{self, Thresholds};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Compare new intakes with every earlier one (`identity::reintake`).
    Reintake,
    /// Evaluate every ward's forecast and alerts again (`capacity::evaluate`), so FULL and
    /// CRITICAL do not wait for the morning run.
    Capacity,
}

impl Work {
    pub const ALL: [Work; 2] = [Work::Reintake, Work::Capacity];

    pub fn kind(self) -> &'static str {
        match self {
            Work::Reintake => "reintake",
            Work::Capacity => "capacity",
        }
    }
}

/// Asks for `work` in the caller's transaction; it is done by a drain after the commit.
pub async fn enqueue(
    tx: &mut Transaction<'_, Postgres>,
    work: Work,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO work_queue (kind, queued_at) VALUES ($1, $2)")
        .bind(work.kind())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What a drain did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Drained {
    /// Requests answered (rows taken off the queue).
    pub requests: u64,
    pub reintake_runs: usize,
    pub intakes_checked: usize,
    pub capacity_runs: usize,
}

/// Does the queued work of every kind once. A failed kind keeps its rows (the next drain
/// tries again) and does not stop the others; its error is returned after them.
pub async fn drain(
    pool: &PgPool,
    settings: &Settings,
    now: DateTime<Utc>,
) -> anyhow::Result<Drained> {
    let mut done = Drained::default();
    let mut failed = None;
    for work in Work::ALL {
        if let Err(e) = drain_kind(pool, settings, work, now, &mut done).await {
            tracing::warn!(
                work = work.kind(),
                error = format!("{e:#}"),
                "queued work failed"
            );
            failed = Some(e);
        }
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(done),
    }
}

async fn drain_kind(
    pool: &PgPool,
    settings: &Settings,
    work: Work,
    now: DateTime<Utc>,
    done: &mut Drained,
) -> anyhow::Result<()> {
    // The lock and the taking of the rows live in this transaction; the work runs in its
    // own. A crash before the commit leaves the rows for the next start.
    let mut tx = pool.begin().await?;
    let mine: bool =
        sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(hashtext('simlontar work ' || $1))")
            .bind(work.kind())
            .fetch_one(&mut *tx)
            .await?;
    if !mine {
        return Ok(());
    }
    let upto: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM work_queue WHERE kind = $1")
        .bind(work.kind())
        .fetch_one(&mut *tx)
        .await?;
    let Some(upto) = upto else {
        return Ok(());
    };
    match work {
        Work::Reintake => {
            done.intakes_checked +=
                reintake::run_pending(pool, Thresholds::of(settings), now).await?;
            done.reintake_runs += 1;
        }
        Work::Capacity => {
            evaluate::run(pool, settings, None, now).await?;
            done.capacity_runs += 1;
        }
    }
    done.requests += sqlx::query("DELETE FROM work_queue WHERE kind = $1 AND id <= $2")
        .bind(work.kind())
        .bind(upto)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(())
}

/// Requests waiting, per kind: what a test or the operations page can check is empty.
pub async fn waiting(pool: &PgPool) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as("SELECT kind, count(*) FROM work_queue GROUP BY kind ORDER BY kind")
        .fetch_all(pool)
        .await
}
