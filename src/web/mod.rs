//! The HTTP application: shared state, the router of every capability, and the layers
//! every request passes (request id, tracing, time-out, body limit, error pages).
pub mod errors;
pub mod health;
pub mod home;
pub mod lang;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware;
use axum::routing::get;
use axum::Router;
use sqlx::PgPool;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::clock::Clock;
use crate::config::Settings;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Largest request body accepted (five 5 MiB photos and the form around them).
pub const BODY_LIMIT: usize = 27 * 1024 * 1024;

pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(home::show_home))
        .route("/lang/{code}", get(lang::switch_language))
        .route("/static/app.css", get(static_css))
        .fallback(not_found)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        // Outside the limits, so their refusals are rendered like every other error.
        .layer(middleware::from_fn(errors::render_errors))
        // Probes answer plain JSON for machines, without the error pages.
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

async fn not_found() -> crate::error::AppError {
    crate::error::AppError::NotFound
}

async fn static_css() -> impl axum::response::IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        simlontar_templates::APP_CSS,
    )
}
