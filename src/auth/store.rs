//! Users, roles and tokens in PostgreSQL.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{PgExecutor, PgPool, Row};

use super::model::{Grant, Principal};

#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub disabled: bool,
    pub auth_version: i32,
    pub totp_enrolled: bool,
    pub grants: Vec<Grant>,
}

impl UserRecord {
    pub fn principal(&self, via_token: bool) -> Principal {
        Principal {
            user_id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            grants: self.grants.clone(),
            via_token,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("user {0} already exists")]
    Exists(String),
    #[error("no user {0}")]
    NoSuchUser(String),
    /// A rule's code: `password_too_short`, `username_format`… (pages put it in words).
    #[error("{}", .0.replace('_', " "))]
    Invalid(String),
    #[error("you cannot disable your own account")]
    OwnAccount,
    #[error("scope {0} is not a known regency or UPT")]
    UnknownScope(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.password_hash,
    u.disabled_at IS NOT NULL AS disabled, u.auth_version, u.totp_secret IS NOT NULL AS totp_enrolled,
    coalesce((SELECT json_agg(json_build_object('role', r.role, 'scope', coalesce(r.scope_region, r.scope_upt))
                              ORDER BY r.id)
                FROM user_role r WHERE r.user_id = u.id), '[]') AS grants";

fn user_from_row(row: sqlx::postgres::PgRow) -> UserRecord {
    let grants: serde_json::Value = row.get("grants");
    UserRecord {
        id: row.get("id"),
        username: row.get("username"),
        display_name: row.get("display_name"),
        password_hash: row.get("password_hash"),
        disabled: row.get("disabled"),
        auth_version: row.get("auth_version"),
        totp_enrolled: row.get("totp_enrolled"),
        grants: serde_json::from_value(grants).unwrap_or_default(),
    }
}

pub async fn find_by_name(
    db: impl PgExecutor<'_>,
    username: &str,
) -> sqlx::Result<Option<UserRecord>> {
    Ok(sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM app_user u WHERE u.username = $1"
    ))
    .bind(username)
    .fetch_optional(db)
    .await?
    .map(user_from_row))
}

pub async fn find_by_id(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<UserRecord>> {
    Ok(sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM app_user u WHERE u.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?
    .map(user_from_row))
}

pub async fn list(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<UserRecord>> {
    Ok(sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM app_user u ORDER BY u.username"
    ))
    .fetch_all(db)
    .await?
    .into_iter()
    .map(user_from_row)
    .collect())
}

pub async fn any_admin(db: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM user_role r JOIN app_user u ON u.id = r.user_id
                         WHERE r.role = 'admin' AND u.disabled_at IS NULL)",
    )
    .fetch_one(db)
    .await
}

pub async fn create(
    pool: &PgPool,
    username: &str,
    display_name: &str,
    password: &str,
    grant: &Grant,
) -> Result<i64, UserError> {
    let username = username.trim().to_lowercase();
    super::model::check_password(password, &username).map_err(|e| UserError::Invalid(e.into()))?;
    let hash = hash_password(password).await;
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO app_user (username, display_name, password_hash) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(&username)
    .bind(if display_name.trim().is_empty() { username.as_str() } else { display_name.trim() })
    .bind(hash)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => UserError::Exists(username.clone()),
        sqlx::Error::Database(d) if d.is_check_violation() => UserError::Invalid("username_format".into()),
        _ => UserError::Db(e),
    })?;
    add_grant(&mut *tx, id, grant).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn add_grant(
    db: impl PgExecutor<'_>,
    user_id: i64,
    grant: &Grant,
) -> Result<(), UserError> {
    let (region, upt) = match grant.role.scope_kind() {
        super::model::ScopeKind::Region => (grant.scope.clone(), None),
        super::model::ScopeKind::Upt => (None, grant.scope.clone()),
        super::model::ScopeKind::None => (None, None),
    };
    sqlx::query(
        "WITH g AS (INSERT INTO user_role (user_id, role, scope_region, scope_upt) VALUES ($1, $2, $3, $4)
                    ON CONFLICT DO NOTHING RETURNING user_id)
         UPDATE app_user SET auth_version = auth_version + 1 WHERE id IN (SELECT user_id FROM g)",
    )
    .bind(user_id)
    .bind(grant.role.as_str())
    .bind(region)
    .bind(upt)
    .execute(db)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
            UserError::UnknownScope(grant.scope.clone().unwrap_or_default())
        }
        _ => UserError::Db(e),
    })?;
    Ok(())
}

