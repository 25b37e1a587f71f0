//! Users, roles and scopes; sign-in with server-side sessions; API tokens; the one
//! policy module every handler and query goes through; the append-only audit trail.
//! Invariant: a request reaches a protected handler only with a `Principal`, and every
//! read of a person's details and every change writes one audit row.
pub mod access_report;
pub mod account;
pub mod admin;
pub mod audit;
pub mod break_glass;
pub mod csrf;
pub mod login;
pub mod mfa;
mod mfa_pages;
pub mod model;
pub mod policy;
pub mod session;
pub mod store;
pub mod throttle;

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;
use policy::{gate, Action};

/// Routes open to everybody (sign-in itself).
pub fn public_router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login::show_login).post(login::login))
        .route(
            "/login/totp",
            get(mfa_pages::show_code).post(mfa_pages::check_code),
        )
        .route("/logout", post(login::logout))
}

/// Administration, behind sign-in; each group refused before its body is read to those
/// who may not use it.
pub fn router() -> Router<AppState> {
    let users = Router::new()
        .route(
            "/admin",
            get(|| async { axum::response::Redirect::to("/admin/users") }),
        )
        .route(
            "/admin/users",
            get(admin::show_users).post(admin::create_user),
        )
        .route("/admin/grants", post(admin::grant_role))
        .route("/admin/passwords", post(admin::reset_password))
        .route("/admin/users/{username}/status", post(admin::set_status))
        .route("/admin/users/{username}/tokens", post(admin::create_token))
        .route("/admin/users/{username}/mfa", post(admin::reset_mfa))
        .route("/admin/tokens/{id}/revoke", post(admin::revoke_token))
        .route_layer(from_fn_with_state(Action::ManageUsers, gate));
    let audit = Router::new()
        .route("/admin/audit", get(admin::show_audit))
        .route("/admin/audit/accessed", get(access_report::show))
        .route("/admin/break-glass", get(break_glass::show_review))
        .route(
            "/admin/break-glass/{id}/reviewed",
            post(break_glass::mark_reviewed),
        )
        .route_layer(from_fn_with_state(Action::ViewAudit, gate));
    let own = Router::new()
        .route(
            "/account/password",
            get(account::show_password).post(account::change_password),
        )
        .route(
            "/break-glass",
            get(break_glass::show_request).post(break_glass::grant),
        );
    users.merge(audit).merge(own)
}
