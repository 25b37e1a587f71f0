//! Tasks of a case for a regency office, in one model (`case_task`): the follow-up visits
//! 30 and 90 days after a hand-over (made by `routing::handover::confirm` in the same
//! transaction as "received") and the family tracing of an unidentified UPT resident
//! (given by a case officer or the UPT's staff to an office or a TKSK it oversees).
//! Invariants: every task belongs to one office (`office_code`), and only that office's
//! regency officers see it in their list and answer it; an outcome is one of the task
//! kind's closed list, recorded once, as an event of the case and audited; a family found
//! by tracing feeds the proposal's home (`routing::proposal::best_home`, source `tracing`).
pub mod model;
pub mod pages;
pub mod store;
pub mod tracing_pages;

use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::Router;

use crate::auth::policy::{gate, Action};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    let office = Router::new()
        .route("/tasks", get(pages::show_tasks))
        .route(
            "/tasks/{id}",
            get(pages::show_task).post(pages::record_task),
        )
        .route_layer(from_fn_with_state(Action::AnswerTasks, gate));
    let tracing = Router::new()
        .route(
            "/cases/{number}/tracing",
            get(tracing_pages::show_tracing).post(tracing_pages::assign_tracing),
        )
        .route_layer(from_fn_with_state(Action::AssignTracing, gate));
    office.merge(tracing)
}
