//! The one-time-code step after the password: enrolment on first sign-in (a QR code for
//! the authenticator app), a code on every sign-in after.
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

use super::csrf::form_token;
use super::login::NextQuery;
use super::session::{session_err, Auth, MFA_DONE};
use super::throttle::{self, Attempt};
use super::{audit, mfa, store};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::client_addr::origin_of;
use crate::web::lang::lang_of;
use crate::web::redirect::local_or_home;
use simlontar_templates::auth as view;

/// The secret offered during enrolment, kept in the session until a code proves the app
/// has it.
const PENDING: &str = "totp_pending";

/// The secret to check against: the stored one, or the one being enrolled (made now if
/// the session has none yet).
async fn secret_for(
    state: &AppState,
    session: &Session,
    user_id: i64,
) -> AppResult<(Vec<u8>, bool)> {
    if let Some(s) = mfa::secret_of(&state.pool, user_id).await? {
        return Ok((s, false));
    }
    let pending: Option<String> = session.get(PENDING).await.map_err(session_err)?;
    if let Some(secret) = pending.as_deref().and_then(mfa::decode) {
        return Ok((secret, true));
    }
    let secret = mfa::new_secret();
    session
        .insert(PENDING, mfa::encode(&secret))
        .await
        .map_err(session_err)?;
    Ok((secret, true))
}

async fn render(
    state: &AppState,
    session: &Session,
    parts: &Parts,
    user: &store::UserRecord,
    next: &str,
    failed: bool,
) -> AppResult<Response> {
    let (secret, enrolling) = secret_for(state, session, user.id).await?;
    let csrf = form_token(parts, session).await?;
    let enrol = if enrolling {
        mfa::enrolment(&secret, &user.username)
    } else {
        None
    };
    let qr_svg = enrol.as_ref().and_then(|e| {
        qrcode::QrCode::new(e.url.as_bytes()).ok().map(|q| {
            q.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .build()
        })
    });
    let page = view::totp(
        lang_of(&parts.headers),
        &view::TotpView {
            csrf: &csrf,
            next,
            enrol: enrol.as_ref().map(|e| view::TotpEnrol {
                secret: &e.secret_base32,
                qr_svg: qr_svg.as_deref().unwrap_or(""),
            }),
            failed,
        },
    );
    let status = if failed {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    Ok((status, page).into_response())
}

pub async fn show_code(
    State(state): State<AppState>,
    auth: Auth,
    session: Session,
    parts: Parts,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let Some(user) = auth.user.clone() else {
        return Ok(Redirect::to("/login").into_response());
    };
    let next = local_or_home(q.next.as_deref());
    render(&state, &session, &parts, &user.record, &next, false).await
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
    next: Option<String>,
}

pub async fn check_code(
    State(state): State<AppState>,
    auth: Auth,
    session: Session,
    parts: Parts,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let Some(user) = auth.user.clone() else {
        return Ok(Redirect::to("/login").into_response());
    };
    let user = user.record;
    let now = state.clock.now();
    let origin = origin_of(&parts, Some(user.id));
    // Wrong codes count against the same limits as wrong passwords.
    let attempt = Attempt::new(
        &state.pool,
        &state.settings,
        &parts.headers,
        &user.username,
        origin.remote_addr.as_deref(),
        now,
    )
    .await?;
    if attempt.throttled(&state.pool, now).await? {
        audit::record(
            &state.pool,
            &origin,
            "mfa_throttled",
            "user",
            Some(&user.username),
            json!({"known_browser": attempt.known_browser()}),
        )
        .await?;
        return Err(AppError::TooManyRequests);
    }
    let next = local_or_home(form.next.as_deref());
    let (secret, enrolling) = secret_for(&state, &session, user.id).await?;
    let accepted = mfa::code_matches(&secret, &form.code, now)
        && mfa::spend_step(&state.pool, user.id, &secret, enrolling, mfa::step_of(now)).await?;
    if !accepted {
        attempt.note_failure(&state.pool, now).await?;
        audit::record(
            &state.pool,
            &origin,
            "mfa_failed",
            "user",
            Some(&user.username),
            json!({"known_browser": attempt.known_browser()}),
        )
        .await?;
        return render(&state, &session, &parts, &user, &next, true).await;
    }
    session
        .remove::<String>(PENDING)
        .await
        .map_err(session_err)?;
    session.insert(MFA_DONE, true).await.map_err(session_err)?;
    // A new session id for the fully signed-in session (no fixation across the steps).
    session.cycle_id().await.map_err(session_err)?;
    let action = if enrolling { "mfa_enrolled" } else { "mfa_ok" };
    audit::record(
        &state.pool,
        &origin,
        action,
        "user",
        Some(&user.username),
        json!({}),
    )
    .await?;
    let known =
        throttle::know_browser(&state.pool, &state.settings, &parts.headers, user.id, now).await?;
    Ok(([(header::SET_COOKIE, known)], Redirect::to(&next)).into_response())
}
