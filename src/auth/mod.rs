//! Users, roles and scopes; sign-in with server-side sessions; API tokens; the one
//! policy module every handler and query goes through; the append-only audit trail.
//! Invariant: a request reaches a protected handler only with a `Principal`, and every
//! read of a person's details and every change writes one audit row.
pub mod audit;
pub mod csrf;
pub mod model;
pub mod pages;
pub mod policy;
pub mod session;
pub mod store;

use axum::routing::{get, post};
use axum::Router;

use crate::web::AppState;

/// Routes open to everybody (sign-in itself).
pub fn public_router() -> Router<AppState> {
    Router::new()
        .route("/login", get(pages::show_login).post(pages::login))
        .route("/logout", post(pages::logout))
}

/// Administration, behind sign-in.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin",
            get(|| async { axum::response::Redirect::to("/admin/users") }),
        )
        .route(
            "/admin/users",
            get(pages::show_users).post(pages::create_user),
        )
        .route("/admin/grants", post(pages::grant_role))
        .route("/admin/passwords", post(pages::reset_password))
        .route("/admin/users/{username}/status", post(pages::set_status))
        .route("/admin/users/{username}/tokens", post(pages::create_token))
        .route("/admin/tokens/{id}/revoke", post(pages::revoke_token))
        .route("/admin/audit", get(pages::show_audit))
}
