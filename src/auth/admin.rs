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
use simlontar_templates::Lang;

crate::vocabulary! {
    /// A change made on the users page, confirmed on the page it returns to
    /// (`/admin/users?done=created&user=budi`). Only these codes, and only a username on
    /// the list, are read back: the link cannot put words of its own on the page.
    pub enum Outcome {
        Created = "created" => ("Pengguna dibuat", "User created"),
        Granted = "granted" => ("Peran ditambahkan", "Role granted"),
        Disabled = "disabled" => ("Akun dinonaktifkan; semua sesinya berakhir", "Account disabled; all its sessions ended"),
        Enabled = "enabled" => ("Akun diaktifkan kembali", "Account enabled again"),
        MfaReset = "mfa_reset" => ("Autentikator direset; pengguna memasang yang baru saat masuk berikutnya", "Authenticator reset; the user sets up a new one at the next sign-in"),
        PasswordReset = "password_reset" => ("Kata sandi direset; semua sesinya berakhir", "Password reset; all their sessions ended"),
        TokenRevoked = "token_revoked" => ("Token API dicabut", "API token revoked"),
    }
}

#[derive(Deserialize, Default)]
pub struct Shown {
    #[serde(default)]
    done: String,
    #[serde(default)]
    user: String,
}

pub async fn show_users(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<Shown>,
) -> AppResult<Markup> {
    require(&v.principal, Action::ManageUsers)?;
    let done = Outcome::parse(&q.done).map(|o| (o, q.user));
    render_users(&state, &v, Notice::Done(done), None).await
}

/// What the page says above the list: the change just made (its user named only when
/// on the list), a token shown once, or why the change was refused.
enum Notice {
    Done(Option<(Outcome, String)>),
    Token(String),
}

async fn render_users(
    state: &AppState,
    v: &Viewer,
    notice: Notice,
    error: Option<String>,
) -> AppResult<Markup> {
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
    let notice = match notice {
        Notice::Done(None) => None,
        Notice::Done(Some((outcome, user))) => {
            let label = outcome.label().get(v.lang);
            Some(match users.iter().find(|u| u.username == user) {
                Some(u) => format!("{label}: {}", u.username),
                None => format!("{label}."),
            })
        }
        Notice::Token(shown) => Some(shown),
    };
    Ok(view::users(
        v.lang,
        &v.nav,
        &view::UsersView {
            users: &users,
            tokens: &tokens,
            roles: &roles,
            notice,
            error,
        },
    ))
}