/// Disables (or re-enables) a user. Bumping `auth_version` ends their sessions at once.
/// Disables or enables an account. `actor` is the account doing it (`None` for the server's
/// own command line): nobody disables their own account, so an administrator cannot lock
/// the last way in by a slip, and a stolen session cannot hide by disabling its owner.
pub async fn set_disabled(
    db: impl PgExecutor<'_>,
    actor: Option<i64>,
    username: &str,
    disabled: bool,
) -> Result<i64, UserError> {
    // One statement, so the check and the change see the same row.
    let row: Option<(i64, bool)> = sqlx::query_as(
        "WITH target AS (SELECT id FROM app_user WHERE username = $1),
              changed AS (
                UPDATE app_user u SET disabled_at = CASE WHEN $2 THEN now() END,
                       auth_version = u.auth_version + 1
                  FROM target t
                 WHERE u.id = t.id AND NOT ($2 AND u.id IS NOT DISTINCT FROM $3)
                RETURNING u.id)
         SELECT t.id, EXISTS (SELECT 1 FROM changed) FROM target t",
    )
    .bind(username)
    .bind(disabled)
    .bind(actor)
    .fetch_optional(db)
    .await?;
    match row {
        None => Err(UserError::NoSuchUser(username.into())),
        Some((_, false)) => Err(UserError::OwnAccount),
        Some((id, true)) => Ok(id),
    }
}

pub async fn set_password(pool: &PgPool, username: &str, password: &str) -> Result<i64, UserError> {
    super::model::check_password(password, username).map_err(|e| UserError::Invalid(e.into()))?;
    let hash = hash_password(password).await;
    sqlx::query_scalar(
        "UPDATE app_user SET password_hash = $2, auth_version = auth_version + 1
          WHERE username = $1 RETURNING id",
    )
    .bind(username)
    .bind(hash)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| UserError::NoSuchUser(username.into()))
}

/// Argon2id (password-auth's defaults: m=19456, t=2, p=1) off the async threads.
pub async fn hash_password(password: &str) -> String {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .expect("hashing task")
}

/// Verifies a password against a stored hash, or against a fixed dummy hash when the
/// user does not exist, so both cases take the same time. A hash with older, cheaper
/// parameters verifies faster, which would tell that the account exists (and has not
/// signed in since the change): its answer waits until a current verification's usual
/// time has passed (measured in `benches/signin.rs`).
pub async fn verify_password(password: &str, hash: Option<&str>) -> bool {
    let real = hash.is_some();
    let hash = hash.unwrap_or(&DUMMY).to_string();
    if CURRENT_MICROS.load(Ordering::Relaxed) == 0 {
        // Nothing measured since start: measure once.
        verify_padded("calibration".into(), DUMMY.clone()).await;
    }
    verify_padded(password.to_string(), hash).await && real
}

static DUMMY: LazyLock<String> =
    LazyLock::new(|| password_auth::generate_hash("not a real password"));

/// A moving average of how long a verification with today's parameters takes, in µs.
static CURRENT_MICROS: AtomicU64 = AtomicU64::new(0);

/// Verifies off the async threads. A verification with today's parameters updates the
/// moving average (an eighth of each new time), so the padding follows the load; one
/// with other parameters that finished sooner sleeps the rest of the usual time on its
/// thread (a finer clock than the async timer's milliseconds).
async fn verify_padded(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let ok = password_auth::verify_password(password, &hash).is_ok();
        let took = started.elapsed();
        let usual = CURRENT_MICROS.load(Ordering::Relaxed);
        if password_auth::is_hash_obsolete(&hash).unwrap_or(true) {
            std::thread::sleep(StdDuration::from_micros(usual).saturating_sub(took));
        } else {
            let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
            // Racing updates may drop a sample; the average only needs to be about right.
            let new = if usual == 0 {
                micros
            } else {
                (usual * 7 + micros) / 8
            };
            CURRENT_MICROS.store(new, Ordering::Relaxed);
        }
        ok
    })
    .await
    .unwrap_or(false)
}

