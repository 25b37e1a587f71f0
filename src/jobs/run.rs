//! Running one slot of a job exactly once across instances. The run holds a transaction
//! with an advisory lock on the job's name (a second instance waking for the same slot
//! skips at once) and records the slot in `job_run` when the work is done, in that same
//! transaction: if the process dies mid-run the lock goes with its connection and no row
//! is written, so the next start runs the slot again. The work itself must therefore be
//! safe to repeat (alerts and emails carry unique keys).
use std::future::Future;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgPool;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ran(Value),
    /// Another instance is running this job now.
    Busy,
    /// This slot was already done.
    AlreadyDone,
}

pub async fn run_slot<F, Fut>(
    pool: &PgPool,
    job: &str,
    slot: DateTime<Utc>,
    instance: &str,
    now: DateTime<Utc>,
    work: F,
) -> anyhow::Result<Outcome>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = anyhow::Result<Value>>,
{
    let mut tx = pool.begin().await?;
    let mine: bool =
        sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(hashtext('simlontar job ' || $1))")
            .bind(job)
            .fetch_one(&mut *tx)
            .await?;
    if !mine {
        return Ok(Outcome::Busy);
    }
    let done: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM job_run WHERE job = $1 AND slot = $2)")
            .bind(job)
            .bind(slot)
            .fetch_one(&mut *tx)
            .await?;
    if done {
        return Ok(Outcome::AlreadyDone);
    }
    let summary = work().await?;
    sqlx::query(
        "INSERT INTO job_run (job, slot, started_at, finished_at, instance, summary)
         VALUES ($1, $2, $3, greatest($3, now()), $4, $5)",
    )
    .bind(job)
    .bind(slot)
    .bind(now)
    .bind(instance)
    .bind(&summary)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Outcome::Ran(summary))
}

/// When each job last completed a slot, for the admin page.
pub async fn last_runs(pool: &PgPool) -> sqlx::Result<Vec<(String, DateTime<Utc>, DateTime<Utc>)>> {
    sqlx::query_as(
        "SELECT DISTINCT ON (job) job, slot, finished_at FROM job_run ORDER BY job, slot DESC",
    )
    .fetch_all(pool)
    .await
}
