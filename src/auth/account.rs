//! A signed-in person's own account: changing the password. The change ends every other
//! session of the account (the session hash includes `auth_version`); the session that
//! made it is signed in again under a new id and keeps its sign-in time and second factor.
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;
use simlontar_templates::auth as view;
use simlontar_templates::i18n::{tr, Lang};
use tower_sessions::Session;

use super::session::{session_err, Auth, SessionUser};
use super::throttle::Attempt;
use super::{audit, model, store};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::viewer::Viewer;

#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

pub async fn show_password(v: Viewer, Query(q): Query<Done>) -> AppResult<Response> {
    refuse_tokens(&v)?;
    let page = view::password_change(
        v.lang,
        &v.nav,
        &view::PasswordChangeView {
            errors: &[],
            done: q.done.is_some(),
        },
    );
    Ok(page.into_response())
}

#[derive(Deserialize)]
pub struct PasswordChange {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    v: Viewer,
    mut auth: Auth,
    session: Session,
    headers: HeaderMap,
    Form(f): Form<PasswordChange>,
) -> AppResult<Response> {
    refuse_tokens(&v)?;
    let now = state.clock.now();
    let username = v.principal.username.clone();
    // A stolen session must not become a way to guess the password: the same limits as
    // at sign-in.
    let attempt = Attempt::new(
        &state.pool,
        &state.settings,
        &headers,
        &username,
        v.origin.remote_addr.as_deref(),
        now,
    )
    .await?;
    if attempt.throttled(&state.pool, now).await? {
        return Err(AppError::TooManyRequests);
    }
    let record = store::find_by_id(&state.pool, v.principal.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = new_password_errors(&f, &username, v.lang);
    if !store::verify_password(&f.current, record.password_hash.as_deref()).await {
        attempt.note_failure(&state.pool, now).await?;
        audit::record(
            &state.pool,
            &v.origin,
            "change_password_failed",
            "user",
            Some(&record.id.to_string()),
            json!({}),
        )
        .await?;
        errors.insert(
            0,
            (
                "current".into(),
                tr(v.lang, "kata sandi salah", "wrong password").into(),
            ),
        );
    }
    if !errors.is_empty() {
        let page = view::password_change(
            v.lang,
            &v.nav,
            &view::PasswordChangeView {
                errors: &errors,
                done: false,
            },
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    store::set_password(&state.pool, &username, &f.new)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("password change: {e}")))?;
    let changed = store::find_by_id(&state.pool, record.id)
        .await?
        .ok_or(AppError::NotFound)?;
    auth.login(&SessionUser::new(changed))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("password change: {e}")))?;
    // A new session id, as at sign-in: an id seen before the change is worth nothing.
    session.cycle_id().await.map_err(session_err)?;
    audit::record(
        &state.pool,
        &v.origin,
        "change_password",
        "user",
        Some(&record.id.to_string()),
        json!({}),
    )
    .await?;
    Ok(Redirect::to("/account/password?done=1").into_response())
}

/// A password is a person's own, changed in a browser: never through an API token.
fn refuse_tokens(v: &Viewer) -> AppResult<()> {
    if v.principal.via_token {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// What is wrong with the new password and its repetition, field by field.
fn new_password_errors(f: &PasswordChange, username: &str, lang: Lang) -> Vec<(String, String)> {
    let mut errors: Vec<(String, String)> = vec![];
    if let Err(code) = model::check_password(&f.new, username) {
        errors.push(("new".into(), model::password_problem(code, lang).into()));
    } else if f.new == f.current {
        errors.push((
            "new".into(),
            tr(
                lang,
                "sama dengan kata sandi sekarang",
                "the same as the current one",
            )
            .into(),
        ));
    }
    if f.confirm != f.new {
        errors.push((
            "confirm".into(),
            tr(
                lang,
                "tidak sama dengan kata sandi baru",
                "does not match the new password",
            )
            .into(),
        ));
    }
    errors
}
