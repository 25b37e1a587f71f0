//! Signing in and out.
use axum::extract::{Query, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::Markup;
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

use super::audit;
use super::csrf::form_token;
use super::session::{mark_login, session_err, Auth, Credentials};
use super::throttle::{self, Attempt};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::client_addr::origin_of;
use crate::web::lang::lang_of;
use crate::web::redirect::local_or_home;
use simlontar_templates::auth as view;

#[derive(Deserialize)]
pub struct NextQuery {
    pub(super) next: Option<String>,
}

pub async fn show_login(
    parts: Parts,
    session: Session,
    Query(q): Query<NextQuery>,
) -> AppResult<Markup> {
    let csrf = form_token(&parts, &session).await?;
    Ok(view::login(
        lang_of(&parts.headers),
        &view::LoginView {
            csrf: &csrf,
            next: &local_or_home(q.next.as_deref()),
            username: "",
            failed: false,
        },
    ))
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    mut auth: Auth,
    session: Session,
    parts: Parts,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let origin = origin_of(&parts, None);
    let username = form.username.trim().to_lowercase();
    let attempt = Attempt::new(
        &state.pool,
        &state.settings,
        &parts.headers,
        &username,
        origin.remote_addr.as_deref(),
        now,
    )
    .await?;
    if attempt.throttled(&state.pool, now).await? {
        audit::record(
            &state.pool,
            &origin,
            "login_throttled",
            "user",
            Some(&username),
            json!({"known_browser": attempt.known_browser()}),
        )
        .await?;
        return Err(AppError::TooManyRequests);
    }
    let user = auth
        .authenticate(Credentials {
            username: username.clone(),
            password: form.password,
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("sign-in: {e}")))?;
    let Some(user) = user else {
        attempt.note_failure(&state.pool, now).await?;
        audit::record(
            &state.pool,
            &origin,
            "login_failed",
            "user",
            Some(&username),
            json!({"known_browser": attempt.known_browser()}),
        )
        .await?;
        let csrf = form_token(&parts, &session).await?;
        let page = view::login(
            lang_of(&parts.headers),
            &view::LoginView {
                csrf: &csrf,
                next: &local_or_home(form.next.as_deref()),
                username: &username,
                failed: true,
            },
        );
        return Ok((axum::http::StatusCode::UNAUTHORIZED, page).into_response());
    };
    // Start from an empty session under a new id: nothing planted in the browser before
    // (another account's session, an enrolment secret) survives into this sign-in.
    // axum-login renews the id only when the session was not signed in already, and a
    // flushed session would be saved again under its old id.
    session.clear().await;
    session.cycle_id().await.map_err(session_err)?;
    auth.login(&user)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("sign-in: {e}")))?;
    // The second factor is owed when the deployment requires it or the person enrolled.
    let mfa_owed = state.settings.mfa_required || user.record.totp_enrolled;
    mark_login(&session, now, !mfa_owed).await?;
    let origin = origin_of(&parts, Some(user.record.id));
    audit::record(
        &state.pool,
        &origin,
        "login",
        "user",
        Some(&username),
        json!({}),
    )
    .await?;
    let next = local_or_home(form.next.as_deref());
    if mfa_owed {
        // The browser becomes known to the account only once the code is given too.
        return Ok(Redirect::to(&format!(
            "/login/totp?next={}",
            crate::web::urlencode(&next)
        ))
        .into_response());
    }
    let known = throttle::know_browser(
        &state.pool,
        &state.settings,
        &parts.headers,
        user.record.id,
        now,
    )
    .await?;
    Ok(([(header::SET_COOKIE, known)], Redirect::to(&next)).into_response())
}

pub async fn logout(
    State(state): State<AppState>,
    mut auth: Auth,
    session: Session,
    parts: Parts,
) -> AppResult<Redirect> {
    if let Some(user) = auth.user.clone() {
        let origin = origin_of(&parts, Some(user.record.id));
        audit::record(
            &state.pool,
            &origin,
            "logout",
            "user",
            Some(&user.record.username),
            json!({}),
        )
        .await?;
    }
    auth.logout()
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("sign-out: {e}")))?;
    // Delete the session server-side too, so a copied cookie is worthless.
    session
        .flush()
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("sign-out: {e}")))?;
    Ok(Redirect::to("/login"))
}
