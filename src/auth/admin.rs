//! User administration and the audit trail (administrators only).
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use maud::Markup;
use serde::Deserialize;
use serde_json::json;

use super::audit::{self, AuditQuery};
use super::model::{Grant, Role, ROLES};
use super::policy::{require, Action};
use super::store::{self, UserError};
use crate::clock::format_local;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::vocab::{self, AuditAction, AuditEntity, Text};
use crate::web::viewer::Viewer;
use simlontar_templates::auth as view;
use simlontar_templates::confirm;
use simlontar_templates::i18n::tr;
use simlontar_templates::layout::Section;

#[derive(Deserialize, Default)]
pub struct Notice {
    notice: Option<String>,
    error: Option<String>,
}

pub async fn show_users(
    State(state): State<AppState>,
    v: Viewer,
    Query(n): Query<Notice>,
) -> AppResult<Markup> {
    require(&v.principal, Action::ManageUsers)?;
    let tz = state.settings.time_zone;
    let mut names = crate::places::store::upt_names(&state.pool).await?;
    names.extend(crate::places::store::regency_names(&state.pool).await?);
    let users: Vec<view::UserRow> = store::list(&state.pool)
        .await?
        .into_iter()
        .map(|u| view::UserRow {
            roles: store::role_names(&u.grants, &names, v.lang),
            username: u.username,
            display_name: u.display_name,
            disabled: u.disabled,
            mfa: u.totp_enrolled,
            is_self: u.id == v.principal.user_id,
        })
        .collect();
    let tokens: Vec<view::TokenRow> = store::list_tokens(&state.pool)
        .await?
        .into_iter()
        .map(|t| view::TokenRow {
            id: t.id,
            username: t.username,
            name: t.name,
            created: format_local(t.created_at, tz),
            last_used: t
                .last_used_at
                .map(|d| format_local(d, tz))
                .unwrap_or_else(|| "–".into()),
            revoked: t.revoked,
        })
        .collect();
    let roles: Vec<(&'static str, Text)> = ROLES.iter().map(|r| (r.code(), r.label())).collect();
    Ok(view::users(
        v.lang,
        &v.nav,
        &view::UsersView {
            users: &users,
            tokens: &tokens,
            roles: &roles,
            notice: n.notice,
            error: n.error,
        },
    ))
}

fn back_to_users(notice: Result<String, String>) -> Redirect {
    let (key, msg) = match notice {
        Ok(m) => ("notice", m),
        Err(m) => ("error", m),
    };
    Redirect::to(&format!(
        "/admin/users?{key}={}",
        crate::web::urlencode(&msg)
    ))
}

/// The scope field read by name, as every region picker reads it: a regency or city for
/// the regional roles ("Nganjuk", or its code), a UPT by its name or code for UPT staff.
/// Several matches (or no regency) come back as the error naming them; a code, a UPT
/// nobody is called, or a scope for a role without one go on as typed, for `Grant::new`
/// and the store to refuse.
async fn scope_by_name(
    pool: &sqlx::PgPool,
    role: &str,
    scope: Option<String>,
    lang: simlontar_templates::Lang,
) -> sqlx::Result<Result<Option<String>, String>> {
    use super::model::ScopeKind;
    use crate::places::store::{find_upts, pick_region, RegionPick};
    let Some(typed) = scope.filter(|s| !s.trim().is_empty()) else {
        return Ok(Ok(None));
    };
    let Some(kind) = Role::parse(role).map(|r| r.scope_kind()) else {
        return Ok(Ok(Some(typed)));
    };
    let several = tr(
        lang,
        "beberapa cocok, ketik salah satu:",
        "several match, type one of:",
    );
    Ok(match kind {
        // A code is taken as typed: the store names an unknown one.
        ScopeKind::None => Ok(Some(typed)),
        ScopeKind::Region if crate::vocab::RegionCode::parse(&typed).is_ok() => Ok(Some(typed)),
        ScopeKind::Region => {
            let found = match pick_region(pool, &typed).await? {
                RegionPick::Nothing => vec![],
                RegionPick::One(one) => vec![one],
                RegionPick::Choose(found) => found,
            };
            let regencies: Vec<_> = found.into_iter().filter(|c| c.code.len() == 5).collect();
            match regencies.as_slice() {
                [one] => Ok(Some(one.code.clone())),
                [] => Err(format!(
                    "{} «{}»",
                    tr(
                        lang,
                        "Cakupan: tidak ada kabupaten/kota bernama",
                        "Scope: no regency or city is called"
                    ),
                    typed.trim()
                )),
                many => Err(format!(
                    "{} {several} {}",
                    tr(lang, "Cakupan:", "Scope:"),
                    many.iter()
                        .map(|c| c.label())
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
            }
        }
        ScopeKind::Upt => match find_upts(pool, &typed).await?.as_slice() {
            [one] => Ok(Some(one.0.clone())),
            [] => Ok(Some(typed)),
            many => Err(format!(
                "{} {several} {}",
                tr(lang, "Cakupan:", "Scope:"),
                many.iter()
                    .map(|(c, n)| vocab::region::named(n, c))
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        },
    })
}

fn user_error(e: UserError) -> Result<String, String> {
    match e {
        UserError::Db(e) => {
            tracing::error!(error = %e, "user administration");
            Err("database error".into())
        }
        other => Err(other.to_string()),
    }
}

#[derive(Deserialize)]
pub struct NewUser {
    username: String,
    display_name: String,
    role: String,
    scope: Option<String>,
    password: String,
}

fn parse_grant(role: &str, scope: Option<String>) -> Result<Grant, String> {
    let role = Role::parse(role).ok_or_else(|| format!("unknown role {role}"))?;
    Grant::new(role, scope)
}

pub async fn create_user(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<NewUser>,
) -> AppResult<Redirect> {
    require(&v.principal, Action::ManageUsers)?;
    let scope = match scope_by_name(&state.pool, &f.role, f.scope, v.lang).await? {
        Ok(s) => s,
        Err(e) => return Ok(back_to_users(Err(e))),
    };
    let grant = match parse_grant(&f.role, scope) {
        Ok(g) => g,
        Err(e) => return Ok(back_to_users(Err(e))),
    };
    let result = match store::create(
        &state.pool,
        &f.username,
        &f.display_name,
        &f.password,
        &grant,
    )
    .await
    {
        Ok(id) => {
            audit::record(
                &state.pool,
                &v.origin,
                "create",
                "user",
                Some(&id.to_string()),
                json!({"username": f.username, "role": grant.role.as_str(), "scope": grant.scope}),
            )
            .await?;
            Ok(format!("user {} created", f.username.trim().to_lowercase()))
        }
        Err(e) => user_error(e),
    };
    Ok(back_to_users(result))
}

#[derive(Deserialize)]
pub struct GrantForm {
    username: String,
    role: String,
    scope: Option<String>,
}

pub async fn grant_role(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<GrantForm>,
) -> AppResult<Redirect> {
    require(&v.principal, Action::ManageUsers)?;
    let scope = match scope_by_name(&state.pool, &f.role, f.scope, v.lang).await? {
        Ok(s) => s,
        Err(e) => return Ok(back_to_users(Err(e))),
    };
    let grant = match parse_grant(&f.role, scope) {
        Ok(g) => g,
        Err(e) => return Ok(back_to_users(Err(e))),
    };
    let Some(user) = store::find_by_name(&state.pool, &f.username).await? else {
        return Ok(back_to_users(Err(format!("no user {}", f.username))));
    };
    let result = match store::add_grant(&state.pool, user.id, &grant).await {
        Ok(()) => {
            audit::record(
                &state.pool,
                &v.origin,
                "grant",
                "user",
                Some(&user.id.to_string()),
                json!({"role": grant.role.as_str(), "scope": grant.scope}),
            )
            .await?;
            Ok(format!(
                "{} granted to {}",
                grant.role.as_str(),
                user.username
            ))
        }
        Err(e) => user_error(e),
    };
    Ok(back_to_users(result))
}

#[derive(Deserialize)]
pub struct StatusForm {
    disabled: bool,
    /// "yes" once the administrator has seen the confirmation step.
    #[serde(default)]
    confirm: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    v: Viewer,
    Path(username): Path<String>,
    Form(f): Form<StatusForm>,
) -> AppResult<Response> {
    require(&v.principal, Action::ManageUsers)?;
    // Disabling ends the person's sessions at once: ask first, naming them.
    if f.disabled && f.confirm != "yes" {
        let user = store::find_by_name(&state.pool, &username)
            .await?
            .ok_or(AppError::NotFound)?;
        return Ok(confirm_disable(&v, &user).into_response());
    }
    let actor = Some(v.principal.user_id);
    let result = match store::set_disabled(&state.pool, actor, &username, f.disabled).await {
        Ok(id) => {
            audit::record(
                &state.pool,
                &v.origin,
                if f.disabled { "disable" } else { "enable" },
                "user",
                Some(&id.to_string()),
                json!({}),
            )
            .await?;
            Ok(format!(
                "{username}: {}",
                if f.disabled {
                    tr(v.lang, "dinonaktifkan", "disabled")
                } else {
                    tr(v.lang, "diaktifkan", "enabled")
                }
            ))
        }
        Err(UserError::OwnAccount) => Err(tr(
            v.lang,
            "Anda tidak dapat menonaktifkan akun Anda sendiri.",
            "You cannot disable your own account.",
        )
        .to_string()),
        Err(e) => user_error(e),
    };
    Ok(back_to_users(result).into_response())
}

fn confirm_disable(v: &Viewer, user: &store::UserRecord) -> Markup {
    let l = v.lang;
    let title = tr(l, "Nonaktifkan pengguna", "Disable a user");
    confirm::confirm(
        l,
        &v.nav,
        &confirm::ConfirmView {
            title,
            section: Section::Admin,
            question: format!(
                "{} {} ({})?",
                tr(l, "Nonaktifkan akun", "Disable the account of"),
                user.display_name,
                user.username
            ),
            consequences: vec![
                tr(
                    l,
                    "Semua sesinya berakhir sekarang dan ia tidak dapat masuk lagi.",
                    "All their sessions end now and they cannot sign in again.",
                )
                .into(),
                tr(
                    l,
                    "Akun dapat diaktifkan kembali dari daftar pengguna.",
                    "The account can be enabled again from the user list.",
                )
                .into(),
            ],
            action: format!("/admin/users/{}/status", user.username),
            hidden: vec![("disabled", "true".into())],
            fields: None,
            confirm_label: tr(l, "Ya, nonaktifkan", "Yes, disable"),
            cancel: "/admin/users".into(),
        },
    )
}

/// Forgets a person's authenticator (a lost phone): they set up a new one at next sign-in.
pub async fn reset_mfa(
    State(state): State<AppState>,
    v: Viewer,
    Path(username): Path<String>,
) -> AppResult<Redirect> {
    require(&v.principal, Action::ManageUsers)?;
    let result = match super::mfa::reset(&state.pool, &username).await {
        Ok(id) => {
            audit::record(
                &state.pool,
                &v.origin,
                "mfa_reset",
                "user",
                Some(&id.to_string()),
                json!({}),
            )
            .await?;
            Ok(format!("{username}: authenticator reset"))
        }
        Err(e) => user_error(e),
    };
    Ok(back_to_users(result))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    username: String,
    password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<PasswordForm>,
) -> AppResult<Redirect> {
    require(&v.principal, Action::ManageUsers)?;
    let result = match store::set_password(&state.pool, &f.username, &f.password).await {
        Ok(id) => {
            audit::record(
                &state.pool,
                &v.origin,
                "reset_password",
                "user",
                Some(&id.to_string()),
                json!({}),
            )
            .await?;
            Ok(format!(
                "password of {} reset; their sessions have ended",
                f.username
            ))
        }
        Err(e) => user_error(e),
    };
    Ok(back_to_users(result))
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

/// Creates a token and shows it once, in the notice; only its hash is kept.
pub async fn create_token(
    State(state): State<AppState>,
    v: Viewer,
    Path(username): Path<String>,
    Form(f): Form<TokenForm>,
) -> AppResult<Markup> {
    require(&v.principal, Action::ManageUsers)?;
    let user = store::find_by_name(&state.pool, &username)
        .await?
        .ok_or(AppError::NotFound)?;
    let (id, token) = store::create_token(&state.pool, user.id, &f.name).await?;
    audit::record(
        &state.pool,
        &v.origin,
        "create_token",
        "api_token",
        Some(&id.to_string()),
        json!({"user": username}),
    )
    .await?;
    // Rendered directly (not redirected) so the token never appears in a URL.
    show_users(
        State(state),
        v,
        Query(Notice {
            notice: Some(format!("token for {username} (shown once): {token}")),
            error: None,
        }),
    )
    .await
}

pub async fn revoke_token(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Redirect> {
    require(&v.principal, Action::ManageUsers)?;
    let revoked = store::revoke_token(&state.pool, id).await?;
    if revoked {
        audit::record(
            &state.pool,
            &v.origin,
            "revoke_token",
            "api_token",
            Some(&id.to_string()),
            json!({}),
        )
        .await?;
    }
    Ok(back_to_users(if revoked {
        Ok(format!("token {id} revoked"))
    } else {
        Err(format!("no live token {id}"))
    }))
}

#[derive(Deserialize, Default)]
pub struct AuditFilter {
    actor: Option<String>,
    action: Option<String>,
    entity: Option<String>,
    entity_id: Option<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    offset: Option<i64>,
}

fn nonblank(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

pub async fn show_audit(
    State(state): State<AppState>,
    v: Viewer,
    Query(f): Query<AuditFilter>,
) -> AppResult<Markup> {
    require(&v.principal, Action::ViewAudit)?;
    let q = AuditQuery {
        actor: nonblank(&f.actor),
        action: nonblank(&f.action),
        entity: nonblank(&f.entity),
        entity_id: nonblank(&f.entity_id),
        from: f.from,
        to: f.to,
        offset: f.offset.unwrap_or(0).max(0),
    };
    let found = audit::search(&state.pool, &q).await?;
    let tz = state.settings.time_zone;
    let rows: Vec<view::AuditRowView> = found
        .iter()
        .map(|r| view::AuditRowView {
            at: format_local(r.at, tz),
            actor: r.actor.clone().unwrap_or_else(|| "–".into()),
            action: vocab::label_of(AuditAction::parse, AuditAction::label, &r.action),
            entity: vocab::label_of(AuditEntity::parse, AuditEntity::label, &r.entity),
            entity_id: r.entity_id.clone().unwrap_or_default(),
            remote_addr: r.remote_addr.clone().unwrap_or_default(),
        })
        .collect();
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    Ok(view::audit(
        v.lang,
        &v.nav,
        &view::AuditView {
            rows: &rows,
            actor: &s(&f.actor),
            action: &s(&f.action),
            entity: &s(&f.entity),
            entity_id: &s(&f.entity_id),
            next_offset: (found.len() as i64 == audit::PAGE).then_some(q.offset + audit::PAGE),
        },
    ))
}
