//! The connection pool and the migrations (the only source of schema).
use std::time::Duration;

use anyhow::Context;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The role the web application works as: it may only add to append-only tables.
pub const APP_ROLE: &str = "simlontar_app";

/// The `application_name` of every connection Simlontar opens. The database audits a
/// change to a person's records by any other client as a `raw_change` (migration
/// 20261205000002), since Simlontar audits its own writes explicitly.
pub const APP_NAME: &str = "simlontar";

/// Names the connections as Simlontar's, keeping a more specific `simlontar…` name.
fn named(options: PgConnectOptions) -> PgConnectOptions {
    match options.get_application_name() {
        Some(name) if name.starts_with(APP_NAME) => options,
        _ => options.application_name(APP_NAME),
    }
}

pub async fn connect(url: &str) -> anyhow::Result<PgPool> {
    let options: PgConnectOptions = url
        .parse()
        .context("DATABASE_URL is not a valid PostgreSQL URL")?;
    pool_options()
        .connect_with(named(options))
        .await
        .context("cannot connect to the database named by DATABASE_URL")
}

/// A pool whose every connection works as [`APP_ROLE`], for the server. The login role
/// in DATABASE_URL must be a member of it (the migration makes the owner one).
pub async fn connect_as_app(options: PgConnectOptions) -> anyhow::Result<PgPool> {
    pool_options()
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::query(&format!("SET ROLE {APP_ROLE}"))
                    .execute(&mut *conn)
                    .await?;
                no_jit(conn).await
            })
        })
        .connect_with(named(options))
        .await
        .context(
            "cannot connect to the database as the application role (run `simlontar migrate`?)",
        )
}

/// A few connections per core: on the 2-core machine the intake benchmark's tail latency
/// was lowest with 6–10 (20 made PostgreSQL's backends fight for the cores).
fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(3))
        .after_connect(|conn, _| Box::pin(no_jit(conn)))
}

/// PostgreSQL's JIT compiles any query its planner thinks costly; for this system's short
/// queries (a nearest-village look-up estimated high) compiling took ~17 ms of a 0.3 ms
/// query. Measured with EXPLAIN ANALYZE; see README "Measured".
async fn no_jit(conn: &mut sqlx::PgConnection) -> sqlx::Result<()> {
    sqlx::query("SET jit = off").execute(conn).await.map(|_| ())
}

pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR
        .run(pool)
        .await
        .context("applying migrations failed")
}

/// Ready means: the database answers and every migration this build knows is applied.
pub async fn ready(pool: &PgPool) -> Result<(), String> {
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(pool)
            .await
            .map_err(|e| format!("database: {e}"))?;
    let missing: Vec<i64> = MIGRATOR
        .iter()
        .map(|m| m.version)
        .filter(|v| !applied.contains(v))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("migrations not applied: {missing:?}"))
    }
}
