//! Sign-in state: axum-login over tower-sessions with the sessions in PostgreSQL, bearer
//! tokens for systems, and the middleware that turns either into a `Principal`.
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_login::{AuthSession, AuthUser, AuthnBackend, UserId};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use tower_sessions::Session;

use super::model::Principal;
use super::store::{self, UserRecord};
use crate::error::AppError;
use crate::state::AppState;

/// Sessions end after 30 minutes without a request, and 12 hours after sign-in however
/// busy they are (ASVS 7.3).
pub const IDLE_MINUTES: i64 = 30;
pub const ABSOLUTE_HOURS: i64 = 12;

const LOGIN_AT: &str = "login_at";
const LAST_SEEN: &str = "last_seen";
pub(super) const CSRF: &str = "csrf";
/// Set once the second factor is done (or not needed) for this session.
pub const MFA_DONE: &str = "mfa_done";

/// A request from someone who gave the right password but not yet their one-time code:
/// they may reach only the code page and sign-out.
#[derive(Debug, Clone, Copy)]
pub struct MfaPending;

pub(super) fn session_err(e: tower_sessions::session::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("session: {e}"))
}

#[derive(Debug, Clone)]
pub struct SessionUser {
    pub record: UserRecord,
    /// Changes when the password, roles or status change, which ends older sessions.
    auth_hash: Vec<u8>,
}

impl SessionUser {
    pub(super) fn new(record: UserRecord) -> SessionUser {
        let mut h = Sha256::new();
        h.update(record.password_hash.as_deref().unwrap_or("").as_bytes());
        h.update(record.auth_version.to_be_bytes());
        SessionUser {
            auth_hash: h.finalize().to_vec(),
            record,
        }
    }
}

impl AuthUser for SessionUser {
    type Id = i64;

    fn id(&self) -> i64 {
        self.record.id
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.auth_hash
    }
}

#[derive(Clone)]
pub struct Backend {
    pub pool: PgPool,
}

pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl AuthnBackend for Backend {
    type User = SessionUser;
    type Credentials = Credentials;
    type Error = sqlx::Error;

    async fn authenticate(&self, c: Credentials) -> Result<Option<SessionUser>, sqlx::Error> {
        let user = store::find_by_name(&self.pool, &c.username.trim().to_lowercase()).await?;
        let hash = user.as_ref().and_then(|u| u.password_hash.as_deref());
        let ok = store::verify_password(&c.password, hash).await;
        let Some(mut user) = user.filter(|u| ok && !u.disabled) else {
            return Ok(None);
        };
        // The session keeps a digest of the new hash; the user's other sessions, made
        // with the old one, end (once, on the sign-in that upgrades it).
        store::upgrade_hash(&self.pool, &mut user, &c.password).await?;
        Ok(Some(SessionUser::new(user)))
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<SessionUser>, sqlx::Error> {
        Ok(store::find_by_id(&self.pool, *id)
            .await?
            .filter(|u| !u.disabled)
            .map(SessionUser::new))
    }
}

pub type Auth = AuthSession<Backend>;

/// Marks the session as signed in now; `Auth::login` has already given it a new id.
/// `mfa_done` is false while a one-time code is still owed.
pub async fn mark_login(
    session: &Session,
    now: DateTime<Utc>,
    mfa_done: bool,
) -> Result<(), AppError> {
    for key in [LOGIN_AT, LAST_SEEN] {
        session
            .insert(key, now.timestamp())
            .await
            .map_err(session_err)?;
    }
    session
        .insert(MFA_DONE, mfa_done)
        .await
        .map_err(session_err)?;
    // A fresh CSRF token for the signed-in session.
    session
        .remove::<String>(CSRF)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))?;
    Ok(())
}

/// The session's CSRF token, made on first use.
pub async fn csrf_token(session: &Session) -> Result<String, AppError> {
    let err =
        |e: tower_sessions::session::Error| AppError::Internal(anyhow::anyhow!("session: {e}"));
    if let Some(t) = session.get::<String>(CSRF).await.map_err(err)? {
        return Ok(t);
    }
    let mut bytes = [0u8; 24];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    let token = hex::encode(bytes);
    session.insert(CSRF, &token).await.map_err(err)?;
    Ok(token)
}

/// Finds who the request acts for: a bearer token (systems) or the signed-in session
/// (people). A bad token is refused outright rather than treated as anonymous.
pub async fn authenticate(
    State(state): State<AppState>,
    mut auth: Auth,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let now = state.clock.now();
    if let Some(token) = bearer(req.headers()) {
        match store::user_for_token(&state.pool, &token, now).await {
            Ok(Some(user)) => {
                req.extensions_mut().insert(user.principal(true));
                return next.run(req).await;
            }
            Ok(None) => return AppError::Unauthorized.into_response(),
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    if let Some(user) = auth.user.clone() {
        // Both limits are checked against the injected clock (tower-sessions' own expiry,
        // on the wall clock, only cleans up behind them).
        let login_at: Option<i64> = session.get(LOGIN_AT).await.ok().flatten();
        let last_seen: Option<i64> = session.get(LAST_SEEN).await.ok().flatten();
        let t = now.timestamp();
        let too_old =
            login_at.is_none_or(|l| t - l > Duration::hours(ABSOLUTE_HOURS).num_seconds());
        let idle = last_seen.is_none_or(|l| t - l > Duration::minutes(IDLE_MINUTES).num_seconds());
        if too_old || idle {
            let _ = auth.logout().await;
            let _ = session.flush().await;
        } else {
            // Written at most once a minute, not on every request.
            if last_seen.is_some_and(|l| t - l >= 60) {
                let _ = session.insert(LAST_SEEN, t).await;
            }
            let mfa_done: bool = session.get(MFA_DONE).await.ok().flatten().unwrap_or(false);
            if mfa_done {
                req.extensions_mut().insert(user.record.principal(false));
            } else {
                req.extensions_mut().insert(MfaPending);
            }
        }
    }
    next.run(req).await
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// Every route behind this needs a principal: pages send people to sign in (and back),
/// the API answers 401.
pub async fn require_login(req: Request, next: Next) -> Response {
    if req.extensions().get::<Principal>().is_some() {
        return next.run(req).await;
    }
    if req.uri().path().starts_with("/api/") {
        return AppError::Unauthorized.into_response();
    }
    let to = if req.extensions().get::<MfaPending>().is_some() {
        "/login/totp"
    } else {
        "/login"
    };
    let next_path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    Redirect::to(&format!("{to}?next={}", crate::web::urlencode(&next_path))).into_response()
}
