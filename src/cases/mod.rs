//! The case: its number, its lifecycle and its events, and the operations every capability
//! calls to reach one. Invariants: a case is read only through the asker's scope (a case
//! outside it is "not found", and the look-up audited); every read of a person's details
//! and every change writes one audit row; every change of state is a move the state
//! machine allows, with its event in the append-only log.
pub mod access;
pub mod api;
pub mod case_page;
pub mod create;
pub mod events;
pub mod filter;
pub mod lifecycle;
pub mod model;
pub mod needs;
pub mod next_step;
pub mod number;
pub mod pages;
pub mod protection;
pub mod store;

pub use number::CaseNumber;

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;

use crate::auth::policy::{gate, Action};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    // NIK search only for the roles that see NIKs whole (`policy::NikKey`).
    let by_nik = Router::new()
        .route("/cases/search-nik", post(pages::search_by_nik))
        .route_layer(from_fn_with_state(Action::SearchByNik, gate));
    let moves = Router::new()
        .route("/cases/{number}/transition", post(pages::transition_case))
        .route(
            "/cases/{number}/protection-referral",
            post(protection::refer),
        )
        .route_layer(from_fn_with_state(Action::MoveCases, gate));

    Router::new()
        .merge(by_nik)
        .merge(moves)
        .route("/cases", get(pages::list_cases))
        .route("/cases/{number}", get(case_page::show_case))
        .route("/cases/{number}/photos/{id}", get(pages::show_photo))
        .route("/api/v1/cases", get(api::list_cases))
        .route("/api/v1/cases/{number}", get(api::show_case))
        // Reads for every role (each in its scope); a move only for the roles that make
        // moves, refused before the body is read.
        .route(
            "/api/v1/cases/{number}/events",
            get(api::list_events).merge(
                post(api::add_event).route_layer(from_fn_with_state(Action::MoveCases, gate)),
            ),
        )
}