/// After a change: done, back to the list (which confirms it); refused, the list again
/// with the reason, in the reader's language, and nothing changed.
async fn back_to_users(
    state: &AppState,
    v: &Viewer,
    result: Result<(Outcome, String), String>,
) -> AppResult<Response> {
    match result {
        Ok((outcome, user)) => Ok(Redirect::to(&format!(
            "/admin/users?done={}&user={}",
            outcome.code(),
            crate::web::urlencode(&user)
        ))
        .into_response()),
        Err(message) => {
            let page = render_users(state, v, Notice::Done(None), Some(message)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
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

/// Why the store refused a change, in the reader's language.
fn user_error(e: UserError, lang: Lang) -> Result<(Outcome, String), String> {
    Err(match e {
        UserError::Exists(u) => format!(
            "{} «{u}» {}",
            tr(lang, "Nama pengguna", "The username"),
            tr(lang, "sudah dipakai.", "is taken.")
        ),
        UserError::NoSuchUser(u) => format!(
            "{} «{u}».",
            tr(
                lang,
                "Tidak ada pengguna bernama",
                "There is no user called"
            )
        ),
        UserError::Invalid(code) if code == "username_format" => tr(
            lang,
            "Nama pengguna: 3–40 huruf kecil, angka, titik, garis bawah atau tanda hubung.",
            "Username: 3–40 lower-case letters, digits, dots, underscores or hyphens.",
        )
        .into(),
        UserError::Invalid(code) => format!(
            "{} {}",
            tr(lang, "Kata sandi:", "Password:"),
            super::model::password_problem(&code, lang)
        ),
        UserError::OwnAccount => tr(
            lang,
            "Anda tidak dapat menonaktifkan akun Anda sendiri.",
            "You cannot disable your own account.",
        )
        .into(),
        UserError::UnknownScope(s) => format!(
            "{} «{s}» {}",
            tr(lang, "Cakupan", "The scope"),
            tr(
                lang,
                "bukan kabupaten/kota atau UPT yang dikenal.",
                "is not a known regency or UPT."
            )
        ),
        UserError::Db(e) => {
            tracing::error!(error = %e, "user administration");
            tr(
                lang,
                "Basis data sedang terganggu; coba lagi sebentar lagi.",
                "The database failed; try again shortly.",
            )
            .into()
        }
    })
}

#[derive(Deserialize)]
pub struct NewUser {
    username: String,
    display_name: String,
    role: String,
    scope: Option<String>,
    password: String,
}

/// The grant the form asks for, or why it cannot be given, in the reader's language.
fn parse_grant(role: &str, scope: Option<String>, lang: Lang) -> Result<Grant, String> {
    use super::model::ScopeKind;
    let role = Role::parse(role).ok_or_else(|| {
        tr(
            lang,
            "Pilih peran dari daftar.",
            "Choose a role from the list.",
        )
        .to_string()
    })?;
    Grant::new(role, scope).map_err(|_| {
        let need = match role.scope_kind() {
            ScopeKind::None => tr(
                lang,
                "tidak memakai cakupan; kosongkan isian cakupan.",
                "takes no scope: leave the scope empty.",
            ),
            ScopeKind::Region => tr(
                lang,
                "perlu kabupaten/kota sebagai cakupan, mis. Kota Surabaya.",
                "needs a regency or city as its scope, e.g. Kota Surabaya.",
            ),
            ScopeKind::Upt => tr(
                lang,
                "perlu UPT sebagai cakupan, mis. UPT Rehabilitasi Sosial Bina Laras Pasuruan.",
                "needs a UPT as its scope, e.g. UPT Rehabilitasi Sosial Bina Laras Pasuruan.",
            ),
        };
        format!(
            "{} {} {need}",
            tr(lang, "Peran", "The role"),
            role.label().get(lang)
        )
    })
}

pub async fn create_user(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<NewUser>,
) -> AppResult<Response> {
    require(&v.principal, Action::ManageUsers)?;
    let scope = match scope_by_name(&state.pool, &f.role, f.scope, v.lang).await? {
        Ok(s) => s,
        Err(e) => return back_to_users(&state, &v, Err(e)).await,
    };
    let grant = match parse_grant(&f.role, scope, v.lang) {
        Ok(g) => g,
        Err(e) => return back_to_users(&state, &v, Err(e)).await,
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
            Ok((Outcome::Created, f.username.trim().to_lowercase()))
        }
        Err(e) => user_error(e, v.lang),
    };
    back_to_users(&state, &v, result).await
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
) -> AppResult<Response> {
    require(&v.principal, Action::ManageUsers)?;
    let scope = match scope_by_name(&state.pool, &f.role, f.scope, v.lang).await? {
        Ok(s) => s,
        Err(e) => return back_to_users(&state, &v, Err(e)).await,
    };
    let grant = match parse_grant(&f.role, scope, v.lang) {
        Ok(g) => g,
        Err(e) => return back_to_users(&state, &v, Err(e)).await,
    };
    let Some(user) = store::find_by_name(&state.pool, &f.username).await? else {
        let e = user_error(UserError::NoSuchUser(f.username.clone()), v.lang);
        return back_to_users(&state, &v, e).await;
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
            Ok((Outcome::Granted, user.username))
        }
        Err(e) => user_error(e, v.lang),
    };
    back_to_users(&state, &v, result).await
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
            let outcome = if f.disabled {
                Outcome::Disabled
            } else {
                Outcome::Enabled
            };
            Ok((outcome, username))
        }
        Err(e) => user_error(e, v.lang),
    };
    back_to_users(&state, &v, result).await
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
) -> AppResult<Response> {
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
            Ok((Outcome::MfaReset, username))
        }
        Err(e) => user_error(e, v.lang),
    };
    back_to_users(&state, &v, result).await
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
) -> AppResult<Response> {
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
            Ok((Outcome::PasswordReset, f.username))
        }
        Err(e) => user_error(e, v.lang),
    };
    back_to_users(&state, &v, result).await
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
    let shown = format!(
        "{} {username} {}: {token}",
        tr(v.lang, "Token API untuk", "API token for"),
        tr(
            v.lang,
            "(hanya ditampilkan sekali; salin sekarang)",
            "(shown once: copy it now)"
        )
    );
    render_users(&state, &v, Notice::Token(shown), None).await
}

pub async fn revoke_token(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
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
    let result = if revoked {
        Ok((Outcome::TokenRevoked, String::new()))
    } else {
        Err(tr(
            v.lang,
            "Token itu sudah dicabut atau tidak ada.",
            "That token is already revoked or does not exist.",
        )
        .into())
    };
    back_to_users(&state, &v, result).await
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
