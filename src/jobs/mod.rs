//! Scheduled work: tokio-cron-scheduler wakes each job on its UTC schedule; a slotted
//! job runs each slot once across instances (`run::run_slot`) and a starting instance
//! catches up on the last slot it missed. Jobs are plain functions tests call directly.
//! Work a change asks for goes through the queue (`queue`), drained by `drain_work`.
pub mod page;
pub mod queue;
pub mod run;
pub mod schedule;

pub use queue::drain;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio_cron_scheduler::{Job as CronJob, JobScheduler};

use crate::capacity::{digest, evaluate};
use crate::clock::Clock;
use crate::config::Settings;
use crate::identity::{reintake::Thresholds, rematch};
use crate::notify::mailer::Mailer;
use crate::notify::outbox;
use crate::retention;
use crate::routing::handover;
use run::{run_slot, Outcome};
use schedule::Schedule;

/// What jobs need.
#[derive(Clone)]
pub struct Ctx {
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub mailer: Mailer,
    pub clock: Arc<dyn Clock>,
    /// Names this process in `job_run`, to tell instances apart.
    pub instance: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    DeliverMail,
    Rematch,
    Housekeeping,
    EscalateHandovers,
    CapacityDaily,
    WeeklyDigest,
    Retention,
    DrainWork,
}

impl Job {
    pub const ALL: [Job; 8] = [
        Job::CapacityDaily,
        Job::WeeklyDigest,
        Job::DeliverMail,
        Job::Rematch,
        Job::Housekeeping,
        Job::EscalateHandovers,
        Job::Retention,
        Job::DrainWork,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Job::DeliverMail => "deliver_mail",
            Job::Rematch => "rematch_unidentified",
            Job::Housekeeping => "housekeeping",
            Job::EscalateHandovers => "escalate_handovers",
            Job::CapacityDaily => "capacity_daily",
            Job::WeeklyDigest => "weekly_digest",
            Job::Retention => "retention",
            Job::DrainWork => "drain_work",
        }
    }

    pub fn schedule(self) -> Schedule {
        match self {
            Job::DeliverMail => Schedule::EverySeconds(20),
            // Queued work: a burst of intakes or placements within the period is one run.
            Job::DrainWork => Schedule::EverySeconds(30),
            // 02:00 WIB, when the desks are quiet.
            Job::Rematch => Schedule::Daily {
                hour: 19,
                minute: 0,
            },
            // Hourly: an expired bed hold should not block a bed for long.
            Job::Housekeeping => Schedule::Hourly { minute: 20 },
            Job::EscalateHandovers => Schedule::Hourly { minute: 5 },
            // 07:00 WIB, before the morning's placements.
            Job::CapacityDaily => Schedule::Daily { hour: 0, minute: 0 },
            // Monday 07:30 WIB, after the morning's capacity run.
            Job::WeeklyDigest => Schedule::Weekly {
                day: chrono::Weekday::Mon,
                hour: 0,
                minute: 30,
            },
            // 03:00 WIB, after the night's re-matching.
            Job::Retention => Schedule::Daily {
                hour: 20,
                minute: 0,
            },
        }
    }

    async fn work(self, ctx: &Ctx, now: DateTime<Utc>) -> anyhow::Result<Value> {
        Ok(match self {
            Job::DeliverMail => json!(outbox::deliver_due(&ctx.pool, &ctx.mailer, now, 200).await?),
            Job::Rematch => {
                json!(rematch::run(&ctx.pool, Thresholds::of(&ctx.settings), now).await?)
            }
            Job::Housekeeping => housekeeping(&ctx.pool, now).await?,
            Job::CapacityDaily => json!(evaluate::run(&ctx.pool, &ctx.settings, None, now).await?),
            Job::WeeklyDigest => {
                json!({ "queued": digest::run(&ctx.pool, &ctx.settings, now).await? })
            }
            Job::EscalateHandovers => {
                json!({ "escalated": handover::escalate(&ctx.pool, &ctx.settings, now).await? })
            }
            Job::Retention => {
                json!(retention::sweep(&ctx.pool, ctx.settings.retention, now).await?)
            }
            Job::DrainWork => json!(queue::drain(&ctx.pool, &ctx.settings, now).await?),
        })
    }
}

/// Runs a job for the slot due at the clock's now (unslotted jobs simply run).
pub async fn run_due(ctx: &Ctx, job: Job) -> anyhow::Result<Outcome> {
    let now = ctx.clock.now();
    match job.schedule().last_slot(now) {
        None => Ok(Outcome::Ran(job.work(ctx, now).await?)),
        Some(slot) => {
            run_slot(&ctx.pool, job.name(), slot, &ctx.instance, now, || {
                job.work(ctx, now)
            })
            .await
        }
    }
}

/// Runs the last slot of every slotted job that has not run: what a start after
/// downtime owes. Slots missed before the last one are not replayed; each job's work
/// covers everything outstanding, so one run catches up.
pub async fn catch_up(ctx: &Ctx) {
    for job in Job::ALL {
        if job.schedule().last_slot(ctx.clock.now()).is_some() {
            report(job, run_due(ctx, job).await);
        }
    }
}

fn report(job: Job, outcome: anyhow::Result<Outcome>) {
    match outcome {
        // The frequent ones would flood the log.
        Ok(Outcome::Ran(summary)) if !matches!(job, Job::DeliverMail | Job::DrainWork) => {
            tracing::info!(job = job.name(), %summary, "job ran")
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(job = job.name(), error = format!("{e:#}"), "job failed"),
    }
}

/// Starts the scheduler with every job, after a catch-up pass.
pub async fn start(ctx: Ctx) -> anyhow::Result<JobScheduler> {
    let scheduler = JobScheduler::new().await?;
    for job in Job::ALL {
        let ctx = ctx.clone();
        scheduler
            .add(CronJob::new_async(
                job.schedule().cron().as_str(),
                move |_, _| {
                    let ctx = ctx.clone();
                    Box::pin(async move { report(job, run_due(&ctx, job).await) })
                },
            )?)
            .await?;
    }
    let first = ctx.clone();
    tokio::spawn(async move { catch_up(&first).await });
    scheduler.start().await?;
    Ok(scheduler)
}

/// Photos of forms never submitted are kept a day for the officer to come back to; bed
/// holds past their expiry give the bed back.
async fn housekeeping(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<Value> {
    let uploads = sqlx::query("DELETE FROM intake_upload WHERE created_at < $1")
        .bind(now - chrono::Duration::days(1))
        .execute(pool)
        .await?
        .rows_affected();
    let holds = crate::capacity::holds::release_expired_holds(pool, now).await?;
    Ok(json!({ "stale_uploads_removed": uploads, "expired_holds_released": holds }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_names_are_distinct_and_fit_the_table() {
        let names: std::collections::HashSet<&str> = Job::ALL.iter().map(|j| j.name()).collect();
        assert_eq!(names.len(), Job::ALL.len());
        assert!(names
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_')));
    }
}
