//! Identity: NIK rules and what a NIK contradicts; DP3AK checks as tracked requests, tied
//! to intakes by links that a person reviews when they are not certain.
//! Invariant: a link is never a merge; a pair marked distinct is never proposed again
//! (unless that mark is undone); undoing an accept puts the case back as it was.
pub mod api;
pub mod assistance;
pub mod batch;
pub mod check;
pub mod contradict;
pub mod links;
pub mod nik;
pub mod pages;
pub mod programmes;
pub mod registry;
pub mod reintake;
pub mod rematch;
pub mod store;
pub mod undo;

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;

use crate::auth::policy::{gate, Action};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    let review = Router::new()
        .route(
            "/identity",
            get(|| async { axum::response::Redirect::to("/identity/review") }),
        )
        .route("/identity/review", get(pages::show_review))
        .route("/identity/links/{id}", post(pages::decide_link))
        .route_layer(from_fn_with_state(Action::ReviewLinks, gate));
    let checks = Router::new()
        .route("/identity/checks/new", get(pages::new_check))
        .route("/identity/checks", post(pages::submit_check))
        .route("/api/v1/identity-checks", post(api::create_check))
        .route_layer(from_fn_with_state(Action::RecordIdentity, gate));
    review.merge(checks)
}
