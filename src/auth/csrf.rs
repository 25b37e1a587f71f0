//! Cross-site request forgery defence for cookie-authenticated requests: every
//! state-changing request must come from our own pages (Origin / Sec-Fetch-Site) and, for
//! forms, carry the session's token in a `csrf` field. Bearer-token requests carry no
//! ambient credentials and are exempt.
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::model::Principal;
use crate::error::AppError;
use crate::web::AppState;

/// Largest urlencoded form read for its token (multipart forms check in their handler).
const FORM_LIMIT: usize = 1024 * 1024;

pub async fn protect(
    State(state): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    // Exempt only what a bearer token authenticated (`authenticate` runs first): any other
    // `Authorization` header, such as the Basic one a browser re-sends behind a proxy,
    // leaves the session cookie in charge.
    // An API call without any signed-in credential has nothing to forge: sign-in answers
    // it with 401, which tells a client what is missing better than a 403 would.
    let principal = req.extensions().get::<Principal>();
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || principal.is_some_and(|p| p.via_token)
        || (principal.is_none() && req.uri().path().starts_with("/api/"))
    {
        return next.run(req).await;
    }
    if !same_origin(req.headers(), &state.settings.base_url) {
        return AppError::Forbidden.into_response();
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        if is_multipart(req.headers()) {
            return next.run(req).await;
        }
        return AppError::Forbidden.into_response();
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return AppError::TooLarge.into_response();
    };
    let sent = form_value(&bytes, "csrf");
    let expected: Option<String> = session.get("csrf").await.ok().flatten();
    match (sent, expected) {
        (Some(s), Some(e)) if constant_time_eq(s.as_bytes(), e.as_bytes()) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => AppError::Forbidden.into_response(),
    }
}

pub fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// A browser says where a request comes from; anything but our own origin is refused.
fn same_origin(headers: &HeaderMap, base_url: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site != "same-origin" && site != "none" {
            return false;
        }
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            origin == base_url
                || host.is_some_and(|h| {
                    origin == format!("http://{h}") || origin == format!("https://{h}")
                })
        }
    }
}

fn form_value(body: &[u8], key: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
