//! Cross-site request forgery defence, one rule for every state-changing request a
//! browser can send, whatever its `Content-Type`:
//! - it must come from our own pages (`Origin` / `Sec-Fetch-Site`), and
//! - carry the form's token in a `csrf` field of an urlencoded or multipart body (any other
//!   body has no place for one and is refused). Signed in, the token is the session's;
//!   anonymous (sign-in, the hand-over link), it is the one in the browser's
//!   `simlontar-csrf` cookie (double submit), so showing a form writes no session row.
//!
//! Bearer-token requests carry no ambient credential and are exempt. The JSON API takes
//! writes from bearer tokens only: a signed-in browser's write there is refused outright.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::model::Principal;
use super::session::{csrf_token, MfaPending, CSRF};
use crate::error::{AppError, AppResult, ErrorInfo};
use crate::state::AppState;
use crate::web::{cookie, BODY_LIMIT};

/// Largest form read for its token, except a signed-in person's multipart form, which may
/// be as large as any body (the intake desk's photos). No form before sign-in has files.
const FORM_LIMIT: usize = 1024 * 1024;

/// The anonymous token's cookie (`__Host-` prefixed over HTTPS).
const COOKIE: &str = "simlontar-csrf";
const TOKEN_BYTES: usize = 24;

/// An anonymous browser's form token: the one its cookie holds, or a new one that is set
/// as the cookie only if a page put it into a form.
#[derive(Clone)]
pub struct AnonToken {
    value: String,
    fresh: bool,
    used: Arc<AtomicBool>,
}

impl AnonToken {
    fn of(headers: &HeaderMap, state: &AppState) -> AnonToken {
        let sent = cookie::get(headers, &cookie::name(&state.settings, COOKIE))
            .filter(|v| cookie::well_formed(v, TOKEN_BYTES));
        AnonToken {
            fresh: sent.is_none(),
            value: sent.map_or_else(|| cookie::random_value(TOKEN_BYTES), String::from),
            used: Arc::default(),
        }
    }
}

/// The token a page puts into its forms: the session's when signed in (also between
/// password and code), else the anonymous cookie's.
pub async fn form_token(parts: &Parts, session: &Session) -> AppResult<String> {
    match parts.extensions.get::<AnonToken>() {
        Some(anon) => {
            anon.used.store(true, Ordering::Relaxed);
            Ok(anon.value.clone())
        }
        None => csrf_token(session).await,
    }
}

pub async fn protect(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    // Exempt only what a bearer token authenticated (`authenticate` runs first): any other
    // `Authorization` header, such as the Basic one a browser re-sends behind a proxy,
    // leaves the session cookie in charge.
    let principal = req.extensions().get::<Principal>();
    let via_token = principal.is_some_and(|p| p.via_token);
    let signed_in =
        principal.is_some() && !via_token || req.extensions().get::<MfaPending>().is_some();
    let anon = (!signed_in && !via_token).then(|| AnonToken::of(req.headers(), &state));
    if let Some(a) = &anon {
        req.extensions_mut().insert(a.clone());
    }
    let res = if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || via_token
    {
        next.run(req).await
    } else if req.uri().path().starts_with("/api/") {
        if signed_in {
            api_refusal()
        } else {
            // Nothing signed in to forge: sign-in answers 401, which tells a client what
            // is missing better than a 403 would.
            next.run(req).await
        }
    } else if !same_origin(req.headers(), &state.settings.base_url) {
        AppError::Forbidden.into_response()
    } else {
        let expected = if signed_in {
            session.get::<String>(CSRF).await.ok().flatten()
        } else {
            anon.as_ref().filter(|a| !a.fresh).map(|a| a.value.clone())
        };
        with_token(req, expected, signed_in, next).await
    };
    match anon {
        Some(a) if a.fresh && a.used.load(Ordering::Relaxed) => {
            let mut res = res;
            res.headers_mut().append(
                header::SET_COOKIE,
                cookie::set(
                    &state.settings,
                    COOKIE,
                    &a.value,
                    None,
                    cookie::SameSite::Lax,
                ),
            );
            res
        }
        _ => res,
    }
}

/// Passes the request on only if its body carries `expected`; the body read is handed on
/// whole.
async fn with_token(
    req: Request,
    expected: Option<String>,
    signed_in: bool,
    next: Next,
) -> Response {
    let Some(expected) = expected else {
        return AppError::Forbidden.into_response();
    };
    let kind = body_kind(req.headers());
    let limit = match kind {
        BodyKind::Multipart(_) if signed_in => BODY_LIMIT,
        BodyKind::Form | BodyKind::Multipart(_) => FORM_LIMIT,
        BodyKind::Other => return AppError::Forbidden.into_response(),
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, limit).await else {
        return AppError::TooLarge.into_response();
    };
    let sent = match kind {
        BodyKind::Form => form_value(&bytes, "csrf"),
        BodyKind::Multipart(boundary) => multipart_value(bytes.clone(), boundary, "csrf").await,
        BodyKind::Other => None,
    };
    match sent {
        Some(s) if constant_time_eq(s.as_bytes(), expected.as_bytes()) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => AppError::Forbidden.into_response(),
    }
}

enum BodyKind {
    Form,
    Multipart(String),
    Other,
}

/// How the handler will read the body, by the same label its extractor goes by.
fn body_kind(headers: &HeaderMap) -> BodyKind {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return BodyKind::Other;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/x-www-form-urlencoded" => BodyKind::Form,
        "multipart/form-data" => match multer::parse_boundary(ct) {
            Ok(b) => BodyKind::Multipart(b),
            Err(_) => BodyKind::Other,
        },
        _ => BodyKind::Other,
    }
}

/// A signed-in browser's write to the API, refused whatever it carries: the API is for
/// systems with bearer tokens (docs/checks.md row 25).
fn api_refusal() -> Response {
    let mut res = AppError::Forbidden.into_response();
    if let Some(info) = res.extensions_mut().get_mut::<ErrorInfo>() {
        info.detail = Some(
            "The API takes changes only with a bearer token, not from a signed-in browser session."
                .into(),
        );
    }
    res
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

/// The first field `key` of a multipart body, read with the parser axum's `Multipart`
/// uses (multer), so both read the same fields.
async fn multipart_value(body: Bytes, boundary: String, key: &str) -> Option<String> {
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(key) {
            return field.text().await.ok();
        }
    }
    None
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
