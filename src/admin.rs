//! The `user` and `token` commands: the first administrator and scripts.
use std::io::Read;

use anyhow::{bail, Context};
use serde_json::json;
use sqlx::PgPool;

use simlontar::auth::audit::{self, Origin};
use simlontar::auth::model::{Grant, Role};
use simlontar::auth::store;

use crate::{TokenCommand, UserCommand};

fn grant(role: &str, scope: Option<String>) -> anyhow::Result<Grant> {
    let role = Role::parse(role).with_context(|| {
        format!(
            "unknown role `{role}`; one of: {}",
            simlontar::auth::model::ROLES.map(|r| r.as_str()).join(", ")
        )
    })?;
    Grant::new(role, scope).map_err(anyhow::Error::msg)
}

/// Reads a password from standard input: the first line, without its line ending.
fn password_from_stdin() -> anyhow::Result<String> {
    let mut input = String::new();
    std::io::stdin()
        .take(4096)
        .read_to_string(&mut input)
        .context("reading the password from standard input")?;
    let password = input.lines().next().unwrap_or("").to_string();
    if password.is_empty() {
        bail!("no password on standard input");
    }
    Ok(password)
}

/// Commands act as no signed-in user; the audit row says they came from the command line.
fn cli() -> Origin {
    Origin::default()
}

pub async fn user(pool: &PgPool, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            username,
            role,
            scope,
            name,
            ..
        } => {
            let g = grant(&role, scope)?;
            let password = password_from_stdin()?;
            let id = store::create(pool, &username, &name, &password, &g).await?;
            audit::record(
                pool,
                &cli(),
                "create",
                "user",
                Some(&id.to_string()),
                json!({"via": "cli", "role": g.role.as_str(), "scope": g.scope}),
            )
            .await?;
            eprintln!("user {username} created");
        }
        UserCommand::Grant {
            username,
            role,
            scope,
        } => {
            let g = grant(&role, scope)?;
            let user = store::find_by_name(pool, &username)
                .await?
                .with_context(|| format!("no user {username}"))?;
            store::add_grant(pool, user.id, &g).await?;
            audit::record(
                pool,
                &cli(),
                "grant",
                "user",
                Some(&user.id.to_string()),
                json!({"via": "cli", "role": g.role.as_str(), "scope": g.scope}),
            )
            .await?;
            eprintln!("{} granted to {username}", g.role.as_str());
        }
        UserCommand::Disable { username } => {
            let id = store::set_disabled(pool, None, &username, true).await?;
            audit::record(
                pool,
                &cli(),
                "disable",
                "user",
                Some(&id.to_string()),
                json!({"via": "cli"}),
            )
            .await?;
            eprintln!("user {username} disabled");
        }
        UserCommand::Enable { username } => {
            let id = store::set_disabled(pool, None, &username, false).await?;
            audit::record(
                pool,
                &cli(),
                "enable",
                "user",
                Some(&id.to_string()),
                json!({"via": "cli"}),
            )
            .await?;
            eprintln!("user {username} enabled");
        }
        UserCommand::ResetPassword { username, .. } => {
            let password = password_from_stdin()?;
            let id = store::set_password(pool, &username, &password).await?;
            audit::record(
                pool,
                &cli(),
                "reset_password",
                "user",
                Some(&id.to_string()),
                json!({"via": "cli"}),
            )
            .await?;
            eprintln!("password of {username} reset");
        }
        UserCommand::ResetMfa { username } => {
            let id = simlontar::auth::mfa::reset(pool, &username).await?;
            audit::record(
                pool,
                &cli(),
                "mfa_reset",
                "user",
                Some(&id.to_string()),
                json!({"via": "cli"}),
            )
            .await?;
            eprintln!("authenticator of {username} reset; they set up a new one at next sign-in");
        }
    }
    Ok(())
}

pub async fn token(pool: &PgPool, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create { username, name } => {
            let user = store::find_by_name(pool, &username)
                .await?
                .with_context(|| format!("no user {username}"))?;
            if user.disabled {
                bail!("user {username} is disabled");
            }
            let (id, token) = store::create_token(pool, user.id, &name).await?;
            audit::record(
                pool,
                &cli(),
                "create_token",
                "api_token",
                Some(&id.to_string()),
                json!({"via": "cli", "user": username}),
            )
            .await?;
            println!("{token}");
            eprintln!("token {id} for {username} created; it is shown only now");
        }
        TokenCommand::Revoke { id } => {
            if !store::revoke_token(pool, id).await? {
                bail!("no live token {id}");
            }
            audit::record(
                pool,
                &cli(),
                "revoke_token",
                "api_token",
                Some(&id.to_string()),
                json!({"via": "cli"}),
            )
            .await?;
            eprintln!("token {id} revoked");
        }
    }
    Ok(())
}

/// `identity import-checks`: the results are recorded as the named DP3AK user's.
pub async fn import_checks(
    pool: &PgPool,
    settings: &simlontar::config::Settings,
    file: &std::path::Path,
    officer: &str,
) -> anyhow::Result<simlontar::identity::batch::BatchSummary> {
    use simlontar::auth::policy::{allows, Action};
    let user = store::find_by_name(pool, officer)
        .await?
        .filter(|u| !u.disabled)
        .ok_or_else(|| anyhow::anyhow!("no active user {officer}"))?;
    let principal = user.principal(true);
    if !allows(&principal, Action::RecordIdentity) {
        anyhow::bail!("{officer} is not an identity officer (DP3AK)");
    }
    simlontar::identity::batch::import(
        pool,
        file,
        &principal,
        (
            settings.identity_accept_score,
            settings.reintake_review,
            settings.time_zone,
        ),
        chrono::Utc::now(),
    )
    .await
}

/// `import residents`: recorded as the named administrator's.
pub async fn import_residents(
    pool: &PgPool,
    settings: &simlontar::config::Settings,
    file: &std::path::Path,
    admin: &str,
    dry_run: bool,
) -> anyhow::Result<()> {
    use simlontar::shelter::residents_store as residents;
    let actor =
        simlontar::auth::store::acting(pool, admin, simlontar::auth::policy::Action::ImportState)
            .await?;
    let now = (chrono::Utc::now(), settings.time_zone);
    let s = residents::import(pool, file, &actor, dry_run, now).await?;
    for w in &s.warnings {
        eprintln!("warning: {w}");
    }
    let verb = if dry_run { "would be placed" } else { "placed" };
    eprintln!(
        "{}: {} residents {verb}, {} already imported{}",
        file.display(),
        s.created,
        s.already,
        if s.created == 0 && !dry_run {
            "; nothing changed"
        } else {
            ""
        }
    );
    Ok(())
}
