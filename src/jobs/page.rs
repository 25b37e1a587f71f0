//! The operations page (administrators): each job's schedule and last completed slot, and
//! the outbox — waiting, failed, the oldest waiting message — with a warning when mail
//! has waited over an hour, so a broken mail path is seen before an office misses alerts.
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use maud::Markup;

use super::run::last_runs;
use super::Job;
use crate::auth::policy::{require, Action};
use crate::clock::format_local;
use crate::error::AppResult;
use crate::notify::outbox;
use crate::state::AppState;
use crate::web::viewer::Viewer;
use simlontar_templates::ops as view;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/operations", get(show_operations))
}

pub async fn show_operations(State(state): State<AppState>, v: Viewer) -> AppResult<Markup> {
    require(&v.principal, Action::ManageUsers)?;
    let tz = state.settings.time_zone;
    let now = state.clock.now();
    let counts = outbox::counts(&state.pool).await?;
    let runs = last_runs(&state.pool).await?;
    let jobs: Vec<view::JobRow> = Job::ALL
        .into_iter()
        .map(|job| {
            let last = runs.iter().find(|r| r.0 == job.name());
            view::JobRow {
                name: crate::vocab::label_of(
                    crate::vocab::JobName::parse,
                    crate::vocab::JobName::label,
                    job.name(),
                ),
                schedule: job.schedule().describe(tz, v.lang),
                last_slot: last.map(|r| format_local(r.1, tz)),
                finished: last.map(|r| format_local(r.2, tz)),
            }
        })
        .collect();
    Ok(view::operations(
        v.lang,
        &v.nav,
        &view::OpsView {
            waiting: counts.waiting,
            sent: counts.sent,
            failed: counts.failed,
            oldest_waiting: counts.oldest_waiting.map(|t| format_local(t, tz)),
            late_minutes: counts.late(now).map(|d| d.num_minutes()),
            jobs: &jobs,
        },
    ))
}
