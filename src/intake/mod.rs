//! The intake desk: the intake record as Satpol PP took it, its validation, photos, the
//! desk's pages and the intake API. A saved intake opens its case through `cases`.
//! Invariant: one intake per officer and idempotency key, committed before it is
//! acknowledged.
pub mod api;
pub mod correct;
pub mod correct_page;
pub mod create;
pub mod desk;
pub mod hints;
pub mod map;
pub mod model;
pub mod photo;
pub mod staging;

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;

use crate::auth::policy::{gate, Action};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    // Refused before the body is read (the desk's is a multipart photo upload).
    let desk = Router::new()
        .route("/intake", get(desk::new_intake).post(desk::submit_intake))
        // Correcting a saved intake and adding photos (`correct` says who may, and until when).
        .route(
            "/cases/{number}/correction",
            get(correct_page::show_correction).post(correct_page::submit_correction),
        )
        .route_layer(from_fn_with_state(Action::CreateIntake, gate));
    Router::new()
        .merge(desk)
        .route("/intake/saved/{number}", get(desk::show_saved))
        .route("/intake/map.svg", get(desk::map_image))
        // Listed for every role (each in its scope); recorded only by those who record
        // pick-ups, refused before the body is read.
        .route(
            "/api/v1/intakes",
            get(api::list_intakes).merge(
                post(api::create_intake)
                    .route_layer(from_fn_with_state(Action::CreateIntake, gate)),
            ),
        )
        // Case officers, and the intake officer who recorded it for a day (`correct`).
        .route(
            "/api/v1/cases/{number}/corrections",
            post(api::correct_case).route_layer(from_fn_with_state(Action::CreateIntake, gate)),
        )
}