/// After `password` was verified against the user's hash: when that hash was made with
/// other parameters than today's, stores a fresh one in its place and in `user`. Only
/// the hash just checked is replaced, so a reset made meanwhile wins.
pub async fn upgrade_hash(
    pool: &PgPool,
    user: &mut UserRecord,
    password: &str,
) -> sqlx::Result<()> {
    let Some(old) = user.password_hash.as_deref() else {
        return Ok(());
    };
    if !password_auth::is_hash_obsolete(old).unwrap_or(false) {
        return Ok(());
    }
    let new = hash_password(password).await;
    let replaced =
        sqlx::query("UPDATE app_user SET password_hash = $3 WHERE id = $1 AND password_hash = $2")
            .bind(user.id)
            .bind(old)
            .bind(&new)
            .execute(pool)
            .await?
            .rows_affected()
            == 1;
    if replaced {
        user.password_hash = Some(new);
    }
    Ok(())
}

/// Creates a bearer token for a user; the token itself is returned once and never stored.
pub async fn create_token(
    db: impl PgExecutor<'_>,
    user_id: i64,
    name: &str,
) -> sqlx::Result<(i64, String)> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("slt_{}", hex::encode(bytes));
    let id = sqlx::query_scalar(
        "INSERT INTO api_token (user_id, name, token_sha256) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(Sha256::digest(token.as_bytes()).to_vec())
    .fetch_one(db)
    .await?;
    Ok((id, token))
}

pub async fn revoke_token(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    Ok(
        sqlx::query("UPDATE api_token SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .execute(db)
            .await?
            .rows_affected()
            == 1,
    )
}

/// The user behind a live token, noting when it was used (to the minute: a client calling
/// many times a minute would otherwise make every read a write, waiting on the disk).
pub async fn user_for_token(
    pool: &PgPool,
    token: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<UserRecord>> {
    let user_id: Option<i64> = sqlx::query_scalar(
        "WITH live AS (
           SELECT t.id, t.user_id, t.last_used_at FROM api_token t JOIN app_user u ON u.id = t.user_id
            WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL),
         touched AS (
           UPDATE api_token t SET last_used_at = $2 FROM live
            WHERE t.id = live.id
              AND (live.last_used_at IS NULL OR live.last_used_at <= $2 - interval '1 minute'))
         SELECT user_id FROM live",
    )
    .bind(Sha256::digest(token.as_bytes()).to_vec())
    .bind(now)
    .fetch_optional(pool)
    .await?;
    match user_id {
        Some(id) => find_by_id(pool, id).await,
        None => Ok(None),
    }
}

#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

pub async fn list_tokens(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<TokenInfo>> {
    Ok(sqlx::query(
        "SELECT t.id, u.username, t.name, t.created_at, t.last_used_at, t.revoked_at IS NOT NULL AS revoked
           FROM api_token t JOIN app_user u ON u.id = t.user_id ORDER BY t.id",
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| TokenInfo {
        id: r.get("id"),
        username: r.get("username"),
        name: r.get("name"),
        created_at: r.get("created_at"),
        last_used_at: r.get("last_used_at"),
        revoked: r.get("revoked"),
    })
    .collect())
}

/// A user's roles as a person reads them: each role's label, its scope by name with the
/// code small beside it ("Staf UPT (UPT RSBL Pasuruan)"). `names` maps region and UPT codes
/// to their names.
pub fn role_names(
    grants: &[Grant],
    names: &std::collections::HashMap<String, String>,
    lang: simlontar_templates::Lang,
) -> String {
    grants
        .iter()
        .map(|g| {
            let role = g.role.label().get(lang);
            match &g.scope {
                Some(s) => match names.get(s) {
                    Some(n) => format!("{role} — {n}"),
                    None => format!("{role} — {s}"),
                },
                None => role.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The active user a command acts as (`--as NAME`), refused unless they may `action`:
/// the command's changes are audited as theirs.
pub async fn acting(
    pool: &PgPool,
    username: &str,
    action: super::policy::Action,
) -> anyhow::Result<Principal> {
    let user = find_by_name(pool, username)
        .await?
        .filter(|u| !u.disabled)
        .ok_or_else(|| anyhow::anyhow!("no active user {username}"))?;
    let principal = user.principal(false);
    if !super::policy::allows(&principal, action) {
        anyhow::bail!("{username} may not do this (it needs an administrator)");
    }
    Ok(principal)
}
