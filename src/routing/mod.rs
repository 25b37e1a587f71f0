//! Routing: the proposal (home or UPT) and the transport plan home over the hub network,
//! with the relay (*estafet*) for homes outside East Java. Invariants: a plan's totals are
//! the sums of its legs; a plan for a home outside East Java never hands the person to an
//! East Java regency, only to the hand-over province's Dinsos of geo/relay.csv.
pub mod api;
pub mod departure;
pub mod escort;
pub mod handover;
pub mod map;
pub mod network;
pub mod pages;
pub mod plan;
pub mod plan_pages;
pub mod proposal;
pub mod receiving;
pub mod receiving_pages;
pub mod store;

pub use escort::{Condition, Escort, EscortNeed, EscortRole};
pub use map::route_map;
pub use network::{Mode, Network};
pub use plan::{build_plan, Leg, TransportPlan};
pub use proposal::{propose, CaseFacts, Need, Proposal, Reason, Route};
pub use store::{load_network, map_of, plan_to, RoutingError};

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;

use crate::auth::policy::{gate, Action};
use crate::state::AppState;

/// Routes behind sign-in.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{number}/route", post(pages::decide_route))
        .route("/cases/{number}/depart", post(pages::depart))
        .route("/cases/{number}/plan", get(plan_pages::show_plan))
        .route(
            "/cases/{number}/departure",
            post(plan_pages::save_departure),
        )
        .route(
            "/cases/{number}/plan/legs/{index}",
            post(plan_pages::save_leg),
        )
        .route("/cases/{number}/refusal", post(pages::record_refusal))
        .route(
            "/cases/{number}/handover-form",
            get(pages::show_handover_form),
        )
        .route(
            "/routing",
            get(|| async { axum::response::Redirect::to("/routing/offices") }),
        )
        .route("/routing/offices", get(pages::show_offices))
        .route("/incoming", get(receiving_pages::show_incoming))
        .route(
            "/incoming/{number}",
            get(receiving_pages::show_card).post(receiving_pages::answer_card),
        )
        .route(
            "/incoming/{number}/photos/{id}",
            get(receiving_pages::show_card_photo),
        )
        // Refused before anything is read for roles that do not see proposals.
        .route(
            "/api/v1/cases/{number}/proposal",
            get(api::show_proposal).route_layer(from_fn_with_state(Action::ViewRouting, gate)),
        )
        .route(
            "/api/v1/cases/{number}/plan",
            get(api::show_plan).route_layer(from_fn_with_state(Action::ViewRouting, gate)),
        )
        .route(
            "/api/v1/cases/{number}/route",
            post(api::decide_route).route_layer(from_fn_with_state(Action::DecideCase, gate)),
        )
        .route(
            "/api/v1/cases/{number}/departure",
            axum::routing::put(api::schedule_departure)
                .route_layer(from_fn_with_state(Action::DecideCase, gate)),
        )
        .route(
            "/api/v1/cases/{number}/depart",
            post(api::record_departure).route_layer(from_fn_with_state(Action::DecideCase, gate)),
        )
        .route(
            "/api/v1/cases/{number}/handover",
            post(api::answer_handover)
                .route_layer(from_fn_with_state(Action::ReceiveHandover, gate)),
        )
}

/// The receiving office's link: open without an account, the token is the key.
pub fn public_router() -> Router<AppState> {
    Router::new()
        .route(
            "/handover/{token}",
            get(pages::show_link).post(pages::confirm_link),
        )
        .route(
            "/handover/{token}/photos/{id}",
            get(receiving_pages::show_link_photo),
        )
}
