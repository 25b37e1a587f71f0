//! UPT beds: which wards fit a person, placement, transfer, discharge and the waiting
//! list, and referrals to a UPT. Invariants: a bed is never given twice — the database
//! refuses it, not the code; UPT staff see and hold beds only for people referred to or
//! staying in their UPT.
pub mod api;
pub mod model;
pub mod pages;
pub mod referral;
pub mod residents;
pub mod residents_store;
pub mod store;
pub mod ward_pages;
pub mod wards;

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;

use crate::auth::policy::{gate, Action};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{number}/placement", post(pages::place_case))
        .route("/cases/{number}/transfer", post(pages::transfer_case))
        .route("/cases/{number}/discharge", post(pages::discharge_case))
        .route("/api/v1/cases/{number}/placement", post(api::place_case))
        .route(
            "/api/v1/cases/{number}/placement-candidates",
            get(api::list_candidates),
        )
        .route_layer(from_fn_with_state(Action::ManagePlacements, gate))
        // Ward administration: administrators and the UPT's own staff
        // (`wards::may_manage`, checked by each handler for the ward's UPT).
        .merge(
            Router::new()
                .route("/capacity/wards/{id}", get(ward_pages::show_ward))
                .route("/capacity/wards/{id}/beds", post(ward_pages::update_beds))
                .route(
                    "/capacity/wards/{id}/closures",
                    post(ward_pages::create_closure),
                )
                .route("/capacity/wards/{id}/rules", post(ward_pages::update_rules))
                .route("/capacity/closures/{id}/end", post(ward_pages::end_closure)),
        )
}
