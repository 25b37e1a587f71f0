//! Simlontar: bringing stranded people in East Java home, or to a shelter bed that fits.
//! The application is put together here, at the top: every capability's router, the
//! layers every request passes (request id, tracing, time-out, body limit, sessions,
//! CSRF, error pages) and the shared state below them all (`state::AppState`).
pub mod auth;
pub mod capacity;
pub mod cases;
pub mod clock;
pub mod config;
pub mod csv_lines;
pub mod db;
pub mod demo;
pub mod error;
pub mod identity;
pub mod intake;
pub mod jobs;
pub mod linkage;
pub mod logs;
pub mod notify;
pub mod places;
pub mod readiness;
pub mod reports;
pub mod retention;
pub mod routing;
pub mod shelter;
pub mod state;
pub mod tasks;
pub mod vocab;
pub mod web;
pub mod worklist;

pub use state::AppState;

use std::time::Duration;

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware;
use axum::routing::get;
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use axum_login::AuthManagerLayerBuilder;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

use web::{client_addr, errors, health, home, lang, openapi, outage, BODY_LIMIT};

#[cfg(test)]
mod hostile;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn app(state: AppState) -> Router {
    let https = state.settings.base_url.starts_with("https://");
    let sessions = SessionManagerLayer::new(outage::OutageAwareStore(PostgresStore::new(
        state.pool.clone(),
    )))
    // The __Host- prefix pins the cookie to this host over HTTPS (ASVS 3.4).
    .with_name(if https {
        "__Host-simlontar"
    } else {
        "simlontar"
    })
    .with_secure(https)
    .with_http_only(true)
    .with_same_site(SameSite::Lax)
    .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
        auth::session::IDLE_MINUTES,
    )));
    let auth_layer = AuthManagerLayerBuilder::new(
        auth::session::Backend {
            pool: state.pool.clone(),
        },
        sessions,
    )
    .build();

    let protected = Router::new()
        .route("/", get(home::show_home))
        .merge(auth::router())
        .merge(cases::router())
        .merge(intake::router())
        .merge(identity::router())
        .merge(notify::router())
        .merge(shelter::router())
        .merge(routing::router())
        .merge(tasks::router())
        .merge(capacity::router())
        .merge(reports::router())
        .merge(jobs::page::router())
        .merge(readiness::router())
        .merge(worklist::router())
        .route_layer(middleware::from_fn(auth::session::require_login));
    let public = Router::new()
        .route("/lang/{code}", get(lang::switch_language))
        .route(
            "/static/app.css",
            get(|| asset(CSS, simlontar_templates::APP_CSS)),
        )
        .route(
            "/static/print.js",
            get(|| asset(JS, simlontar_templates::PRINT_JS)),
        )
        .route(
            "/static/intake.js",
            get(|| asset(JS, simlontar_templates::INTAKE_JS)),
        )
        .route("/static/sw.js", get(service_worker))
        .route("/api/openapi.json", get(openapi::openapi_json))
        .merge(auth::public_router())
        .merge(routing::public_router())
        .merge(reports::public_router());

    let mut router = Router::new()
        .merge(protected)
        .merge(public)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::csrf::protect,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::session::authenticate,
        ))
        .layer(auth_layer)
        // Before anything that reads the client's address (throttling, the audit trail).
        .layer(middleware::from_fn_with_state(
            state.clone(),
            client_addr::resolve,
        ))
        .layer(middleware::from_fn(outage::mark_outages))
        // One limit for every body, the outer layer's (axum's own 2 MB default would cut
        // photos short with a confusing error).
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        // Outside the limits, so their refusals are rendered like every other error.
        .layer(middleware::from_fn(errors::render_errors))
        // Probes answer plain JSON for machines, without sessions or error pages.
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz));
    for (name, value) in security_headers() {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    if https {
        router = router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                // The path only: queries may hold search terms about people.
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Headers every response carries unless a handler set its own (static files set a
/// cache lifetime; everything else may show personal data and is never stored).
fn security_headers() -> [(HeaderName, HeaderValue); 6] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
            ),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("geolocation=(self), camera=(self), microphone=()"),
        ),
    ]
}

/// The desk's service worker (templates/static/sw.js). Served from /static, it may still
/// watch the whole site: it must see the desk at /intake and the sign-out at /logout (it
/// forgets its copy of the desk there). Never cached by HTTP, so a new version reaches
/// phones at once.
async fn service_worker() -> impl axum::response::IntoResponse {
    (
        [
            (header::CONTENT_TYPE, JS),
            (header::CACHE_CONTROL, "no-cache"),
            (HeaderName::from_static("service-worker-allowed"), "/"),
        ],
        simlontar_templates::SW_JS,
    )
}

async fn not_found() -> crate::error::AppError {
    crate::error::AppError::NotFound
}

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// A file the pages load, built into the binary (no CDN; the CSP allows only 'self').
async fn asset(
    content_type: &'static str,
    body: &'static str,
) -> impl axum::response::IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}
